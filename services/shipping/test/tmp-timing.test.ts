import { test } from 'node:test';
import { startHarness } from './harness.ts';

test('timing', async () => {
  let t = Date.now();
  const h = await startHarness('shipping_timing', {});
  console.log('start', Date.now() - t);
  t = Date.now();
  await h.probe.close();
  console.log('probe close', Date.now() - t);
  t = Date.now();
  await h.first.shutdown('x');
  console.log('service shutdown', Date.now() - t);
  t = Date.now();
  await h.database.drop();
  console.log('drop', Date.now() - t);
});
