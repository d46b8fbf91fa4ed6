// What the launcher starts, in order. Each later issue adds its services here.

export interface ServiceDefinition {
  name: string;
  /** Entry point, relative to the repository root. */
  entry: string;
  /** Gets its own database and role, passed as DATABASE_URL. */
  database: boolean;
  /** Publishes or consumes events: gets the bus settings (BUS_DRIVER and its URL). */
  bus: boolean;
  /** Services whose URLs this one needs; they are started (and ready) first. */
  dependsOn: string[];
  /** Environment beyond the common variables, given the URLs of the services started before it. */
  env(urls: Record<string, string>): Record<string, string>;
}

export const services: ServiceDefinition[] = [
  {
    name: 'catalog',
    entry: 'services/catalog/src/main.ts',
    database: true,
    bus: true,
    dependsOn: [],
    env: () => ({}),
  },
  {
    name: 'gateway',
    entry: 'services/gateway/src/main.ts',
    database: false,
    bus: false,
    dependsOn: ['catalog'],
    env: (urls) => ({ CATALOG_URL: urls.catalog ?? '' }),
  },
];

/** Groups services into waves: each wave needs only services of earlier waves. */
export function startWaves(definitions: ServiceDefinition[]): ServiceDefinition[][] {
  const waves: ServiceDefinition[][] = [];
  const placed = new Set<string>();
  let remaining = [...definitions];
  while (remaining.length > 0) {
    const wave = remaining.filter((service) => service.dependsOn.every((name) => placed.has(name)));
    if (wave.length === 0) {
      throw new Error(
        `services with unmet or circular dependencies: ${remaining.map((s) => s.name).join(', ')}`,
      );
    }
    for (const service of wave) placed.add(service.name);
    waves.push(wave);
    remaining = remaining.filter((service) => !wave.includes(service));
  }
  return waves;
}
