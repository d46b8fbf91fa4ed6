import { type App, createService, type Service, type ServiceOptions } from '../src/index.ts';

/** A chassis service with the given routes, listening on a free port. */
export async function startTestService(
  routes: (app: App) => void,
  options: Partial<ServiceOptions> = {},
): Promise<{ service: Service; url: string }> {
  const service = await createService({ name: 'test', logLevel: 'silent', ...options });
  routes(service.app);
  const url = await service.listen({ host: '127.0.0.1', port: 0 });
  return { service, url };
}
