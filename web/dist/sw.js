// The reporter's service worker: keeps the app shell (the page, its
// scripts, styles, catalogues, the map chunk, icons) so the app opens with
// no network, and nothing else. It never answers for the API (/v1/), the
// console (/console/), the spec or the docs: every such request goes to
// the network as if there were no worker, so no answer of the API is ever
// cached, and a reporter's data stays in the page's own IndexedDB.
//
// Built by scripts/service-worker.ts into dist/sw.js: the placeholder
// below becomes this build's file list and a version derived from it (the
// files' names carry content hashes, so the version changes exactly when a
// file does, and two builds of the same sources are identical).

const PRECACHE = {"version":"241bab4d13ee3461","files":["/index.html","/manifest.webmanifest","/icon-192.png","/icon-512.png","/icon-maskable-512.png","/assets/FollowPage-Cz4xR9Lf.js","/assets/Frame-DlWLmPm5.js","/assets/LanguageSwitch-BatVVFRZ.js","/assets/MapPicker-CGDTZyzR.js","/assets/MePage-BApHrzp6.js","/assets/ProblemMessage-CKRQWAcU.js","/assets/SentPage-C5BSb1JR.js","/assets/TipDetail-U_xBo-3x.js","/assets/base-B6nsTYQg.js","/assets/base-CRGRhqrm.css","/assets/en-BFEt62Fw.js","/assets/en-D34Y-E0Z.js","/assets/layers-2x-Bpkbi35X.png","/assets/layers-BWBAp2CZ.png","/assets/leaflet-src-BY9eB2jn.css","/assets/leaflet-src-BlM0kUfY.js","/assets/marker-icon-hN30_KVU.png","/assets/preact-CdQ9zXrt.js","/assets/reporter-CZkSQM64.js","/assets/reporter-H81sZKmc.css","/assets/time-Bnx41cM_.js","/assets/vendor-LX85zFJM.js","/assets/zh-CN-Cu80mnVh.js"]};
const CACHE = `tipline-shell-${PRECACHE.version}`;
const SHELL = '/index.html';
const FILES = new Set(PRECACHE.files);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.files.map((f) => new Request(f, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('tipline-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** Paths that are never the shell's business. */
function notOurs(path) {
  return (
    path.startsWith('/v1/') ||
    path === '/v1' ||
    path.startsWith('/console') ||
    path.startsWith('/docs') ||
    path.startsWith('/openapi') ||
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/metrics' ||
    path === '/sw.js'
  );
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || notOurs(url.pathname)) return;

  if (req.mode === 'navigate') {
    // The page from the network when it answers (a new release shows at
    // once), else the cached shell: the app's routes all use one page.
    event.respondWith(
      fetch(req).catch(() => caches.open(CACHE).then((c) => c.match(SHELL)).then((r) => r || Response.error())),
    );
    return;
  }
  if (FILES.has(url.pathname)) {
    // Hashed files never change: the cache first.
    event.respondWith(caches.open(CACHE).then((c) => c.match(url.pathname).then((hit) => hit || fetch(req))));
  }
});
