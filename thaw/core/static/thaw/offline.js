/* The installable app on the page's side: registers the service worker (/sw.js), keeps the
   offline pages ready, sends check-ins that waited on this phone when the connection returns
   (and says plainly while something is waiting), turns notifications on for this device, and
   on sign-out clears everything Thaw kept here. Everything works without this file; it adds
   offline use and notifications. No inline script, no eval.

   Check-ins that waited are sent with the CSRF token of the moment they are sent (the cookie),
   not the one in the page they were made on, and only while the same person is signed in:
   a record names its person, the server refuses a record sent under someone else's session
   (409), and one sent while signed out waits until they sign in again. */
(function () {
  "use strict";

  // Words from the page's JavaScript catalogue (/i18n/<language>.js, loaded first; none on English
  // pages, where the English written here is the text).
  function gettext(text) {
    return window.django && window.django.gettext ? window.django.gettext(text) : text;
  }
  function ngettext(one, many, n) {
    return window.django && window.django.ngettext ? window.django.ngettext(one, many, n) : (n === 1 ? one : many);
  }
  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  var person = document.body ? document.body.getAttribute("data-person") || "" : "";
  var SENT_FROM_PHONE = "X-Thaw-Queued";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // Each new check-in gets its id on the phone: a retry, a second tap of Save, or Back then Save
  // again is the same check-in, never a copy.
  function giveIds() {
    document.querySelectorAll("input[data-client-id]").forEach(function (input) {
      if (!input.value) input.value = uuid();
    });
    var prompt = new URLSearchParams(window.location.search).get("prompt");
    if (prompt) {
      document.querySelectorAll("input[data-prompt-id]").forEach(function (input) {
        if (!input.value) input.value = prompt;
      });
    }
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target && event.target.closest ? event.target.closest("form") : null;
    var input = form && form.querySelector("input[data-client-id]");
    if (input) input.value = uuid();  // that one is saved (or waiting): the next tap is a new check-in
  });

  // --- what is waiting on this phone ------------------------------------------------------
  var outbox = window.ThawOutbox;
  var status = document.getElementById("outbox-status");

  function mine(records) { return records.filter(function (r) { return !r.person || r.person === person; }); }

  function say(text) {
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  }

  // ``couldNotSend``: a try just failed (no signal, though the phone may think it is online).
  function showWaiting(couldNotSend) {
    if (!outbox || !person) return Promise.resolve(0);
    return outbox.all().then(mine).then(function (records) {
      if (records.length) {
        var n = records.length;
        say(interpolate(couldNotSend || navigator.onLine === false
          ? ngettext("%(count)s check-in is waiting on this phone. It will be sent when you are back online.",
                     "%(count)s check-ins are waiting on this phone. They will be sent when you are back online.", n)
          : ngettext("%(count)s check-in is waiting on this phone. Sending…",
                     "%(count)s check-ins are waiting on this phone. Sending…", n), {count: n}));
      }
      return records.length;
    }, function () { return 0; });
  }

  function sendOne(record) {
    return fetch(record.url, {
      method: "POST", credentials: "same-origin", redirect: "follow",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrfToken(),
                 "X-Thaw-Person": record.person || person, "X-Thaw-Queued": "1" },
      body: record.body
    }).then(function (response) {
      var landed = new URL(response.url || window.location.href);
      if (response.ok && landed.pathname.indexOf("/accounts/") !== 0) {
        return outbox.remove(record.id).then(function () {
          return { state: "sent", crisis: landed.pathname.indexOf("/help") === 0 };
        });
      }
      if (response.status === 400 || response.status === 422) {
        return outbox.remove(record.id).then(function () { return { state: "refused" }; });
      }
      return { state: "later", signIn: landed.pathname.indexOf("/accounts/") === 0 || response.status === 403 };
    }, function () { return { state: "later" }; });
  }

  var flushing = null;
  function flush() {
    if (!outbox || !person) return Promise.resolve();
    if (flushing) return flushing;
    var tally = { sent: 0, refused: 0, later: 0, crisis: false, signIn: false };
    flushing = outbox.all().then(mine).then(function (records) {
      var chain = Promise.resolve(false);
      records.forEach(function (record) {
        chain = chain.then(function (stop) {
          if (stop) return true;
          return sendOne(record).then(function (result) {
            tally[result.state] += 1;
            tally.crisis = tally.crisis || Boolean(result.crisis);
            tally.signIn = tally.signIn || Boolean(result.signIn);
            return result.state === "later";
          });
        });
      });
      return chain;
    }).then(function () {
      flushing = null;
      if (tally.crisis) { window.location.assign("/help/?from=checkin"); return; }
      return showWaiting(tally.later > 0).then(function (left) {
        if (left && tally.signIn) {
          say(interpolate(ngettext("%(count)s waiting on this phone: sign in again to send it.",
                                   "%(count)s waiting on this phone: sign in again to send them.", left), {count: left}));
        } else if (!left && tally.sent) {
          say(tally.sent === 1 ? gettext("Your check-in made offline has been sent.")
            : interpolate(ngettext("%(count)s check-in made offline has been sent.",
                                   "%(count)s check-ins made offline have been sent.", tally.sent), {count: tally.sent}));
        }
        if (tally.refused) say((status && status.textContent ? status.textContent + " " : "") +
          gettext("One check-in made offline could not be saved; please check in again."));
      });
    }, function () { flushing = null; });
    return flushing;
  }

  // --- the service worker -----------------------------------------------------------------
  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (person && registration.active) registration.active.postMessage({ type: "warm", person: person });
    }).catch(function () { /* no offline use in this browser; everything else works */ });
  }

  function listenToWorker() {  // at once, not after load: a worker already in charge may speak first
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") showWaiting();
    });
  }

  // --- notifications for this device ------------------------------------------------------
  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
    return out;
  }

  function pushSetup() {
    var box = document.querySelector("[data-push-setup]");
    if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
    box.hidden = false;
    var button = box.querySelector("[data-push-enable]");
    var note = box.querySelector("[data-push-status]");
    button.addEventListener("click", function () {
      button.disabled = true;
      note.textContent = gettext("Asking this device…");
      Notification.requestPermission().then(function (answer) {
        if (answer !== "granted") throw new Error(gettext("Notifications are blocked for Thaw in this browser’s settings."));
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        return registration.pushManager.subscribe({ userVisibleOnly: true,
                                                     applicationServerKey: keyBytes(box.getAttribute("data-vapid-key")) });
      }).then(function (subscription) {
        return fetch(box.getAttribute("data-subscribe-url"), {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(subscription.toJSON())
        });
      }).then(function (response) {
        if (!response.ok) throw new Error(interpolate(gettext("Thaw could not save this device (%(status)s). Please try again."), {status: response.status}));
        note.textContent = gettext("Notifications are on for this device.");
        window.location.reload();
      }).catch(function (error) {
        button.disabled = false;
        note.textContent = (error && error.message) || gettext("This device could not turn notifications on.");
      });
    });
  }

  // --- signing out --------------------------------------------------------------------------
  function cleanUpOnSignOut() {
    document.querySelectorAll('form[action$="/accounts/logout/"]').forEach(function (form) {
      form.addEventListener("submit", function () {
        if (!("serviceWorker" in navigator)) return;
        navigator.serviceWorker.getRegistration("/").then(function (registration) {
          if (!registration) return;
          if (registration.active) registration.active.postMessage({ type: "sign-out" });
          if (registration.pushManager) {
            registration.pushManager.getSubscription().then(function (sub) { if (sub) sub.unsubscribe(); });
          }
        });
      });
    });
  }

  function init() {
    giveIds();
    listenToWorker();
    // The worker's install fetches the offline pages and files: after the page has loaded, so that
    // it never competes with this page's own requests on a slow connection.
    if (document.readyState === "complete") registerWorker();
    else window.addEventListener("load", registerWorker, { once: true });
    pushSetup();
    cleanUpOnSignOut();
    if (!person || !outbox) return;
    showWaiting().then(function (waiting) { if (waiting && navigator.onLine !== false) flush(); });
    window.addEventListener("online", flush);
    window.setInterval(function () {  // the connection may return without an "online" event
      if (navigator.onLine !== false) outbox.all().then(mine).then(function (r) { if (r.length) flush(); });
    }, 15000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
