import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import rule from './shared-datastore.js';
import { compose, domainService, expressApp, prismaDb } from './fixtures.js';

const RULE = 'spof/shared-datastore';
const rules = [rule];
const repo = (touch: boolean[]) => ({
  'src/db.ts': prismaDb,
  'src/billing/billing.service.ts': domainService('Billing', 'invoice', touch[0]),
  'src/orders/orders.service.ts': domainService('Orders', 'order', touch[1]),
  'src/catalog/catalog.service.ts': domainService('Catalog', 'product', touch[2]),
  'src/app.ts': expressApp(['Billing', 'Orders', 'Catalog']),
  'docker-compose.yml': compose(2),
});

test(`${RULE}: fires when every domain depends on one postgres, with the numbers in the title`, async () => {
  const model = await scanModel(repo([true, true, true]), { rules });
  assert.deepEqual(hits(model, RULE), ['docker-compose.yml:7']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.title, '3 of 3 components and 3 of 4 entrypoints depend on postgres; no replica or standby is declared');
  assert.equal(f.severity, 'critical');
});

test(`${RULE}: fires with a minority of components free of the database`, async () => {
  const model = await scanModel(repo([true, true, false]), { rules });
  assert.deepEqual(hits(model, RULE), ['docker-compose.yml:7']);
});

test(`${RULE}: silent when a standby is declared in the config (trap)`, async () => {
  const model = await scanModel(repo([true, true, true]), { rules, config: { datastores: { 'datastore:postgres': { multiAz: true } } } });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when only one of three components uses the database`, async () => {
  const files = repo([true, false, false]);
  files['src/orders/orders.service.ts'] = `import axios from 'axios';\nexport async function listOrders() { return (await axios.get('https://orders.example.com/v1', { timeout: 2000 })).data; }\n`;
  files['src/catalog/catalog.service.ts'] = `import axios from 'axios';\nexport async function listCatalog() { return (await axios.get('https://catalog.example.com/v1', { timeout: 2000 })).data; }\n`;
  const model = await scanModel(files, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: the title counts every component, as the summary does; the threshold counts those with dependencies`, async () => {
  const model = await scanModel({
    ...repo([true, true, true]),
    'src/pricing/pricing.ts': 'export function withTax(amount: number): number {\n  return Math.round(amount * 1.2 * 100) / 100;\n}\n',
  }, { rules });
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(model.nodes.filter((n) => n.kind === 'component').length, 4);
  assert.equal(f.title, '3 of 4 components and 3 of 4 entrypoints depend on postgres; no replica or standby is declared');
});
