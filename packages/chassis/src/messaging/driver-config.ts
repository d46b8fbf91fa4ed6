// Which bus driver a service's configuration names (BUS_DRIVER), built with its
// connection, lease, retention and any injected faults.
import { ConfigError } from '../config.ts';
import type { Service } from '../service.ts';
import type { BusDriver } from './driver.ts';
import { faultsFromConfig } from './faults.ts';
import { createNatsDriver } from './nats-driver.ts';
import { createPostgresDriver } from './postgres-driver.ts';

export interface BusConfig {
  BUS_DRIVER: 'postgres' | 'nats';
  BUS_DATABASE_URL?: string | undefined;
  NATS_URL?: string | undefined;
  BUS_MAX_ATTEMPTS: number;
  BUS_LEASE_MS: number;
  BUS_RETENTION_DAYS?: number | undefined;
  BUS_FAULT_REDELIVER?: number | undefined;
  BUS_FAULT_DROP_ACK_RATE?: number | undefined;
}

const DAY_MS = 24 * 3600 * 1000;

/** The driver the configuration names, failing fast if its connection setting is missing. */
export function driverFromConfig(
  config: BusConfig,
  service: Pick<Service, 'log' | 'name' | 'instanceId'>,
): BusDriver {
  if (config.BUS_DRIVER === 'nats') {
    if (!config.NATS_URL)
      throw new ConfigError('invalid configuration: NATS_URL is required when BUS_DRIVER=nats');
    return createNatsDriver({
      url: config.NATS_URL,
      log: service.log,
      name: service.instanceId,
      ackWaitMs: config.BUS_LEASE_MS,
      ...(config.BUS_RETENTION_DAYS ? { retentionMs: config.BUS_RETENTION_DAYS * DAY_MS } : {}),
      faults: faultsFromConfig(config),
    });
  }
  if (!config.BUS_DATABASE_URL) {
    throw new ConfigError('invalid configuration: BUS_DATABASE_URL is required when BUS_DRIVER=postgres');
  }
  return createPostgresDriver({
    url: config.BUS_DATABASE_URL,
    log: service.log,
    leaseMs: config.BUS_LEASE_MS,
    ...(config.BUS_RETENTION_DAYS ? { retentionMs: config.BUS_RETENTION_DAYS * DAY_MS } : {}),
    faults: faultsFromConfig(config),
  });
}
