// Browser test of the built-in map viewer: drives Debian's Chromium
// headless with playwright-core against /viewer and checks that the map
// loads its tiles, renders clusters, answers a click with the cluster's
// popup, and that search and compare call the API. Saves screenshots to
// artifacts/ and ends with a line "N passed, M failed" (exit 1 on failure).
//
//   cd scripts/browser && npm ci && node viewer.test.mjs
//
// Environment:
//   BASE_URL   test a running server (e.g. http://127.0.0.1:8080); without
//              it the script starts scripts/devserver on a free port.
//   SERVER_CMD command starting the server instead of the devserver; it
//              must print "listening on http://HOST:PORT" (run from the repo root).
//   CHROMIUM   browser binary (default /usr/bin/chromium).
//   ARTIFACTS  screenshot directory (default ./artifacts).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = path.resolve(process.env.ARTIFACTS || path.join(here, 'artifacts'));

if (!existsSync(chromiumPath)) {
  console.log(`SKIP: chromium not found at ${chromiumPath} (apt-get install -y chromium)`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}

const { chromium } = await import('playwright-core');

let passed = 0;
let failed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    const note = await fn();
    passed++;
    console.log(`ok   ${name}${note ? ` — ${note}` : ''} (${Date.now() - t0} ms)`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err?.message ?? err}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// startServer runs the devserver (or SERVER_CMD) in its own process group
// and resolves with its base URL once it prints it.
function startServer() {
  const cmd = process.env.SERVER_CMD || 'go run ./scripts/devserver -addr 127.0.0.1:0';
  const child = spawn('sh', ['-c', `exec ${cmd}`], { cwd: repo, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 180 s:\n${log}`)), 180_000);
    const onData = (buf) => {
      log += buf;
      const m = log.match(/listening on (https?:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${log}`)); });
  });
  return { child, url };
}

let server;
let base = process.env.BASE_URL;
if (!base) {
  server = startServer();
  base = await server.url;
}
base = base.replace(/\/+$/, '');
console.log(`testing ${base}/viewer with ${chromiumPath}`);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
    '--no-first-run', '--disable-component-update', '--disable-sync',
    // WebGL without a GPU: Chromium's software renderer, which it no longer
    // falls back to on its own.
    '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  ],
});

