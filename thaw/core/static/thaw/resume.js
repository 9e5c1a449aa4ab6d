/* Puts back what a person entered before a sign-in got in the way (thaw/accounts/resume.py).
   The server sends the fields of the form that could not be saved; this fills them into the
   same form on this page (checkboxes, sliders, text, hidden version fields), opens whatever
   section holds them and points at the button that was pressed. It never submits: the person
   checks and saves. No inline script, no eval. */
(function () {
  "use strict";

  var source = document.getElementById("thaw-resume");
  if (!source) return;
  var kept;
  try { kept = JSON.parse(source.textContent); } catch (e) { return; }
  if (!kept || !kept.fields) return;

  var values = {};
  kept.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });

  function pathOf(form) {
    try { return new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname; }
    catch (e) { return ""; }
  }

  var form = null;
  Array.prototype.forEach.call(document.forms, function (candidate) {
    if (!form && (candidate.method || "").toLowerCase() === "post" && pathOf(candidate) === kept.path) form = candidate;
  });
  if (!form) return;

  function changed(el, kind) { el.dispatchEvent(new Event(kind, { bubbles: true })); }

  function fill() {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      var type = (el.type || "").toLowerCase();
      if (type === "submit" || type === "button" || type === "reset" || type === "file" || el.tagName === "BUTTON") return;
      var got = values[el.name];
      if (type === "checkbox" || type === "radio") {
        var on = Boolean(got) && got.indexOf(el.value) !== -1;
        if (el.checked !== on) { el.disabled = false; el.checked = on; changed(el, "change"); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = Boolean(got) && got.indexOf(o.value) !== -1; });
        changed(el, "change");
      } else if (got !== undefined && el.value !== got[0]) {
        el.value = got[0];
        changed(el, "input");
        changed(el, "change");
      }
    });
  }

  // Twice: filling some fields (a ticked word) brings others into being (its strength slider).
  fill();
  fill();

  Array.prototype.forEach.call(form.elements, function (el) {
    var filled = el.name && values[el.name] && (el.checked || (el.type !== "checkbox" && el.type !== "radio" && el.value));
    for (var d = filled ? el.closest("details") : null; d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
  });

  var note = document.getElementById("resume-note");
  var pressed = null;
  form.querySelectorAll("button[name], input[type=submit][name]").forEach(function (button) {
    if (!pressed && values[button.name] && values[button.name].indexOf(button.value) !== -1) pressed = button;
  });
  if (pressed) {
    pressed.classList.add("resumed");
    if (note) pressed.setAttribute("aria-describedby", "resume-note");
    pressed.focus();
  } else {
    form.setAttribute("data-resumed", "");
  }
})();
