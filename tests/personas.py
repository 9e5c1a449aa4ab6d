"""The roles the crawl signs in as, each with the world it needs to see its pages.

A persona is data: a name, a ``build`` function that makes its world in the current database
(the test database for the Django test client, the live server's for the browser) and returns
who signs in plus any pages only a secret link reaches, and whether it signs in with a
two-factor code. Adding a role to the crawl is one entry in ``PERSONAS``.

Every world uses its own email addresses, so all of them can live in one database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

PASSWORD = "a calm, long passphrase"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # clinicians and admins sign in with a code from it


@dataclass
class World:
    user: Any | None  # who signs in; None for a visitor
    start: list[str] = field(default_factory=list)  # pages only a secret link reaches


@dataclass(frozen=True)
class Persona:
    name: str
    build: Callable[[], World]
    two_factor: bool = False

    @property
    def email(self) -> str:
        return f"crawl-{self.name.replace(' ', '-')}@example.org"


def _user(email: str, role: str = "person", *, two_factor: bool = False) -> Any:
    from thaw.accounts.models import User

    admin = role == "admin"
    user = User.objects.create_user(email, PASSWORD, role=role, is_staff=admin, is_superuser=admin,
                                    display_name=email.split("@")[0])
    if two_factor:
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, TOTP_SECRET)
    return user


def _with_a_life(person: Any) -> None:
    """Check-ins (one with a note), questionnaires, a safety plan, grounding, substance use, an
    affirmation: enough that every page of the person's own has something to show."""
    from django.utils import timezone

    from thaw.assessments.services import take
    from thaw.checkins.services import create_checkin
    from thaw.grounding.services import add_affirmation, create_session
    from thaw.safety.services import save_plan
    from thaw.substances.services import create_craving, create_use, set_goal

    now = timezone.now()
    for days, word, numbness in ((9, "numb", 8), (4, "lonely", 6), (1, "calm", 3)):
        create_checkin(person, {"emotions": [{"word": word, "intensity": 6}], "numbness": numbness,
                                "body": ["chest/tight"], "tags": ["work"], "note": f"day {days}: far away",
                                "at": (now - timedelta(days=days)).isoformat()})
    take(person, "phq9", [1, 2, 1, 0, 1, 2, 1, 0, 0])
    take(person, "who5", [3, 2, 2, 3, 1])
    save_plan(person, {"warning_signs": "not answering messages", "reasons": "my sister"})
    create_session(person, {"exercise": "five-senses", "started_at": (now - timedelta(hours=2)).isoformat(),
                            "before_presence": 3, "after_presence": 6, "note": "helped a bit"})
    add_affirmation(person, "I can go slowly.")
    create_use(person, {"substance": "alcohol", "amount": 2, "unit": "standard_drink", "motives": ["numb"],
                        "note": "after work", "at": (now - timedelta(days=2)).isoformat()})
    create_craving(person, {"substance": "cannabis", "intensity": 6, "helped": ["waited"]})
    set_goal(person, {"substance": "alcohol", "kind": "weekly_limit", "weekly_limit": 7,
                      "limit_unit": "standard_drink"})


def _share(owner: Any, viewer: Any, categories: list[str]) -> Any:
    from thaw.circle import services as circle

    grant, _ = circle.create_grant(owner, {"name": viewer.display_name or "them", "categories": categories})
    circle.accept(grant, viewer)
    return grant


def visitor() -> World:
    """Signed out, holding the links a visitor can be sent: a circle invitation, a program's
    enrolment invitation and a calendar feed."""
    from thaw.circle import services as circle
    from thaw.clinic import services as clinic
    from thaw.clinic.models import Membership, Program
    from thaw.schedule.services import create_feed

    owner = _user("crawl-visitor-inviter@example.org")
    _, circle_secret = circle.create_grant(owner, {"name": "A friend", "categories": ["summary"]})
    lead = _user("crawl-visitor-clinician@example.org", "clinician", two_factor=True)
    program = Program.objects.create(name="Crawl open program", lead=lead)
    Membership.objects.create(program=program, clinician=lead)
    _, enrol_secret = clinic.invite_person(program, lead)
    _, feed_secret = create_feed(owner)
    return World(None, start=["/", "/help/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
                              "/healthz", f"/invite/{circle_secret}/", f"/enrol/{enrol_secret}/",
                              f"/calendar/{feed_secret}.ics", "/settings/erased"])


