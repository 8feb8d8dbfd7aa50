// A small map of the GeoJSON embedded in an HTML page (the OGC API pages:
// landing, collections, items, item). Usage, with nothing else to include:
//
//   <div id="map" style="height:320px"></div>
//   <script type="application/geo+json" id="features">{"type":"FeatureCollection",…}</script>
//   <script type="module" src="/viewer/feature-map.js"></script>
//
// Options as data attributes on the map element: data-features="id of the
// GeoJSON script" (default "features"), data-context="off" to leave out the
// atlas clusters drawn faintly behind the features. The script loads the
// vendored MapLibre and its stylesheet relative to its own URL and uses no
// external resource, like the viewer.
import * as maplibregl from './vendor/maplibre-gl.mjs';

const here = new URL('.', import.meta.url);

function addStylesheet() {
  const href = new URL('vendor/maplibre-gl.css', here).href;
  if ([...document.styleSheets].some((s) => s.href === href)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

// Any GeoJSON object → FeatureCollection.
function asCollection(g) {
  if (!g) return { type: 'FeatureCollection', features: [] };
  if (g.type === 'FeatureCollection') return { ...g, features: (g.features ?? []).filter((f) => f.geometry) };
  if (g.type === 'Feature') return { type: 'FeatureCollection', features: g.geometry ? [g] : [] };
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: g }] };
}

function extendBounds(b, coords) {
  if (typeof coords[0] === 'number') {
    b[0] = Math.min(b[0], coords[0]); b[1] = Math.min(b[1], coords[1]);
    b[2] = Math.max(b[2], coords[0]); b[3] = Math.max(b[3], coords[1]);
    return;
  }
  for (const c of coords) extendBounds(b, c);
}

function boundsOf(fc) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (g) => {
    if (!g) return;
    if (g.type === 'GeometryCollection') g.geometries.forEach(walk);
    else extendBounds(b, g.coordinates);
  };
  fc.features.forEach((f) => walk(f.geometry));
  return b[0] <= b[2] ? b : null;
}

async function contextSource() {
  // The atlas tiles as faint context; without them (or offline from the
  // API) the map still shows the features on a plain background.
  try {
    const url = new URL('../tiles.json', here).href;
    const res = await fetch(url);
    if (!res.ok) return null;
    const tj = await res.json();
    return { type: 'vector', tiles: [decodeURI(new URL(tj.tiles[0], url).href)], minzoom: tj.minzoom, maxzoom: tj.maxzoom, attribution: tj.attribution };
  } catch {
    return null;
  }
}

export async function featureMap(container, geojson, { context = true } = {}) {
  addStylesheet();
  const fc = asCollection(geojson);
  const style = {
    version: 8,
    sources: { features: { type: 'geojson', data: fc } },
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef2f5' } }],
  };
  const ctx = context ? await contextSource() : null;
  if (ctx) {
    style.sources.atlas = ctx;
    style.layers.push(
      { id: 'context-cities', type: 'fill', source: 'atlas', 'source-layer': 'cities', paint: { 'fill-color': '#f6f3ec' } },
      { id: 'context-clusters', type: 'line', source: 'atlas', 'source-layer': 'clusters', paint: { 'line-color': '#9aa4ae', 'line-width': 0.8 } },
    );
  }
  style.layers.push(
    { id: 'fill', type: 'fill', source: 'features', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#3867d6', 'fill-opacity': 0.3 } },
    { id: 'outline', type: 'line', source: 'features', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'line-color': '#274c9e', 'line-width': 1.2 } },
    { id: 'line', type: 'line', source: 'features', filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#c0392b', 'line-width': 2 } },
    { id: 'point', type: 'circle', source: 'features', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#c0392b', 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
  );
  const b = boundsOf(fc) ?? [73, 18, 135, 54]; // nothing to draw: show China
  const map = new maplibregl.Map({
    container,
    style,
    bounds: [[b[0], b[1]], [b[2], b[3]]],
    fitBoundsOptions: { padding: 20, maxZoom: 10 },
    attributionControl: { compact: true },
    cooperativeGestures: true, // a map inside a page should not steal scrolling
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  // A long attribution would cover a small map: start it folded (ⓘ).
  map.on('load', () => container.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show'));
  return map;
}

async function auto() {
  const el = document.querySelector('[data-feature-map]') ?? document.getElementById('map');
  if (!el) return;
  const src = document.getElementById(el.dataset.features || 'features');
  if (!src) return;
  let geojson;
  try {
    geojson = JSON.parse(src.textContent);
  } catch (err) {
    el.textContent = `No map: the embedded GeoJSON does not parse (${err.message}).`;
    return;
  }
  window.featureMap = await featureMap(el, geojson, { context: el.dataset.context !== 'off' });
}

auto();
