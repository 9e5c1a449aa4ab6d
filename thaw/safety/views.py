"""The crisis page ("Get help now") and the safety plan builder."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from thaw.assessments.services import own_assessment
from thaw.core import versions
from thaw.safety.models import PLAN_FIELD_MAX, PLAN_SECTIONS
from thaw.safety.resources import (
    accept_language,
    guess_region,
    region_for,
    region_language,
    regions_in,
)
from thaw.safety.services import plan_for, save_plan
from thaw.text import take_text

logger = logging.getLogger(__name__)


def crisis(request: HttpRequest) -> HttpResponse:
    """Public, one tap from every page; also the screen shown before a score when risk shows."""
    user = request.user
    wanted = request.GET.get("region") or (getattr(user, "crisis_region", "") if user.is_authenticated else "")
    if not wanted and not user.is_authenticated:  # a visitor: the browser's language is all we know
        wanted = guess_region(None, accept_language(request.headers.get("Accept-Language", ""))) or ""
    region = region_for(wanted or None)
    regions = regions_in(region_language())
    # Signed out, nobody has told Thaw where they are: every region's lines are on the page.
    elsewhere = [] if user.is_authenticated else [r for code, r in regions.items() if code != region.code]
    plan = None
    if user.is_authenticated:
        try:
            plan = plan_for(user)
        except Exception:  # the crisis lines must show even if the plan cannot be read
            logger.exception("safety plan could not be loaded for the crisis page")
    continue_url = None
    came_from = request.GET.get("from", "")
    if came_from == "assessment" and user.is_authenticated:
        assessment = own_assessment(user, request.GET.get("id"))
        if assessment is not None:
            continue_url = reverse("assessment_result", args=[assessment.id])
    elif came_from == "checkin":
        continue_url = reverse("home")
    elif came_from == "wordfinding":
        continue_url = reverse("checkin_new")
    elif came_from == "substances":
        continue_url = reverse("substances")
    elif came_from == "grounding":
        continue_url = reverse("grounding")
    elif came_from == "comment":
        from thaw.learn.services import live_article

        article = live_article(request.GET.get("article", ""))
        continue_url = reverse("learn_article", args=[article.slug]) if article else reverse("learn")
    elif came_from == "contact":
        continue_url = reverse("contact_sent")
    return render(request, "safety/crisis.html", {
        "region": region, "regions": regions, "plan": plan, "came_from": came_from, "continue_url": continue_url,
        "elsewhere": elsewhere,
    })


@login_required
def safety_plan(request: HttpRequest) -> HttpResponse:
    plan = plan_for(request.user)
    errors: dict[str, str] = {}
    context: dict[str, Any] = {"version": plan.version}
    status = 200
    if request.method == "POST":
        fields = {key: request.POST.get(key, "") for key, _, _ in PLAN_SECTIONS}
        started_from = versions.form_version(request.POST.get("version"))
        cleaned = {key: take_text(errors, key, fields[key], PLAN_FIELD_MAX, subject=f"“{title}”")
                   for key, title, _ in PLAN_SECTIONS}
        errors = {key: f"{message}." for key, message in errors.items()}
        context["version"], status = started_from, 422
        if not errors:
            try:
                save_plan(request.user, cleaned, expected_version=started_from)
            except versions.EditConflict as exc:
                saved = exc.current
                context.update(version=saved.version, conflict_saved_at=saved.updated_at,
                               conflict_keep_url=reverse("safety_plan"),
                               conflict_rows=versions.conflict_rows(
                                   {str(title): getattr(saved, key) for key, title, _ in PLAN_SECTIONS},
                                   {str(title): cleaned[key].strip() for key, title, _ in PLAN_SECTIONS}))
                status = 409
            else:
                messages.success(request, gettext("Your safety plan is saved. It is shown with the crisis lines "
                                                  "whenever you need it."))
                return redirect("safety_plan")
        for key, value in fields.items():
            setattr(plan, key, value)
    return render(request, "safety/plan.html", {"plan": plan, "errors": errors, "field_max": PLAN_FIELD_MAX,
                                                **context}, status=status)
