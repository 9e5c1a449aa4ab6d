/* The substance log's progressive enhancement: show only the fields that apply to the
   chosen substance, offer common servings, and preview standard drinks as you type.
   Everything works without it (the server drops fields that do not apply). */
(function () {
  "use strict";

  var ETHANOL_G_PER_ML = 0.789;

  // Words from the page's JavaScript catalogue (none on English pages: the English is the text).
  function gettext(text) {
    return window.django && window.django.gettext ? window.django.gettext(text) : text;
  }
  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return name in values ? String(values[name]) : all; });
  }
  // A number as the page's reader writes it (1,3 in Spanish).
  function written(value) {
    try { return new Intl.NumberFormat(document.documentElement.lang || "en", { maximumFractionDigits: 2 }).format(value); }
    catch (e) { return String(value); }
  }

  function number(text) {
    var value = parseFloat(String(text || "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function enhance(form) {
    var unit = form.querySelector("select[name=unit]");
    var amount = form.querySelector("input[name=amount]");
    var abv = form.querySelector("input[name=abv]");
    var preview = form.querySelector(".drink-preview");
    var grams = number(form.dataset.grams) || 10;

    function substance() {
      var checked = form.querySelector("input[name=substance]:checked");
      return checked ? checked.value : "";
    }

    function filterUnits(chosen) {
      if (!unit) return;
      var valid = [];
      unit.querySelectorAll("optgroup").forEach(function (group) {
        var mine = group.dataset.substance === chosen;
        group.hidden = !mine;
        group.disabled = !mine;
        if (mine) group.querySelectorAll("option").forEach(function (o) { valid.push(o); });
      });
      var current = unit.selectedOptions[0];
      if (chosen && valid.length && (!current || valid.indexOf(current) === -1)) valid[0].selected = true;
    }

    function updatePreview() {
      if (!preview) return;
      var ml = amount ? number(amount.value) : null;
      var strength = abv ? number(abv.value) : null;
      if (substance() === "alcohol" && unit && unit.value === "ml" && ml !== null && ml > 0 &&
          strength !== null && strength >= 0 && strength <= 100) {
        var drinks = ml * strength / 100 * ETHANOL_G_PER_ML / grams;
        preview.textContent = interpolate(gettext("About %(drinks)s standard drinks (%(grams)s g of alcohol each)."),
                                          { drinks: written(Math.round(drinks * 10) / 10), grams: written(grams) }, true);
      } else {
        preview.textContent = "";
      }
    }

    function sync() {
      var chosen = substance();
      filterUnits(chosen);
      form.querySelectorAll("[data-show-for]").forEach(function (block) {
        var show = chosen === block.dataset.showFor;
        if (show && block.dataset.showUnit) show = unit && unit.value === block.dataset.showUnit;
        block.hidden = !show;
      });
      updatePreview();
    }

    form.querySelectorAll("input[name=substance]").forEach(function (radio) {
      radio.addEventListener("change", sync);
    });
    if (unit) unit.addEventListener("change", sync);
    [amount, abv].forEach(function (input) { if (input) input.addEventListener("input", updatePreview); });

    form.querySelectorAll(".serving-buttons button").forEach(function (button) {
      button.addEventListener("click", function () {
        if (amount) amount.value = button.dataset.ml;
        if (unit) unit.value = "ml";
        if (abv) abv.value = button.dataset.abv;
        sync();
      });
    });

    form.querySelectorAll("[data-unskips]").forEach(function (range) {
      var skip = document.getElementById(range.dataset.unskips);
      range.addEventListener("input", function () { if (skip) skip.checked = false; });
    });

    form.querySelectorAll("[data-enhance]").forEach(function (el) { el.removeAttribute("data-enhance"); });
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-substance-form]").forEach(enhance);
  });
})();
