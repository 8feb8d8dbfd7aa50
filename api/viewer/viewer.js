// Cluster Atlas map viewer. Everything comes from this service: MapLibre
// from ./vendor, the tiles described by ../tiles.json, and the API for
// details (../collections/clusters/items/{id}), comparison (../compare) and
// the reverse geocoder (../locate). The style has no external URL: there
// are no sprites (the flow arrow is drawn on a canvas) and no glyph server
// (MapLibre 6 draws glyphs locally with the browser's fonts when the style
// has no "glyphs" URL).
import * as maplibregl from './vendor/maplibre-gl.mjs';

// The API root is the parent of the viewer's own directory, so the viewer
// keeps working under a path prefix and on whatever origin served it.
const apiBase = new URL('../', import.meta.url);
const api = (path) => new URL(path, apiBase).href;

// One colour per cluster: the tiles carry a colour index (0..n-1, by
// sorted cluster id); 20 distinct colours after Trubetskoy's list, the
// palest ones darkened so they show at fill opacity 0.35.
export const PALETTE = [
  '#e6194b', '#3cb44b', '#d4a017', '#4363d8', '#f58231', '#911eb4', '#2bb5b5', '#f032e6', '#8db600', '#e8868c',
  '#008080', '#9b6fd6', '#9a6324', '#b8860b', '#800000', '#2e8b57', '#808000', '#e07b39', '#000075', '#707070',
];
const FLOW_COLOURS = { domestic: '#c0392b', international: '#6c3483' };
const METRO_COLOUR = '#1f4e79';
const REGION_HIGHLIGHT = '#d35400';
const CLUSTER_FILL_OPACITY = 0.35;

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const fmt = (v, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : v ?? '—');

let resolveReady;
let rejectReady;
// The browser test awaits this: resolved on the first 'idle' with tiles.
window.__viewerReady = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
window.__viewerErrors = [];

const clusters = new Map(); // id → {id, name_zh, name_en, color, lon, lat}
const selected = new Set(); // cluster ids ticked for comparison

function colourExpr() {
  return ['to-color', ['at', ['%', ['to-number', ['get', 'color'], 0], PALETTE.length], ['literal', PALETTE]]];
}

// A right-pointing arrow as an SDF icon, tinted per flow kind; placed along
// the line it points from origin to destination (the line's direction).
function arrowImage() {
  const size = 32;
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const g = c.getContext('2d');
  g.fillStyle = '#000';
  g.beginPath();
  g.moveTo(8, 6);
  g.lineTo(26, 16);
  g.lineTo(8, 26);
  g.lineTo(12, 16);
  g.closePath();
  g.fill();
  return g.getImageData(0, 0, size, size);
}

// The flow arrows' symbol layer. It is added once its image is (on load,
// before the labels): a symbol layer in the initial style makes MapLibre
// lay out tiles before any image can be added and warn 'Image "flow-arrow"
// could not be loaded'.
function flowArrowsLayer() {
  return {
    id: 'flows-arrows', type: 'symbol', source: 'atlas', 'source-layer': 'flows',
    layout: {
      'symbol-placement': 'line', 'symbol-spacing': 110, 'icon-image': 'flow-arrow',
      'icon-size': ['interpolate', ['linear'], ['zoom'], 3, 0.9, 8, 1.3],
      'icon-allow-overlap': true, 'icon-ignore-placement': true, 'icon-rotation-alignment': 'map',
    },
    paint: { 'icon-color': ['match', ['get', 'kind'], 'international', FLOW_COLOURS.international, FLOW_COLOURS.domestic] },
  };
}

