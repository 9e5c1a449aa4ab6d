/* Progressive enhancement for Thaw's pages. Everything works without this file;
   it makes the check-in form quicker (a word finder, per-word strength sliders,
   live slider values, the five-word cap explained) and offers the device's time
   zone. No inline script, no eval. */
(function () {
  "use strict";

  var MAX_WORDS = 5;

  function liveOutputs(root) {
    root.querySelectorAll(".range-row input[type=range]").forEach(function (input) {
      var out = input.parentElement.querySelector("output");
      if (!out || input.dataset.live) return;
      input.dataset.live = "1";
      input.addEventListener("input", function () { out.textContent = input.value; });
    });
  }

  function strengthRow(word, value) {
    var label = document.createElement("label");
    label.className = "range-row";
    label.dataset.word = word;
    var name = document.createElement("span");
    name.textContent = word;
    var input = document.createElement("input");
    input.type = "range"; input.min = "0"; input.max = "10"; input.step = "1";
    input.name = "intensity:" + word;
    input.value = value;
    var out = document.createElement("output");
    out.setAttribute("aria-hidden", "true");
    out.textContent = input.value;
    label.appendChild(name); label.appendChild(input); label.appendChild(out);
    return label;
  }

  function enhanceCheckin(form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=word]:not([data-suggestion])"));
    var perWord = form.querySelector("#per-word");
    var overall = form.querySelector("#intensity");
    var definition = form.querySelector("#word-def");
    var status = form.querySelector("#word-status");

    function selected() { return boxes.filter(function (b) { return b.checked; }); }

    function rowFor(word) {
      return perWord.querySelector('[data-word="' + CSS.escape(word) + '"]');
    }

    function sync() {
      var words = selected().map(function (b) { return b.value; });
      // "not sure" has no strength to rate: it keeps a hidden 0.
      var rated = words.filter(function (w) { return w !== "not sure"; });
      rated.forEach(function (word) {
        if (!rowFor(word)) perWord.appendChild(strengthRow(word, "5"));
      });
      perWord.querySelectorAll("[data-word]").forEach(function (row) {
        if (rated.indexOf(row.dataset.word) === -1) row.remove();
      });
      var notSure = form.querySelector('input[name="intensity:not sure"]');
      if (words.indexOf("not sure") !== -1 && !notSure) {
        notSure = document.createElement("input");
        notSure.type = "hidden"; notSure.name = "intensity:not sure"; notSure.value = "0";
        perWord.appendChild(notSure);
      } else if (words.indexOf("not sure") === -1 && notSure) {
        notSure.remove();
      }
      perWord.hidden = rated.length === 0;
      var overallRow = form.querySelector("#overall-strength");
      if (overallRow) overallRow.hidden = words.length > 0;
      var full = words.length >= MAX_WORDS;
      boxes.forEach(function (b) { b.disabled = !b.checked && full; });
      if (status) {
        status.textContent = full
          ? "You have picked " + MAX_WORDS + " words, the most for one check-in. Untick one to choose another."
          : "";
      }
      liveOutputs(form);
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", sync);
      box.addEventListener("focus", function () {
        if (definition && box.dataset.def) {
          definition.textContent = box.value + ": " + box.dataset.def;
          definition.hidden = false;
        }
      });
    });

    var finder = form.querySelector(".finder");
    var search = form.querySelector("#word-search");
    if (finder && search) {
      finder.hidden = false;
      var none = document.createElement("p");
      none.className = "hint";
      none.setAttribute("role", "status");
      finder.appendChild(none);
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        var hits = 0;
        boxes.forEach(function (b) {
          var chip = b.closest(".chip");
          var hit = !q || b.value.indexOf(q) !== -1 || (b.dataset.def || "").toLowerCase().indexOf(q) !== -1;
          chip.classList.toggle("hidden-by-filter", !hit);
          if (hit) hits += 1;
          if (q && hit) { var d = chip.closest("details"); if (d) d.open = true; }
        });
        form.querySelectorAll(".family, .group").forEach(function (group) {
          var visible = group.querySelector(".chip:not(.hidden-by-filter)");
          group.classList.toggle("hidden-by-filter", Boolean(q) && !visible);
        });
        none.textContent = q && !hits ? "No word matches “" + search.value.trim() + "”. “not sure” is always fine." : "";
      });
    }
    sync();
  }

  function offerDeviceTimezone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    document.querySelectorAll("[data-detect-timezone]").forEach(function (input) { input.value = zone; });
    document.querySelectorAll("[data-detected-timezone]").forEach(function (el) { el.textContent = zone; });
    var saved = document.body.dataset.timezone;
    var notice = document.getElementById("tz-notice");
    if (notice && saved && saved !== zone) notice.hidden = false;
  }

  /* Signing out on a shared phone leaves nothing of the person behind: grounding sessions
     kept for sending later (they hold ratings and notes) are dropped with the session. */
  function forgetOnSignOut() {
    document.querySelectorAll('form[action$="/accounts/logout/"]').forEach(function (form) {
      form.addEventListener("submit", function () {
        try {
          for (var i = window.localStorage.length - 1; i >= 0; i--) {
            var key = window.localStorage.key(i);
            if (key && key.indexOf("thaw.grounding.unsent.") === 0) window.localStorage.removeItem(key);
          }
        } catch (e) { /* storage unavailable: nothing was kept */ }
      });
    });
  }

  function init() {
    forgetOnSignOut();
    liveOutputs(document);
    offerDeviceTimezone();
    var form = document.getElementById("checkin-form");
    if (form) enhanceCheckin(form);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
