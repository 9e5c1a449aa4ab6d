"""Web pages for check-ins: the quick paths, the full form, history, edit and delete.

Views only translate between HTML forms and ``services``; the rules live in
``rules.clean_checkin`` so the form and the API refuse exactly the same things.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thaw.checkins import services, suggest
from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag, Source
from thaw.checkins.rules import MAX_WORDS, NOTE_MAX, CheckInInvalid
from thaw.checkins.vocabulary import QUADRANTS, TagGroup, body_map, tag_groups, vocabulary
from thaw.checkins.wordfinding import MAX_TEXT
from thaw.core import versions
from thaw.core.pwa import offline_page

QUADRANT_LABELS = {
    "high-energy unpleasant": gettext_lazy("Unpleasant and stirred up"),
    "low-energy unpleasant": gettext_lazy("Unpleasant and low"),
    "high-energy pleasant": gettext_lazy("Pleasant and lively"),
    "low-energy pleasant": gettext_lazy("Pleasant and calm"),
}


@dataclass(frozen=True)
class Chip:
    """One vocabulary word as the picker shows it: the identifier is what the form sends and the
    check-in stores; label, definition and search are in the reader's language and forms. An empty
    ``search`` means the word itself is all there is to search (English): the form leaves it out."""

    word: str
    label: str
    definition: str
    search: str
    family: str


def chips_for(person: Any) -> Any:
    """A function turning an Emotion into the Chip this person sees (language being spoken, their forms)."""
    from thaw.checkins.vocabulary import fold, translation
    from thaw.core.language import word_forms

    found = translation((get_language() or "en").split("-")[0])
    forms = word_forms(person)

    def chip(e: Any) -> Chip:
        if found is None:
            return Chip(e.word, e.word, e.definition, "", e.family)
        search = found.search_text(e.word)
        return Chip(e.word, found.label(e.word, forms), found.definition(e.word) or e.definition,
                    "" if search == fold(e.word) else search, e.family)

    return chip


def wordfinding_speaks_this_language() -> bool:
    """Word finding (thaw/checkins/wordfinding.py) reads English only, for now: in another
    language the page says so instead of offering English suggestions."""
    return (get_language() or "en").split("-")[0] == "en"


METER_ORDER = ("high-energy unpleasant", "high-energy pleasant", "low-energy unpleasant", "low-energy pleasant")
DEFAULT_INTENSITY = 5
# Where the numbness slider rests before the person rates it; never saved unless they do.
SLIDER_REST = 5


def quick_context() -> dict[str, Any]:
    return {"quick_choices": [(key, label) for key, (label, *_rest) in services.QUICK_CHOICES.items()]}


def _picker_context(person: Any) -> dict[str, Any]:
    from thaw.checkins.vocabulary import translation

    vocab = vocabulary()
    groups = vocab.by_quadrant()
    found = translation((get_language() or "en").split("-")[0])
    body = found.body if found is not None else body_map()
    chip = chips_for(person)
    quadrants = []
    for q in QUADRANTS:
        families: dict[str, list[Any]] = {}
        for e in sorted(groups[q], key=lambda e: (e.family, e.word)):
            families.setdefault(e.family, []).append(e)
        family_labels = {name: (found.families[name].label if found is not None else vocab.families[name].label)
                         for name in families}
        by_family = [(family_labels[name], [chip(e) for e in words]) for name, words in families.items()]
        examples = [chip(max(words, key=lambda e: -abs(e.pleasantness) - abs(e.energy))).label
                    for words in list(families.values())[:3]]
        quadrants.append((q, QUADRANT_LABELS[q], by_family, examples))
    meter = {q: label for q, label, _families, _examples in quadrants}
    not_sure = vocab.get("not sure")
    return {
        "numb_words": [chip(e) for e in vocab.numb_words()],
        "not_sure": chip(not_sure) if not_sure is not None else None,
        "quadrants": quadrants,
        # The mood meter's field, read as a screen shows it: more energy on top, pleasant on the right.
        "meter_cells": [(q, meter[q]) for q in METER_ORDER],
        "regions": list(body.regions.items()),
        "sensations": list(body.sensations.items()),
        "wordfinding_here": wordfinding_speaks_this_language(),
        "tag_groups": [TagGroup(g.name, found.group_labels.get(g.name, g.label), g.tags) for g in tag_groups()]
                      if found is not None else tag_groups(),
        "tag_labels": found.tags if found is not None else {},
        "own_tags": services.own_tags(person),
        "max_words": MAX_WORDS,
        "note_max": NOTE_MAX,
    }


def _to_int(text: str | None) -> int | str | None:
    if text is None or text.strip() == "":
        return None
    try:
        return int(text)
    except ValueError:
        return text  # kept as typed; the rules name the problem


def form_state_from_post(post: QueryDict) -> dict[str, Any]:
    """What the person typed, kept as-is so an error page shows it back to them."""
    words = [w for w in post.getlist("word") if w]
    overall = post.get("intensity", str(DEFAULT_INTENSITY))
    extra_tags = [t for t in (post.get("new_tags") or "").split(",") if t.strip()]
    return {
        "words": list(dict.fromkeys(words)),  # a word ticked among the suggestions and in the list
        "sentence": post.get("sentence", ""),
        "keep_sentence": post.get("keep_sentence") == "1",
        "intensity": overall,
        "intensities": {w: post.get(f"intensity:{w}", overall) for w in words},
        # "Not rated" (ticked by default; a touch or key on the slider unticks it) wins over
        # the slider's resting value, which a range input always sends.
        "numbness": "" if post.get("numbness_unrated") else post.get("numbness", ""),
        "body": post.getlist("body"),
        "tags": post.getlist("tag"),
        "new_tags": post.get("new_tags", ""),
        "extra_tags": extra_tags,
        "note": post.get("note", ""),
        "at": post.get("at", ""),
    }


def checkin_data(state: dict[str, Any]) -> dict[str, Any]:
    """Turn the form state into the data the rules check."""
    note = state["note"]
    sentence = state.get("sentence", "").strip()
    if sentence and state.get("keep_sentence"):  # the person chose to keep it as the note
        note = sentence if not note.strip() else f"{sentence}\n\n{note}"
    data: dict[str, Any] = {
        "emotions": [{"word": w, "intensity": _to_int(state["intensities"][w])} for w in state["words"]],
        "numbness": _to_int(state["numbness"]),
        "body": state["body"],
        "tags": state["tags"] + state["extra_tags"],
        "note": note,
    }
    if state["at"]:
        data["at"] = state["at"]
    return data


def _form_errors(errors: dict[str, str]) -> dict[str, str]:
    """Group API-style field paths (emotions.2.word) under the form's sections, as sentences."""
    grouped: dict[str, str] = {}
    for field, message in errors.items():
        section = field.split(".")[0]
        if field == "emotions":  # too few or too many words: said as the form offers them
            message = _("Pick at least one word (up to %(most)s). If nothing fits, choose “not sure”.") % {"most": MAX_WORDS}
        grouped.setdefault(section, message[:1].upper() + message[1:])
    return grouped


