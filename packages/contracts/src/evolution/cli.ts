// `npm run contracts -- check`: the message schemas against their last release.
// `npm run contracts -- release [--retire <type> ...]`: records the schemas as released.
import { compareWithReleased, currentSchemas, explain, readReleased, release } from './released.ts';

const [command = 'check', ...rest] = process.argv.slice(2);
const retire = rest.flatMap((arg, i) => (rest[i - 1] === '--retire' ? [arg] : []));

if (command === 'check') {
  const problems = explain(compareWithReleased(await readReleased(), currentSchemas()));
  console.log(
    problems.length > 0 ? problems.join('\n') : 'every message schema is compatible with its release',
  );
  process.exitCode = problems.length > 0 ? 1 : 0;
} else if (command === 'release') {
  const refused = await release(retire);
  console.log(
    refused.length > 0 ? refused.join('\n') : 'released: packages/contracts/released/messages.json',
  );
  process.exitCode = refused.length > 0 ? 1 : 0;
} else {
  console.error('usage: npm run contracts -- check | release [--retire <type> ...]');
  process.exitCode = 2;
}
