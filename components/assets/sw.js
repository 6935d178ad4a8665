// Tasklight's service worker (components/pwa.py serves it at /sw.js with the values below filled in).
//
// It keeps only the app shell: NiceGUI's versioned files, our content-named /assets/ files, the
// icons and the offline page. Those are the same for everyone, so nothing one person sees can
// reach the next person on a shared computer. Pages, the API, sign-in, settings, exports and
// anything else with someone's data always come from the network and are never stored here.
'use strict';

const CACHE = 'tasklight-shell-__VERSION__';
const OFFLINE_URL = '__OFFLINE_URL__';
const PRECACHE = __PRECACHE__;
// Same for everyone and named by version or content: safe to keep, never stale.
const SHELL_PREFIXES = __SHELL_PREFIXES__;
const NEVER_PREFIXES = __NEVER_PREFIXES__;
// Never touched, navigation or not: the API, sign-in redirects, downloads, sockets, probes.
const PASS_THROUGH = __PASS_THROUGH__;

function isShell(url) {
  return (
    url.origin === self.location.origin &&
    !url.search &&
    SHELL_PREFIXES.some((prefix) => url.pathname.startsWith(prefix)) &&
    !NEVER_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))
  );
}

self.addEventListener('install', (event) => {
  if (event.addRoutes && self.URLPattern) {
    // Chromium's static routing: requests for these never wake the worker at all.
    const routes = PASS_THROUGH.map((prefix) => ({
      condition: { urlPattern: new URLPattern({ pathname: `${prefix}*` }) },
      source: 'network',
    }));
    event.waitUntil(event.addRoutes(routes).catch(() => undefined));
  }
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith('tasklight-') && name !== CACHE)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

// No navigation preload: a navigation the worker passes by would then reach the server twice,
// and a sign-in ticket (/auth/complete) works only once.
async function navigate(request) {
  try {
    return await fetch(request);
  } catch (error) {
    // Offline (or the server is unreachable): the one page that needs no server.
    const offline = await caches.match(OFFLINE_URL, { cacheName: CACHE });
    if (offline) {
      return offline;
    }
    throw error;
  }
}

async function fromShell(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  const store = !/no-store/i.test(response.headers.get('Cache-Control') || '');
  if (response.ok && response.type === 'basic' && store) {
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (PASS_THROUGH.some((prefix) => url.pathname.startsWith(prefix))) {
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request)); // network first, never stored
    return;
  }
  if (isShell(url)) {
    event.respondWith(fromShell(request));
  }
  // Everything else: not intercepted, straight to the network as without a worker.
});