# Where each error-summary link takes the keyboard focus: the first control of the section.
ERROR_TARGETS = {"sentence": "sentence", "emotions": "first-word", "numbness": "numbness", "body": "first-body", "tags": "new_tags",
                 "note": "note", "at": "at"}


def _state_from_checkin(checkin: CheckIn) -> dict[str, Any]:
    local_at = timezone.localtime(checkin.at)
    emotions = list(checkin.emotions.all())
    return {
        "words": [e.word for e in emotions],
        "intensity": str(DEFAULT_INTENSITY),
        "intensities": {e.word: str(e.intensity) for e in emotions},
        "numbness": "" if checkin.numbness is None else str(checkin.numbness),
        "body": list(checkin.body),
        "tags": checkin.tags,
        "new_tags": "",
        "extra_tags": [],
        "note": checkin.note,
        "at": local_at.strftime("%Y-%m-%dT%H:%M"),
    }


def _blank_state(start: str) -> dict[str, Any]:
    return {
        "words": ["not sure"] if start == "body" else [],
        "sentence": "",
        "keep_sentence": False,
        "intensity": str(DEFAULT_INTENSITY),
        "intensities": {},
        "numbness": "",
        "body": [],
        "tags": [],
        "new_tags": "",
        "extra_tags": [],
        "note": "",
        "at": "",
    }


