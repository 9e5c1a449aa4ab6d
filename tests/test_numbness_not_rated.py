"""Numbness "not rated": a check-in whose numbness the person did not give is stored as null,
and every figure built from numbness (insights, charts, reports, exports, the trusted
person's view, the clinician's summary, substance analysis) leaves it out instead of
counting a number nobody chose."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from tests.conftest import ApiClient, checkin_body, make_user
from thaw.checkins.services import create_checkin
from thaw.circle import services as circle
from thaw.clinic.summary import Anchor, since_last_session
from thaw.insights.engine import compute_insights, from_records
from thaw.substances.analysis import SubstanceData, analyse

pytestmark = pytest.mark.django_db

TIRED = [("tired", "tired", -2, 4, False)]


def _records(values: list[int | None], start: datetime) -> list[dict]:
    """Two check-ins a day (morning and evening) with the given numbness values."""
    return [{"at": start + timedelta(days=i // 2, hours=8 + 10 * (i % 2)), "numbness": v, "emotions": TIRED}
            for i, v in enumerate(values)]


def test_the_engine_leaves_unrated_checkins_out_of_every_numbness_figure() -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    rated_only = from_records(_records([2, 6, 4, 8], start), "UTC")
    mixed = from_records(_records([2, None, 6, None, 4, None, 8, None], start), "UTC")
    # The same ratings, with unrated check-ins between them: the same level, trend and streaks.
    a = compute_insights(rated_only)["numbness"]
    b = compute_insights(mixed)["numbness"]
    assert b["mean"] == pytest.approx(5.0) and b["n"] == 4
    assert [w["mean"] for w in b["weekly"]] == [w["mean"] for w in a["weekly"]]
    assert [w["n"] for w in b["weekly"]] == [4]
    assert compute_insights(mixed)["n_checkins"] == 8, "every check-in still counts as a check-in"
    # Same-day pairs are only pairs of ratings (morning-evening of the same day).
    assert compute_insights(mixed)["variability"]["n_pairs"] == 0
    assert compute_insights(rated_only)["variability"]["n_pairs"] == 2


def test_the_engine_with_no_rating_at_all_says_so() -> None:
    data = from_records(_records([None, None, None], datetime(2026, 3, 2, tzinfo=UTC)), "UTC")
    result = compute_insights(data)
    assert result["n_checkins"] == 3
    assert result["numbness"]["mean"] is None and result["numbness"]["n"] == 0
    assert result["numbness"]["weekly"] == [] and "numbness rating" in result["numbness"]["trend_reason"]
    assert result["granularity"]["vocabulary"]["distinct_words"] == 1, "words still count"


def test_subset_of_rated_checkins_keeps_their_words_and_tags_aligned() -> None:
    records = _records([None, 3, None, 9], datetime(2026, 3, 2, tzinfo=UTC))
    records[1]["tags"] = ["work"]
    records[3]["emotions"] = [("lonely", "sad", -3, 7, False)]
    rated = from_records(records, "UTC").rated()
    assert rated.n == 2 and rated.numbness.tolist() == [3.0, 9.0]
    assert [rated.tags[c] for c in rated.tag_code] == ["work"] and rated.tag_row.tolist() == [0]
    assert [rated.words[c] for c, r in zip(rated.emo_word, rated.emo_row, strict=True) if r == 1] == ["lonely"]


def _mixed_checkins(person) -> None:
    now = timezone.now()
    for hours, numbness in ((30, 8), (26, None), (6, 2), (2, None)):
        data = {"emotions": [{"word": "tired", "intensity": 4}], "at": (now - timedelta(hours=hours)).isoformat()}
        if numbness is not None:
            data["numbness"] = numbness
        create_checkin(person, data)


def test_insights_api_and_page_skip_unrated(api_alice: ApiClient, web_alice: Client, alice) -> None:
    _mixed_checkins(alice)
    body = api_alice.get("/api/v1/insights").json()
    assert body["n_checkins"] == 4 and body["numbness"]["n"] == 2 and body["numbness"]["mean"] == pytest.approx(5.0)
    page = web_alice.get("/insights/").content.decode()
    assert "4 check-ins; average numbness 5.0 out of 10 (over the 2 you rated)." in page
    chart = json.loads(page.split('id="insights-data" type="application/json">')[1].split("</script>")[0])
    assert chart["numbness"]["n"] == [2] and chart["numbness"]["mean"] == [pytest.approx(5.0)]


def test_exports_write_not_rated_as_null_empty_and_absent(api_alice: ApiClient) -> None:
    body = checkin_body()
    del body["numbness"]
    assert api_alice.post("/api/v1/checkins", body).status_code == 201
    document = json.loads(api_alice.get("/api/v1/export", format="json").content)
    assert [c["numbness"] for c in document["checkins"]] == [None]
    archive = zipfile.ZipFile(io.BytesIO(api_alice.get("/api/v1/export", format="csv").content))
    rows = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode())))
    assert rows[0]["numbness"] == ""
    fhir = api_alice.get("/api/v1/export", format="fhir").content
    bundle = Bundle.model_validate_json(fhir)  # still a valid FHIR R4 bundle
    [observation] = [e.resource for e in bundle.entry if e.resource.__resource_type__ == "Observation"
                     and any(c.code.coding[0].code == "numbness" for c in (e.resource.component or []))]
    [numbness] = [c for c in observation.component if c.code.coding[0].code == "numbness"]
    assert numbness.valueInteger is None and numbness.dataAbsentReason.text == "not rated"


def test_the_trusted_person_and_the_clinician_see_only_rated_numbness(alice) -> None:
    _mixed_checkins(alice)
    sam = make_user("sam@example.org")
    grant, _ = circle.create_grant(alice, {"name": "Sam", "categories": ["summary", "checkins"]})
    circle.accept(grant, sam)
    page = Client()
    page.force_login(sam)
    html = page.get(f"/shared/{alice.pk}/").content.decode()
    assert html.count("numbness not rated") == 2 and "numbness None" not in html
    assert circle.weekly_summary(alice)["this_week"]["mean_numbness"] == 5.0
    now = timezone.now()
    since = since_last_session(alice, {"summary", "checkins"}, Anchor(now - timedelta(days=3), "week", "x"), now)
    assert since["numbness"]["checkins"] == 4
    means = sorted(v for _, v in _day_means(alice))
    assert since["numbness"]["mean"] == round(sum(means) / len(means), 1)


def _day_means(person) -> list[tuple[object, float]]:
    """The day means an independent reader would take: rated check-ins only, in the person's zone."""
    by_day: dict[object, list[int]] = {}
    for c in person.checkins.all():
        if c.numbness is not None:
            by_day.setdefault(c.at.astimezone(person.tzinfo).date(), []).append(c.numbness)
    return [(d, sum(v) / len(v)) for d, v in by_day.items()]


