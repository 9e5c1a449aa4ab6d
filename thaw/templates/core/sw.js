/* Thaw's service worker (served at /sw.js by thaw.core.pwa; version {{ version }}).

   - Keeps the static files a page needs, and the pages that work offline (home, the check-in
     form, grounding) as the signed-in person last saw them, so they open with no connection.
     Pages are fetched from the network first; the kept copy is only for when that fails.
   - A check-in sent with no connection is kept in IndexedDB (outbox.js) with an id made here
     and the time it was made, and the page sends it when the connection returns; the server
     saves an id once, so it arrives exactly once.
   - Shows Thaw's push messages (only the person's neutral words) and opens the link on a tap
     (openFromNotification).
   - Signing out (a message from the page, and Clear-Site-Data from the server) drops it all. */
{% load i18n %}"use strict";

importScripts({{ outbox_url|safe }});

var VERSION = "{{ version }}";
var STATIC_CACHE = "thaw-static-" + VERSION;
var PAGES_CACHE = "thaw-pages";
var PRECACHE = {{ precache|safe }};
var OFFLINE_PAGES = {{ pages|safe }};
var QUEUED = {{ queued|safe }};
var OFFLINE_URL = {{ offline_url|safe }};
var ICON_URL = {{ icon_url|safe }};
var STATIC_PREFIX = {{ static_prefix|safe }};
var CATALOGUE_PREFIX = {{ catalogue_prefix|safe }};  // the JavaScript strings, /i18n/<lang>.js?v=…
var OFFLINE_HEADER = "X-Thaw-Offline";
var WARM_EVERY_MS = 6 * 3600 * 1000;
// In the language of the person it was fetched for (a new language is new bytes: a new worker).
var SAVED_HERE = "{% filter escapejs %}{% translate "Saved on this phone. It will be sent when you are back online." %}{% endfilter %}";
var DEFAULT_TITLE = "{% filter escapejs %}{% translate "Thaw: a moment for you?" %}{% endfilter %}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) {
    return cache.addAll(PRECACHE.concat([OFFLINE_URL]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("thaw-static-") === 0 && name !== STATIC_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function sameOrigin(url) { return url.origin === self.location.origin; }

function isOfflinePage(path) { return OFFLINE_PAGES.indexOf(path) !== -1; }

// Keep a page only when the server marked it as the signed-in person's offline page; a page
// without the mark (signed out, session over) means nothing personal may stay on the device.
function keepOrForget(path, response) {
  var person = response.headers.get(OFFLINE_HEADER);
  return caches.open(PAGES_CACHE).then(function (cache) {
    if (person && response.ok && !response.redirected) {
      return ThawOutbox.setMeta("person", person).then(function () { return cache.put(path, response); });
    }
    return forgetPages();
  });
}

function forgetPages() {
  return caches.delete(PAGES_CACHE).then(function () { return ThawOutbox.setMeta("warmed", null); });
}

function pageFromNetwork(request, path) {
  return fetch(request).then(function (response) {
    keepOrForget(path, response.clone());
    return response;
  }, function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(path);
    }).then(function (kept) {
      return kept || caches.match(OFFLINE_URL);
    });
  });
}

// ignoreVary: a static file's or a catalogue's content is named by its (hashed or versioned)
// address alone, but the catalogue is answered with "Vary: Accept-Language, Cookie", which a
// page's request never matches against the copy the worker fetched when it was installed.
function staticFile(request) {
  return caches.match(request, { ignoreSearch: false, ignoreVary: true }).then(function (hit) {
    return hit || fetch(request);
  });
}

function uuid() {
  if (self.crypto && self.crypto.randomUUID) return self.crypto.randomUUID();
  var b = new Uint8Array(16);
  self.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}

function tellPages() {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "outbox-changed" }); });
  });
}