def _prompt_param(request: HttpRequest) -> str:
    """The reminder a new check-in answers (``?prompt=`` from the notification, kept through the
    form); only a well-formed id is carried, the service checks whose it is."""
    import uuid

    raw = request.POST.get("prompt") if request.method == "POST" else request.GET.get("prompt")
    try:
        return str(uuid.UUID(str(raw))) if raw else ""
    except ValueError:
        return ""


def _summary(state: dict[str, Any]) -> dict[str, str]:
    """A check-in (saved, or as typed in the form) in words, for showing two versions side by side."""
    tags = [*state["tags"], *(t.strip() for t in state["extra_tags"])]
    return {
        _("Words"): ", ".join(f"{w} {state['intensities'].get(w, state['intensity'])}/10" for w in state["words"]),
        _("Numbness"): f"{state['numbness']}/10" if state["numbness"] not in ("", None) else "",
        _("Body"): ", ".join(v.replace("/", ": ") for v in state["body"]),
        _("Tags"): ", ".join(tags),
        _("Note"): state["note"],
        _("When"): state["at"].replace("T", " "),
    }


def _render_form(request: HttpRequest, state: dict[str, Any], *, errors: dict[str, str] | None = None,
                 checkin: CheckIn | None = None, start: str = "words", status: int = 200,
                 found: suggest.Result | None = None,
                 version: int | None = None, conflict: CheckIn | None = None) -> HttpResponse:
    vocab = vocabulary()
    open_quadrants = {e.quadrant for w in state["words"] if (e := vocab.get(w)) is not None and not e.is_numb}
    open_regions = {value.partition("/")[0] for value in state["body"]}
    context = {
        "state": state,
        "open_quadrants": open_quadrants,
        "open_regions": open_regions,
        "error_targets": ERROR_TARGETS,
        "errors": errors or {},
        "checkin": checkin,
        "start": start,
        "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "slider_rest": SLIDER_REST,
        "found": found,
        "sentence_max": MAX_TEXT,
        "prompt_id": "" if checkin else _prompt_param(request),
        "client_id": request.POST.get("client_id", "") if request.method == "POST" else "",
        **quick_context(),
        # The version the edit is based on: where it started, or after a conflict the one saved now.
        "version": version if version is not None else (checkin.version if checkin else None),
        **_picker_context(request.user),
    }
    if conflict is not None:
        context.update(conflict_rows=versions.conflict_rows(_summary(_state_from_checkin(conflict)), _summary(state)),
                       conflict_saved_at=conflict.updated_at, conflict_keep_url=reverse("history"))
    return render(request, "checkins/form.html", context, status=status)


def _for_someone_else(request: HttpRequest) -> bool:
    """A check-in that waited on the phone names whose it is; it is never saved to another account."""
    owner = request.headers.get("X-Thaw-Person")
    return bool(owner) and owner != str(request.user.pk)


def _refused_for_someone_else() -> HttpResponse:
    return HttpResponse(_("This check-in was made while someone else was signed in on this device; it was not saved."),
                        status=409, content_type="text/plain; charset=utf-8")


@offline_page
@login_required
def checkin_new(request: HttpRequest) -> HttpResponse:
    start = "body" if request.GET.get("start") == "body" else "words"
    if request.method != "POST":
        found = suggest.Result(word_to_try=suggest.word_from_notes(request.user)
                               if wordfinding_speaks_this_language() else None)
        return _render_form(request, _blank_state(start), start=start, found=found if found.word_to_try else None)
    if _for_someone_else(request):
        return _refused_for_someone_else()
    state = form_state_from_post(request.POST)
    start = request.POST.get("start", start)
    try:
        sentence = suggest.clean(state["sentence"])
    except suggest.TextInvalid as exc:
        return _render_form(request, state, errors={"sentence": _("The sentence %(problem)s") % {"problem": exc.message}}, start=start, status=422)
    data = checkin_data(state)
    # Made on this phone (an id from the page or the offline queue) and the reminder it answers.
    data.update(id=request.POST.get("client_id") or None, prompt_id=_prompt_param(request) or None)
    try:
        checkin = services.create_checkin(request.user, data, source=Source.WEB)
    except CheckInInvalid as exc:
        if "prompt_id" in exc.errors or "id" in exc.errors:  # not the person's to use: saved without it
            data.update(id=None, prompt_id=None)
            try:
                checkin = services.create_checkin(request.user, data, source=Source.WEB)
            except CheckInInvalid as again:
                return _render_form(request, state, errors=_form_errors(again.errors), start=start, status=422)
        else:
            return _render_form(request, state, errors=_form_errors(exc.errors), start=start, status=422)
    messages.success(request, _("Saved. Thank you for checking in."))
    # A sentence not kept as the note is still screened, like every note: help comes first.
    unkept_crisis = bool(sentence) and not state["keep_sentence"] and suggest.screen(request.user, sentence)
    if checkin.crisis or unkept_crisis:
        return redirect(reverse("crisis") + "?from=checkin")
    return redirect("home")


