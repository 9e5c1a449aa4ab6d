/* "Tell it in a sentence" on the check-in page, without a page load. Without this file the
   "Suggest words" button posts the form and the page comes back with suggestions.
   The sentence goes only to this server (POST /api/v1/emotions/suggest) and is not kept.
   Ticking a suggestion ticks the same word in the list below, so the five-word cap and the
   strength sliders work as they always do. No inline script, no eval. */
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

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function chipFor(form, word) {
    return form.querySelector('input[name="word"][value="' + CSS.escape(word) + '"]:not([data-suggestion])');
  }

  function shown(form, word) {
    var chip = chipFor(form, word);
    return chip ? chip.dataset.label || chip.value : word;
  }

  function bind(form, box, status) {
    // The suggestion mirrors the word in the list; only the list's box is sent with the form.
    box.removeAttribute("name");
    var chip = chipFor(form, box.value);
    if (!chip) return;
    box.checked = chip.checked;
    box.addEventListener("change", function () {
      if (box.checked && chip.disabled) {
        box.checked = false;
        status.textContent = interpolate(gettext("You have picked 5 words, the most for one check-in. Untick one to choose “%(word)s”."),
                                         {word: shown(form, box.value)});
        return;
      }
      chip.checked = box.checked;
      chip.dispatchEvent(new Event("change", { bubbles: true }));
      var details = chip.closest("details");
      if (box.checked && details) details.open = true;
    });
    chip.addEventListener("change", function () { box.checked = chip.checked; });
  }

  function item(form, suggestion, status) {
    var li = document.createElement("li");
    var label = document.createElement("label");
    label.className = "suggestion";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.value = suggestion.word;
    box.setAttribute("data-suggestion", "");
    // The word and its meaning as the list below shows them (in the page's language and the
    // person's chosen forms); the API's are the vocabulary's identifiers and English meanings.
    var chip = chipFor(form, suggestion.word);
    var text = document.createElement("span");
    var word = document.createElement("strong");
    word.textContent = shown(form, suggestion.word);
    var definition = document.createElement("span");
    definition.className = "hint";
    definition.textContent = (chip && chip.closest("label").title) || suggestion.definition;
    text.appendChild(word);
    text.appendChild(document.createTextNode(" "));
    text.appendChild(definition);
    label.appendChild(box);
    label.appendChild(text);
    li.appendChild(label);
    bind(form, box, status);
    return li;
  }

  function show(form, body, status) {
    var panel = form.querySelector("#suggestions");
    var list = panel.querySelector(".suggestion-list");
    list.textContent = "";
    body.suggestions.forEach(function (s) { list.appendChild(item(form, s, status)); });
    var tryBox = panel.querySelector("#word-to-try");
    tryBox.querySelectorAll("ul").forEach(function (ul) { ul.remove(); });
    if (body.word_to_try) {
      var ul = document.createElement("ul");
      ul.className = "suggestion-list";
      ul.appendChild(item(form, body.word_to_try, status));
      tryBox.appendChild(ul);
    }
    tryBox.hidden = !body.word_to_try;
    tryBox.querySelectorAll("p.hint").forEach(function (p) { p.remove(); });  // the notes' reason
    panel.querySelector("#fits").hidden = false;
    panel.querySelector("#search-line").hidden = false;
    panel.hidden = false;
    var n = body.suggestions.length;
    status.textContent = n
      ? interpolate(ngettext("%(count)s word that might fit: %(word)s. It is listed below the sentence.",
                             "%(count)s words that might fit: %(word)s first. They are listed below the sentence.", n),
                    {count: n, word: shown(form, body.suggestions[0].word)})
      : gettext("No words came up. “not sure” is always fine, or search the list.");
  }

  function enhance(form) {
    var button = form.querySelector("#suggest-button");
    var sentence = form.querySelector("#sentence");
    var status = form.querySelector("#suggest-status");
    if (!button || !sentence || !status) return;
    form.querySelectorAll("input[data-suggestion]").forEach(function (box) { bind(form, box, status); });
    var search = form.querySelector("#search-instead");
    var finder = form.querySelector("#word-search");
    if (search && finder) {
      search.addEventListener("click", function (event) { event.preventDefault(); finder.focus(); });
    }
    var busy = false;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (busy) return;
      var text = sentence.value.trim();
      if (!text) {
        status.textContent = gettext("Write a sentence first: what happened, or how it is.");
        sentence.focus();
        return;
      }
      busy = true;
      button.setAttribute("aria-busy", "true");
      status.textContent = gettext("Looking for words…");
      fetch(button.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
        body: JSON.stringify({ text: text })
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (answer) {
        if (answer.status === 200 && answer.body.crisis) {
          // Help comes first; nothing has been saved.
          window.location.assign(button.dataset.crisis);
          return;
        }
        if (answer.status === 200) { show(form, answer.body, status); return; }
        var message = (answer.body.errors && answer.body.errors[0] && answer.body.errors[0].message) || answer.body.detail;
        status.textContent = answer.status === 429
          ? interpolate(gettext("That was a lot of suggestions in a short time; %(reason)s. You can pick from the list below meanwhile."),
                        {reason: message})
          : interpolate(gettext("Could not suggest words: %(reason)s"), {reason: message});
      }).catch(function () {
        status.textContent = gettext("Could not reach Thaw to suggest words. The list below still works.");
      }).then(function () {
        busy = false;
        button.removeAttribute("aria-busy");
      });
    });
  }

  function init() {
    var form = document.getElementById("checkin-form");
    if (form) enhance(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