function buildStyle(tj, tilesURL) {
  const src = 'atlas';
  const font = ['sans-serif'];
  return {
    version: 8,
    name: 'Cluster Atlas',
    sources: {
      [src]: {
        type: 'vector',
        tiles: [tilesURL],
        minzoom: tj.minzoom ?? 0,
        maxzoom: tj.maxzoom ?? 14,
        bounds: tj.bounds,
        attribution: tj.attribution,
      },
      'flow-regions': { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
    },
    layers: [
      // No base map offline: a pale sea, the provinces as land (the
      // country's outline and the province borders as context), the
      // member cities a shade lighter.
      { id: 'background', type: 'background', paint: { 'background-color': '#dfe8ef' } },
      {
        id: 'provinces-fill', type: 'fill', source: src, 'source-layer': 'provinces',
        filter: ['!=', ['get', 'kind'], 'country'], paint: { 'fill-color': '#eeebe3' },
      },
      { id: 'cities-fill', type: 'fill', source: src, 'source-layer': 'cities', paint: { 'fill-color': '#f6f3ec' } },
      {
        id: 'provinces-line', type: 'line', source: src, 'source-layer': 'provinces',
        filter: ['!=', ['get', 'kind'], 'country'],
        paint: { 'line-color': '#9aa0a6', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.5, 8, 1.2] },
      },
      {
        id: 'country-line', type: 'line', source: src, 'source-layer': 'provinces',
        filter: ['==', ['get', 'kind'], 'country'],
        paint: { 'line-color': '#5f6368', 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.8, 8, 2] },
      },
      {
        id: 'clusters-fill', type: 'fill', source: src, 'source-layer': 'clusters',
        paint: { 'fill-color': colourExpr(), 'fill-opacity': CLUSTER_FILL_OPACITY },
      },
      {
        id: 'zones-fill', type: 'fill', source: src, 'source-layer': 'transfer-zones',
        paint: { 'fill-color': '#1e8449', 'fill-opacity': 0.12 },
      },
      {
        id: 'cities-line', type: 'line', source: src, 'source-layer': 'cities', minzoom: 5,
        paint: { 'line-color': '#8a8f98', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 0.4, 10, 1.2], 'line-opacity': ['interpolate', ['linear'], ['zoom'], 5, 0.3, 7, 0.8] },
      },
      {
        id: 'zones-line', type: 'line', source: src, 'source-layer': 'transfer-zones',
        paint: { 'line-color': '#1e8449', 'line-width': 1.2, 'line-dasharray': [3, 2] },
      },
      {
        id: 'clusters-line', type: 'line', source: src, 'source-layer': 'clusters',
        paint: { 'line-color': colourExpr(), 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.8, 8, 2] },
      },
      // Metro areas (toggle, off by default): solid outline, dashed where
      // the plan's scope rests on one secondary source (low_confidence).
      {
        id: 'metro-fill', type: 'fill', source: src, 'source-layer': 'metro-areas', layout: { visibility: 'none' },
        paint: { 'fill-color': METRO_COLOUR, 'fill-opacity': 0.08 },
      },
      {
        id: 'metro-line', type: 'line', source: src, 'source-layer': 'metro-areas', layout: { visibility: 'none' },
        filter: ['!=', ['get', 'low_confidence'], true],
        paint: { 'line-color': METRO_COLOUR, 'line-width': 1.6 },
      },
      {
        id: 'metro-line-low', type: 'line', source: src, 'source-layer': 'metro-areas', layout: { visibility: 'none' },
        filter: ['==', ['get', 'low_confidence'], true],
        paint: { 'line-color': METRO_COLOUR, 'line-width': 1.6, 'line-dasharray': [2, 2] },
      },
      // The macro-regions at the ends of a clicked flow (GeoJSON from the API).
      {
        id: 'flow-regions-fill', type: 'fill', source: 'flow-regions',
        paint: { 'fill-color': REGION_HIGHLIGHT, 'fill-opacity': 0.08 },
      },
      {
        id: 'flow-regions-line', type: 'line', source: 'flow-regions',
        paint: { 'line-color': REGION_HIGHLIGHT, 'line-width': 2.5 },
      },
      {
        id: 'clusters-selected', type: 'line', source: src, 'source-layer': 'clusters',
        filter: ['in', ['get', 'id'], ['literal', []]],
        paint: { 'line-color': '#111', 'line-width': 3 },
      },
      {
        id: 'flows-line', type: 'line', source: src, 'source-layer': 'flows',
        layout: { 'line-cap': 'round' },
        paint: {
          'line-color': ['match', ['get', 'kind'], 'international', FLOW_COLOURS.international, FLOW_COLOURS.domestic],
          'line-width': ['interpolate', ['linear'], ['zoom'], 3, 1.5, 8, 3],
          'line-opacity': 0.85,
        },
      },
      {
        id: 'labels-city', type: 'symbol', source: src, 'source-layer': 'labels', minzoom: 6,
        filter: ['==', ['get', 'kind'], 'city'],
        layout: { 'text-field': ['get', 'name_zh'], 'text-font': font, 'text-size': 11 },
        paint: { 'text-color': '#444', 'text-halo-color': '#fff', 'text-halo-width': 1.2 },
      },
      {
        id: 'labels-cluster', type: 'symbol', source: src, 'source-layer': 'labels',
        filter: ['==', ['get', 'kind'], 'cluster'],
        layout: { 'text-field': ['get', 'name_zh'], 'text-font': font, 'text-size': ['interpolate', ['linear'], ['zoom'], 3, 11, 8, 15], 'text-max-width': 6 },
        paint: { 'text-color': '#222', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
      },
    ],
  };
}

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json, application/geo+json;q=0.9' } });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = null; }
  if (!res.ok) {
    // problem+json: show the detail naming the parameter and rule.
    const msg = body && (body.detail || body.title) ? `${body.title ?? res.status}: ${body.detail ?? ''}` : `HTTP ${res.status}`;
    throw new Error(msg);
  }
  return body;
}

