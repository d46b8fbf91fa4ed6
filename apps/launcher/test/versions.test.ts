import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScaleError } from '../src/scale.ts';
import { services } from '../src/services.ts';
import {
  packageVersion,
  parseVersions,
  scaledForVersions,
  versionOf,
  versionsFrom,
} from '../src/versions.ts';

const known = ['catalog', 'cart', 'gateway'];
const root = join(import.meta.dirname, '..', '..', '..');
const catalog = services.find((service) => service.name === 'catalog');

test('versions - --version catalog=2.0.0 names a version per service, checked', () => {
  assert.deepEqual(versionsFrom({ version: 'catalog=2.0.0,cart=1.1.0-rc.1' }, known), {
    catalog: '2.0.0',
    cart: '1.1.0-rc.1',
  });
  assert.deepEqual(versionsFrom({}, known), {});
  assert.throws(() => parseVersions('nosuch=2.0.0', known), ScaleError);
  assert.throws(() => parseVersions('catalog=', known), /not service=version/);
  assert.throws(() => parseVersions('catalog=../2', known), /not service=version/);
});

test('versions - a service given a version runs at least two instances, the first on its default', () => {
  assert.deepEqual(scaledForVersions({ cart: 3 }, { catalog: '2.0.0', cart: '1.1.0' }), {
    cart: 3,
    catalog: 2,
  });
  assert.ok(catalog);
  const own = packageVersion(root, catalog);
  assert.match(own, /^\d+\.\d+\.\d+/);
  assert.equal(versionOf('catalog-1', catalog, { catalog: '2.0.0' }, root), own);
  assert.equal(versionOf('catalog-2', catalog, { catalog: '2.0.0' }, root), '2.0.0');
  assert.equal(versionOf('catalog-3', catalog, {}, root), own);
  assert.equal(packageVersion('/nowhere', catalog), '1.0.0');
});
