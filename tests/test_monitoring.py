"""Seeing inside: /metrics (closed by default, by route, never by URL), /readyz, request ids,
JSON log lines, the insights page's shared cache, and the deployment checks."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.conftest import PASSWORD, ApiClient, checkin_body
from thaw.monitoring import views as monitoring_views

TOKEN = "a-scrape-token-long-enough-to-count"


@pytest.fixture(autouse=True)
def _fresh_allow_list() -> Any:
    monitoring_views.allowed_networks.cache_clear()
    yield
    monitoring_views.allowed_networks.cache_clear()


def _metrics(**headers: str) -> Any:
    return Client(**headers).get("/metrics")


def test_metrics_are_closed_unless_configured(db: Any) -> None:
    assert _metrics().status_code == 404
    with override_settings(THAW_METRICS_TOKEN=TOKEN):
        assert _metrics().status_code == 404
        assert _metrics(HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 404
        assert _metrics(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    with override_settings(THAW_METRICS_ALLOW="10.0.5.0/24"):
        monitoring_views.allowed_networks.cache_clear()
        assert _metrics(REMOTE_ADDR="10.0.5.7").status_code == 200
        assert _metrics(REMOTE_ADDR="10.0.6.7").status_code == 404
        # Without a trusted proxy, a forwarded address is only words.
        assert _metrics(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.5.7").status_code == 404


@override_settings(THAW_METRICS_ALLOW="10.0.5.0/24", TRUSTED_PROXY_COUNT=1)
def test_metrics_allow_list_reads_the_socket_peer_even_behind_a_trusted_proxy(db: Any) -> None:
    """With THAW_TRUSTED_PROXY_COUNT=1 (the example env file) sign-in limits and the audit trail read
    the client from X-Forwarded-For; /metrics must not: Prometheus scrapes app servers directly, so
    any host that reaches one could write an allowed address in that header."""
    # A host outside the allow-list claiming, in the header, to be Prometheus: refused.
    assert _metrics(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.5.7").status_code == 404
    assert _metrics(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="192.0.2.9, 10.0.5.7").status_code == 404
    # Prometheus itself, connecting from an allowed address: served.
    assert _metrics(REMOTE_ADDR="10.0.5.7").status_code == 200
    # A proxy on an allowed address (a reverse proxy on the same machine connects from 127.0.0.1)
    # passing on someone's request: refused, whoever that someone is. Prometheus sends no such header.
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"):
        assert _metrics(REMOTE_ADDR="10.0.5.7", **{header: "192.0.2.1"}).status_code == 404, header


@override_settings(THAW_METRICS_TOKEN=TOKEN)
def test_metrics_count_requests_by_route_never_by_url(api_alice: ApiClient) -> None:
    saved = api_alice.post("/api/v1/checkins", checkin_body()).json()
    assert api_alice.get(f"/api/v1/checkins/{saved['id']}").status_code == 200
    Client().post("/api/v1/auth/token", json.dumps({"email": "alice@example.org", "password": "wrong one"}),
                  content_type="application/json")
    text = _metrics(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert saved["id"] not in text
    assert 'thaw_http_requests_total{method="POST",route="/api/v1/checkins",status="201"}' in text
    assert 'route="/api/v1/checkins/<checkin_id>"' in text or 'route="/api/v1/checkins/<uuid:checkin_id>"' in text
    assert "thaw_db_queries_per_request_bucket" in text
    assert 'thaw_sign_in_failures_total{channel="api"}' in text
    for gauge in ("thaw_jobs_queued", "thaw_jobs_oldest_due_age_seconds", "thaw_jobs_failed",
                  "thaw_prompt_delivery_delay_seconds_count"):
        assert gauge in text


def test_queue_gauges_read_the_database(db: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from thaw.tasks.models import Job, Status

    Job.objects.create(kind="email.send", payload="{}", run_after=timezone.now() - timedelta(minutes=5))
    Job.objects.create(kind="email.send", payload="{}", status=Status.FAILED)
    with override_settings(THAW_METRICS_TOKEN=TOKEN):
        text = _metrics(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    values = {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
              if line.startswith("thaw_jobs_")}
    assert values["thaw_jobs_queued"] == 1
    assert values["thaw_jobs_failed"] == 1
    assert 290 < values["thaw_jobs_oldest_due_age_seconds"] < 3600


def test_readyz_reports_database_migrations_and_key_ring(db: Any) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": "ok", "key_ring": "ok"}


def test_request_id_is_taken_from_the_proxy_or_made(db: Any) -> None:
    given = Client().get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef0123")
    assert given["X-Request-ID"] == "0123456789abcdef0123"
    forged = Client().get("/healthz", HTTP_X_REQUEST_ID='bad id" "level": "x')
    assert forged["X-Request-ID"] != 'bad id" "level": "x' and len(forged["X-Request-ID"]) == 32


def test_a_job_keeps_the_request_id_that_queued_it(db: Any) -> None:
    from thaw.monitoring.requestid import REQUEST_ID
    from thaw.tasks.queue import send_email

    reset = REQUEST_ID.set("req-from-nginx-1234")
    try:
        job = send_email(["someone@example.org"], "subject", "body")
    finally:
        REQUEST_ID.reset(reset)
    assert job.request_id == "req-from-nginx-1234"


def test_json_log_lines_carry_the_request_id_and_no_addresses_or_tokens() -> None:
    from thaw.monitoring.logs import JsonFormatter
    from thaw.monitoring.requestid import REQUEST_ID

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("thaw.test.monitoring")
    log.addHandler(handler)
    reset = REQUEST_ID.set("rid-12345678")
    try:
        log.warning("mail to %s refused with %s", "alice@example.org", "thaw_abcdefghijklmnop")
    finally:
        REQUEST_ID.reset(reset)
        log.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["request_id"] == "rid-12345678" and line["level"] == "warning"
    assert "alice@example.org" not in line["msg"] and "thaw_abcdefghijklmnop" not in line["msg"]
    assert line["msg"] == "mail to [email] refused with [token]"


@override_settings(THAW_METRICS_TOKEN=TOKEN)
def test_insights_page_is_cached_until_the_data_changes(web_alice: Client, api_alice: ApiClient) -> None:
    def counts() -> tuple[float, float]:
        text = _metrics(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
        found = {res: 0.0 for res in ("hit", "miss")}
        for line in text.splitlines():
            for res in found:
                if line.startswith(f'thaw_page_cache_total{{page="insights",result="{res}"}}'):
                    found[res] = float(line.split()[1])
        return found["hit"], found["miss"]

    def main() -> str:
        import re

        page = web_alice.get("/insights/").content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page[page.index("<main"):page.index("</main>")])

    hits, misses = counts()
    first = main()
    assert main() == first
    assert counts() == (hits + 1, misses + 1)
    api_alice.post("/api/v1/checkins", checkin_body(numbness=3))
    after = main()
    assert counts() == (hits + 1, misses + 2)
    assert after != first


def test_sign_in_failures_are_counted(alice: Any) -> None:
    from thaw.monitoring.metrics import SIGN_IN_FAILURES

    before = SIGN_IN_FAILURES.labels("web")._value.get()
    Client().post("/accounts/login/", {"login": "alice@example.org", "password": "not " + PASSWORD})
    assert SIGN_IN_FAILURES.labels("web")._value.get() == before + 1