async function main() {
  const tjURL = api('tiles.json');
  const tj = await getJSON(tjURL);
  // Resolve the template against tiles.json's URL: works whether the server
  // wrote an absolute URL for this origin or a relative one.
  const tilesURL = decodeURI(new URL(tj.tiles[0], tjURL).href);
  $('#attribution').textContent = tj.attribution ?? '';

  const start = tj['x-polygon-bounds'] ?? tj.bounds;
  const map = new maplibregl.Map({
    container: 'map',
    style: buildStyle(tj, tilesURL),
    bounds: [[start[0], start[1]], [start[2], start[3]]],
    fitBoundsOptions: { padding: { top: 20, bottom: 20, left: 330, right: 20 } },
    maxZoom: 16,
    boxZoom: false, // shift-click selects clusters for comparison
    attributionControl: { compact: true },
  });
  window.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl(), 'bottom-right');
  map.on('error', (e) => {
    const msg = e?.error?.message ?? String(e);
    window.__viewerErrors.push(msg);
    console.warn('map error:', msg);
  });
  map.on('load', () => {
    if (!map.hasImage('flow-arrow')) map.addImage('flow-arrow', arrowImage(), { sdf: true, pixelRatio: 2 });
    if (!map.getLayer('flows-arrows')) map.addLayer(flowArrowsLayer(), map.getLayer('labels-city') ? 'labels-city' : undefined);
    // The licence note is in the panel; keep the map's copy folded (ⓘ).
    map.getContainer().querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
  });

  let ready = false;
  map.on('idle', () => {
    refreshLegend(map);
    if (!ready && map.isSourceLoaded('atlas')) {
      ready = true;
      resolveReady(map);
    }
  });
  map.on('click', (e) => onClick(map, e));
  for (const layer of ['clusters-fill', 'flows-line', 'metro-fill']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
  setupSearch(map);
  setupCompare(map);
  setupMetroToggle(map);
}

