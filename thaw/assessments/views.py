"""Pages for assessments: what is due, one question per screen, results, and the report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from thaw.accounts import profile
from thaw.assessments import services
from thaw.assessments.charts import trend_svg
from thaw.assessments.instruments import Instrument, instruments, official_in_language
from thaw.assessments.older_rules import any_older
from thaw.assessments.report import Report, ScoreLine, render_pdf, weekly_numbness
from thaw.assessments.scoring import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    RECOVERED,
    RULES_VERSION,
    AnswersInvalid,
    chart_bands,
    difficulty_asked,
)
from thaw.checkins.models import CheckIn
from thaw.core import vault
from thaw.safety.models import RiskFlag

STATUS_WORDS = {
    RECOVERED: gettext_lazy("Recovered: a reliable improvement that has also crossed the cut-off to the other side."),
    IMPROVED: gettext_lazy("Improved: a change bigger than the measure's usual ups and downs."),
    NO_RELIABLE_CHANGE: gettext_lazy("No reliable change: within the measure's usual ups and downs."),
    DETERIORATED: gettext_lazy("Worse: a change bigger than the measure's usual ups and downs. Worth talking about with "
                               "someone you trust or a professional."),
}


def _instrument(key: str) -> Instrument:
    found = instruments().get(key)
    if found is None:
        raise Http404("No such questionnaire.")
    return found


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = services.schedule(request.user)
    return render(request, "assessments/index.html", {
        "rows": rows, "older_rules": any_older(row.last.rules_version for row in rows if row.last)})


WHOLE_NUMBER = re.compile(r"-?[0-9]{1,3}")
RESTART = gettext_lazy("Something went wrong with the earlier answers, so this questionnaire starts again.")


def _answer(item: Any, value: str) -> int | None:
    if not WHOLE_NUMBER.fullmatch(value) or int(value) not in item.values:
        return None
    return int(value)


def _complete(instrument: Instrument, answers: list[int]) -> bool:
    """Every question asked has an answer (with the skip rule, a "Never" on question 1 ends the AUDIT-C)."""
    rule = instrument.skip_rule
    if rule is not None and len(answers) == rule.when_item and answers[rule.when_item - 1] == rule.equals:
        return True
    return len(answers) == len(instrument.items)


def _prior_answers(instrument: Instrument, raw: list[str]) -> list[int] | None:
    """Earlier answers from hidden fields; None if tampered with (too many, not answers, past the end)."""
    if len(raw) > len(instrument.items):
        return None
    answers = [_answer(item, value) for item, value in zip(instrument.items, raw, strict=False)]
    if None in answers:
        return None
    clean: list[int] = answers  # type: ignore[assignment]
    if any(_complete(instrument, clean[:n]) for n in range(1, len(clean))):
        return None  # answers to questions that are never asked after a skip
    return clean


def _asks_screening_sex(instrument: Instrument, person: Any) -> bool:
    """The AUDIT-C asks once, optionally, which cut-off applies (unless the site has set one)."""
    return (bool(instrument.cutoff.by_sex) and person.screening_sex_answered_at is None
            and not settings.THAW_AUDIT_C_CUTOFF)


def _asks_difficulty(instrument: Instrument, answers: list[int]) -> bool:
    """After the items, unless an answer shows risk: then the crisis screen comes at once."""
    risk = any(len(answers) >= c.item and answers[c.item - 1] >= c.min for c in instrument.critical)
    return _complete(instrument, answers) and difficulty_asked(instrument, answers) and not risk


@dataclass
class Progress:
    """Where a person is in a questionnaire; carried in hidden fields, so nothing half-done is stored."""

    answers: list[int] = field(default_factory=list)
    anchor: str = ""
    started: bool = False  # past the optional "before you start" screen (PCL-5)
    selected: int | None = None
    error: str = ""
    screen: str = ""  # forced screen (an error on it); otherwise the next one


def _screen(instrument: Instrument, person: Any, progress: Progress) -> str:
    if progress.screen:
        return progress.screen
    if not progress.answers and _asks_screening_sex(instrument, person):
        return "sex"
    if instrument.anchor is not None and not progress.started:
        return "anchor"
    if _asks_difficulty(instrument, progress.answers):
        return "difficulty"
    return "item"


def _finish(request: HttpRequest, instrument: Instrument, progress: Progress,
            difficulty: int | None) -> HttpResponse | None:
    try:
        assessment = services.take(request.user, instrument.id, progress.answers, difficulty=difficulty,
                                   worst_event=progress.anchor)
    except AnswersInvalid:
        progress.error, progress.answers = _("Those answers could not be scored; please start again."), []
        return None
    if assessment.crisis:
        return redirect(reverse("crisis") + f"?from=assessment&id={assessment.id}")
    return redirect("assessment_result", assessment_id=assessment.id)


def _step(request: HttpRequest, instrument: Instrument, progress: Progress) -> HttpResponse | None:
    """Apply one submitted screen to the progress; a response when the questionnaire is done."""
    post = request.POST
    step = post.get("step", "item")
    if step == "sex" and instrument.cutoff.by_sex:
        choice = post.get("choice", "")
        if choice not in ("", "female", "male"):
            progress.error, progress.screen = _("Choose one of the answers, or “Prefer not to say”."), "sex"
        else:
            profile.update(request.user, {"screening_sex": choice})
        return None
    if step == "anchor":
        try:
            services.clean_worst_event(instrument, progress.anchor)
        except AnswersInvalid as exc:
            progress.error, progress.screen = _("The note %(problem)s.") % {"problem": exc.errors["worst_event"]}, "anchor"
        else:
            progress.started = True
        return None
    if "back" in post:
        if progress.answers:
            progress.selected = progress.answers.pop()
        elif instrument.anchor is not None:
            progress.started = False
        return None
    if step == "difficulty":
        if not _asks_difficulty(instrument, progress.answers):
            progress.error, progress.answers = str(RESTART), []
            return None
        chosen = None
        if "skip" not in post:
            chosen = _answer(instrument.difficulty, post.get("choice", ""))
            if chosen is None:
                progress.error = _("Choose one of the answers, or skip this question.")
                return None
        return _finish(request, instrument, progress, chosen)
    if _complete(instrument, progress.answers):
        progress.error, progress.answers = str(RESTART), []
        return None
    choice = _answer(instrument.items[len(progress.answers)], post.get("choice", ""))
    if choice is None:
        progress.error = _("Choose one of the answers to go on.")
        return None
    progress.answers.append(choice)
    if _complete(instrument, progress.answers) and not _asks_difficulty(instrument, progress.answers):
        return _finish(request, instrument, progress, None)
    return None


def _kept_progress(request: HttpRequest, instrument: Instrument) -> Progress:
    """The progress the last answered screen left, carried over its redirect; a fresh start if none
    (or if it does not hold up, like tampered hidden fields)."""
    fresh = Progress(started=instrument.anchor is None)
    kept = vault.get(request, f"assessment:{instrument.id}")
    if not isinstance(kept, dict):
        return fresh
    answers = _prior_answers(instrument, [str(a) for a in kept.get("answers", [])])
    selected = kept.get("selected")
    if answers is None or not isinstance(kept.get("anchor", ""), str) or not isinstance(selected, int | None):
        return fresh
    return Progress(answers=answers, anchor=kept.get("anchor", "") if instrument.anchor else "",
                    started=fresh.started or kept.get("started") is True, selected=selected)


@login_required
def take(request: HttpRequest, key: str) -> HttpResponse:
    """One question per screen; earlier answers travel in hidden fields.

    Around the items: the AUDIT-C asks once which cut-off applies, the PCL-5 offers an
    optional "before you start" anchor, and the PHQ-9 asks its unscored difficulty question.

    Every answered screen is followed by a redirect (post, redirect, get), so the browser's
    Back and reload never offer to send an answer again. The progress crosses the redirect
    sealed in the session (``thaw.core.vault``: the anchor is free text) and is dropped
    when the questionnaire ends; a screen with an error is shown at once, nothing changed.
    """
    instrument = _instrument(key)
    kept_as = f"assessment:{instrument.id}"
    progress = Progress(started=instrument.anchor is None)
    if request.method == "POST":
        prior = _prior_answers(instrument, request.POST.getlist("a"))
        progress.anchor = request.POST.get("anchor", "") if instrument.anchor else ""
        progress.started = progress.started or request.POST.get("started") == "1"
        if prior is None:
            progress.error = str(RESTART)
        else:
            progress.answers = prior
            done = _step(request, instrument, progress)
            if done is not None:
                vault.pop(request, kept_as)
                return done
        if not progress.error:
            vault.put(request, kept_as, {"answers": progress.answers, "anchor": progress.anchor,
                                         "started": progress.started, "selected": progress.selected})
            return redirect("assessment_take", key=key)
    else:
        progress = _kept_progress(request, instrument)
    screen = _screen(instrument, request.user, progress)
    position = min(len(progress.answers), len(instrument.items) - 1)
    context = {
        "instrument": instrument, "screen": screen, "item": instrument.items[position], "position": position + 1,
        "total": len(instrument.items), "answers": progress.answers, "error": progress.error,
        "selected": progress.selected, "anchor": progress.anchor, "started": progress.started,
        "sex_choices": [("female", _("Female: 3 or more is a positive screen")),
                        ("male", _("Male: 4 or more is a positive screen")), ("", _("Prefer not to say"))],
        "official_here": official_in_language(instrument.id, get_language() or "en"),
    }
    return render(request, "assessments/take.html", context, status=422 if progress.error else 200)


def _chart(instrument: Instrument, history: list[Any], person: Any) -> str:
    points = [(a.taken_at, a.score) for a in reversed(history)]
    cut, _sex = services.cutoff_for(instrument, person)
    return trend_svg(points, chart_bands(instrument, cut), instrument.min_score, instrument.max_score,
                     title=_("%(instrument)s scores over time") % {"instrument": instrument.name},
                     description=_("%(n)s scores from %(low)s to %(high)s; the table below lists them.")
                     % {"n": len(points), "low": instrument.min_score, "high": instrument.max_score})


@login_required
def results(request: HttpRequest, key: str) -> HttpResponse:
    instrument = _instrument(key)
    history = services.history(request.user, instrument.id)
    return render(request, "assessments/results.html", {
        "instrument": instrument, "history": history,
        "chart": mark_safe(_chart(instrument, history, request.user)) if history else "",  # noqa: S308 (escaped in trend_svg)
        "status_words": STATUS_WORDS, "older_rules": any_older(a.rules_version for a in history),
    })


@login_required
def result(request: HttpRequest, assessment_id: object) -> HttpResponse:
    assessment = services.own_assessment(request.user, assessment_id)
    if assessment is None:
        raise Http404("No such result.")
    instrument = instruments()[assessment.instrument]
    findings = assessment.findings or {}
    clusters = []
    if instrument.cluster_rule is not None and findings.get("clusters"):
        stored = findings["clusters"]
        clusters = [{"id": c.id, "name": c.name, "items": f"{c.items[0]}-{c.items[-1]}", **stored[c.id]}
                    for c in instrument.cluster_rule.clusters if c.id in stored]
    difficulty = None
    if assessment.difficulty is not None and instrument.difficulty is not None:
        difficulty = instrument.difficulty.label_for(assessment.difficulty)
    return render(request, "assessments/result.html", {
        "assessment": assessment, "instrument": instrument, "findings": findings,
        "summary": services.summary_of(assessment, instrument), "clusters": clusters, "difficulty": difficulty,
        "status_text": STATUS_WORDS.get(assessment.change_status, ""), "rules_version": RULES_VERSION,
    })


def _weeks(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("weeks", 12)), 1), 104)
    except ValueError:
        return 12


def build_report(person: Any, weeks: int) -> Report:
    now = timezone.now()
    since = now - timedelta(weeks=weeks)
    tz = timezone.get_current_timezone()
    found = instruments()
    lines = [
        ScoreLine(found[a.instrument].name, timezone.localtime(a.taken_at), a.score, found[a.instrument].max_score,
                  a.band, a.change_status or None, a.delta, _difficulty_label(found[a.instrument], a.difficulty),
                  a.rules_version)
        for a in services.history(person) if a.taken_at >= since
    ]
    lines.sort(key=lambda line: (line.instrument, line.taken_at))
    rows = list(CheckIn.objects.filter(person=person, at__gte=since).values_list("at", "numbness"))
    points = [(at.astimezone(tz).date(), numbness) for at, numbness in rows if numbness is not None]
    return Report(
        person=person.display_name or person.email, since=timezone.localtime(since).date(),
        until=timezone.localtime(now).date(), scores=lines, numbness=weekly_numbness(points), checkins=len(rows),
        open_flags=RiskFlag.objects.filter(person=person, acknowledged_at__isnull=True).count(),
        rules_version=RULES_VERSION,
    )


def _difficulty_label(instrument: Instrument, value: int | None) -> str | None:
    if value is None or instrument.difficulty is None:
        return None
    return instrument.difficulty.label_for(value)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request)
    return render(request, "assessments/report.html", {"report": build_report(request.user, weeks), "weeks": weeks})


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request)
    data = render_pdf(build_report(request.user, weeks))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="thaw-report-{timezone.localdate():%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
