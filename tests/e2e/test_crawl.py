"""Crawl every page a signed-in person can reach: no request leaves the server, no CSP violation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.e2e.test_browser import sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e

SKIP = ("/accounts/logout/", "/report.pdf", "/settings/erase", "/api/v1/docs", "/static/")


def test_crawl_pages_for_third_party_requests_and_csp(phone: Any, server: LiveThaw) -> None:
    page = phone
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    sign_up(page, "crawler@example.org")
    page.get_by_role("button", name="Numb").click()
    page.locator("#quick-result").get_by_text("Saved").wait_for()
    origin = urlsplit(server.url).netloc
    seen: set[str] = set()
    queue = ["/", "/checkin/", "/checkin/?start=body", "/help/", "/insights/", "/assessments/phq9/take",
             "/assessments/auditc/take", "/assessments/pcl5/take"]  # the cut-off question, the anchor
    while queue and len(seen) < 40:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP):
            continue
        seen.add(path)
        response = page.goto(path)
        assert response is not None and response.status in (200, 422), path
        headers = response.all_headers()
        assert "script-src 'self'" in headers.get("content-security-policy", ""), path
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme in ("tel", "sms", "mailto"):
                continue
            if parts.netloc and parts.netloc != origin:
                pytest.fail(f"{path} links off-site to {href}")  # no page links out, so none can leak a referrer
            if target.startswith("/") and target not in seen:
                queue.append(target)
    assert len(seen) >= 15, sorted(seen)
    foreign = [u for u in page.thaw_requests if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != origin]
    assert foreign == []
    assert violations == []
