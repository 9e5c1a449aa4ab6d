/* Progressive enhancement for Thaw's pages. Everything works without this file;
   it makes the check-in form quicker (a word finder, per-word strength sliders,
   live slider values, the five-word cap explained), counts characters near a text
   box's limit, and offers the device's time zone. No inline script, no eval. */
(function () {
  "use strict";

  var MAX_WORDS = 5;
  // Strings through the JavaScript catalogue (/i18n/<language>.js, an external script; see
  // thaw/core/views.py js_catalog). Without it, the English text as written here.
  var i18n = window.django || {};
  var gettext = i18n.gettext || function (text) { return text; };
  var interpolate = i18n.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  };
  // Numbers as the page's language writes them ("1.000" in Spanish, "1,000" in English).
  function number(n) {
    try { return n.toLocaleString(document.documentElement.lang || undefined); } catch (e) { return String(n); }
  }
  // Search ignores case and accents: "vacia" finds "vacía", "anoranza" finds "añoranza".
  function fold(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function liveOutputs(root) {
    root.querySelectorAll(".range-row input[type=range]").forEach(function (input) {
      var out = input.parentElement.querySelector("output");
      if (!out || input.dataset.live) return;
      input.dataset.live = "1";
      input.addEventListener("input", function () { out.textContent = input.value; });
    });
  }

  function strengthRow(word, value, shown) {
    var label = document.createElement("label");
    label.className = "range-row";
    label.dataset.word = word;
    var name = document.createElement("span");
    name.textContent = shown || word;
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
        var box = boxes.filter(function (b) { return b.value === word; })[0];
        if (!rowFor(word)) perWord.appendChild(strengthRow(word, "5", box && box.dataset.label));
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
      // Only the boxes whose state changes are written: on load (nothing full) that is none of them.
      boxes.forEach(function (b) { if (b.disabled !== (!b.checked && full)) b.disabled = !b.checked && full; });
      if (status) {
        status.textContent = full
          ? interpolate(gettext("You have picked %(count)s words, the most for one check-in. Untick one to choose another."),
                        {count: MAX_WORDS}, true)
          : "";
      }
      liveOutputs(form);
    }

    // One listener on the form for all the word boxes (about 180), not two on each: less work
    // before the page answers a tap on a slow phone. A word's definition is its chip's title.
    function wordBox(target) {
      return target && target.name === "word" && !target.hasAttribute("data-suggestion") ? target : null;
    }
    function meaning(box) { return box.parentElement ? box.parentElement.title : ""; }
    form.addEventListener("change", function (event) { if (wordBox(event.target)) sync(); });
    form.addEventListener("focusin", function (event) {
      var box = wordBox(event.target);
      if (box && definition && meaning(box)) {
        definition.textContent = (box.dataset.label || box.value) + ": " + meaning(box);
        definition.hidden = false;
      }
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
        var q = fold(search.value.trim());
        var hits = 0;
        boxes.forEach(function (b) {
          var chip = b.closest(".chip");
          var hit = !q || fold(b.dataset.search || b.value).indexOf(q) !== -1 ||
            fold(meaning(b)).indexOf(q) !== -1;
          chip.classList.toggle("hidden-by-filter", !hit);
          if (hit) hits += 1;
          if (q && hit) { var d = chip.closest("details"); if (d) d.open = true; }
        });
        form.querySelectorAll(".family, .group").forEach(function (group) {
          var visible = group.querySelector(".chip:not(.hidden-by-filter)");
          group.classList.toggle("hidden-by-filter", Boolean(q) && !visible);
        });
        none.textContent = q && !hits
          ? interpolate(gettext("No word matches “%(typed)s”. “not sure” is always fine."), {typed: search.value.trim()}, true)
          : "";
      });
    }
    sync();
  }

  /* Numbness starts "not rated": the slider has to rest somewhere, but its resting value is
     not the person's answer. Touching the slider or moving it with a key rates it; ticking
     "Not rated" again takes the rating back. */
  function numbnessRating(form) {
    var slider = form.querySelector("#numbness");
    var unrated = form.querySelector("#numbness_unrated");
    var out = form.querySelector("#numbness-value");
    var section = form.querySelector("#sec-numbness");
    if (!slider || !unrated || !out || !section) return;
    function show() {
      section.classList.toggle("unrated", unrated.checked);
      out.textContent = unrated.checked ? "–" : slider.value;
      slider.setAttribute("aria-valuetext", unrated.checked ? "not rated" : slider.value);
    }
    function rate() { if (unrated.checked) { unrated.checked = false; } show(); }
    slider.dataset.live = "1";  /* its output is kept here, not by liveOutputs */
    slider.addEventListener("input", rate);
    slider.addEventListener("pointerdown", rate);
    slider.addEventListener("keydown", function (e) {
      if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"].indexOf(e.key) !== -1) rate();
    });
    unrated.addEventListener("change", show);
    show();
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

  /* Sign-up: suggest the crisis-line region from the device's time zone, else from the
     country in the browser's languages (the same rule as thaw.safety.resources.guess_region);
     the person sees the choice and can change it before creating the account. */
  function suggestRegion() {
    var select = document.querySelector("select[data-detect-region]");
    if (!select || select.value) return;
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    var options = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; });
    function words(o, name) { return (o.getAttribute(name) || "").split(" ").filter(Boolean); }
    var pick = null, why = "";
    if (zone) {
      pick = options.filter(function (o) {
        return words(o, "data-time-zones").some(function (z) {
          return z === zone || (z.charAt(z.length - 1) === "/" && zone.indexOf(z) === 0);
        });
      })[0] || null;
      why = interpolate(gettext("your device’s time zone (%(zone)s)"), {zone: zone.replace(/_/g, " ")}, true);
    }
    if (!pick) {
      var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
      langs.some(function (tag) {
        var country = (String(tag).replace(/_/g, "-").split("-").slice(1).filter(function (p) {
          return /^[A-Za-z]{2}$/.test(p);
        })[0] || "").toUpperCase();
        if (!country) return false;
        pick = options.filter(function (o) { return words(o, "data-countries").indexOf(country) !== -1; })[0] || null;
        why = interpolate(gettext("your browser’s language (%(language)s)"), {language: tag}, true);
        return Boolean(pick);
      });
    }
    if (!pick) return;
    select.value = pick.value;
    var note = document.createElement("p");
    note.className = "hint";
    note.id = "region-suggestion";
    note.setAttribute("role", "status");
    note.textContent = interpolate(gettext("Suggested from %(why)s: %(place)s. Change it if you are somewhere else."),
                                   {why: why, place: pick.textContent}, true);
    select.insertAdjacentElement("afterend", note);
    select.addEventListener("change", function () { note.remove(); }, { once: true });
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

  /* Text limits. A box with data-limit counts its characters near the limit and says so, before
     anything is saved, when the text is longer. Its maxlength (there for browsers without this
     script) is taken off, because a browser cuts a long paste at maxlength without a word. */
  function characters(text) { return Array.from(text).length; }  // as Thaw counts: an emoji is one

  function textLimits() {
    document.querySelectorAll("[data-limit]").forEach(function (box) {
      var limit = parseInt(box.dataset.limit, 10);
      if (!limit || box.dataset.limitReady) return;
      box.dataset.limitReady = "1";
      box.removeAttribute("maxlength");
      var counter = document.createElement("p");
      counter.className = "hint counter";
      counter.id = (box.id || box.name) + "-counter";
      counter.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", counter);
      box.setAttribute("aria-describedby", ((box.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
      var invalidBefore = box.getAttribute("aria-invalid");
      function update() {
        var count = characters(box.value);
        var over = count - limit;
        box.classList.toggle("over-limit", over > 0);
        counter.classList.toggle("over", over > 0);
        if (over > 0) {
          counter.textContent = interpolate(gettext("%(count)s characters, %(over)s over the limit of %(limit)s. " +
                                                    "Nothing has been cut: please shorten it before saving."),
                                            {count: number(count), over: number(over), limit: number(limit)}, true);
          box.setAttribute("aria-invalid", "true");
        } else {
          counter.textContent = count >= limit * 0.8
            ? interpolate(gettext("%(left)s of %(limit)s characters left."),
                          {left: number(limit - count), limit: number(limit)}, true) : "";
          if (invalidBefore) box.setAttribute("aria-invalid", invalidBefore);
          else box.removeAttribute("aria-invalid");
        }
      }
      box.addEventListener("input", update);
      update();
    });
  }

  // Before a form is sent (also by htmx): a box over its limit keeps the form here, with the focus on it.
  function holdOverLimit(event) {
    var over = event.target.querySelector && event.target.querySelector(".over-limit");
    if (!over) return;
    event.preventDefault();
    event.stopPropagation();
    over.focus();
  }

  function init() {
    textLimits();
    document.addEventListener("submit", holdOverLimit, true);
    forgetOnSignOut();
    liveOutputs(document);
    offerDeviceTimezone();
    suggestRegion();
    var form = document.getElementById("checkin-form");
    if (form) { numbnessRating(form); enhanceCheckin(form); }
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
