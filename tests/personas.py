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


def _user(email: str, role: str = "person", *, two_factor: bool = False, extra: tuple[str, ...] = ()) -> Any:
    from thaw.accounts.models import User

    admin = role == "admin"
    user = User.objects.create_user(email, PASSWORD, role=role, is_staff=admin, is_superuser=admin,
                                    display_name=email.split("@")[0], extra_roles=list(extra))
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
    article = _learn_world("visitor", lead)
    _public_page(program, lead)
    return World(None, start=["/", "/help/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
                              "/healthz", "/readyz", "/metrics", f"/invite/{circle_secret}/", f"/enrol/{enrol_secret}/",
                              f"/calendar/{feed_secret}.ics", "/settings/erased", "/manifest.webmanifest",
                              "/sw.js", "/offline/", "/learn/", f"/learn/{article.slug}/",
                              "/programs/", "/contact/?program=crawl-open-program", "/learn/?topic=crawl-topic",
                              "/learn/?q=crawl", "/help/?from=contact", f"/help/?from=comment&article={article.slug}"])


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
    questionnaire_reminder = _with_reminders(me)
    # The page a new invitation's link is shown on once (reached by the redirect after a real invitation),
    # and where a questionnaire reminder's link goes (in an email: the crawl follows no email).
    return World(me, start=["/", "/checkin/?start=body", "/assessments/phq9/take", "/report/",
                            f"/circle/{pending.id}/invited", questionnaire_reminder])


def _with_reminders(person: Any) -> str:
    """Random-moment reminders by email, a device with notifications on, five reminders in a row
    that went unanswered (so home offers to send fewer), and a questionnaire reminder, whose link
    is returned. Email only: the device's address is public, and nothing may ever be sent to it
    from a test."""
    from django.utils import timezone

    from thaw.reminders import services
    from thaw.reminders.models import Prompt

    services.save_plan(person, {"mode": "random", "windows": [{"start": "09:00", "end": "21:00", "count": 3}],
                                "channels": ["email"], "questionnaire_reminders": True, "questionnaires": ["who5"]})
    services.subscribe(person, "https://93.184.216.34/push/crawl-device",
                       "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                       "tBHItJI5svbpez7KI4CCXg")
    now = timezone.now()
    for hours in range(5, 0, -1):
        Prompt.objects.create(person=person, due_at=now - timedelta(hours=hours + 1),
                              expires_at=now - timedelta(hours=hours), sent_at=now - timedelta(hours=hours + 1),
                              channel="email")
    due = Prompt.objects.create(person=person, kind="questionnaire", instrument="who5", due_at=now,
                                expires_at=now + timedelta(days=7), sent_at=now, channel="email")
    return services.link_for(due)


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


def _learn_world(name: str, editor: Any) -> Any:
    """A topic, a live article with a picture, an approved comment with a reply and a held urgent one,
    a draft and a scheduled article, each with its revisions."""
    from django.utils import timezone

    from thaw.learn import services as learn
    from thaw.learn.models import Topic

    Topic.objects.get_or_create(slug="crawl-topic", defaults={"label": "Crawl topic", "description": "For the crawl."})
    body = "## What it is\n\nA *crawl* article with [a link](/help/) and a list:\n\n- one\n- two\n"
    article = learn.save_article(None, editor, {"slug": f"crawl-{name}-article", "title": f"Crawl {name} article",
                                                "summary": "An article for the crawl to read.", "body": body,
                                                "topics": ["crawl-topic"]}, "publish")
    learn.save_article(article, editor, {"title": f"Crawl {name} article", "summary": "Changed, not yet published.",
                                         "body": body + "\nMore.\n", "topics": ["crawl-topic"]}, "draft")
    learn.save_article(None, editor, {"slug": f"crawl-{name}-draft", "title": "A draft", "summary": "Not yet out.",
                                      "body": "Draft text."}, "draft")
    learn.save_article(None, editor, {"slug": f"crawl-{name}-later", "title": "Scheduled", "summary": "Out soon.",
                                      "body": "Later text."}, "schedule", publish_at=timezone.now() + timedelta(days=3))
    shown = learn.post_comment(article, name="Robin", body="This helped me name it.", address=f"10.9.0.{len(name)}")
    learn.moderate(shown.comment, editor, "reply", "Thank you for saying so.")
    learn.post_comment(article, name="Kit", body="Some nights I want to die.", address=f"10.9.1.{len(name)}")
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 90)).save(picture, "PNG")
    learn.set_image(article, editor, picture.getvalue(), "A warm orange square.")
    return article