@login_required
@require_POST
def checkin_suggest(request: HttpRequest) -> HttpResponse:
    """"Tell it in a sentence" without JavaScript: the whole form comes back with suggestions.

    Nothing is saved here. Crisis language goes straight to the crisis screen.
    """
    state = form_state_from_post(request.POST)
    start = request.POST.get("start", "words")
    try:
        sentence = suggest.clean(state["sentence"])
    except suggest.TextInvalid as exc:
        return _render_form(request, state, errors={"sentence": _("The sentence %(problem)s") % {"problem": exc.message}}, start=start, status=422)
    if not sentence:
        return _render_form(request, state, start=start, status=422,
                            errors={"sentence": _("Write a sentence first: what happened, or how it is.")})
    wait = suggest.retry_after(request.user)
    if wait:
        response = _render_form(request, state, start=start, status=429, errors={
            "sentence": _("That was a lot of suggestions in a short time. Try again in %(wait)s seconds, or pick from "
                          "the words below.") % {"wait": wait}})
        response["Retry-After"] = str(wait)
        return response
    found = suggest.suggest(request.user, sentence)
    if found.crisis:
        return redirect(reverse("crisis") + "?from=wordfinding")
    return _render_form(request, state, start=start, found=found)


@login_required
@require_POST
def checkin_quick(request: HttpRequest) -> HttpResponse:
    if _for_someone_else(request):
        return _refused_for_someone_else()
    choice = request.POST.get("choice", "")
    if choice not in services.QUICK_CHOICES:
        messages.error(request, _("That quick check-in was not recognised; please pick one of the buttons."))
        return redirect("home")
    extra = {"client_id": request.POST.get("client_id") or None, "at": request.POST.get("at") or None,
             "prompt_id": _prompt_param(request) or None}
    try:
        checkin = services.quick_checkin(request.user, choice, **extra)
    except CheckInInvalid as exc:
        if "at" in exc.errors:
            messages.error(request, _("That tap was not saved: %(problem)s.") % {"problem": exc.errors["at"]})
            return redirect("home")
        # A reminder or id that is not the person's to use: the tap is saved without it.
        checkin = services.quick_checkin(request.user, choice)
    label = services.QUICK_CHOICES[choice][0]
    if request.headers.get("HX-Request") == "true":
        from thaw.clinic.homework import for_person as homework_for
        from thaw.insights.summary import weekly_summary

        # Everything on the home page that counts check-ins is sent again with the new one.
        recent = list(services.own_checkins(request.user).order_by("-at")[:5])
        return render(request, "checkins/_quick_saved.html", {
            "checkin": checkin, "label": label, "recent": recent, "body": body_map(),
            "week": weekly_summary(request.user), "homework": homework_for(request.user), "oob": True})
    messages.success(request, _("Saved: %(label)s. You can add details if you like.") % {"label": label})
    return redirect(reverse("checkin_edit", args=[checkin.id]) + "?saved=1")


def _own_or_404(request: HttpRequest, checkin_id: object) -> CheckIn:
    checkin = services.own_checkin(request.user, checkin_id)
    if checkin is None:
        raise Http404("No such check-in.")
    return checkin