def test_the_appointment_report_counts_check_ins_but_averages_ratings(web_alice: Client, alice) -> None:
    create_checkin(alice, {"emotions": [{"word": "tired", "intensity": 4}]})
    html = web_alice.get("/report/").content.decode()
    assert "1 check-in, none with a numbness rating" in html
    create_checkin(alice, {"emotions": [{"word": "tired", "intensity": 4}], "numbness": 6})
    html = web_alice.get("/report/").content.decode()
    assert "2 check-ins; average numbness 6.0" in html
    pdf = web_alice.get("/report.pdf")
    assert pdf.status_code == 200
    from tests.test_spanish_edges import _pdf_text

    text = _pdf_text(pdf.content).decode("latin-1")
    # PDF text escapes its parentheses.
    assert r"average numbness 6.0 out of 10 \(over the 1 with a rating\)" in text, "the PDF says what the mean is over"


def test_substance_analysis_leaves_unrated_checkins_on_neither_side() -> None:
    day = 86400.0
    epochs, numbness, uses = [], [], []
    for d in range(12):
        epochs += [d * day + 3600, d * day + 7200]
        after_use = d % 2 == 0
        if after_use:
            uses.append(d * day)
        numbness += [(7.0 + d % 4 / 2) if after_use else (2.0 + d % 4 / 2), np.nan]
    data = SubstanceData.build(checkin_epoch=epochs, numbness=numbness, use_epoch=uses, use_substance=[0] * len(uses),
                               substances=("alcohol",), log_start=0.0)
    [test] = [t for t in analyse(data)["tests"] if t["test"] == "after_use:any"]
    assert test["mean_with"] == pytest.approx(7.5) and test["mean_without"] == pytest.approx(3.0)
    assert test["n_with"] == 6 and test["n_without"] == 6


def test_insights_for_someone_who_never_rated_numbness_say_so(web_alice: Client, alice) -> None:
    create_checkin(alice, {"emotions": [{"word": "okay", "intensity": 5}]})
    page = web_alice.get("/insights/").content.decode()
    assert "1 check-in; numbness not rated on any of them yet." in page
    assert "average numbness  out of 10" not in page and "average numbness out of 10" not in page
