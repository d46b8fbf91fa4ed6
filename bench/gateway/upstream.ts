// The benchmark's upstream, run as its own process: answers GET /api/v1/users/me with
// a small JSON body and serves the JWKS the gateway verifies tokens with. Nothing
// else, so every target measures the same work behind it.
import { createServer } from 'node:http';

const jwks = process.env.BENCH_JWKS ?? '{"keys":[]}';
const body = JSON.stringify({
  id: 'bench-user',
  email: 'bench@example.test',
  name: 'Bench',
  roles: ['customer'],
});
const server = createServer((request, response) => {
  if (request.url === '/.well-known/jwks.json') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(jwks);
    return;
  }
  if (request.url?.startsWith('/api/v1/users/me')) {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  response.writeHead(404);
  response.end();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('listening'));
process.on('SIGTERM', () => process.exit(0));
// The bench is gone (even killed outright): so is its upstream.
process.on('disconnect', () => process.exit(0));
