/* The outbox: check-ins made with no connection, kept in IndexedDB until they can be sent.

   Shared by the service worker (which keeps a check-in when sending it fails) and the pages
   (which send what is waiting when the connection returns, and say plainly that something is
   waiting). Each record: { id (the client-made check-in id), url, body (the form, without its
   CSRF token), person, queued_at, quick }. A small "meta" store remembers whose pages are kept. */
(function (root) {
  "use strict";

  var NAME = "thaw";
  var OUTBOX = "outbox";
  var META = "meta";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "id" });
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result;
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
        var request = work(tx.objectStore(store));
        if (request) request.onsuccess = function () { result = request.result; };
      });
    });
  }

  root.ThawOutbox = {
    add: function (record) { return run(OUTBOX, "readwrite", function (s) { return s.put(record); }); },
    all: function () {
      return run(OUTBOX, "readonly", function (s) { return s.getAll(); }).then(function (items) {
        return (items || []).sort(function (a, b) { return a.queued_at - b.queued_at; });
      });
    },
    remove: function (id) { return run(OUTBOX, "readwrite", function (s) { return s["delete"](id); }); },
    getMeta: function (key) { return run(META, "readonly", function (s) { return s.get(key); }); },
    setMeta: function (key, value) {
      return run(META, "readwrite", function (s) { return value === null ? s["delete"](key) : s.put(value, key); });
    },
    clear: function () {
      return run(OUTBOX, "readwrite", function (s) { return s.clear(); }).then(function () {
        return run(META, "readwrite", function (s) { return s.clear(); });
      });
    }
  };
})(typeof self !== "undefined" ? self : window);
