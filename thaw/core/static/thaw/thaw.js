/* Progressive enhancement for Thaw's pages. Everything works without this file;
   it only makes the check-in form quicker: a word finder, per-word strength
   sliders, live slider values, and a cap of five words. No inline script, no eval. */
(function () {
  "use strict";

  function liveOutputs(root) {
    root.querySelectorAll(".range-row input[type=range]").forEach(function (input) {
      var out = input.parentElement.querySelector("output");
      if (!out || input.dataset.live) return;
      input.dataset.live = "1";
      input.addEventListener("input", function () { out.textContent = input.value; });
    });
  }

  function enhanceCheckin(form) {
    var max = 5;
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=word]"));
    var perWord = form.querySelector("#per-word");
    var overall = form.querySelector("#intensity");
    var help = form.querySelector("#word-help");

    function selected() { return boxes.filter(function (b) { return b.checked; }); }

    function rowFor(word) {
      return perWord.querySelector('[data-word="' + CSS.escape(word) + '"]');
    }

    function sync() {
      var chosen = selected();
      var words = chosen.map(function (b) { return b.value; });
      // Add a slider for each newly chosen word, remove those no longer chosen.
      words.forEach(function (word) {
        if (rowFor(word)) return;
        var label = document.createElement("label");
        label.className = "range-row";
        label.dataset.word = word;
        var name = document.createElement("span");
        name.textContent = word;
        var input = document.createElement("input");
        input.type = "range"; input.min = "0"; input.max = "10"; input.step = "1";
        input.name = "intensity:" + word;
        input.value = overall ? overall.value : "5";
        var out = document.createElement("output");
        out.textContent = input.value;
        label.appendChild(name); label.appendChild(input); label.appendChild(out);
        perWord.appendChild(label);
      });
      perWord.querySelectorAll("[data-word]").forEach(function (row) {
        if (words.indexOf(row.dataset.word) === -1) row.remove();
      });
      perWord.hidden = words.length === 0;
      var overallRow = form.querySelector("#overall-strength");
      if (overallRow) overallRow.hidden = words.length > 0;
      boxes.forEach(function (b) { b.disabled = !b.checked && chosen.length >= max; });
      liveOutputs(form);
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", sync);
      box.addEventListener("focus", function () {
        if (help && box.dataset.def) help.textContent = box.value + ": " + box.dataset.def;
      });
    });

    var finder = form.querySelector(".finder");
    var search = form.querySelector("#word-search");
    if (finder && search) {
      finder.hidden = false;
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        boxes.forEach(function (b) {
          var chip = b.closest(".chip");
          var hit = !q || b.value.indexOf(q) !== -1 || (b.dataset.def || "").toLowerCase().indexOf(q) !== -1;
          chip.classList.toggle("hidden-by-filter", !hit);
          if (q && hit) { var d = chip.closest("details"); if (d) d.open = true; }
        });
      });
    }
    sync();
  }

  function init() {
    liveOutputs(document);
    var form = document.getElementById("checkin-form");
    if (form) enhanceCheckin(form);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
