// `npm start`'s command line: how many instances of which service, and which version a
// second instance announces. Everything else is set in the environment (README).
export const LAUNCHER_USAGE = `usage: npm start [-- --scale catalog=3,cart=2] [--config FILE] [--version catalog=2.0.0]

Starts the whole platform: PostgreSQL, a database per service, every service as its own
supervised process, the gateway on GATEWAY_PORT (8080) and the console on 8090.
  --scale S=N,...     instances of a service (1 to 9; the gateway, registry and console run one)
  --config FILE       a JSON file with {"scale": {"catalog": 3}} (or PLATFORM_CONFIG); --scale wins
  --version S=V,...   the version the second instance of a service announces (it gets two)
The environment variables (data folder, ports, bus, saga mode) are in the README.`;

export const LAUNCHER_OPTIONS = {
  options: {
    scale: { type: 'string' },
    config: { type: 'string' },
    version: { type: 'string' },
  },
} as const;