def _public_page(program: Any, by: Any) -> Any:
    from django.utils import timezone

    from thaw.learn.markdown import render
    from thaw.learn.models import ProgramPage
    from thaw.schedule import services as schedule

    page = ProgramPage.objects.create(program=program, slug=program.name.lower().replace(" ", "-"),
                                      summary="A program for the crawl.", body="## Who it is for\n\nAnyone.",
                                      body_html=render("## Who it is for\n\nAnyone."), regions=["Oregon"],
                                      schedule="Mondays", length="8 weeks")
    start = timezone.localtime() + timedelta(days=4)
    schedule.schedule(by, {"program": program.pk, "kind": "group", "title": "Group", "starts_at": start.isoformat(),
                           "ends_at": (start + timedelta(hours=2)).isoformat(),
                           "video_link": "https://meet.example.org/group"})
    return page


def editor() -> World:
    """An editor with articles in every state, comments to moderate and programs' public pages."""
    me = _user(PERSONAS_BY_NAME["editor"].email, "editor", two_factor=True)
    article = _learn_world("editor", me)
    return World(me, start=["/", "/learn/manage/", "/learn/manage/comments/", f"/learn/manage/{article.slug}/",
                            f"/learn/manage/{article.slug}/revisions/", "/learn/manage/programs/"])


def intake() -> World:
    """An intake team member with requests in several states: urgent, noted, assigned, invited."""
    from thaw.clinic.models import Membership, Program
    from thaw.intake import services as intake_services

    me = _user(PERSONAS_BY_NAME["intake"].email, "intake", two_factor=True)
    lead = _user("crawl-intake-lead@example.org", "clinician", two_factor=True)
    program = Program.objects.create(name="Crawl intake program", lead=lead)
    Membership.objects.create(program=program, clinician=lead)
    _public_page(program, lead)
    base = {"reach_by": "email", "looking_for": "crawl-intake-program", "region": "Oregon", "consent": True}
    calm = intake_services.receive({**base, "name": "Ana", "reach_at": "ana@example.org", "message": "Evenings."})
    intake_services.receive({**base, "name": "Ben", "reach_at": "ben@example.org",
                             "message": "I want to end my life", "looking_for": "not_sure"})
    noted = intake_services.receive({**base, "name": "Cy", "reach_by": "phone", "reach_at": "+1 503 555 0100"})
    intake_services.update(noted.request, me, {"status": "contacted", "assigned_to": me.email, "note": "Left a message."})
    intake_services.invite(calm.request, me, program, "ana@example.org")
    return World(me, start=["/", "/intake/", "/intake/?status=all", f"/intake/{calm.request.pk}/",
                            f"/intake/{calm.request.pk}/invited/"])


PERSONAS = [
    Persona("visitor", visitor),
    Persona("person", person),
    Persona("trusted person", trusted_person),
    Persona("clinician", clinician, two_factor=True),
    Persona("admin", admin, two_factor=True),
    Persona("editor", editor, two_factor=True),
    Persona("intake", intake, two_factor=True),
]
PERSONAS_BY_NAME = {p.name: p for p in PERSONAS}


def build_all() -> dict[str, World]:
    """Every persona's world in this database (used by the browser crawl through ``thaw manage shell``)."""
    return {p.name: p.build() for p in PERSONAS}
