import { baseConfig, Type } from '@platform/chassis';

export const ConsoleConfig = Type.Object({
  ...baseConfig,
  GATEWAY_URL: Type.String({
    pattern: '^https?://',
    description: 'where the console signs its operator in and calls the admin APIs',
  }),
  PLATFORM_STATE_FILE: Type.String({
    minLength: 1,
    description: "the launcher's platform.json: every instance with its pid and URLs",
  }),
  CONSOLE_SESSION_HOURS: Type.Integer({
    minimum: 1,
    maximum: 24,
    default: 8,
    description: 'how long a sign-in lasts',
  }),
  CONSOLE_TRACE_SPANS: Type.Integer({
    minimum: 100,
    maximum: 1_000_000,
    default: 20_000,
    description: 'how many spans the console keeps (the oldest traces go first)',
  }),
  CONSOLE_TRACE_MINUTES: Type.Integer({
    minimum: 1,
    maximum: 1_440,
    default: 30,
    description: 'how long the console keeps a trace after its last span arrived',
  }),
  CONSOLE_REFRESH_MS: Type.Integer({
    minimum: 500,
    default: 2_000,
    description: 'how often live pages are brought up to date',
  }),
});
