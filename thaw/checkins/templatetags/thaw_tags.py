"""Small template helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def body_label(value: str) -> str:
    """"chest/tight" → "Chest: tight"."""
    from django.utils import translation

    from thaw.checkins.vocabulary import body_map
    from thaw.checkins.vocabulary import translation as vocabulary_translation

    found = vocabulary_translation((translation.get_language() or "en").split("-")[0])
    return (found.body if found is not None else body_map()).label(value)


@register.filter
def widget_kind(bound_field: Any) -> str:
    """How the shared field template lays a form field out: "choices" (a group of radio buttons or
    checkboxes, one per choice), "checkbox" (one yes/no box), "hidden", or "input" (everything else)."""
    from django import forms

    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.filter
def local_time(value: Any) -> datetime | None:
    """An ISO-8601 time as the API gives it ("2026-12-03T15:56:00+00:00") as a datetime in the
    viewer's time zone, for the ``date`` filter: ``{{ c.at|local_time|date:"D j M, H:i" }}``."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return timezone.localtime(value)


@register.simple_tag
def js_catalogue_url(language: str) -> str:
    """The versioned address of a language's JavaScript strings (thaw.core.catalogue.js_url)."""
    from thaw.core.catalogue import js_url

    return js_url(language)


@register.simple_tag
def wordfinding_mode() -> str:
    """Which word-finding mode this installation runs (Settings shows it)."""
    from django.utils.translation import gettext

    from thaw.checkins.wordmodel import mode

    shown = {"lexicon only": gettext("lexicon only"),
             "lexicon + local model (all-MiniLM-L6-v2)": gettext("lexicon + local model (all-MiniLM-L6-v2)")}
    current = mode()
    return shown.get(current, current)


@register.simple_tag
def crisis_screening_mode() -> str:
    """Which layers of the crisis screen are active (Settings shows it)."""
    from django.utils.translation import gettext

    from thaw.safety.backstop import mode

    shown = {"phrases, rules and statistical model": gettext("phrases, rules and statistical model"),
             "phrases, rules and statistical model + semantic backstop (local model)":
                 gettext("phrases, rules and statistical model + semantic backstop (local model)"),
             "phrases, rules and statistical model (semantic backstop not switched on: THAW_CRISIS_BACKSTOP=1)":
                 gettext("phrases, rules and statistical model (semantic backstop not switched on: THAW_CRISIS_BACKSTOP=1)")}
    current = mode()
    return shown.get(current, current)


# --- vocabulary in the reader's language ---------------------------------------------------------
# A check-in stores identifiers ("lonely", "chest/tight", "alone"); these show them in the language
# being spoken, with the reader's choice of word forms (thaw.core.language.word_forms).

def _reader_translation(context: Any) -> tuple[Any, str]:
    from django.utils import translation

    from thaw.checkins.vocabulary import translation as vocabulary_translation
    from thaw.core.language import word_forms

    request = context.get("request") if hasattr(context, "get") else None
    forms = word_forms(getattr(request, "user", None))
    return vocabulary_translation((translation.get_language() or "en").split("-")[0]), forms


@register.simple_tag(takes_context=True)
def emotion_label(context: Any, word: str) -> str:
    """``{% emotion_label e.word %}``: "lonely" as this reader sees it ("sola", "solo", "con sensación de soledad")."""
    found, forms = _reader_translation(context)
    return found.label(word, forms) if found is not None else word


@register.simple_tag(takes_context=True)
def emotion_definition(context: Any, word: str, english: str = "") -> str:
    found, _forms = _reader_translation(context)
    return (found.definition(word) or english) if found is not None else english


@register.simple_tag(takes_context=True)
def family_label(context: Any, family: Any) -> str:
    found, _forms = _reader_translation(context)
    translated = found.families.get(family.name) if found is not None else None
    return translated.label if translated is not None else family.label


@register.simple_tag(takes_context=True)
def family_description(context: Any, family: Any) -> str:
    found, _forms = _reader_translation(context)
    translated = found.families.get(family.name) if found is not None else None
    return translated.description if translated is not None else family.description


@register.simple_tag(takes_context=True)
def tag_label(context: Any, tag: str) -> str:
    """A built-in tag in the reader's language; a person's own tags stay as they typed them."""
    found, _forms = _reader_translation(context)
    return found.tags.get(tag, tag) if found is not None else tag


@register.filter
def change_word(status: str) -> str:
    """A reliable-change status ("recovered") in the reader's language; the stored value stays the code."""
    from django.utils.translation import gettext

    words = {"recovered": gettext("recovered"), "improved": gettext("improved"),
             "no reliable change": gettext("no reliable change"), "deteriorated": gettext("deteriorated")}
    return words.get(status, status)


@register.filter
def rules_mark(version: int | None) -> str:
    """" · rules v1" beside a result scored under older rules (thaw.assessments.older_rules)."""
    from thaw.assessments.older_rules import rules_mark as mark

    return mark(version)


@register.simple_tag
def older_rules_note() -> str:
    """The note under a list holding results marked "rules v1": what the mark means."""
    from thaw.assessments.older_rules import older_rules_note as note

    return note()


@register.filter
def flag_kind(kind: str) -> str:
    """A risk flag's kind ("crisis_language") in the reader's language."""
    from thaw.clinic.render import kind_label

    return kind_label(kind)
