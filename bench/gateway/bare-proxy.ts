// The floor of a reverse proxy in Node.js, run as its own process: node:http in,
// undici out with keep-alive, the answer read whole and written once. No routing,
// no policy, no telemetry: what Node itself costs per proxied request on this
// machine, so that the gateway can be read against it as well as against nginx.
import { createServer } from 'node:http';
import { Agent } from 'undici';

const upstream = process.env.UPSTREAM_URL ?? '';
const agent = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
const server = createServer(async (request, response) => {
  try {
    const answer = await agent.request({
      origin: upstream,
      path: request.url ?? '/',
      method: 'GET',
      headers: { authorization: request.headers.authorization ?? '' },
    });
    const body = Buffer.from(await answer.body.arrayBuffer());
    response.writeHead(answer.statusCode, {
      'content-type': String(answer.headers['content-type'] ?? 'application/octet-stream'),
      'content-length': body.length,
    });
    response.end(body);
  } catch {
    response.writeHead(502).end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('listening'));
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
