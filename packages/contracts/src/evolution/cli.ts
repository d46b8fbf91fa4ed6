// `npm run contracts -- check`: the message schemas and the protos against their last
// release, and the protos' lint. `npm run contracts -- release [--retire <type> ...]`
// records both as released (refusing a breaking change). `npm run contracts -- generate`
// makes the protos' code (src/gen) again.
import { commandLine, refuse } from '@platform/devinfra/command-line';
import { breakingProtoChanges, generateProtoCode, lintProtos, releaseProtos } from './protos.ts';
import { compareWithReleased, currentSchemas, explain, readReleased, release } from './released.ts';

const USAGE = `usage: npm run contracts -- check | release [--retire <type> ...] | generate

  check      the message schemas and the protos against their last release, and the protos' lint (default)
  release    records both as released, refusing a breaking change; --retire <type> retires a message type
  generate   makes the protos' code (src/gen) again`;

const { positionals, values } = commandLine(USAGE, {
  allowPositionals: true,
  options: { retire: { type: 'string', multiple: true, default: [] } },
});
const [command = 'check', ...extra] = positionals;
const retire = values.retire;
if (extra.length > 0) refuse(`one command at a time: ${positionals.join(' ')}`);
if (retire.length > 0 && command !== 'release') refuse('--retire goes with release');

async function check(): Promise<boolean> {
  const problems = explain(compareWithReleased(await readReleased(), currentSchemas()));
  const lint = await lintProtos();
  const breaking = await breakingProtoChanges();
  for (const line of problems) console.log(line);
  for (const result of [lint, breaking]) if (!result.ok) console.log(result.output);
  const ok = problems.length === 0 && lint.ok && breaking.ok;
  if (ok)
    console.log('every message schema and proto is compatible with its release, and the protos lint clean');
  return ok;
}

async function releaseAll(): Promise<boolean> {
  const refused = await release(retire);
  for (const line of refused) console.log(line);
  if (refused.length > 0) return false;
  const protos = await releaseProtos();
  console.log(
    protos.ok ? `released: packages/contracts/released/messages.json\n${protos.output}` : protos.output,
  );
  return protos.ok;
}

const commands: Record<string, () => Promise<boolean>> = {
  check,
  release: releaseAll,
  generate: async () => {
    const result = await generateProtoCode();
    console.log(result.ok ? 'generated: packages/contracts/src/gen' : result.output);
    return result.ok;
  },
};
const run = commands[command] ?? refuse(`no command ${command}`);
process.exitCode = (await run()) ? 0 : 1;
