/* The mood meter on the check-in page: a pleasantness × energy field of four places. Tapping a
   place, or choosing in the two radio groups under it (the keyboard and screen-reader way), opens
   that place's words just below and closes the other places, except those holding a picked word.
   Nothing here is sent: the words ticked in the list are the check-in. No inline script, no eval. */
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

  // On load the meter is only shown: its two listeners sit on the meter itself and everything
  // else (the places' words, the radios) is looked up on the first tap, not before the page answers.
  function start() {
    var meter = document.querySelector("[data-meter]");
    if (!meter) return;
    meter.hidden = false;

    function radio(name, value) {
      return meter.querySelector('input[name="' + name + '"][value="' + value + '"]');
    }

    function chosen(name) {
      var input = meter.querySelector('input[name="' + name + '"]:checked');
      return input ? input.value : null;
    }

    function show(quadrant, scroll) {
      var form = meter.closest("form");
      var status = meter.querySelector("#meter-status");
      var opened = null;
      form.querySelectorAll("details[data-quadrant]").forEach(function (d) {
        var here = d.dataset.quadrant === quadrant;
        d.open = here || Boolean(d.querySelector('input[name="word"]:checked'));
        if (here) opened = d;
      });
      meter.querySelectorAll(".meter-cell").forEach(function (c) {
        c.setAttribute("aria-pressed", String(c.dataset.quadrant === quadrant));
      });
      if (!opened) return;
      var label = opened.querySelector("summary").firstChild.textContent.trim();
      var count = opened.querySelectorAll('input[name="word"]').length;
      status.textContent = interpolate(ngettext("The %(count)s word for “%(place)s” is open just below the meter.",
                                                "The %(count)s words for “%(place)s” are open just below the meter.", count),
                                       {count: count, place: label});
      if (scroll) {
        var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        opened.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
      }
    }

    meter.addEventListener("click", function (event) {
      var cell = event.target.closest ? event.target.closest(".meter-cell") : null;
      if (!cell || !meter.contains(cell)) return;
      var parts = cell.dataset.quadrant.split(" ");  // "high-energy unpleasant"
      radio("meter_energy", parts[0]).checked = true;
      radio("meter_pleasant", parts[1]).checked = true;
      show(cell.dataset.quadrant, true);
    });

    meter.addEventListener("change", function (event) {
      if (event.target.type !== "radio") return;
      var energy = chosen("meter_energy"), pleasant = chosen("meter_pleasant");
      if (energy && pleasant) show(energy + " " + pleasant, false);
      else meter.querySelector("#meter-status").textContent = energy ? gettext("Now choose how pleasant.") : gettext("Now choose how much energy.");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
