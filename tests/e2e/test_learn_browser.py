"""From a reader to an enrolled person, in headless Chromium through the real server: a visitor
reads an article and comments (held, approved by an editor, then shown), asks to be contacted, an
intake person turns the request into a program invitation and the person accepts it. Then crisis
words in a comment and in a contact message: the crisis lines at once, urgent for the staff."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_browser import PASSWORD, assert_clean
from tests.support import LiveThaw, thaw, totp_code

pytestmark = pytest.mark.e2e

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
EDITOR, INTAKE, PERSON = "learn-editor@example.org", "learn-intake@example.org", "learn-rae@example.org"
ARTICLE = "/learn/what-is-emotional-numbness/"
# The public forms refuse what is sent within 3 seconds of showing them (a script's speed, thaw/learn/spam.py).
# Waiting that long is a lower bound a person always passes, never a deadline: a slow machine only helps.
TIME_TRAP_MS = 3_500


def _sign_in(page: Any, email: str, *, two_factor: bool) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    if two_factor:
        page.get_by_label("Code").fill(totp_code(SECRET))
        page.locator("form button[type=submit]").first.click()
    page.get_by_role("navigation", name="Main").wait_for()
    assert "/accounts/login/" not in page.url


@pytest.fixture(scope="module")
def staff(server: LiveThaw) -> None:
    env = {**server.env, "THAW_PASSWORD": PASSWORD}
    for email, role in ((EDITOR, "editor"), (INTAKE, "intake"), (PERSON, "person")):
        result = thaw("user", "add", email, "--role", role, env=env)
        assert result.returncode == 0, result.stderr
    setup = ("from allauth.mfa.totp.internal.auth import TOTP\nfrom thaw.accounts.models import User\n"
             f"for email in ({EDITOR!r}, {INTAKE!r}):\n    TOTP.activate(User.objects.get(email=email), {SECRET!r})\n")
    result = thaw("manage", "shell", "--no-imports", "-c", setup, env=env)
    assert result.returncode == 0, result.stderr


def _fill_contact(page: Any, name: str, email: str, message: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Your email address or phone number").fill(email)
    page.get_by_label("Which state or region do you live in?").fill("Oregon")
    page.get_by_label("Anything you would like us to know (optional)").fill(message)
    page.get_by_label("I agree that the clinic may contact me in the way I chose above").check()
    page.wait_for_timeout(TIME_TRAP_MS)
    page.get_by_role("button", name="Send").click()


def test_a_reader_comments_asks_for_contact_and_is_enrolled(browser: Any, server: LiveThaw, staff: None) -> None:
    def new_page() -> Any:
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, base_url=server.url)
        page = context.new_page()
        page.thaw_requests, page.thaw_console_errors = [], []
        page.on("request", lambda r: page.thaw_requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and page.thaw_console_errors.append(m.text))
        page.on("pageerror", lambda e: page.thaw_console_errors.append(str(e)))
        return page

    reader = new_page()
    reader.goto("/learn/all/")
    reader.get_by_role("link", name="What emotional numbness is", exact=True).first.click()
    reader.wait_for_url(f"**{ARTICLE}")
    assert re.search(r"\d+ views? · 0 comments", reader.locator("main").inner_text())
    assert reader.context.cookies() == [], "reading sets no cookie"

    reader.get_by_role("link", name="Write a comment").click()
    reader.get_by_label("Your name, as it will be shown").fill("Robin from Salem")
    reader.get_by_label("Your comment").fill("Naming it as a shutdown, not a flaw, helped me.")
    reader.wait_for_timeout(TIME_TRAP_MS)
    reader.get_by_role("button", name="Send comment").click()
    reader.get_by_text("Your comment will appear here once an editor has read it").wait_for()
    assert "Naming it as a shutdown" not in reader.locator("#comments").inner_text(), "held until approved"

    editor = new_page()
    _sign_in(editor, EDITOR, two_factor=True)
    editor.goto("/learn/manage/comments/")
    item = editor.locator(".queue-item", has_text="Robin from Salem")
    item.get_by_role("button", name="Approve", exact=True).click()
    editor.get_by_text("No comments are waiting.").wait_for()

    reader.goto(ARTICLE)
    comments = reader.locator("#comments")
    assert "Robin from Salem" in comments.inner_text() and "Naming it as a shutdown" in comments.inner_text()
    assert learn_counts(reader)[1] == 1

    reader.get_by_role("link", name="Ask us to contact you").click()
    reader.wait_for_url("**/contact/**")
    _fill_contact(reader, "Rae", PERSON, "I have felt flat for a year.")
    reader.wait_for_url("**/contact/sent/")
    assert "What happens next" in reader.locator("main").inner_text()

    intake = new_page()
    _sign_in(intake, INTAKE, two_factor=True)
    intake.goto("/intake/")
    intake.get_by_role("link", name="Rae").click()
    assert PERSON in intake.locator("main").inner_text()
    intake.get_by_label("Program", exact=True).select_option(label="Virtual intensive outpatient program for adults")
    intake.get_by_label("Their email (optional)").fill(PERSON)
    intake.get_by_role("button", name="Make the invitation").click()
    link = intake.locator("#invite-link").inner_text().strip()
    assert "/enrol/" in link
    intake.reload()
    assert intake.locator("#invite-link").count() == 0, "the link is shown once"

    person = new_page()
    _sign_in(person, PERSON, two_factor=False)
    person.goto(link)
    person.get_by_role("button", name=re.compile("^Join ")).click()
    person.get_by_text("You joined").wait_for()

    intake.get_by_role("link", name="Back to the request").click()
    intake.get_by_text(re.compile("accepted")).first.wait_for()
    assert "Enrolled" in intake.get_by_label("Status", exact=True).locator("option:checked").inner_text()
    for page in (reader, editor, intake, person):
        assert_clean(page, server)
        page.context.close()


def learn_counts(page: Any) -> tuple[int, int]:
    found = re.search(r"(\d+) views? · (\d+) comments?", page.locator("main").inner_text())
    assert found, "the article shows its counts"
    return int(found.group(1)), int(found.group(2))


def test_crisis_words_in_a_comment_and_a_contact_message(phone: Any, server: LiveThaw, staff: None) -> None:
    page = phone
    page.goto(ARTICLE)
    page.get_by_role("link", name="Write a comment").click()
    page.get_by_label("Your name, as it will be shown").fill("Kit")
    page.get_by_label("Your comment").fill("I feel nothing and some nights I want to kill myself.")
    page.wait_for_timeout(TIME_TRAP_MS)
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("Talk to someone now").first.wait_for()
    assert "/help/" in page.url

    page.goto("/contact/")
    _fill_contact(page, "Sam", "sam@example.org", "I don't want to be alive any more.")
    page.get_by_text("Talk to someone now").first.wait_for()
    assert "/help/" in page.url and "urgent" in page.locator("main").inner_text()
    assert_clean(page, server)

    # Both are urgent for the staff (the pages are covered by tests/test_learn.py and tests/test_intake.py).
    check = ("from thaw.intake.models import ContactRequest\nfrom thaw.learn.models import Comment\n"
             "print([r.urgent for r in ContactRequest.objects.all() if r.name == 'Sam'],"
             " [c.urgent for c in Comment.objects.all() if c.name == 'Kit'])")
    result = thaw("manage", "shell", "--no-imports", "-c", check, env=server.env)
    assert result.stdout.strip() == "[True] [True]", result.stdout + result.stderr