// The legend lists the clusters as the tiles name them (label points), so
// it needs no extra request; it fills in as label tiles load.
function refreshLegend(map) {
  const feats = map.querySourceFeatures('atlas', { sourceLayer: 'labels', filter: ['==', ['get', 'kind'], 'cluster'] });
  let added = false;
  for (const f of feats) {
    const p = f.properties;
    if (clusters.has(p.id)) continue;
    const [lon, lat] = f.geometry.coordinates;
    clusters.set(p.id, { id: p.id, name_zh: p.name_zh, name_en: p.name_en, color: p.color, tier: p.tier, rank: p.rank, lon, lat });
    added = true;
  }
  if (added) renderLegend(map);
}

// Legend order: the plans' tier (national first), then the seed table's
// order (the tiles' rank), then the id for tiles without a rank.
const TIER_ORDER = { national: 0, regional: 1, local: 2 };
function legendOrder(a, b) {
  const ta = TIER_ORDER[a.tier] ?? 9;
  const tb = TIER_ORDER[b.tier] ?? 9;
  if (ta !== tb) return ta - tb;
  const ra = a.rank ?? Infinity;
  const rb = b.rank ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return a.id.localeCompare(b.id);
}

function swatch(color) {
  return `<span class="swatch" style="background:${PALETTE[(color ?? 0) % PALETTE.length]}"></span>`;
}

function renderLegend(map) {
  const list = $('#cluster-list');
  const items = [...clusters.values()].sort(legendOrder);
  list.innerHTML = items.map((c) => `
    <li data-id="${esc(c.id)}">
      <input type="checkbox" id="cmp-${esc(c.id)}" value="${esc(c.id)}" ${selected.has(c.id) ? 'checked' : ''}>
      ${swatch(c.color)}
      <label for="cmp-${esc(c.id)}">${esc(c.name_zh)} <span class="en">${esc(c.name_en)}</span></label>
      <button type="button" class="zoom" title="Zoom to ${esc(c.name_en)}" aria-label="Zoom to ${esc(c.name_en)}">◎</button>
    </li>`).join('');
  list.querySelectorAll('input[type=checkbox]').forEach((box) => {
    box.addEventListener('change', () => toggleSelected(map, box.value, box.checked));
  });
  list.querySelectorAll('button.zoom').forEach((b) => {
    b.addEventListener('click', () => {
      const c = clusters.get(b.closest('li').dataset.id);
      map.flyTo({ center: [c.lon, c.lat], zoom: Math.max(map.getZoom(), 6) });
    });
  });
}

function toggleSelected(map, id, on) {
  if (on ?? !selected.has(id)) selected.add(id); else selected.delete(id);
  const box = document.getElementById(`cmp-${id}`);
  if (box) box.checked = selected.has(id);
  map.setFilter('clusters-selected', ['in', ['get', 'id'], ['literal', [...selected]]]);
  $('#compare-button').disabled = selected.size < 2;
  $('#compare-clear').disabled = selected.size === 0;
}

