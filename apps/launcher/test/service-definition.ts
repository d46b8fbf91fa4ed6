import type { ServiceDefinition } from '../src/services.ts';

/** A service as the launcher's planning sees it: only its name matters here. */
export const serviceNamed = (name: string): ServiceDefinition => ({
  name,
  entry: `services/${name}/src/main.ts`,
  database: false,
  bus: false,
  dependsOn: [],
  env: () => ({}),
});