def person() -> World:
    """A person with data who shares with a trusted person."""
    me = _user(PERSONAS_BY_NAME["person"].email)
    _with_a_life(me)
    friend = _user("crawl-person-friend@example.org")
    _share(me, friend, ["summary", "checkins"])
    from thaw.circle import services as circle

    circle.create_rule(me, {"kind": "quiet_days", "days": 3, "grant": str(circle.reachable(me)[0].id),
                            "message": "Could you check on me?"})
    pending, _ = circle.create_grant(me, {"name": "Not yet", "categories": ["summary"]})
    from thaw.accounts.models import ApiToken
    from thaw.schedule.services import create_feed

    create_feed(me)
    ApiToken.issue(me, "phone shortcut")
    # The page a new invitation's link is shown on once (reached by the redirect after a real invitation).
    return World(me, start=["/", "/checkin/?start=body", "/assessments/phq9/take", "/report/",
                            f"/circle/{pending.id}/invited"])


def trusted_person() -> World:
    """Someone a person shares everything with, notes and substance use included."""
    sharer = _user("crawl-trusted-sharer@example.org")
    _with_a_life(sharer)
    me = _user(PERSONAS_BY_NAME["trusted person"].email)
    _share(sharer, me, ["summary", "checkins", "notes", "assessments", "grounding", "substances"])
    return World(me, start=["/", "/shared/"])


def clinician() -> World:
    """A clinician leading a program with an enrolled person who shares, a crisis flag, homework and
    a group session."""
    from django.utils import timezone

    from thaw.checkins.services import create_checkin
    from thaw.clinic import homework
    from thaw.clinic import services as clinic
    from thaw.clinic.models import Membership, Program
    from thaw.schedule import services as schedule

    me = _user(PERSONAS_BY_NAME["clinician"].email, "clinician", two_factor=True)
    program = Program.objects.create(name="Crawl evening IOP", lead=me)
    Membership.objects.create(program=program, clinician=me, on_duty=True)
    client = _user("crawl-clinician-client@example.org")
    _with_a_life(client)
    invite, _ = clinic.invite_person(program, me)
    clinic.enrol(invite, client, ["summary", "checkins", "notes", "assessments", "grounding", "substances", "flags"])
    create_checkin(client, {"emotions": [{"word": "numb", "intensity": 9}], "numbness": 9,
                            "note": "I want to end my life"})
    homework.assign(client, program, me, checkins_per_day=2, exercises=["five-senses"], note="Try mornings.")
    start = timezone.localtime() + timedelta(days=2)
    session = schedule.schedule(me, {"program": program.pk, "kind": "group", "title": "Skills group",
                                     "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
                                     "video_link": "https://meet.example.org/skills"})
    schedule.enrol(session, me, client.pk)
    began = timezone.localtime() - timedelta(minutes=30)  # under way: attendance can be marked
    under_way = schedule.schedule(me, {"program": program.pk, "kind": "individual", "title": "Check-in call",
                                       "starts_at": began.isoformat(),
                                       "ends_at": (began + timedelta(hours=1)).isoformat(),
                                       "video_link": "https://meet.example.org/call"})
    schedule.enrol(under_way, me, client.pk)
    waiting, _ = clinic.invite_person(program, me)
    return World(me, start=["/", "/clinic/", "/clinic/sessions/", f"/clinic/invite/{waiting.id}/"])


def admin() -> World:
    """An admin with a program that has a care team."""
    from thaw.clinic.models import Membership, Program

    me = _user(PERSONAS_BY_NAME["admin"].email, "admin", two_factor=True)
    member = _user("crawl-admin-member@example.org", "clinician", two_factor=True)
    program = Program.objects.create(name="Crawl day program", lead=member)
    Membership.objects.create(program=program, clinician=member, on_duty=True)
    return World(me, start=["/", "/clinic/programs/"])


PERSONAS = [
    Persona("visitor", visitor),
    Persona("person", person),
    Persona("trusted person", trusted_person),
    Persona("clinician", clinician, two_factor=True),
    Persona("admin", admin, two_factor=True),
]
PERSONAS_BY_NAME = {p.name: p for p in PERSONAS}


def build_all() -> dict[str, World]:
    """Every persona's world in this database (used by the browser crawl through ``thaw manage shell``)."""
    return {p.name: p.build() for p in PERSONAS}