function onClick(map, e) {
  const layers = ['clusters-fill', 'cities-fill', 'zones-fill', 'flows-line', 'provinces-fill'];
  if (map.getLayoutProperty('metro-fill', 'visibility') === 'visible') layers.push('metro-fill');
  const hits = map.queryRenderedFeatures(e.point, { layers });
  const seen = new Set();
  const uniq = (layer) => hits.filter((f) => f.layer.id === layer).filter((f) => {
    const k = `${layer}/${f.properties.id}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const cl = uniq('clusters-fill');
  if (e.originalEvent.shiftKey) {
    if (cl.length) toggleSelected(map, cl[0].properties.id);
    return;
  }
  const city = uniq('cities-fill')[0];
  const zones = uniq('zones-fill');
  const flows = uniq('flows-line');
  const metros = uniq('metro-fill');
  const province = uniq('provinces-fill')[0];
  showFlowRegions(map, flows[0]);
  if (!cl.length && !city && !zones.length && !flows.length && !metros.length) return;

  const parts = [];
  for (const f of cl) {
    const p = f.properties;
    parts.push(`<div class="cluster" data-id="${esc(p.id)}">
      <h3>${swatch(p.color)}${esc(p.name_zh)}</h3>
      <p class="en">${esc(p.name_en)} · ${esc(p.tier)}</p>
      <table>
        <tr><td>Area drawn</td><td>${fmt(p.area_km2)} km²</td></tr>
        <tr><td>Official area</td><td>${p.official_area_km2 != null ? `${fmt(p.official_area_km2)} km²` : '—'}</td></tr>
        <tr><td>Members</td><td>${fmt(p.members_whole)} whole, ${fmt(p.members_partial)} partial</td></tr>
      </table>
      <div class="members muted">loading members…</div>
      <button type="button" class="select">${selected.has(p.id) ? 'Remove from' : 'Add to'} comparison</button>
    </div>`);
  }
  if (city) {
    const p = city.properties;
    parts.push(`<div class="city"><b>${esc(p.name_zh)}</b> <span class="muted">${esc(p.province)} · ${esc(p.code)}</span><br>
      ${fmt(p.area_km2)} km² · clusters: ${esc(p.clusters || '—')}${p.clusters_partial ? ` (partly: ${esc(p.clusters_partial)})` : ''}</div>`);
  }
  for (const z of zones) {
    parts.push(`<div class="zone"><b>${esc(z.properties.name_zh)}</b> <span class="muted">transfer zone, approved ${esc(z.properties.approved)}</span></div>`);
  }
  for (const m of metros) {
    const p = m.properties;
    parts.push(`<div class="metro"><b>${esc(p.name_zh)}</b> <span class="muted">metro area · confidence ${esc(p.confidence)}${p.low_confidence ? ' (dashed: scope from one secondary source)' : ''}</span></div>`);
  }
  for (const f of flows) {
    const p = f.properties;
    const regions = [p.from_regions && `from ${regionNames(p.from_regions)}`, p.to_regions && `to ${regionNames(p.to_regions)}`].filter(Boolean).join(', ');
    parts.push(`<div class="flow"><b>${esc(p.from_name)} → ${esc(p.to_name)}</b> <span class="muted">${esc(p.kind)} flow${p.year ? `, ${esc(p.year)}` : ''}</span>${p.sectors ? `<br>${esc(p.sectors)}` : ''}${regions ? `<br><span class="regions">Regions (outlined): ${esc(regions)}</span>` : ''}</div>`);
  }
  if (province && parts.length) {
    parts.push(`<div class="province muted">${esc(province.properties.name_zh)}${province.properties.region ? ` · ${esc(regionNames(province.properties.region))}` : ''}</div>`);
  }
  const el = document.createElement('div');
  el.className = 'popup';
  el.innerHTML = parts.join('<hr>');
  el.querySelectorAll('.cluster').forEach((div) => {
    div.querySelector('button.select').addEventListener('click', (ev) => {
      toggleSelected(map, div.dataset.id);
      ev.target.textContent = `${selected.has(div.dataset.id) ? 'Remove from' : 'Add to'} comparison`;
    });
    loadMembers(div);
  });
  new maplibregl.Popup({ maxWidth: '360px' }).setLngLat(e.lngLat).setDOMContent(el).addTo(map);
}

const REGION_NAMES = { east: '东部 east', central: '中部 central', west: '西部 west', northeast: '东北 northeast' };
const regionNames = (ids) => ids.split(',').map((id) => REGION_NAMES[id] ?? id).join(', ');

// A clicked flow outlines the macro-regions its ends stand for (from_regions,
// to_regions), fetched simplified for the current zoom; any other click
// clears them.
async function showFlowRegions(map, flow) {
  const src = map.getSource('flow-regions');
  const ids = flow ? [...new Set([flow.properties.from_regions, flow.properties.to_regions].filter(Boolean).join(',').split(','))] : [];
  const token = (showFlowRegions.token = (showFlowRegions.token ?? 0) + 1);
  if (!ids.length) {
    src.setData({ type: 'FeatureCollection', features: [] });
    return;
  }
  const zoom = Math.max(0, Math.min(12, Math.round(map.getZoom())));
  const feats = await Promise.all(ids.map((id) => getJSON(api(`collections/regions/items/${encodeURIComponent(id)}?zoom=${zoom}`))));
  if (token !== showFlowRegions.token) return; // a later click won
  src.setData({ type: 'FeatureCollection', features: feats });
  window.__flowRegions = ids;
}

function setupMetroToggle(map) {
  $('#metro-toggle').addEventListener('change', (ev) => {
    for (const id of ['metro-fill', 'metro-line', 'metro-line-low']) map.setLayoutProperty(id, 'visibility', ev.target.checked ? 'visible' : 'none');
  });
}

// Details the tiles do not carry (members, plan) come from the API; zoom=0
// asks for the coarsest outline, since only the properties are used.
async function loadMembers(div) {
  const target = div.querySelector('.members');
  try {
    const f = await getJSON(api(`collections/clusters/items/${encodeURIComponent(div.dataset.id)}?zoom=0`));
    const p = f.properties ?? {};
    const members = Array.isArray(p.members) ? p.members : [];
    const names = members.map((m) => `<span class="${m.whole === false ? 'partial' : ''}">${esc(m.name ?? m.code)}${m.whole === false ? '（部分）' : ''}</span>`);
    const plan = p.plan?.title ? `<div>Plan: ${esc(p.plan.title)}${p.plan.date ? ` (${esc(p.plan.date)})` : ''}</div>` : '';
    target.classList.remove('muted');
    target.innerHTML = `${plan}<div>Members (${members.length}): ${names.join('、') || '—'}</div>`;
  } catch (err) {
    target.classList.add('error');
    target.textContent = `Could not load members: ${err.message}`;
  }
}

function parseLonLat(text) {
  const m = text.trim().replace(/，/g, ',').match(/^(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)$/);
  if (!m) return { error: 'Type a longitude and a latitude separated by a comma, e.g. 116.4,39.9' };
  const lon = Number(m[1]);
  const lat = Number(m[2]);
  if (lon < -180 || lon > 180) return { error: `Longitude ${lon} is outside -180..180` };
  if (lat < -90 || lat > 90) return { error: `Latitude ${lat} is outside -90..90 (longitude comes first)` };
  return { lon, lat };
}

function setupSearch(map) {
  let marker;
  const out = $('#search-result');
  $('#search').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = parseLonLat($('#search-input').value);
    if (q.error) {
      out.innerHTML = `<p class="error">${esc(q.error)}</p>`;
      return;
    }
    out.innerHTML = '<p class="muted">locating…</p>';
    marker?.remove();
    marker = new maplibregl.Marker({ color: '#222' }).setLngLat([q.lon, q.lat]).addTo(map);
    map.flyTo({ center: [q.lon, q.lat], zoom: Math.max(map.getZoom(), 6) });
    try {
      const fc = await getJSON(api(`locate?lon=${q.lon}&lat=${q.lat}`));
      out.innerHTML = renderLocate(fc, q);
    } catch (err) {
      out.innerHTML = `<p class="error">${esc(err.message)}</p>`;
    }
  });
}

function collectionOf(f) {
  const p = f.properties ?? {};
  if (p.collection) return p.collection;
  if (p.tier !== undefined) return 'clusters';
  if (p.code !== undefined && p.province !== undefined) return 'cities';
  if (p.approved !== undefined) return 'transfer-zones';
  return 'features';
}

function renderLocate(fc, q) {
  const groups = { clusters: [], cities: [], 'transfer-zones': [] };
  for (const f of fc.features ?? []) (groups[collectionOf(f)] ??= []).push(f);
  const name = (f) => `${esc(f.properties?.name_zh ?? f.id)}${f.properties?.name_en ? ` <span class="muted">${esc(f.properties.name_en)}</span>` : ''}`;
  const cl = groups.clusters.map((f) => `<li>${swatch(clusters.get(f.properties?.id ?? f.id)?.color)} ${name(f)}</li>`).join('');
  return `<p><b>${q.lon}, ${q.lat}</b></p>
    <div>Clusters: ${cl ? `<ul class="clusters">${cl}</ul>` : '<span class="none">no cluster here</span>'}</div>
    <div>City: ${groups.cities.length ? groups.cities.map(name).join(', ') : '—'}</div>
    <div>Transfer zones: ${groups['transfer-zones'].length ? groups['transfer-zones'].map(name).join(', ') : '—'}</div>
    <div>Metro areas: ${groups['metro-areas']?.length ? groups['metro-areas'].map(name).join(', ') : '—'}</div>
    <div>Province: ${groups.provinces?.length ? groups.provinces.map(name).join(', ') : '—'} · Region: ${groups.regions?.length ? groups.regions.map(name).join(', ') : '—'}</div>`;
}

function setupCompare(map) {
  const panel = $('#compare');
  $('#compare-close').addEventListener('click', () => { panel.hidden = true; });
  $('#compare-clear').addEventListener('click', () => { for (const id of [...selected]) toggleSelected(map, id, false); });
  $('#compare-button').addEventListener('click', async () => {
    const ids = [...selected].sort();
    const query = `compare?ids=${ids.map(encodeURIComponent).join(',')}`;
    $('#compare-csv').href = api(`${query}&f=csv`);
    panel.hidden = false;
    $('#compare-body').innerHTML = '<p class="muted">comparing…</p>';
    try {
      $('#compare-body').innerHTML = renderCompare(await getJSON(api(query)));
    } catch (err) {
      $('#compare-body').innerHTML = `<p class="error">${esc(err.message)}</p>`;
    }
  });
}

// A metric per row, a cluster per column; nested values shown compactly so
// new metrics of the API appear without a viewer change.
function cell(v) {
  if (v == null) return '—';
  if (typeof v === 'number') return fmt(v, 1);
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? v.map((x) => fmt(x, 3)).join(', ') : v.map(cell).join(', ');
  if (typeof v === 'object') {
    if ('count' in v) return `${fmt(v.count)}${v.ids?.length ? ` (${v.ids.map(esc).join(', ')})` : ''}`;
    return Object.entries(v).map(([k, x]) => `${esc(k)}: ${cell(x)}`).join('; ');
  }
  return esc(v);
}

function renderCompare(cmp) {
  const cols = cmp.features ?? [];
  if (!cols.length) return '<p>No clusters.</p>';
  const keys = [...new Set(cols.flatMap((c) => Object.keys(c)))].filter((k) => k !== 'id');
  const head = `<tr><th></th>${cols.map((c) => `<th>${swatch(clusters.get(c.id)?.color)} ${esc(c.name_zh ?? c.id)}</th>`).join('')}</tr>`;
  const rows = keys.map((k) => `<tr><td>${esc(k)}</td>${cols.map((c) => `<td>${cell(c[k])}</td>`).join('')}</tr>`).join('');
  let html = `<table class="metrics">${head}${rows}</table>`;
  const pairs = cmp.pairs ?? [];
  if (pairs.length) {
    const pk = [...new Set(pairs.flatMap((p) => Object.keys(p)))];
    html += `<table class="pairs"><tr>${pk.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>${
      pairs.map((p) => `<tr>${pk.map((k) => `<td>${cell(p[k])}</td>`).join('')}</tr>`).join('')}</table>`;
  }
  return html;
}

main().catch((err) => {
  console.error(err);
  window.__viewerErrors.push(String(err?.message ?? err));
  document.getElementById('cluster-list').innerHTML = `<li class="error">Viewer failed to start: ${esc(err.message)}</li>`;
  rejectReady(err);
});
