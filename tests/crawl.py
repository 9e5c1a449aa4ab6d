"""The crawl: open every page a role can reach by following links, and every form's error states.

``crawl(fetch, start)`` is independent of how pages are fetched: the Django test client drives it
in tests/test_role_crawl.py (fast, for the role × page × form sweep). What a page must satisfy:

- it answers without a 5xx;
- an HTML page carries "Get help now" (the crisis path is one tap from everywhere);
- it loads nothing from another host (no script, style, image, frame or form action elsewhere);
- each of its forms, sent empty and sent with junk in every text box (a control character, then
  text over the box's limit), answers without a 5xx, on a page with "Get help now"; a POST with junk
  is never accepted (no redirect: nothing was saved) and a text area shows the typed text again.

Destructive actions (sign out, erase, delete, stop sharing, revoke, cancel, remove) are never sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

HOST = "testserver"
HELP = "Get help now"
# Never followed: assets and the API have their own tests.
NOT_PAGES = ("/static/", "/api/")
# Never followed: signing out ends the crawl's session. (Opening the erase page is safe: only
# sending its form erases, and that is never sent.)
SKIP_LINKS = re.compile(r"^/accounts/logout/")
# Never sent: the action would end the session or destroy something the rest of the crawl needs.
DESTRUCTIVE = re.compile(r"^/accounts/logout/|^/settings/erase|/delete$|/stop$|/revoke$|/cancel$|/remove$"
                         r"|/deactivate/")
# Forms whose text boxes are rightly ignored as sent by the junk attempts, and why.
IGNORES_JUNK = {
    "/substances/settings/": "a weekly-limit box is read only for a goal of kind weekly limit; with no goal "
                             "chosen it is ignored (the person crawled with a weekly limit gets it refused)",
}
PER_ROUTE = 3  # pages opened per route and query shape (three check-ins' edit pages, not all of them)
TEXT_TYPES = {"text", "search", "email", "url", "tel", "password", "number", "date", "datetime-local", "time", ""}
JUNK_CONTROL = "junk\x07text"
TOO_LONG_DEFAULT = 6000  # for a text box that states no limit


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str
    checked: bool = False
    limit: int | None = None

    @property
    def is_text(self) -> bool:
        return self.kind == "textarea" or self.kind in TEXT_TYPES


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    # Submit buttons with their own ``formaction`` send the same fields somewhere else.
    other_actions: list[str] = field(default_factory=list)

    def rendered(self) -> list[tuple[str, str]]:
        """What a browser sends for the form as it is shown."""
        return [(f.name, f.value) for f in self.fields
                if f.name and (f.kind not in ("checkbox", "radio") or f.checked) and f.kind not in ("submit", "button")]

    def emptied(self) -> list[tuple[str, str]]:
        return [(f.name, "") for f in self.fields if f.name and f.kind not in ("checkbox", "radio", "submit", "button")]

    def with_text(self, make: Callable[[Field], str]) -> list[tuple[str, str]]:
        sent = []
        for f in self.fields:
            if not f.name or (f.kind in ("checkbox", "radio") and not f.checked) or f.kind in ("submit", "button"):
                continue
            sent.append((f.name, make(f) if f.is_text else f.value))
        return sent

    @property
    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.name and f.is_text]

    def signature(self) -> tuple[str, str, tuple[str, ...]]:
        return self.action, self.method, tuple(sorted({f.name for f in self.fields}))


class PageParser(HTMLParser):
    """Links, forms and the resources a page loads, from its HTML."""

    RESOURCE = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src",
                "embed": "src", "object": "data"}

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.resources: list[str] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in self.RESOURCE and a.get(self.RESOURCE[tag]):
            self.resources.append(a[self.RESOURCE[tag]])
        if tag == "link" and a.get("href") and a.get("rel", "") not in ("canonical", "alternate"):
            self.resources.append(a["href"])
        if tag == "form":
            action = a.get("action") or self.url
            self.resources.append(action)
            self._form = Form(urljoin(self.url, action), a.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag in ("button", "input") and a.get("formaction") and a.get("type", "submit").lower() == "submit":
            self._form.other_actions.append(urljoin(self.url, a["formaction"]))
        limit = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input":
            self._form.fields.append(Field(a.get("name", ""), a.get("type", "").lower(), a.get("value", ""),
                                           "checked" in a, limit))
        elif tag == "textarea":
            self._textarea = Field(a.get("name", ""), "textarea", "", limit=limit)
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a.get("name", ""), "select", "")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if not self._select.value or "selected" in a:
                self._select.value = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


@dataclass
class Answer:
    status: int
    content_type: str
    text: str
    location: str = ""


@dataclass
class Report:
    pages: list[str] = field(default_factory=list)
    forms_sent: int = 0
    actions: set[str] = field(default_factory=set)  # every form action seen (sent or skipped as destructive)
    problems: list[str] = field(default_factory=list)


Fetch = Callable[[str, str, list[tuple[str, str]] | None], Answer]


def _local(url: str) -> str | None:
    """The path and query of a same-site URL, or None for anything off-site or not a page."""
    target, _ = urldefrag(url)
    parts = urlsplit(target)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != HOST):
        return None
    path = parts.path or "/"
    if path.startswith(NOT_PAGES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _route_key(url: str, route_of: Callable[[str], str]) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    return route_of(parts.path), tuple(sorted(k for k, _ in parse_qsl(parts.query, keep_blank_values=True)))


def _check_page(answer: Answer, where: str, report: Report) -> None:
    if answer.status >= 500:
        report.problems.append(f"{where}: answered {answer.status}")
    elif "text/html" in answer.content_type and not 300 <= answer.status < 400 and HELP not in answer.text:
        report.problems.append(f"{where}: no “{HELP}” on the page ({answer.status})")


def _too_long(f: Field) -> str:
    return "x" * ((f.limit or TOO_LONG_DEFAULT) + 1)


def crawl(fetch: Fetch, start: list[str], route_of: Callable[[str], str], max_pages: int = 200) -> Report:
    report = Report()
    queue = [u for u in (_local(s) for s in start) if u]
    seen: set[str] = set()
    per_route: dict[tuple[str, tuple[str, ...]], int] = {}
    forms_done: set[tuple[str, str, tuple[str, ...]]] = set()
    while queue and len(report.pages) < max_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        key = _route_key(url, route_of)
        if per_route.get(key, 0) >= PER_ROUTE:
            continue
        per_route[key] = per_route.get(key, 0) + 1
        answer = fetch("get", url, None)
        report.pages.append(url)
        _check_page(answer, f"GET {url}", report)
        if answer.location:
            follow = _local(urljoin(url, answer.location))
            if follow and not SKIP_LINKS.search(urlsplit(follow).path):
                queue.append(follow)
        if "text/html" not in answer.content_type or answer.status >= 500:
            continue
        page = PageParser(url)
        page.feed(answer.text)
        for resource in page.resources:
            netloc = urlsplit(urljoin(f"http://{HOST}{url}", resource)).netloc
            if netloc and netloc != HOST:
                report.problems.append(f"GET {url}: loads or posts to another host: {resource}")
        for link in page.links:
            target = _local(urljoin(url, link))
            if target and target not in seen and not SKIP_LINKS.search(urlsplit(target).path):
                queue.append(target)
        for form in page.forms:
            _send_form(fetch, form, url, report, forms_done)
            for other in form.other_actions:
                _send_form(fetch, Form(other, form.method, form.fields), url, report, forms_done)
    return report


def _send_form(fetch: Fetch, form: Form, page: str, report: Report,
               done: set[tuple[str, str, tuple[str, ...]]]) -> None:
    action = _local(form.action)
    if action is None:
        return
    report.actions.add(urlsplit(action).path)
    if DESTRUCTIVE.search(urlsplit(action).path) or form.signature() in done:
        return
    done.add(form.signature())
    attempts: list[tuple[str, list[tuple[str, str]]]] = [("empty", form.emptied())]
    if form.text_fields:
        attempts += [("a control character", form.with_text(lambda f: JUNK_CONTROL)),
                     ("text over the limit", form.with_text(_too_long))]
    for what, data in attempts:
        where = f"{form.method.upper()} {action} (form on {page}) with {what}"
        if form.method == "get":
            query = urlencode(data)
            answer = fetch("get", urlsplit(action).path + (f"?{query}" if query else ""), None)
        else:
            answer = fetch("post", action, data)
        report.forms_sent += 1
        _check_page(answer, where, report)
        if form.method != "post" or what == "empty" or answer.status >= 500:
            continue
        if 300 <= answer.status < 400 and urlsplit(action).path not in IGNORES_JUNK:
            report.problems.append(f"{where}: accepted (redirected to {answer.location}); junk must be refused")
        elif what == "a control character" and any(f.kind == "textarea" for f in form.text_fields) \
                and "junk" not in answer.text:
            report.problems.append(f"{where}: the refused form does not show the typed text again")


def describe(name: str, report: Report) -> str:
    return f"{name}: {len(report.pages)} pages, {report.forms_sent} form submissions, {len(report.problems)} problems"


def route_patterns() -> dict[str, Any]:
    """Every route of Thaw's own pages (not the API's, not allauth's), by its pattern."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, Any] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                module = getattr(p.callback, "__module__", "")
                if module.startswith("thaw.") and not module.startswith("thaw.api"):
                    found[prefix + str(p.pattern)] = p.callback

    walk(get_resolver().url_patterns, "")
    return found
