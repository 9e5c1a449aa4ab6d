"""The app shell's navigation, as data: which entries each role sees, and which one is current.

A person's pages sit in five tabs (a bottom tab bar on a phone, a top bar on a wide screen):
Home, Check in, Insights, Tools, More. Staff work (Caseload, Sessions, Programs, and later
Learn for editors and Intake for intake staff) has its own bar, never mixed into the person's
tabs; a clinician's own check-ins stay one tap away in the tabs below.

Adding a staff area is one entry in ``STAFF``: a key, a label, a URL name and the roles that see
it. An entry whose URL name does not exist (yet) is left out, so a branch can list its entry
before its pages land. Every page calls ``for_request`` once, through the context processor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    key: str
    label: Any  # a lazily translated string
    url_name: str
    icon: str = ""  # the id of a symbol in thaw/icons.svg
    roles: frozenset[str] = frozenset()  # who sees it (empty: every signed-in person)
    paths: tuple[str, ...] = ()  # path prefixes that make this entry the current one


TABS = (
    Entry("home", _("Home"), "home", "home"),
    Entry("checkin", _("Check in"), "checkin_new", "checkin", paths=("/checkin/", "/checkins/", "/emotions/")),
    Entry("insights", _("Insights"), "insights", "insights", paths=("/insights/",)),
    Entry("tools", _("Tools"), "tools", "tools",
          paths=("/tools/", "/grounding/", "/substances/", "/circle/", "/safety-plan/", "/assessments/", "/report/")),
    Entry("more", _("More"), "more", "more",
          paths=("/more/", "/settings/", "/reminders/", "/sessions/", "/calendar/", "/shared/")),
)

STAFF = (
    Entry("caseload", _("Caseload"), "caseload", roles=frozenset({"clinician"}), paths=("/clinic/",)),
    Entry("sessions", _("Sessions"), "clinic_sessions", roles=frozenset({"clinician"}), paths=("/clinic/sessions/",)),
    Entry("programs", _("Programs"), "programs", roles=frozenset({"admin"}), paths=("/clinic/programs/",)),
    Entry("learn", _("Articles"), "learn_manage", roles=frozenset({"editor"}), paths=("/learn/manage/",)),
    Entry("intake", _("Intake"), "intake_inbox", roles=frozenset({"intake"}), paths=("/intake/",)),
)


def roles_of(user: Any) -> frozenset[str]:
    """The roles a signed-in user holds. One role per account today; a staff member who holds
    several (an admin who also edits Learn) lists them in ``extra_roles`` when that exists."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset({str(user.role), *getattr(user, "extra_roles", ())})


@dataclass(frozen=True)
class Link:
    key: str
    label: Any  # a lazily translated string
    url: str
    icon: str
    current: bool


def _url(entry: Entry) -> str | None:
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:
        return None


def _current(entries: tuple[Entry, ...], path: str) -> str | None:
    """The entry whose longest path prefix matches; Home only on the home page itself."""
    best, length = None, 0
    for entry in entries:
        for prefix in entry.paths:
            if path.startswith(prefix) and len(prefix) > length:
                best, length = entry.key, len(prefix)
    return best


def links(entries: tuple[Entry, ...], roles: frozenset[str], path: str) -> list[Link]:
    current = _current(entries, path) or ("home" if path == "/" else None)
    found = []
    for entry in entries:
        if entry.roles and not entry.roles & roles:
            continue
        url = _url(entry)
        if url is not None:
            found.append(Link(entry.key, entry.label, url, entry.icon, entry.key == current))
    return found


def for_request(request: HttpRequest) -> dict[str, Any]:
    """The context processor: ``nav.tabs`` (the person's five) and ``nav.staff`` (may be empty)."""
    user = getattr(request, "user", None)
    roles = roles_of(user)
    if not roles:
        return {"nav": {"tabs": [], "staff": []}}
    return {"nav": {"tabs": links(TABS, roles, request.path), "staff": links(STAFF, roles, request.path)}}