@login_required
def checkin_edit(request: HttpRequest, checkin_id: object) -> HttpResponse:
    checkin = _own_or_404(request, checkin_id)
    if request.method != "POST":
        return _render_form(request, _state_from_checkin(checkin), checkin=checkin)
    state = form_state_from_post(request.POST)
    data = checkin_data(state)
    if "at" in data and data["at"] == request.POST.get("at_original"):
        data.pop("at")  # unchanged: keep the exact stored time, not the minute shown in the form
    started_from = versions.form_version(request.POST.get("version"))
    try:
        checkin = services.update_checkin(checkin, data, expected_version=started_from)
    except CheckInInvalid as exc:
        return _render_form(request, state, errors=_form_errors(exc.errors), checkin=checkin, status=422,
                            version=started_from)
    except versions.EditConflict:
        saved = _own_or_404(request, checkin.pk)  # with its words and tags, as saved now
        return _render_form(request, state, checkin=saved, conflict=saved, status=409)
    except CheckIn.DoesNotExist:
        raise Http404("No such check-in.") from None
    messages.success(request, _("Check-in updated."))
    if checkin.crisis:
        return redirect(reverse("crisis") + "?from=checkin")
    return redirect("history")


@login_required
def checkin_delete(request: HttpRequest, checkin_id: object) -> HttpResponse:
    checkin = _own_or_404(request, checkin_id)
    if request.method == "POST":
        services.delete_checkin(checkin)
        messages.success(request, _("Check-in deleted."))
        return redirect("history")
    return render(request, "checkins/confirm_delete.html", {"checkin": checkin})


def _parse_day(text: str | None) -> date | None:
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is None or 1900 <= day.year <= 9000 else None


def _filter_problem(request: HttpRequest, day_from: date | None, day_to: date | None) -> str:
    for name, parsed in (("from", day_from), ("to", day_to)):
        if request.GET.get(name) and parsed is None:
            return _("“%(typed)s” is not a date; use the date picker or YYYY-MM-DD.") % {"typed": request.GET[name][:20]}
    if day_from and day_to and day_from > day_to:
        return _("The “From” date is after the “To” date, so nothing can match.")
    return ""


@login_required
def history(request: HttpRequest) -> HttpResponse:
    # NUL cannot be stored or searched in PostgreSQL text; it is never part of a word or tag.
    word = (request.GET.get("word") or "").replace("\x00", "").strip().lower()
    tag = (request.GET.get("tag") or "").replace("\x00", "").strip().lower()
    day_from = _parse_day(request.GET.get("from"))
    day_to = _parse_day(request.GET.get("to"))
    tz = timezone.get_current_timezone()
    qs = services.own_checkins(request.user).order_by("-at", "-id")
    if word:
        qs = qs.filter(pk__in=CheckInEmotion.objects.filter(word=word, checkin__person=request.user).values("checkin"))
    if tag:
        qs = qs.filter(pk__in=CheckInTag.objects.filter(name=tag, checkin__person=request.user).values("checkin"))
    if day_from:
        qs = qs.filter(at__gte=datetime.combine(day_from, time.min, tzinfo=tz))
    if day_to:
        qs = qs.filter(at__lt=datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=tz))
    cursor = None
    if request.GET.get("cursor"):
        try:
            cursor = services.Cursor.decode(request.GET["cursor"])
        except ValueError:
            cursor = None
    if cursor is not None:
        qs = cursor.older(qs)
    page_size = 50
    items = list(qs[: page_size + 1])
    older = None
    if len(items) > page_size:
        items = items[:page_size]
        params = request.GET.copy()
        params["cursor"] = services.Cursor(items[-1].at, items[-1].id).encode()
        older = params.urlencode()
    days: list[tuple[date, list[CheckIn]]] = []
    for checkin in items:
        day = timezone.localtime(checkin.at).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(checkin)
    context = {
        "days": days,
        "older": older,
        "filters": {"word": word, "tag": tag, "from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
        "filtered": bool(word or tag or day_from or day_to),
        "filter_problem": _filter_problem(request, day_from, day_to),
        "all_words": sorted(vocabulary().emotions),
        "all_tags": sorted({*(t for g in tag_groups() for t in g.tags), *services.own_tags(request.user)}),
        "body": body_map(),
    }
    return render(request, "checkins/history.html", context)


def emotion_words(request: HttpRequest) -> HttpResponse:
    from thaw.checkins.vocabulary import fold

    vocab = vocabulary()
    chip = chips_for(request.user)
    families = []
    first = [vocab.families[name] for name in ("numb", "not-sure") if name in vocab.families]
    for family in first + [f for f in vocab.families.values() if f not in first]:
        words = sorted((chip(e) for e in vocab.emotions.values() if e.family == family.name),
                       key=lambda c: fold(c.label))
        families.append((family, words))
    return render(request, "checkins/emotions.html", {"families": families})
