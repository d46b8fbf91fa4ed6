// Operator CLI for releases, through the gateway's admin API as the administrator:
//   npm run release -- canary catalog 2.0.0 --steps 5,25,50,100
//   npm run release -- switch catalog green
//   npm run release -- rollback catalog
//   npm run release -- status
// The gateway and the administrator's token are found as the other CLIs find them.

import { commandLine, refuse } from '@platform/devinfra/command-line';
import { adminToken, call, gatewayUrl } from '../../admin-session.ts';
import { callOf, statusLines, USAGE, UsageError } from './commands.ts';

const { positionals, values } = commandLine(USAGE, {
  allowPositionals: true,
  options: {
    gateway: { type: 'string' },
    steps: { type: 'string' },
    'step-seconds': { type: 'string' },
    baseline: { type: 'string' },
    'min-requests': { type: 'string' },
    blue: { type: 'string' },
    green: { type: 'string' },
    live: { type: 'string' },
    'smoke-path': { type: 'string' },
  },
});

let request: ReturnType<typeof callOf>;
try {
  request = callOf(positionals, values);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  refuse(error.message === USAGE ? 'which command, for which service?' : error.message);
}
const gateway = gatewayUrl(values.gateway);
const answer = await call(
  request.method,
  `${gateway}${request.path}`,
  await adminToken(gateway),
  request.body,
);
process.stdout.write(`${statusLines(answer ?? {}).join('\n')}\n`);
