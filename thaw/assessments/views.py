"""Pages for assessments: what is due, one question per screen, results, and the report."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from thaw.assessments import services
from thaw.assessments.charts import trend_svg
from thaw.assessments.instruments import Instrument, instruments
from thaw.assessments.report import Report, ScoreLine, render_pdf, weekly_numbness
from thaw.assessments.scoring import IMPROVED, RECOVERED, AnswersInvalid, band_for
from thaw.checkins.models import CheckIn
from thaw.safety.models import RiskFlag

STATUS_WORDS = {
    RECOVERED: "Recovered: a reliable improvement that is now below the usual cut-off.",
    IMPROVED: "Improved: a change bigger than the measure's usual ups and downs.",
    "no reliable change": "No reliable change: within the measure's usual ups and downs.",
    "deteriorated": "Worse: a change bigger than the measure's usual ups and downs. Worth talking about with someone you trust or a professional.",
}


def _instrument(key: str) -> Instrument:
    found = instruments().get(key)
    if found is None:
        raise Http404("No such questionnaire.")
    return found


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/index.html", {"rows": services.schedule(request.user)})


WHOLE_NUMBER = re.compile(r"-?[0-9]{1,3}")


def _answer(item: Any, value: str) -> int | None:
    if not WHOLE_NUMBER.fullmatch(value) or int(value) not in item.values:
        return None
    return int(value)


def _prior_answers(instrument: Instrument, raw: list[str]) -> list[int] | None:
    """Earlier answers from hidden fields; None if tampered with (or already complete)."""
    if len(raw) >= len(instrument.items):
        return None
    answers = [_answer(item, value) for item, value in zip(instrument.items, raw, strict=False)]
    return None if None in answers else answers  # type: ignore[return-value]


@login_required
def take(request: HttpRequest, key: str) -> HttpResponse:
    """One question per screen; earlier answers travel in hidden fields, so nothing is stored half-done."""
    instrument = _instrument(key)
    answers: list[int] = []
    error = ""
    selected: int | None = None
    if request.method == "POST":
        prior = _prior_answers(instrument, request.POST.getlist("a"))
        if prior is None:
            error = "Something went wrong with the earlier answers, so this questionnaire starts again."
        elif "back" in request.POST:
            answers = prior
            selected = answers.pop() if answers else None
        else:
            answers = prior
            item = instrument.items[len(answers)]
            choice = _answer(item, request.POST.get("choice", ""))
            if choice is None:
                error = "Choose one of the answers to go on."
            else:
                answers.append(choice)
                if len(answers) == len(instrument.items):
                    try:
                        assessment = services.take(request.user, instrument.id, answers)
                    except AnswersInvalid:
                        error = "Those answers could not be scored; please start again."
                        answers = []
                    else:
                        if assessment.crisis:
                            return redirect(reverse("crisis") + f"?from=assessment&id={assessment.id}")
                        return redirect("assessment_result", assessment_id=assessment.id)
    position = len(answers)
    context = {
        "instrument": instrument, "item": instrument.items[position], "position": position + 1,
        "total": len(instrument.items), "answers": answers, "error": error, "selected": selected,
    }
    return render(request, "assessments/take.html", context, status=422 if error else 200)


def _chart(instrument: Instrument, history: list[Any]) -> str:
    points = [(a.taken_at, a.score) for a in reversed(history)]
    cut = services.caseness_for(instrument)
    bands = [band_for(instrument, b.min, cut) for b in instrument.bands] if cut is None else [
        band_for(instrument, instrument.min_score, cut), band_for(instrument, instrument.max_score, cut)]
    return trend_svg(points, bands, instrument.min_score, instrument.max_score,
                     title=f"{instrument.name} scores over time",
                     description=f"{len(points)} scores from {instrument.min_score} to {instrument.max_score}; "
                                 "the table below lists them.")


@login_required
def results(request: HttpRequest, key: str) -> HttpResponse:
    instrument = _instrument(key)
    history = services.history(request.user, instrument.id)
    return render(request, "assessments/results.html", {
        "instrument": instrument, "history": history,
        "chart": mark_safe(_chart(instrument, history)) if history else "",  # noqa: S308 (escaped in trend_svg)
        "status_words": STATUS_WORDS,
    })


@login_required
def result(request: HttpRequest, assessment_id: object) -> HttpResponse:
    assessment = services.own_assessment(request.user, assessment_id)
    if assessment is None:
        raise Http404("No such result.")
    instrument = instruments()[assessment.instrument]
    band = band_for(instrument, assessment.score, services.caseness_for(instrument))
    return render(request, "assessments/result.html", {
        "assessment": assessment, "instrument": instrument, "band": band,
        "status_text": STATUS_WORDS.get(assessment.change_status, ""),
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
                  a.band, a.change_status or None, a.delta)
        for a in services.history(person) if a.taken_at >= since
    ]
    lines.sort(key=lambda line: (line.instrument, line.taken_at))
    rows = list(CheckIn.objects.filter(person=person, at__gte=since).values_list("at", "numbness"))
    points = [(at.astimezone(tz).date(), numbness) for at, numbness in rows if numbness is not None]
    return Report(
        person=person.display_name or person.email, since=timezone.localtime(since).date(),
        until=timezone.localtime(now).date(), scores=lines, numbness=weekly_numbness(points), checkins=len(rows),
        open_flags=RiskFlag.objects.filter(person=person, acknowledged_at__isnull=True).count(),
    )


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