const origin = new URL(base).origin;
let exitCode = 1;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const tileResponses = [];
  const foreign = [];
  const pageErrors = [];
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(origin) && !/^(data|blob|about):/.test(u)) foreign.push(u);
  });
  page.on('response', (res) => {
    if (res.url().includes('/tiles/')) tileResponses.push({ status: res.status(), type: res.headers()['content-type'] });
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`); });

  await check('viewer loads and the map becomes idle', async () => {
    const res = await page.goto(`${base}/viewer`, { waitUntil: 'load' });
    assert(res && res.ok(), `GET /viewer: ${res?.status()}`);
    assert(new URL(page.url()).pathname.endsWith('/viewer/'), `landed on ${page.url()}, want /viewer/`);
    await page.waitForFunction(() => window.__viewerReady !== undefined, null, { timeout: 30_000 });
    await page.evaluate(() => Promise.race([
      window.__viewerReady,
      new Promise((_, rej) => setTimeout(() => rej(new Error(`no idle in 60 s; errors: ${window.__viewerErrors.join('; ')}`)), 60_000)),
    ]));
    return `zoom ${(await page.evaluate(() => window.map.getZoom())).toFixed(2)}`;
  });

  await check('tiles were requested and served', async () => {
    const ok = tileResponses.filter((r) => r.status === 200);
    assert(ok.length > 0, `tile responses: ${JSON.stringify(tileResponses)}`);
    assert(ok.every((r) => r.type?.startsWith('application/vnd.mapbox-vector-tile')), `content types: ${[...new Set(ok.map((r) => r.type))]}`);
    assert(tileResponses.every((r) => r.status === 200 || r.status === 204 || r.status === 304), `statuses: ${tileResponses.map((r) => r.status)}`);
    return `${tileResponses.length} tile responses (${ok.length} with data)`;
  });

  await check('clusters and flows are rendered', async () => {
    const r = await page.evaluate(() => {
      const cl = window.map.queryRenderedFeatures({ layers: ['clusters-fill'] });
      const fl = window.map.queryRenderedFeatures({ layers: ['flows-line'] });
      return { clusters: [...new Set(cl.map((f) => f.properties.id))], flows: [...new Set(fl.map((f) => f.properties.id))] };
    });
    assert(r.clusters.includes('jing-jin-ji'), `rendered clusters: ${r.clusters}`);
    assert(r.clusters.length >= 15, `only ${r.clusters.length} clusters rendered`);
    assert(r.flows.length > 0, 'no flows rendered');
    return `${r.clusters.length} clusters, ${r.flows.length} flows`;
  });

  await check('legend lists the 19 clusters', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#cluster-list li[data-id]').length >= 19, null, { timeout: 10_000 });
    const n = await page.locator('#cluster-list li[data-id]').count();
    return `${n} entries`;
  });

  await check('clicking Beijing opens the 京津冀 popup with its members', async () => {
    const pt = await page.evaluate(() => window.map.project([116.4, 39.9]));
    await page.mouse.click(pt.x, pt.y);
    const popup = page.locator('.maplibregl-popup-content');
    await popup.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('.maplibregl-popup-content')?.textContent.includes('京津冀'), null, { timeout: 5_000 });
    await page.waitForFunction(() => document.querySelector('.maplibregl-popup-content .members')?.textContent.includes('北京市'), null, { timeout: 10_000 });
    await page.waitForTimeout(300); // let the popup settle before the screenshot
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'viewer.png') });
    return `screenshot ${path.join(artifacts, 'viewer.png')}`;
  });

  await check('no request left the origin (works offline)', async () => {
    assert(foreign.length === 0, `external requests: ${foreign.slice(0, 5).join(', ')}`);
  });

  await check('search box locates 114.5,36.6 (邯郸) in 京津冀 and 中原', async () => {
    await page.keyboard.press('Escape');
    await page.fill('#search-input', '114.5,36.6');
    await page.press('#search-input', 'Enter');
    await page.waitForFunction(() => {
      const t = document.querySelector('#search-result')?.textContent ?? '';
      return t.includes('京津冀') && t.includes('中原');
    }, null, { timeout: 10_000 });
    await page.fill('#search-input', '200,10');
    await page.press('#search-input', 'Enter');
    await page.waitForFunction(() => document.querySelector('#search-result .error')?.textContent.includes('-180..180'), null, { timeout: 5_000 });
  });

  await check('compare two ticked clusters shows the table', async () => {
    await page.check('#cmp-jing-jin-ji');
    await page.check('#cmp-yangtze-river-delta');
    await page.click('#compare-button');
    await page.waitForFunction(() => {
      const t = document.querySelector('#compare-body table')?.textContent ?? '';
      return t.includes('京津冀') && t.includes('长江三角洲');
    }, null, { timeout: 30_000 });
    await page.screenshot({ path: path.join(artifacts, 'viewer-compare.png') });
  });

  await check('no page errors', async () => {
    assert(pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));
  });

  // feature-map.js on an HTML page. The devserver has a test page; against
  // another server the check runs only if FEATURE_MAP_URL names a page.
  const fmURL = process.env.FEATURE_MAP_URL || (server ? `${base}/dev/feature-map?id=jing-jin-ji` : '');
  if (fmURL) {
    await check('feature-map.js draws the embedded GeoJSON', async () => {
      const p2 = await browser.newPage({ viewport: { width: 800, height: 600 } });
      const errs = [];
      p2.on('pageerror', (e) => errs.push(e.message));
      await p2.goto(fmURL);
      await p2.waitForFunction(() => window.featureMap?.loaded() && window.featureMap.areTilesLoaded(), null, { timeout: 30_000 });
      await p2.waitForFunction(() => window.featureMap.queryRenderedFeatures({ layers: ['fill'] }).length > 0, null, { timeout: 10_000 });
      await p2.screenshot({ path: path.join(artifacts, 'feature-map.png') });
      assert(errs.length === 0, errs.join(' | '));
      await p2.close();
    });
  }
  exitCode = failed === 0 ? 0 : 1;
} finally {
  await browser.close();
  if (server) {
    try { process.kill(-server.child.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
