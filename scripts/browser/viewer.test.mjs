// Browser test of the built-in map viewer: drives Debian's Chromium
// headless with playwright-core against /viewer of the real server and
// checks that the map loads its tiles, renders clusters, answers a click
// with the cluster's popup, that search and compare call the API, and that
// an OGC API HTML page draws its embedded features with feature-map.js.
// Saves screenshots to artifacts/ and ends with a line "N passed, M failed"
// (exit 1 on failure).
//
//   cd scripts/browser && npm ci && node viewer.test.mjs
//
// Without BASE_URL the script builds ./cmd/clusteratlas (go build, so Go
// must be on the PATH), starts `clusteratlas serve --addr 127.0.0.1:0`
// over the embedded data, reads the address from its "listening" log line,
// waits for /readyz to say 200 (the simplified levels and tiles are built
// in the background) and stops it at the end.
//
// Environment:
//   BASE_URL   test a running server (e.g. http://127.0.0.1:8080) instead.
//   SERVER_CMD command starting the server instead (run from the repo root
//              with sh -c); it must log the slog line msg=listening with
//              addr=HOST:PORT (JSON or text format) or print
//              "listening on http://HOST:PORT".
//   CHROMIUM   browser binary (default /usr/bin/chromium).
//   ARTIFACTS  screenshot directory (default ./artifacts).
//   FEATURE_MAP_URL  HTML page with a feature map to check (default: the
//              jing-jin-ji item page of the server under test).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
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
mkdirSync(artifacts, { recursive: true });

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

// listeningURL finds the server's address in its log: the slog line
// {"msg":"listening","addr":"127.0.0.1:PORT"} (or msg=listening
// addr=127.0.0.1:PORT in text format), or "listening on http://HOST:PORT".
function listeningURL(log) {
  for (const line of log.split('\n')) {
    if (line.startsWith('{')) {
      try {
        const rec = JSON.parse(line);
        if (rec.msg === 'listening' && rec.addr) return `http://${rec.addr}`;
      } catch { /* a partial line: wait for the rest */ }
    }
    const text = line.match(/\bmsg=listening\b.*\baddr=(\S+)/);
    if (text) return `http://${text[1]}`;
    const plain = line.match(/listening on (https?:\/\/\S+)/);
    if (plain) return plain[1];
  }
  return null;
}

// startServer builds and runs `clusteratlas serve` (or SERVER_CMD) in its
// own process group and resolves with its base URL once it logs it.
function startServer() {
  let cmd = process.env.SERVER_CMD;
  let tmp;
  if (!cmd) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'clusteratlas-browser-'));
    const bin = path.join(tmp, 'clusteratlas');
    console.log('building ./cmd/clusteratlas');
    execFileSync('go', ['build', '-o', bin, './cmd/clusteratlas'], { cwd: repo, stdio: 'inherit' });
    cmd = `'${bin}' serve --addr 127.0.0.1:0 --log-format json --log-level info`;
  }
  const child = spawn('sh', ['-c', `exec ${cmd}`], { cwd: repo, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 180 s:\n${log}`)), 180_000);
    const onData = (buf) => {
      log += buf;
      const u = listeningURL(log);
      if (u) {
        clearTimeout(timer);
        resolve(u);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${log}`)); });
  });
  const stop = () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  return { child, url, stop, log: () => log };
}

