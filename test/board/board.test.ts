// The HTML board, end to end: renderHtml → index.html in a temp dir → headless Chromium
// from file://. Fails the database by clicking it in the graph, checks route states and a
// what-if, and renders a hostile model with nothing executed and no network. The opening
// view is laid out at render time (script#faultline-layout); a board without it lays out
// in the browser.
// Skips only when /usr/bin/chromium is missing (CI installs it).
// FAULTLINE_SCREENSHOTS=1 also writes docs/board.png and docs/board-outage.png (from the real portal scan).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { jsonForScript, renderHtml } from '../../src/render/html.js';
import { ELK_FILE, boardAssetsDir, loadBoardAssets } from '../../src/render/board/load-assets.js';
import { HEALTH_ROUTE, ONBOARDING_ROUTES, XSS, hostileModel, portalModel } from './fixture-model.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_DIR = join(ROOT, 'src/render/board/app');
const SHOTS = process.env.FAULTLINE_SCREENSHOTS === '1';

/** Build dist/board when it is missing or older than the app sources. */
async function ensureAssets(): Promise<void> {
  const js = join(boardAssetsDir(), 'board.js');
  const newest = Math.max(...[APP_DIR, join(ROOT, 'src/render/board'), join(ROOT, 'src/analyze/propagation'), join(ROOT, 'src/model')].flatMap((d) =>
    readdirSync(d).filter((f) => !f.endsWith('.test.ts') && /\.(ts|css|html)$/.test(f)).map((f) => statSync(join(d, f)).mtimeMs)));
  const built = [js, join(boardAssetsDir(), 'board.css'), join(boardAssetsDir(), ELK_FILE)];
  if (built.every((f) => existsSync(f)) && statSync(js).mtimeMs >= newest) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'src/render/board/vite.config.ts'), logLevel: 'warn' });
}

function embeddedJson(html: string, id = 'faultline-model'): string {
  const open = `<script type="application/json" id="${id}">`;
  const i = html.indexOf(open);
  assert.ok(i >= 0, `${id} script present`);
  const j = html.indexOf('</script>', i);
  return html.slice(i + open.length, j);
}

/** The positions embedded for the opening view: visible node id → [x, y] or [x, y, w, h]. */
function embeddedLayout(html: string): { view: string; pos: Record<string, number[]> } {
  return JSON.parse(embeddedJson(html, 'faultline-layout')) as { view: string; pos: Record<string, number[]> };
}

interface Watch {
  dialogs: string[];
  errors: string[];
  requests: string[];
}

async function open(browser: Browser, file: string): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 950 } });
  const watch: Watch = { dialogs: [], errors: [], requests: [] };
  page.on('dialog', (d) => { watch.dialogs.push(d.message()); void d.dismiss(); });
  page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') watch.errors.push(`console: ${m.text()}`); });
  page.on('request', (r) => watch.requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  return { page, watch };
}

function assertClean(watch: Watch, file: string): void {
  assert.deepEqual(watch.dialogs, [], 'no dialog opened');
  assert.deepEqual(watch.errors, [], 'no page error and no console error');
  // The file itself, and the layout worker the board builds from its own inlined source.
  const other = watch.requests.filter((u) => u !== pathToFileURL(file).href && !u.startsWith('blob:'));
  assert.deepEqual(other, [], 'no request other than the file itself');
}

async function routeState(page: Page, id: string): Promise<string | null> {
  return page.evaluate((rid) => {
    for (const el of document.querySelectorAll<HTMLElement>('[data-testid="route-row"]')) if (el.dataset.nodeId === rid) return el.dataset.state ?? null;
    return null;
  }, id);
}

async function clickByNodeId(page: Page, testid: string, id: string): Promise<void> {
  const ok = await page.evaluate(([tid, nid]) => {
    for (const el of document.querySelectorAll<HTMLElement>(`[data-testid="${tid}"]`)) {
      if (el.dataset.nodeId === nid || el.dataset.groupId === nid) { el.click(); return true; }
    }
    return false;
  }, [testid, id] as const);
  assert.ok(ok, `${testid} for ${id} found`);
}

