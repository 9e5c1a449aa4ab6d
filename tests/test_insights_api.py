"""Insights through the API and the page, on the demo person's planted year."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.templatetags.static import static
from django.test import Client
from django.utils import timezone

from tests.conftest import ApiClient
from thaw.insights.demo import PLANTED, ensure_demo, generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_year(alice):
    generate(alice, days=365, seed=7)
    return alice


def test_insights_shape(api_alice: ApiClient, demo_year) -> None:
    response = api_alice.get("/api/v1/insights")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"n_checkins", "numbness", "granularity", "variability", "flattening", "patterns"}
    assert body["n_checkins"] > 900
    assert set(body["granularity"]) >= {"negative", "positive", "vocabulary"}
    assert set(body["granularity"]["negative"]) >= {"icc", "differentiation", "n", "k"}
    for pattern in body["patterns"]:
        assert set(pattern) >= {"factor", "direction", "mean_with", "mean_without", "n_with", "n_without",
                                "effect", "q"}
        assert pattern["direction"] in ("higher", "lower") and pattern["q"] <= 0.10
    assert "analytics;dur=" in response["Server-Timing"]


def test_planted_patterns_are_found_and_nothing_else(api_alice: ApiClient, demo_year) -> None:
    patterns = api_alice.get("/api/v1/insights").json()["patterns"]
    found = {p["factor"]: p["direction"] for p in patterns}
    assert found == {"tag:work": "higher", "body:everywhere/absent": "higher", "tag:friends": "lower"}
    assert set(found) == set(PLANTED)


def test_window_and_bad_parameters(api_alice: ApiClient, demo_year) -> None:
    since = (timezone.now() - timedelta(days=30)).isoformat()
    recent = api_alice.get("/api/v1/insights", since=since).json()
    everything = api_alice.get("/api/v1/insights").json()
    assert 0 < recent["n_checkins"] < everything["n_checkins"]
    assert api_alice.get("/api/v1/insights", since="last tuesday").status_code == 422
    bad = api_alice.get("/api/v1/insights", since="2026-02-01T00:00:00Z", until="2026-01-01T00:00:00Z")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"


def test_empty_person_gets_honest_nulls(api_bob: ApiClient) -> None:
    body = api_bob.get("/api/v1/insights").json()
    assert body["n_checkins"] == 0 and body["patterns"] == []
    assert body["granularity"]["negative"]["icc"] is None and body["granularity"]["negative"]["reason"]


def test_insights_are_private(api_bob: ApiClient, api_anon: ApiClient, demo_year) -> None:
    assert api_bob.get("/api/v1/insights").json()["n_checkins"] == 0
    assert api_anon.get("/api/v1/insights").status_code == 401


def test_insights_page_has_charts_data_and_tables(web_alice: Client, demo_year) -> None:
    page = web_alice.get("/insights/?window=all").content.decode()
    assert 'id="insights-data" type="application/json"' in page
    assert static("vendor/uPlot.iife.min.js") in page and "<script>" not in page
    assert "tagged work" in page or "tagged “work”" in page or "work" in page
    assert "Table: weekly average numbness" in page and "Check-ins by quadrant" in page
    assert "not a validated measure" in page


def test_home_page_weekly_summary(web_alice: Client, alice) -> None:
    assert "No check-ins in the last seven days" in web_alice.get("/").content.decode()
    generate(alice, days=14, seed=3)
    page = web_alice.get("/").content.decode()
    assert "This week" in page and "average numbness" in page


def test_demo_is_idempotent(db) -> None:
    first = ensure_demo("first password 123")
    second = ensure_demo("second password 456")
    assert first.created and not second.created
    assert first.checkins == second.checkins > 900
    from django.contrib.auth import authenticate

    assert authenticate(email=first.email, password="second password 456") is not None