// A check-in or a one-tap sent with no connection waits on the phone instead of being lost.
function sendOrKeep(request, path) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      var params = new URLSearchParams(body);
      if (!params.get("client_id")) params.set("client_id", uuid());
      if (!params.get("at")) params.set("at", new Date().toISOString());
      params.delete("csrfmiddlewaretoken");  // a fresh token is sent with it later
      // The sentence for finding words stays on the phone only if the person chose to keep it.
      if (params.get("keep_sentence") !== "1") params.delete("sentence");
      return ThawOutbox.getMeta("person").then(function (person) {
        return ThawOutbox.add({
          id: params.get("client_id"), url: path, body: params.toString(), person: person || "",
          queued_at: Date.now(), quick: params.get("choice") || ""
        });
      });
    }).then(function () {
      tellPages();
      if (request.headers.get("HX-Request")) {
        return new Response('<p class="message" role="status">' + SAVED_HERE + '</p>',
                            { headers: { "Content-Type": "text/html; charset=utf-8" } });
      }
      return Response.redirect(new URL("/?queued=1", self.location.origin).href, 303);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (!sameOrigin(url)) return;
  if (request.method === "POST") {
    // A queued check-in being sent again is the page's to handle: never queue it twice.
    if (QUEUED.indexOf(url.pathname) !== -1 && !request.headers.get("X-Thaw-Queued")) {
      event.respondWith(sendOrKeep(request, url.pathname));
    }
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf(STATIC_PREFIX) === 0 || url.pathname.indexOf(CATALOGUE_PREFIX) === 0) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate" && isOfflinePage(url.pathname)) {
    event.respondWith(pageFromNetwork(request, url.pathname));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE_URL); }));
  }
});

// The page asks, once it is open for a signed-in person, to keep the offline pages ready.
function warm(person) {
  return ThawOutbox.getMeta("warmed").then(function (warmed) {
    if (warmed && warmed.person === person && warmed.version === VERSION && Date.now() - warmed.at < WARM_EVERY_MS) return;
    return Promise.all(OFFLINE_PAGES.map(function (path) {
      return fetch(path, { credentials: "same-origin" }).then(function (response) {
        return keepOrForget(path, response);
      }, function () { /* offline now: try again next time */ });
    })).then(function () {
      return ThawOutbox.setMeta("warmed", { person: person, version: VERSION, at: Date.now() });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "warm" && data.person) {
    event.waitUntil(ThawOutbox.setMeta("person", String(data.person)).then(function () { return warm(String(data.person)); }));
  } else if (data.type === "sign-out") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }).then(function () { return ThawOutbox.clear(); }));
  }
});

// --- push ------------------------------------------------------------------------------
function safePath(url) {
  return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "/";
}

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = typeof data.title === "string" && data.title ? data.title : DEFAULT_TITLE;
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof data.body === "string" ? data.body : "",
    tag: typeof data.tag === "string" ? data.tag : "thaw",
    icon: ICON_URL,
    data: { url: safePath(data.url), prompt: data.prompt || null }
  }));
});

// A tap on a notification: open its link (only ever a path on this site) in Thaw's open window,
// or in a new one. A named function, called by the listener below, so a browser test can run it
// with a real notification from getNotifications(): headless Chromium has no way to tap one.
function openFromNotification(notification) {
  notification.close();
  var url = new URL(safePath(notification.data && notification.data.url), self.location.origin);
  // A path like "/\evil.example" passes safePath but names another host: only this site's pages open.
  var target = sameOrigin(url) ? url.href : new URL("/", self.location.origin).href;
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (clients) {
    var open = clients.filter(function (c) { return sameOrigin(new URL(c.url)); })[0];
    if (open && open.navigate) {
      return open.navigate(target).then(function (client) {
        var shown = client || open;
        return shown.focus ? shown.focus().catch(function () { return shown; }) : shown;
      }).catch(function () { return self.clients.openWindow(target); });
    }
    return self.clients.openWindow(target);
  });
}

self.addEventListener("notificationclick", function (event) {
  event.waitUntil(openFromNotification(event.notification));
});