/** Page coordinates of a graph node, from Cytoscape's rendered position. */
async function nodePoint(page: Page, id: string): Promise<{ x: number; y: number }> {
  const p = await page.evaluate((nid) => {
    const cy = (window as unknown as { __faultline: { cy: { getElementById(i: string): { empty(): boolean; renderedPosition(): { x: number; y: number } } } } }).__faultline.cy;
    const n = cy.getElementById(nid);
    if (n.empty()) return null;
    const r = document.querySelector('[data-testid="graph"]')!.getBoundingClientRect();
    const q = n.renderedPosition();
    return { x: r.left + q.x, y: r.top + q.y };
  }, id);
  assert.ok(p, `graph node ${id} drawn`);
  return p!;
}

test('renderHtml: one self-contained file with the model embedded as inert JSON', async () => {
  await ensureAssets();
  const assets = await loadBoardAssets();
  for (const model of [portalModel(), hostileModel()]) {
    const html = renderHtml(model, assets);
    const json = embeddedJson(html);
    assert.equal(json, jsonForScript(model));
    assert.ok(!json.includes('<') && !json.includes('>'), 'no angle bracket inside the JSON');
    assert.deepEqual(JSON.parse(json), model, 'round-trips');
    assert.equal(html.match(/<\/script/gi)?.length, 3, 'exactly three script elements close: model, layout, board');
    assert.equal(html.match(/<script/gi)?.length, 3);
    const layoutJson = embeddedJson(html, 'faultline-layout');
    assert.ok(!layoutJson.includes('<') && !layoutJson.includes('>'), 'no angle bracket inside the layout JSON');
    const layout = embeddedLayout(html);
    assert.ok(Object.values(layout.pos).every((p) => (p.length === 2 || p.length === 4) && p.every(Number.isFinite)), 'positions are numbers');
    assert.ok(model.nodes.some((n) => n.kind === 'datastore' && layout.pos[n.id]), 'the datastores are laid out');
    assert.ok(!/<(link|img|iframe)\b/i.test(html), 'no external resource element');
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '').replace(/<style>[\s\S]*?<\/style>/gi, '');
    assert.ok(!/<[^>]*\s(src|href|on[a-z]+)\s*=/i.test(markup), 'no src/href/on* attribute in the markup');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);
    assert.ok(renderHtml(model, assets) === html, 'deterministic');
    // Without a layout engine the board is the same file minus the positions (the browser lays out).
    const bare = renderHtml(model, { js: assets.js, css: assets.css });
    assert.equal(bare.match(/<script/gi)?.length, 2);
    assert.ok(!bare.includes('id="faultline-layout"'));
  }
  const hostile = renderHtml(hostileModel(), assets);
  assert.ok(hostile.includes('<title>faultline board — &quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;'), 'title escaped');
});

