// The Secrets the operator creates before the first apply: names and keys only, never
// values (deploy/k8s/README.md has the commands). The manifests reference nothing
// else but what CloudNativePG (production databases) and cert-manager (the shop's TLS
// certificate) create themselves; the tests check both directions.
import { workloads } from './model.ts';

export interface OperatorSecret {
  name: string;
  keys: string[];
  /** Where it is needed: every overlay, or one. */
  overlays: Array<'dev' | 'production'>;
  what: string;
}

const BOTH: Array<'dev' | 'production'> = ['dev', 'production'];

/** The Secret whose keys are every service's client secret (service tokens). */
export const SERVICE_CLIENTS_SECRET = 'service-clients';

/** In dev, the password of a service's database role (CloudNativePG makes `<name>-db-app` in production). */
export function databaseSecret(service: string): string {
  return `${service}-db-app`;
}

export function operatorSecrets(): OperatorSecret[] {
  const all = workloads();
  return [
    {
      name: SERVICE_CLIENTS_SECRET,
      keys: all.map((service) => service.name),
      overlays: BOTH,
      what: "each service's client secret for service tokens (16+ characters); identity is given all of them",
    },
    {
      name: 'identity',
      keys: ['admin-password', 'signing-key-encryption-key'],
      overlays: BOTH,
      what: "the administrator's password (10+ characters); 32 random bytes, base64, that encrypt signing keys at rest",
    },
    {
      name: 'payment',
      keys: ['processor-secret'],
      overlays: BOTH,
      what: 'seals card details (16+ characters)',
    },
    {
      name: 'storefront',
      keys: ['session-secret'],
      overlays: BOTH,
      what: "seals shoppers' tokens and signs CSRF tokens (32+ characters)",
    },
    {
      name: 'notification',
      keys: ['smtp-url'],
      overlays: BOTH,
      what: 'the mail server, smtp://user:password@host:port (smtps:// for implicit TLS)',
    },
    { name: 'redis', keys: ['password'], overlays: BOTH, what: "Redis's password (URL-safe characters)" },
    {
      name: 'postgres-superuser',
      keys: ['password'],
      overlays: ['dev'],
      what: "the dev PostgreSQL server's superuser",
    },
    ...all
      .filter((service) => service.database)
      .map(
        (service): OperatorSecret => ({
          name: databaseSecret(service.name),
          keys: ['password'],
          overlays: ['dev'],
          what: `the password of the role ${service.name} on the dev PostgreSQL (URL-safe characters)`,
        }),
      ),
  ];
}
