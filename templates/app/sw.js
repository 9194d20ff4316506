/* The ELSOM app's service worker (served at /app/sw.js: its scope is /app/). It keeps the app shell, the UI
   catalogues and our own static files for offline use; the API (balances, payments) is never cached. */
const CONFIG = {{ config|safe }};
const CACHE = "elsom-app-" + CONFIG.version;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(CONFIG.precache)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("elsom-app-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, fallbackUrl) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackUrl || request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackUrl || request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CONFIG.shell) {
    event.respondWith(networkFirst(request, CONFIG.shell));
  } else if (url.pathname.startsWith(CONFIG.catalogues)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith(CONFIG.static)) {
    event.respondWith(cacheFirst(request));
  }
  // Everything else, the API above all, goes to the network untouched.
});