// waitReady polls /readyz until 200: tiles exist once the levels are built.
async function waitReady(base, server, timeoutMs = 180_000) {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return Date.now() - t0;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/readyz not 200 after ${timeoutMs / 1000} s (last: ${last})${server ? `\n${server.log()}` : ''}`);
}

let server;
let base = process.env.BASE_URL;
if (!base) {
  server = startServer();
  process.on('exit', () => server.stop());
  base = await server.url;
}
base = base.replace(/\/+$/, '');
console.log(`server ready after ${await waitReady(base, server)} ms`);
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
  const consoleWarnings = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    if (msg.type() === 'warning') consoleWarnings.push(msg.text());
  });

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
    // Tier first (the five national plans), then the seed table's order.
    const ids = await page.locator('#cluster-list li[data-id]').evaluateAll((els) => els.map((e) => e.dataset.id));
    const national = ['jing-jin-ji', 'yangtze-river-delta', 'pearl-river-delta', 'middle-yangtze', 'cheng-yu'];
    assert(JSON.stringify(ids.slice(0, 5)) === JSON.stringify(national), `legend starts ${ids.slice(0, 6)}`);
    return `${n} entries, first ${ids[0]}`;
  });

  await check('no missing-image warning for the flow arrows', async () => {
    const bad = consoleWarnings.filter((w) => w.includes('could not be loaded'));
    assert(bad.length === 0, bad.join('; '));
    const hasLayer = await page.evaluate(() => Boolean(window.map.getLayer('flows-arrows')) && window.map.hasImage('flow-arrow'));
    assert(hasLayer, 'flows-arrows layer or its image missing');
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

  await check('provinces and the national outline are drawn under the clusters', async () => {
    await page.keyboard.press('Escape');
    await page.click('#compare-close');
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
    await page.evaluate(() => new Promise((res) => { window.map.once('idle', res); window.map.jumpTo({ center: [108, 34], zoom: 3.6 }); }));
    const r = await page.evaluate(() => {
      const pr = window.map.queryRenderedFeatures({ layers: ['provinces-fill'] });
      const co = window.map.queryRenderedFeatures({ layers: ['country-line'] });
      const order = window.map.getStyle().layers.map((l) => l.id);
      return { provinces: [...new Set(pr.map((f) => f.properties.code))], country: co.length, below: order.indexOf('provinces-line') < order.indexOf('clusters-fill') };
    });
    assert(r.provinces.includes('320000') && r.provinces.length >= 30, `provinces rendered: ${r.provinces.length} (${r.provinces.slice(0, 5)})`);
    assert(r.country > 0, 'no national outline rendered');
    assert(r.below, 'province borders are not under the clusters');
    return `${r.provinces.length} provinces, national outline in ${r.country} tile piece(s)`;
  });

  await check('the metro-areas toggle shows them, low-confidence ones dashed', async () => {
    await page.check('#metro-toggle');
    await page.evaluate(() => new Promise((res) => { window.map.once('idle', res); window.map.triggerRepaint(); }));
    const r = await page.evaluate(() => ({
      solid: [...new Set(window.map.queryRenderedFeatures({ layers: ['metro-line'] }).map((f) => f.properties.id))],
      dashed: [...new Set(window.map.queryRenderedFeatures({ layers: ['metro-line-low'] }).map((f) => f.properties.id))],
      dash: window.map.getPaintProperty('metro-line-low', 'line-dasharray'),
    }));
    assert(r.solid.includes('nanjing-metro'), `solid metro outlines: ${r.solid}`);
    assert(r.dashed.includes('jinan-metro') && !r.dashed.includes('nanjing-metro'), `dashed: ${r.dashed}`);
    assert(Array.isArray(r.dash) && r.dash.length === 2, `dasharray ${JSON.stringify(r.dash)}`);
    await page.screenshot({ path: path.join(artifacts, 'viewer-metro.png') });
    await page.uncheck('#metro-toggle');
    return `${r.solid.length} solid, ${r.dashed.length} dashed`;
  });

  await check('clicking a flow outlines the regions of its ends', async () => {
    // a vertex of a rendered flow that names regions, where that flow is
    // the first one under the pointer (flows cross near their ends)
    const pt = await page.evaluate(() => {
      const withRegions = window.map.queryRenderedFeatures({ layers: ['flows-line'] }).filter((f) => f.properties.to_regions || f.properties.from_regions);
      for (const fl of withRegions) {
        const lines = fl.geometry.type === 'LineString' ? [fl.geometry.coordinates] : fl.geometry.coordinates;
        for (const c of lines) {
          for (const v of c.slice(2, -2)) {
            const p = window.map.project(v);
            const { width, height } = window.map.getCanvas().getBoundingClientRect();
            if (p.x < 360 || p.x > width - 60 || p.y < 40 || p.y > height - 40) continue; // the panel covers the left
            const hit = window.map.queryRenderedFeatures([p.x, p.y], { layers: ['flows-line', 'clusters-fill'] });
            if (hit[0]?.layer.id === 'flows-line' && hit.filter((h) => h.layer.id === 'flows-line')[0].properties.id === fl.properties.id) return { x: p.x, y: p.y, id: fl.properties.id };
          }
        }
      }
      return null;
    });
    assert(pt, 'no rendered flow with regions can be clicked alone');
    await page.mouse.click(pt.x, pt.y);
    await page.waitForFunction(() => (window.__flowRegions ?? []).length > 0, null, { timeout: 10_000 }).catch(async (err) => {
      const state = await page.evaluate(() => ({ errors: window.__viewerErrors, popup: document.querySelector('.maplibregl-popup-content')?.textContent?.slice(0, 200) }));
      throw new Error(`${err.message}; clicked ${JSON.stringify(pt)}; ${JSON.stringify(state)}; page errors ${pageErrors.join(' | ')}`);
    });
    await page.waitForFunction(() => window.map.queryRenderedFeatures({ layers: ['flow-regions-line'] }).length > 0, null, { timeout: 10_000 }).catch(() => {});
    const r = await page.evaluate(() => ({ ids: window.__flowRegions, n: window.map.queryRenderedFeatures({ layers: ['flow-regions-line'] }).length, popup: document.querySelector('.maplibregl-popup-content')?.textContent ?? '' }));
    assert(r.n > 0, 'no region outline rendered');
    assert(r.popup.includes('Regions (outlined)'), `popup: ${r.popup.slice(0, 200)}`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artifacts, 'viewer-flow-regions.png') });
    return `flow ${pt.id}: regions ${r.ids.join(', ')}`;
  });

  await check('no page errors', async () => {
    assert(pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));
  });

  // feature-map.js on the OGC API HTML pages (GeoJSON embedded in the page).
  const fmURL = process.env.FEATURE_MAP_URL || `${base}/collections/clusters/items/jing-jin-ji?f=html`;
  const featureMapCheck = async (url, shot, layer) => {
    const p2 = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const errs = [];
    const away = [];
    p2.on('pageerror', (e) => errs.push(e.message));
    p2.on('console', (msg) => { if (msg.type() === 'error') errs.push(`console: ${msg.text()}`); });
    p2.on('response', (r) => { if (r.status() >= 400) errs.push(`${r.status()} ${r.url()}`); });
    p2.on('request', (req) => { if (!req.url().startsWith(origin) && !/^(data|blob|about):/.test(req.url())) away.push(req.url()); });
    const res = await p2.goto(url);
    assert(res && res.ok(), `GET ${url}: ${res?.status()}`);
    await p2.waitForFunction(() => window.featureMap?.loaded() && window.featureMap.areTilesLoaded(), null, { timeout: 30_000 });
    await p2.waitForFunction((l) => window.featureMap.queryRenderedFeatures({ layers: [l] }).length > 0, layer, { timeout: 10_000 });
    const n = await p2.evaluate((l) => window.featureMap.queryRenderedFeatures({ layers: [l] }).length, layer);
    await p2.screenshot({ path: path.join(artifacts, shot) });
    assert(errs.length === 0, errs.join(' | '));
    assert(away.length === 0, `external requests: ${away.slice(0, 5).join(', ')}`);
    await p2.close();
    return `${n} feature(s) drawn, screenshot ${path.join(artifacts, shot)}`;
  };
  await check('feature-map.js draws the item page\'s embedded GeoJSON', () => featureMapCheck(fmURL, 'feature-map.png', 'fill'));
  await check('the flows items page draws curved flows', () => featureMapCheck(`${base}/collections/flows/items?f=html`, 'feature-map-flows.png', 'line'));
  exitCode = failed === 0 ? 0 : 1;
} finally {
  await browser.close();
  if (server) server.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
