import { join } from 'node:path';
import { createService, type Service, type Static, serviceOptionsFrom } from '@platform/chassis';
import { acceptForms, securePages, serveAssets } from '@platform/web';
import type { ConsoleConfig } from './config.ts';
import { consolePages } from './pages.ts';
import { PlatformView } from './platform.ts';
import { registerConsole } from './routes.ts';
import { LauncherControl } from './scaling.ts';
import { Sessions } from './session.ts';
import { registerTraceReceiver } from './traces/receiver.ts';
import { SpanStore } from './traces/store.ts';

/** What every console page may load and do: its own scripts, styles and streams, nothing else. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // Not `no-referrer`: under it a browser sends `Origin: null` with the console's own
  // forms, and every sign-in and action would be refused as coming from elsewhere.
  // Other sites (an instance's OpenAPI link) still get no referrer.
  'referrer-policy': 'same-origin',
};

/** Builds and starts the console: the operator's pages over the running platform. */
export async function startConsole(config: Static<typeof ConsoleConfig>): Promise<Service> {
  const service = await createService({
    name: 'console',
    description: "The operations console: the platform's instances, live, and an operator's actions on them",
    ...serviceOptionsFrom(config),
  });
  const { app } = service;
  acceptForms(app);
  securePages(app, SECURITY_HEADERS);
  // The pages name them without a version: checked by the browser every time.
  serveAssets(app, join(import.meta.dirname, '..', 'assets'), ['console.js', 'console.css']);
  const platform = new PlatformView(config.PLATFORM_STATE_FILE);
  const spans = new SpanStore({
    maxSpans: config.CONSOLE_TRACE_SPANS,
    maxAgeMs: config.CONSOLE_TRACE_MINUTES * 60_000,
    maxSpansPerTrace: 2_000,
  });
  registerTraceReceiver(app, spans);
  const routes = consolePages(
    platform,
    config.GATEWAY_URL,
    spans,
    // The launcher's control channel is this process's own IPC channel, when it started us.
    new LauncherControl(process),
    config.FLAGS_FILE,
  );
  service.onShutdown(async () => routes.close());
  registerConsole(
    app,
    {
      sessions: new Sessions(config.GATEWAY_URL, config.CONSOLE_SESSION_HOURS),
      sessionHours: config.CONSOLE_SESSION_HOURS,
      refreshMs: config.CONSOLE_REFRESH_MS,
    },
    routes,
  );
  await service.listen({ host: config.HOST, port: config.PORT });
  return service;
}
