import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type JWK, SignJWT } from 'jose';

export interface TestIssuer {
  /** Where services under test fetch the public key (real HTTP, like identity's). */
  jwksUrl: string;
  /** A valid access token for `roles` (and `subject`, random by default). */
  token(roles: string[], subject?: string): Promise<string>;
  close(): Promise<void>;
}

/** Stands in for the identity service's keys in a service's own tests. */
export async function startTestIssuer(
  issuer = 'urn:platform:identity',
  audience = 'platform',
): Promise<TestIssuer> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const jwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA', use: 'sig' };
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: (roles, subject = randomUUID()) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
