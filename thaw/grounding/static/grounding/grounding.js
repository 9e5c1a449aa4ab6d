/* Grounding exercises: one step per screen, a breathing pacer, and saving that survives
   a dropped connection.

   The exercise page is a plain form that works without this file. This script shows one
   screen at a time, runs the pacer from the exercise's data (timed with performance.now(),
   so it does not drift), and saves through the API. Everything the exercise needs is in
   the page, so it keeps working offline once loaded; a session that cannot be sent is
   kept on this phone (localStorage, per person) and sent on the next `online` event, on
   a timer, or on the next page load. The server treats a repeated id as the same
   session, so a retry never makes a copy. No inline script, no eval. */
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

  function savedHere() { return gettext("Saved on this phone; it will be sent when you are back online."); }
  var MAX_SESSION_MS = 6 * 3600 * 1000;  // the server's longest session

  // --- the queue of sessions not yet sent -------------------------------------------
  function Outbox(owner, api) {
    this.key = "thaw.grounding.unsent." + owner;
    this.api = api;
    this.running = null;
    this.listeners = [];
  }
  Outbox.prototype.read = function () {
    try { return JSON.parse(window.localStorage.getItem(this.key) || "[]"); } catch (e) { return []; }
  };
  Outbox.prototype.write = function (items) {
    try {
      if (items.length) window.localStorage.setItem(this.key, JSON.stringify(items));
      else window.localStorage.removeItem(this.key);
      return true;
    } catch (e) { return false; }
  };
  Outbox.prototype.add = function (record) {
    var items = this.read().filter(function (r) { return r.id !== record.id; });
    items.push(record);
    return this.write(items);
  };
  Outbox.prototype.remove = function (id) {
    this.write(this.read().filter(function (r) { return r.id !== id; }));
  };
  Outbox.prototype.send = function (record) {
    var self = this;
    return fetch(this.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(record)
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        self.remove(record.id);
        return response.json().then(function (body) { return { state: "sent", body: body }; },
                                    function () { return { state: "sent", body: {} }; });
      }
      if (response.status === 400 || response.status === 422) {
        // It will never be accepted; keeping it would retry forever.
        self.remove(record.id);
        return response.json().then(function (body) { return { state: "refused", body: body }; },
                                    function () { return { state: "refused", body: {} }; });
      }
      return { state: "later" };  // signed out, a stale CSRF token, or the server is down: try again later
    }, function () { return { state: "later" }; });
  };
  // Send everything queued, oldest first; stop at the first that has to wait.
  Outbox.prototype.flush = function () {
    var self = this;
    if (this.running) return this.running.then(function () { return self.flush(); });
    var results = {};
    var chain = Promise.resolve(false);
    this.read().forEach(function (record) {
      chain = chain.then(function (stop) {
        if (stop) return true;
        return self.send(record).then(function (result) {
          results[record.id] = result;
          self.listeners.forEach(function (fn) { fn(record.id, result); });
          return result.state === "later";
        });
      });
    });
    this.running = chain.then(function () { self.running = null; return results; });
    return this.running;
  };
  Outbox.prototype.pending = function () { return this.read().length; };

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Safety first: whenever a saved session's note showed risk (now or when a kept session
  // is finally sent), go to the crisis page, as the plain form and check-ins do.
  var HELP_URL = "/help/?from=grounding";
  function toCrisisPage(id, result) {
    if (result.state === "sent" && result.body && result.body.crisis) window.location.assign(HELP_URL);
  }

  function keepSending(outbox) {
    outbox.listeners.push(toCrisisPage);
    window.addEventListener("online", function () { outbox.flush(); });
    window.setInterval(function () {
      if (outbox.pending() && navigator.onLine !== false) outbox.flush();
    }, 20000);
    if (outbox.pending()) outbox.flush();
  }

  // --- the breathing pacer ----------------------------------------------------------
  function Pacer(el, pattern, onEnd) {
    this.el = el;
    this.phases = pattern.phases;
    this.cycles = pattern.cycles;
    this.cycleSeconds = this.phases.reduce(function (sum, p) { return sum + p.seconds; }, 0);
    this.circle = el.querySelector(".pacer-circle");
    this.label = el.querySelector(".pacer-label");
    this.count = el.querySelector(".pacer-count");
    this.progress = el.querySelector(".pacer-progress");
    this.onEnd = onEnd;
    this.timer = null;
    this.lastKey = null;
  }
  Pacer.prototype.reducedMotion = function () {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  };
  Pacer.prototype.where = function (seconds) {
    var cycle = Math.floor(seconds / this.cycleSeconds);
    var within = seconds - cycle * this.cycleSeconds;
    var edge = 0;
    for (var i = 0; i < this.phases.length; i += 1) {
      edge += this.phases[i].seconds;
      if (within < edge) return { cycle: cycle, index: i, left: edge - within };
    }
    return { cycle: cycle, index: this.phases.length - 1, left: 0 };
  };
  Pacer.prototype.enter = function (phase, cycle) {
    this.el.setAttribute("data-phase", phase.name);
    this.label.textContent = phase.label;
    this.progress.textContent = interpolate(gettext("Breath %(number)s of %(total)s"), {number: cycle + 1, total: this.cycles});
    if (this.reducedMotion()) return;  // the circle stays still; words and count carry the rhythm
    // CSSOM, not a style attribute: allowed under the strict CSP.
    this.circle.style.transitionDuration = phase.seconds + "s";
    if (phase.name === "in") this.circle.style.transform = "scale(1)";
    else if (phase.name === "out") this.circle.style.transform = "scale(0.45)";
  };
  Pacer.prototype.tick = function () {
    var self = this;
    var seconds = (performance.now() - this.started) / 1000;
    if (seconds >= this.cycleSeconds * this.cycles) { this.finish(); return; }
    var at = this.where(seconds);
    var key = at.cycle + ":" + at.index;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.enter(this.phases[at.index], at.cycle);
    }
    this.count.textContent = String(Math.max(1, Math.ceil(at.left - 0.001)));
    // Wake at the next whole second or the end of the phase, measured from the start, so errors never add up.
    var untilNext = at.left % 1 || 1;
    this.timer = window.setTimeout(function () { self.tick(); }, Math.max(10, untilNext * 1000));
  };
  Pacer.prototype.start = function () {
    this.stop();
    if (!this.reducedMotion()) {
      // Begin small, and make the browser take that in before the first breath, so the
      // circle grows with it instead of jumping (the screen was hidden until now).
      this.circle.style.transitionDuration = "0s";
      this.circle.style.transform = "scale(0.45)";
      void this.circle.getBoundingClientRect();
    }
    this.started = performance.now();
    this.lastKey = null;
    this.tick();
  };
  Pacer.prototype.stop = function () {
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = null;
  };
  Pacer.prototype.finish = function () {
    this.stop();
    this.el.setAttribute("data-phase", "done");
    this.label.textContent = gettext("That was the last one.");
    this.count.textContent = "";
    if (!this.reducedMotion()) {
      this.circle.style.transitionDuration = "2s";
      this.circle.style.transform = "scale(0.45)";
    }
    if (this.onEnd) this.onEnd();
  };

  // --- the exercise page --------------------------------------------------------------
  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function enhanceExercise(root, outbox) {
    var form = root.querySelector("#grounding-form");
    var exercise = readJSON("grounding-exercise");
    var affirmations = readJSON("grounding-affirmations") || [];
    var screens = Array.prototype.slice.call(form.querySelectorAll(".screen"));
    var work = screens.filter(function (s) { return /^(step|pacer)$/.test(s.dataset.screen); });
    var after = form.querySelector('[data-screen="after"]');
    var done = form.querySelector('[data-screen="done"]');
    var stopBar = root.querySelector("#stop-bar");
    var status = root.querySelector("#save-status");
    var worse = form.querySelector("#made_worse");
    var pacerEl = root.querySelector("#pacer");
    var signedIn = root.dataset.signedIn === "1";
    var startedAt = null;
    var stopped = false;
    var shownAffirmation = -1;
    var current = null;
    var pacer = pacerEl && exercise.pattern ? new Pacer(pacerEl, exercise.pattern, function () {
      var next = root.querySelector("#pacer-next");
      if (next) { next.textContent = gettext("Next"); next.focus(); }
    }) : null;

    root.classList.add("js");
    root.querySelectorAll(".js-only").forEach(function (el) { if (el !== stopBar) el.hidden = false; });

    function show(screen, focus) {
      screens.forEach(function (s) { s.hidden = s !== screen; });
      current = screen;
      root.setAttribute("data-screen-now", screen.dataset.screen);
      stopBar.hidden = work.indexOf(screen) === -1;
      if (pacer) {
        if (screen.dataset.screen === "pacer") pacer.start(); else pacer.stop();
      }
      if (focus !== false) {
        var target = screen.querySelector("h2:not(.visually-hidden), .step-count, .pacer-label");
        if (target) {
          if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
          target.focus({ preventScroll: true });
        }
        window.scrollTo(0, 0);
      }
    }

    function begin() {
      startedAt = new Date().toISOString();
      show(work[0]);
    }

    function finishExercise(wasStopped) {
      stopped = wasStopped;
      after.querySelector('[data-show="finished"]').hidden = wasStopped;
      after.querySelector('[data-show="stopped"]').hidden = !wasStopped;
      show(after);
    }

    function rating(name) {
      var checked = form.querySelector('input[name="' + name + '"]:checked');
      return checked ? parseInt(checked.value, 10) : null;
    }

    function showAffirmation() {
      if (!affirmations.length) return;
      var index = Math.floor(Math.random() * affirmations.length);
      if (affirmations.length > 1 && index === shownAffirmation) index = (index + 1) % affirmations.length;
      shownAffirmation = index;
      root.querySelector("#affirmation").textContent = affirmations[index];
    }

    function say(text) {
      status.textContent = text;
      status.hidden = !text;
    }

    function describe(result) {
      if (result.state === "sent") {
        if (result.body && result.body.crisis) {
          return gettext("Saved. Something in your note sounded serious: if you might be in danger, please see the crisis lines (Get help now, at the top).");
        }
        return gettext("Saved.");
      }
      if (result.state === "refused") {
        return interpolate(gettext("Thaw could not save this session: %(reason)s."),
                           {reason: (result.body && result.body.detail) || gettext("it was not accepted")});
      }
      return savedHere();
    }

    function showDone(text) {
      root.querySelector("#worse-again").hidden = !worse.checked;
      showAffirmation();
      show(done);
      say(text);
    }

    function save() {
      var note = form.querySelector("#note");
      var ended = new Date();
      var started = startedAt ? new Date(startedAt) : ended;
      // A page left open for hours (the far-away page starts its clock on load) is still one
      // short exercise: count it from a little before the end rather than refuse it.
      if (ended - started > MAX_SESSION_MS) started = new Date(ended.getTime() - exercise.minutes * 60000);
      var record = {
        id: form.querySelector('input[name="id"]').value,
        exercise: exercise.id,
        started_at: started.toISOString(),
        ended_at: ended.toISOString(),
        completed: !stopped,
        before_presence: rating("before_presence"),
        before_numbness: rating("before_numbness"),
        after_presence: rating("after_presence"),
        after_numbness: rating("after_numbness"),
        made_worse: worse.checked
      };
      if (note && note.value.trim()) record.note = note.value;
      var kept = outbox.add(record);
      root.querySelector("#save").disabled = true;
      showDone(gettext("Saving…"));
      outbox.flush().then(function (results) {
        var result = results[record.id];
        if (result) say(describe(result));
        else if (!kept) say(gettext("This phone could not keep the session while offline; please try saving again when you are back online."));
        else say(savedHere());
      });
      outbox.listeners.push(function (id, result) {
        if (id === record.id && result.state !== "later") say(describe(result));
      });
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (!button || button.type === "submit") return;
      var action = button.dataset.action;
      var index = work.indexOf(current);
      if (action === "start") begin();
      else if (action === "skip") {
        form.querySelectorAll('[data-screen="before"] input[type=radio]').forEach(function (r) { r.checked = false; });
        begin();
      } else if (action === "next") {
        if (index < work.length - 1) show(work[index + 1]); else finishExercise(false);
      } else if (action === "back" && index > 0) show(work[index - 1]);
      else if (action === "stop") finishExercise(true);
      else if (action === "finish") showDone("");
      else if (action === "discard") showDone(gettext("Not saved. That is fine too."));
      else if (action === "another") showAffirmation();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (signedIn) save();
    });
    worse.addEventListener("change", function () {
      root.querySelector("#worse-help").hidden = !worse.checked;
    });

    if (root.dataset.now === "1") {
      startedAt = new Date().toISOString();
      show(work[0], false);
    } else {
      show(screens[0], false);
    }
  }

  function init() {
    var root = document.getElementById("grounding");
    var sync = root || document.querySelector("[data-grounding-sync]");
    var outbox = null;
    if (sync && sync.dataset.owner) {
      outbox = new Outbox(sync.dataset.owner, sync.dataset.api);
      keepSending(outbox);
    }
    if (root && root.querySelector("#grounding-form") && !root.querySelector("#error-summary")) {
      enhanceExercise(root, outbox || new Outbox("anonymous", root.dataset.api));
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
