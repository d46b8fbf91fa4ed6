import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { flags, type Principal, type TokenVerifier } from '../src/index.ts';
import { startTestService } from './helpers.ts';

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });
let flagFile: TestFlags;

before(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [processor] }));
  flagFile = await testFlags({
    mode: flag({ none: 'none', slow: 'slow' }, 'slow'),
    perUser: {
      ...flag({ on: true, off: false }, 'off'),
      targeting: { if: [{ '==': [{ var: 'targetingKey' }, 'user-7'] }, 'on', 'off'] },
    },
  });
});
after(() => flagFile.close());

/** The spans ended so far (the processor hands them over asynchronously). */
async function finished(name: string) {
  await processor.forceFlush();
  return exporter.getFinishedSpans().filter((s) => s.name === name);
}

async function spanNamed(name: string) {
  const [span] = await finished(name);
  assert.ok(span, `a span ${name}`);
  return span;
}

test('flags tracing - an evaluation is an event on the active span and an attribute per flag', async () => {
  const tracer = trace.getTracer('test');
  await tracer.startActiveSpan('work', async (span) => {
    assert.equal(await flags.string('mode', 'none'), 'slow');
    await flags.boolean('nowhere', false);
    span.end();
  });
  const span = await spanNamed('work');
  assert.equal(span.attributes['feature_flag.mode'], 'slow', 'searchable by flag');
  const [found, missing] = span.events;
  assert.equal(found?.name, 'feature_flag.evaluation');
  assert.deepEqual(found?.attributes, {
    'feature_flag.key': 'mode',
    'feature_flag.provider.name': 'flagd-file',
    'feature_flag.result.variant': 'slow',
    'feature_flag.result.reason': 'static',
  });
  assert.equal(missing?.attributes?.['feature_flag.key'], 'nowhere');
  assert.equal(missing?.attributes?.['error.type'], 'flag_not_found');
  assert.equal(missing?.attributes?.['feature_flag.result.reason'], 'error');
  assert.equal(span.attributes['feature_flag.nowhere'], undefined, 'no variant, no attribute');
});

test('flags tracing - inside a request, a flag is evaluated for the signed-in user and lands on its span', async () => {
  const verifier: TokenVerifier = {
    verify: async (token): Promise<Principal> => ({
      subject: token,
      roles: token === 'a-service' ? ['service'] : ['customer'],
      token,
      tokenId: undefined,
    }),
  };
  const { service, url } = await startTestService(
    (app) => {
      app.get('/checkout', { config: { access: 'public' } }, async () => ({
        perUser: await flags.boolean('perUser', false),
      }));
    },
    { auth: verifier },
  );
  try {
    const ask = async (token: string) =>
      (await (await fetch(`${url}/checkout`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        perUser: boolean;
      };
    assert.equal((await ask('user-7')).perUser, true, 'targeted by the user id');
    assert.equal((await ask('user-8')).perUser, false);
    assert.equal((await ask('a-service')).perUser, false, 'a service is nobody');
    const spans = await finished('GET /checkout');
    assert.equal(spans.length, 3);
    assert.deepEqual(
      spans.map((s) => [
        s.attributes['feature_flag.perUser'],
        s.events[0]?.attributes?.['feature_flag.context.id'],
      ]),
      [
        ['on', 'user-7'],
        ['off', 'user-8'],
        ['off', undefined],
      ],
    );
  } finally {
    await service.shutdown('test over');
  }
});
