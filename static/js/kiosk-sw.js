/* The offline kiosk's service worker (served at /kiosk/sw.js, scope /kiosk/app/).
 *
 * The app page, its styles, script, icon and manifest are cached on enrolment by the page
 * itself (kiosk-app.js: cacheAll). Here every GET is answered from that cache first and
 * refreshed from the network in the background, so the faces show at once with or
 * without a network; anything not cached goes to the network. The sync POST is never
 * touched: it fails like any request when the network is down, and the queue keeps it.
 */
"use strict";

var CACHE = "portal-kiosk-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(function (cache) {
      var key = url.pathname + url.search;
      return cache.match(key).then(function (cached) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok && cached) cache.put(key, response.clone());
          return response;
        });
        if (cached) {
          fresh.catch(function () { /* offline: the cached copy stands */ });
          return cached;
        }
        return fresh;
      });
    })
  );
});
