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
  CONSOLE_REFRESH_MS: Type.Integer({
    minimum: 500,
    default: 2_000,
    description: 'how often live pages are brought up to date',
  }),
});