test('board in headless Chromium', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found (install the chromium package to run the board tests)`);
    return;
  }
  await ensureAssets();
  const assets = await loadBoardAssets();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-board-'));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    await t.test('portal model: fail the database, routes by state, what-if', async () => {
      const file = join(dir, 'portal', 'index.html');
      mkdirp(join(dir, 'portal'));
      const html = renderHtml(portalModel(), assets);
      writeFileSync(file, html);
      const { page, watch } = await open(browser, file);

      // Opened with the positions computed at render time: no layout worker was started.
      assert.deepEqual(watch.requests.filter((u) => u.startsWith('blob:')), [], 'no layout worker needed to open');
      const pg = embeddedLayout(html).pos['datastore:postgres']!;
      assert.deepEqual(await page.evaluate(`(() => { const p = window.__faultline.cy.getElementById('datastore:postgres').position(); return [p.x, p.y]; })()`), pg.slice(0, 2), 'the database sits where render time put it');

      const summary = await page.textContent('[data-testid="summary"]');
      assert.equal(summary, '9 findings · 3 traced paths · 1 critical, 3 high, 1 medium, 2 low');
      // Routes are grouped under their component, not drawn one by one.
      assert.equal(await page.evaluate(() => (window as unknown as { __faultline: { cy: { getElementById(i: string): { empty(): boolean } } } }).__faultline.cy.getElementById('entrypoint:GET /api/health').empty()), true);

      // Fail the database by clicking it in the graph.
      const p = await nodePoint(page, 'datastore:postgres');
      await page.mouse.click(p.x, p.y);
      await page.waitForSelector('[data-testid="failed-name"]');
      assert.equal(await page.textContent('[data-testid="failed-name"]'), 'postgres');
      assert.match((await page.textContent('[data-testid="banner-counts"]')) ?? '', /^\d+ down/);

      await page.click('[data-testid="tab-routes"]');
      assert.equal(await routeState(page, HEALTH_ROUTE), 'ok', 'the health route does not touch the database');
      for (const r of ONBOARDING_ROUTES) assert.equal(await routeState(page, r), 'down', `${r} is down`);

      // Show the onboarding routes in the graph, by state.
      await clickByNodeId(page, 'component-toggle', 'component:onboarding');
      await page.waitForFunction(() => !(window as unknown as { __faultline: { cy: { getElementById(i: string): { empty(): boolean } } } }).__faultline.cy.getElementById('entrypoint:POST /user/setup-solo-handle').empty());
      await page.click('[data-testid="tab-scenario"]');
      await page.waitForTimeout(300);

      // What-if: a breaker with a fallback on every caller of the database.
      const downBefore = Number(await page.textContent('[data-testid="count-down"] .tile-n'));
      await page.check('[data-testid="whatif-breaker"]');
      await page.waitForSelector('[data-testid="whatif-deltas"]');
      const downAfter = Number(await page.textContent('[data-testid="count-down"] .tile-n'));
      assert.ok(downAfter < downBefore, `fewer routes down with breakers (${downBefore} → ${downAfter})`);
      assert.ok((await page.$$('[data-testid="whatif-delta"]')).length > 0, 'the change is explained');
      await page.click('[data-testid="tab-routes"]');
      assert.notEqual(await routeState(page, 'entrypoint:POST /user/setup-solo-handle'), 'down');
      await page.click('[data-testid="tab-scenario"]');
      await page.uncheck('[data-testid="whatif-breaker"]');
      assert.equal(Number(await page.textContent('[data-testid="count-down"] .tile-n')), downBefore, 'toggling off restores the scenario');

      // A read replica changes the read-only route.
      await page.check('[data-testid="whatif-read-replica"]');
      await page.waitForSelector('[data-testid="whatif-deltas"]');
      await page.click('[data-testid="tab-routes"]');
      assert.notEqual(await routeState(page, 'entrypoint:GET /user/isUserHandleAvailable'), 'down', 'reads survive on the replica');
      await page.click('[data-testid="tab-scenario"]');
      await page.click('[data-testid="whatif-reset"]');

      // The accessible control: fail the IdP from the list, as an outage then a slowdown.
      await clickByNodeId(page, 'fail-node', 'external:idp-issuer');
      assert.equal(await page.textContent('[data-testid="failed-name"]'), 'idp-issuer');
      await page.click('[data-testid="tab-routes"]');
      assert.equal(await routeState(page, HEALTH_ROUTE), 'ok');
      assert.equal(await routeState(page, 'entrypoint:GET /auth/callback'), 'down');
      // A hanging IdP call without a timeout holds the shared runtime: more than the auth route suffers.
      const okOutage = await page.$$('[data-testid="route-row"][data-state="ok"]');
      await page.click('[data-testid="mode-slowdown"]');
      assert.notEqual(await routeState(page, 'entrypoint:GET /auth/callback'), 'ok');
      assert.ok((await page.$$('[data-testid="route-row"][data-state="ok"]')).length < okOutage.length, 'slowdown spreads further than the outage');
      await page.click('[data-testid="mode-outage"]');
      await page.click('[data-testid="clear-failure"]');

      // Grouping: collapsing the runtime draws it as one node.
      const count = () => page.evaluate(() => (window as unknown as { __faultline: { cy: { nodes(): { length: number } } } }).__faultline.cy.nodes().length);
      const before = await count();
      await clickByNodeId(page, 'group-toggle', 'runtime:api');
      await page.waitForFunction((n) => (window as unknown as { __faultline: { cy: { nodes(): { length: number } } } }).__faultline.cy.nodes().length < n, before);
      await clickByNodeId(page, 'group-toggle', 'runtime:api');

      // Search filters the explore list.
      await page.fill('[data-testid="search"]', 'health');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="tree"] [data-testid="node-row"]').length <= 4);
      const rows = await page.$$eval('[data-testid="tree"] [data-testid="node-row"]', (els) => els.map((e) => (e as HTMLElement).dataset.nodeId));
      assert.ok(rows.includes('component:health') && !rows.includes('datastore:postgres'), `search rows: ${rows.join(', ')}`);

      // Findings: filters and evidence.
      await page.fill('[data-testid="search"]', '');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="tree"] [data-testid="node-row"]').length > 4);
      await page.click('[data-testid="tab-findings"]');
      assert.equal((await page.$$('[data-testid="finding"]')).length, 9);
      await page.click('[data-testid="filter-severity-high"]');
      assert.equal((await page.$$('[data-testid="finding"]')).length, 3);
      await page.click('[data-testid="filter-severity-high"]');
      await page.click('[data-testid="filter-polarity-strength"]');
      assert.equal((await page.$$('[data-testid="finding"]')).length, 2);
      await page.click('[data-testid="filter-polarity-strength"]');
      await page.selectOption('[data-testid="filter-category"]', 'data-integrity');
      assert.equal((await page.$$('[data-testid="finding"]')).length, 2);
      await page.selectOption('[data-testid="filter-category"]', '');
      await page.selectOption('[data-testid="filter-component"]', 'component:onboarding');
      assert.equal((await page.$$('[data-testid="finding"]')).length, 3);
      const locs = await page.$$eval('[data-testid="finding-location"]', (els) => els.map((e) => e.textContent));
      assert.ok(locs.includes('apps/server/src/onboarding/onboarding.service.ts:88-96'), locs.join(', '));
      assert.ok(((await page.textContent('.snippet')) ?? '').includes('organisationRepository.create'));

      assertClean(watch, file);
      await page.close();
    });

    await t.test('hostile model: every repository string stays text', async () => {
      const file = join(dir, 'hostile', 'index.html');
      mkdirp(join(dir, 'hostile'));
      writeFileSync(file, renderHtml(hostileModel(), assets));
      const { page, watch } = await open(browser, file);
      const ds = `datastore:${XSS.img}`;
      const comp = `component:${XSS.script}`;

      // Fail the hostile datastore in the graph, hover it, expand its component, walk every panel.
      const p = await nodePoint(page, ds);
      await page.mouse.move(p.x, p.y);
      await page.waitForSelector('.tooltip:not([hidden])');
      await page.mouse.click(p.x, p.y);
      assert.equal(await page.textContent('[data-testid="failed-name"]'), XSS.img);
      await clickByNodeId(page, 'component-toggle', comp);
      await page.waitForTimeout(300);
      await page.click('[data-testid="path"]');
      await page.check('[data-testid="whatif-breaker"]');
      await page.click('[data-testid="tab-routes"]');
      await page.click('[data-testid="tab-findings"]');
      await page.selectOption('[data-testid="filter-component"]', comp);
      await clickByNodeId(page, 'fail-node', `external:${XSS.js}`);
      await page.fill('[data-testid="search"]', '<script>');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);

      const report = await page.evaluate(() => {
        const onAttrs: string[] = [];
        for (const el of document.querySelectorAll('*')) for (const a of el.getAttributeNames()) if (a.startsWith('on') || ((a === 'href' || a === 'src') && el.getAttribute(a)!.trim().toLowerCase().startsWith('javascript:'))) onAttrs.push(`${el.tagName}.${a}`);
        return {
          onAttrs,
          injected: document.querySelectorAll('img, iframe, object, embed, a[href], b[onmouseover]').length,
          scripts: document.querySelectorAll('script').length,
          text: document.body.innerText,
          title: document.title,
        };
      });
      assert.deepEqual(report.onAttrs, [], 'no inline handler or javascript: URL in the DOM');
      assert.equal(report.injected, 0, 'no element injected from repository strings');
      assert.equal(report.scripts, 3, 'only the model, its layout and the board script');
      assert.ok(report.text.includes(XSS.script), 'the script tag is shown as text');
      assert.ok(report.text.includes(XSS.img), 'the img payload is shown as text');
      assert.ok(report.text.includes(XSS.js), 'the javascript: URL is shown as text');
      assert.ok(report.title.includes(XSS.img), 'title is text');
      assertClean(watch, file);
      await page.close();
    });

    await t.test('without a precomputed layout the board lays out in the browser', async () => {
      const file = join(dir, 'bare', 'index.html');
      mkdirp(join(dir, 'bare'));
      writeFileSync(file, renderHtml(portalModel(), { js: assets.js, css: assets.css }));
      const { page, watch } = await open(browser, file);
      const spots = await page.evaluate(`(() => { const ns = window.__faultline.cy.nodes().filter((n) => !n.hasClass('compound')); return [ns.length, new Set(ns.map((n) => Math.round(n.position('x')) + ',' + Math.round(n.position('y')))).size]; })()`) as [number, number];
      assert.ok(spots[0] > 5, 'nodes drawn');
      assert.equal(spots[1], spots[0], 'every node has a place of its own');
      const p = await nodePoint(page, 'datastore:postgres');
      await page.mouse.click(p.x, p.y);
      await page.waitForSelector('[data-testid="failed-name"]');
      assert.equal(await page.textContent('[data-testid="failed-name"]'), 'postgres');
      assertClean(watch, file);
      await page.close();
    });
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function mkdirp(d: string): void {
  if (!existsSync(d)) mkdirSync(d, { recursive: true });
}

test('the portal example scanned for real: failing the database downs onboarding, not health', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found (install the chromium package to run the board tests)`);
    return;
  }
  await ensureAssets();
  const { runPipeline } = await import('../../src/pipeline.js');
  const { model } = await runPipeline(join(ROOT, 'examples/portal'));
  const dir = mkdtempSync(join(tmpdir(), 'faultline-board-portal-'));
  const file = join(dir, 'index.html');
  writeFileSync(file, renderHtml(model, await loadBoardAssets()));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const { page, watch } = await open(browser, file);
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/board.png') });
    const p = await nodePoint(page, 'datastore:postgres');
    await page.mouse.click(p.x, p.y);
    await page.waitForSelector('[data-testid="failed-name"]');
    assert.equal(await page.textContent('[data-testid="failed-name"]'), 'postgres');
    await page.click('[data-testid="tab-routes"]');
    assert.equal(await routeState(page, 'entrypoint:GET /api/health'), 'ok');
    const onboarding = model.nodes.filter((n) => n.kind === 'entrypoint' && n.component === 'component:onboarding').map((n) => n.id);
    assert.ok(onboarding.length >= 5, 'onboarding routes in the model');
    for (const id of onboarding) assert.equal(await routeState(page, id), 'down', id);
    await page.click('[data-testid="tab-scenario"]');
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/board-outage.png') });
    assertClean(watch, file);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
