"""Reminders end to end on the server: the plan through the API, the worker sending real Web Push
messages to a push service on a loopback port (decrypted there with the subscription's keys and
the VAPID signature checked), email when no device takes it, prompts answered by check-ins,
questionnaires that come due, and endpoints that must never be reached (SSRF)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import ApiClient, checkin_body
from tests.push_receiver import Browser, PushService, vapid_claims
from thaw.checkins.models import CheckIn
from thaw.reminders import push, services
from thaw.reminders.models import Prompt, PushSubscription, ReminderPlan
from thaw.tasks.worker import run_pending

pytestmark = pytest.mark.django_db
REVEALING = re.compile(r"mood|numb|mental", re.IGNORECASE)
RANDOM_PLAN = {"mode": "random", "windows": [{"start": "09:00", "end": "21:00", "count": 3}], "min_gap_minutes": 120}


@pytest.fixture
def push_service():
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def loopback_push():
    with override_settings(THAW_PUSH_ALLOW_LOOPBACK=True):
        yield


def subscribe(api: ApiClient, service: PushService, browser: Browser, path: str = "/push/device-1"):
    response = api.post("/api/v1/push/subscriptions", {"endpoint": service.url(path), "keys": browser.keys,
                                                       "expirationTime": None})
    assert response.status_code == 201, response.content
    return response.json()


def due_now(person) -> timezone.datetime:
    return ReminderPlan.objects.get(person=person).next_due_at


def test_the_plan_through_the_api(api_alice, alice) -> None:
    plan = api_alice.get("/api/v1/reminders").json()
    assert plan["mode"] == "off" and plan["message"] == "Thaw: a moment for you?" and plan["next_due_at"] is None
    saved = api_alice.put("/api/v1/reminders", {**RANDOM_PLAN, "quiet_hours": {"start": "22:00", "end": "07:00"},
                                                "days": ["mon", "tue", "wed", "thu", "fri"], "channels": ["push"]})
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["windows"] == [{"start": "09:00", "end": "21:00", "count": 3}] and body["next_due_at"]
    assert api_alice.get("/api/v1/reminders").json() == body
    refused = api_alice.put("/api/v1/reminders", {"mode": "random", "windows": [{"start": "09:00", "end": "10:00",
                                                                                "count": 3}],
                                                  "message": "Time for a MENTAL health check"})
    assert refused.status_code == 422
    fields = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert "mental" in fields["message"].lower() and "windows.0" in fields
    assert api_alice.get("/api/v1/reminders").json() == body, "a refused plan changes nothing"
    assert api_alice.put("/api/v1/reminders", {"mode": "sometimes"}).status_code == 422
    assert api_alice.put("/api/v1/reminders", {"mode": "off", "colour": "blue"}).status_code == 422


def test_a_due_moment_arrives_encrypted_with_nothing_revealing_and_is_answered_by_a_checkin(
        api_alice, alice, push_service, loopback_push) -> None:
    browser = Browser()
    device = subscribe(api_alice, push_service, browser)
    # Something the person wrote, to prove none of it travels in a reminder.
    api_alice.post("/api/v1/checkins", checkin_body(note="secret-note-7", numbness=9))
    api_alice.put("/api/v1/reminders", {**RANDOM_PLAN, "channels": ["push", "email"]})
    due = due_now(alice)
    assert services.run_due(due - timedelta(seconds=1)) == 0 and not push_service.received, "not before its time"
    assert services.run_due(due) == 1
    assert len(push_service.received) == 1
    message = push_service.received[0]
    payload = browser.decrypt(message)
    prompt = Prompt.objects.get(person=alice)
    assert payload == {"title": "Thaw: a moment for you?", "body": "", "url": f"/checkin/?prompt={prompt.id}",
                       "prompt": str(prompt.id), "tag": "thaw-moment", "expires": payload["expires"]}
    assert not REVEALING.search(str(payload)) and "secret-note-7" not in str(payload)
    assert message.body.find(b"moment") == -1, "the body on the wire is ciphertext"
    claims = vapid_claims(message, push.public_key())
    assert claims["aud"] == f"http://127.0.0.1:{push_service.port}" and claims["exp"] > timezone.now().timestamp()
    assert int(message.headers["ttl"]) > 0 and message.path == "/push/device-1"
    # The headers travel in the clear to the push service: they name nothing about the reminder.
    assert message.headers.get("topic") == "thaw1" and not REVEALING.search(str(dict(message.headers)))
    assert prompt.sent_at is not None and prompt.channel == "push" and prompt.due_at == due
    assert mail.outbox == [], "a device took it, so no email"
    assert services.run_due(due + timedelta(seconds=30)) == 0, "sent once"
    assert PushSubscription.objects.get(pk=device["id"]).last_success_at is not None

    answered = api_alice.post("/api/v1/checkins", checkin_body(prompt_id=str(prompt.id)))
    assert answered.status_code == 201 and answered.json()["prompt_id"] == str(prompt.id)
    listed = api_alice.get("/api/v1/prompts", since=(due - timedelta(minutes=1)).isoformat()).json()
    assert [(p["id"], p["status"], p["checkin_id"]) for p in listed] == [
        (str(prompt.id), "answered", answered.json()["id"])]
    assert listed[0]["sent_at"] and listed[0]["due_at"]
    again = api_alice.post("/api/v1/checkins", checkin_body(prompt_id=str(prompt.id)))
    assert again.status_code == 201 and again.json()["prompt_id"] is None, "one check-in answers a prompt"
    self_started = api_alice.post("/api/v1/checkins", checkin_body())
    assert self_started.json()["prompt_id"] is None


def test_gone_devices_are_dropped_and_email_is_the_fallback(api_alice, alice, push_service, loopback_push) -> None:
    subscribe(api_alice, push_service, Browser())
    api_alice.put("/api/v1/reminders", {"mode": "fixed", "times": ["08:15"], "message": "Tea time?"})
    push_service.status = 410
    due = due_now(alice)
    assert services.run_due(due) == 1
    assert len(push_service.received) == 1 and not PushSubscription.objects.filter(person=alice).exists()
    prompt = Prompt.objects.get(person=alice)
    assert prompt.channel == "email"
    run_pending()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "Tea time?" and f"/checkin/?prompt={prompt.id}" in sent.body
    assert not REVEALING.search(sent.subject + sent.body)
    # Next time there is no device at all: straight to email.
    assert services.run_due(ReminderPlan.objects.get(person=alice).next_due_at) == 1
    assert len(push_service.received) == 1


def test_nothing_can_reach_them_without_a_device_or_email_chosen(api_alice, alice) -> None:
    api_alice.put("/api/v1/reminders", {"mode": "fixed", "times": ["08:15"], "channels": ["push"]})
    assert services.run_due(due_now(alice)) == 0
    assert Prompt.objects.get(person=alice).channel == "none" and not mail.outbox


def test_a_stale_moment_is_skipped_not_sent_late(api_alice, alice) -> None:
    api_alice.put("/api/v1/reminders", {"mode": "fixed", "times": ["08:15"]})
    due = due_now(alice)
    assert services.run_due(due + timedelta(hours=3)) == 0, "the worker was down past the moment's expiry"
    assert not Prompt.objects.exists()
    assert due_now(alice) > due + timedelta(hours=3)


def test_an_expired_prompt_leaves_the_checkin_self_started(api_alice, alice) -> None:
    now = timezone.now()
    prompt = Prompt.objects.create(person=alice, due_at=now - timedelta(hours=2), expires_at=now - timedelta(hours=1),
                                   sent_at=now - timedelta(hours=2))
    saved = api_alice.post("/api/v1/checkins", checkin_body(prompt_id=str(prompt.id)))
    assert saved.status_code == 201 and saved.json()["prompt_id"] is None
    prompt.refresh_from_db()
    assert prompt.answered_at is None and prompt.status() == "expired"
    made_then = api_alice.post("/api/v1/checkins", checkin_body(
        prompt_id=str(Prompt.objects.create(person=alice, due_at=now - timedelta(hours=2),
                                            expires_at=now - timedelta(minutes=30)).id),
        at=(now - timedelta(hours=1, minutes=50)).isoformat()))
    assert made_then.json()["prompt_id"] is not None, "made (offline) while it was open: it answers it"


def test_prompt_ids_and_client_ids_of_others_are_refused(api_alice, api_bob, alice) -> None:
    now = timezone.now()
    prompt = Prompt.objects.create(person=alice, due_at=now, expires_at=now + timedelta(hours=1))
    refused = api_bob.post("/api/v1/checkins", checkin_body(prompt_id=str(prompt.id)))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "prompt_id"
    key = str(uuid.uuid4())
    first = api_alice.post("/api/v1/checkins", checkin_body(id=key))
    assert first.status_code == 201 and first.json()["id"] == key
    again = api_alice.post("/api/v1/checkins", checkin_body(id=key, note="changed"))
    assert again.status_code == 200 and again.json()["note"] == first.json()["note"], "the same check-in, not a copy"
    assert CheckIn.objects.filter(pk=key).count() == 1
    taken = api_bob.post("/api/v1/checkins", checkin_body(id=key))
    assert taken.status_code == 422 and "alice" not in taken.content.decode()
    assert api_alice.post("/api/v1/checkins", checkin_body(id="not-a-uuid")).status_code == 422


@pytest.mark.parametrize("endpoint", [
    "https://127.0.0.1/push", "https://10.1.2.3/push", "https://192.168.0.5/push", "https://169.254.169.254/latest",
    "https://[::1]/push", "https://[fe80::1]/push", "https://localhost/push", "https://100.64.0.1/push",
    "https://[::ffff:127.0.0.1]/push", "https://0.0.0.0/push", "https://224.0.0.1/push",
    "http://93.184.216.34/push", "ftp://93.184.216.34/push", "https://user:pw@93.184.216.34/push", "not a url",
])
def test_endpoints_that_could_reach_inside_are_refused(api_alice, endpoint) -> None:
    response = api_alice.post("/api/v1/push/subscriptions", {"endpoint": endpoint, "keys": Browser().keys})
    assert response.status_code == 422, endpoint
    assert response.json()["errors"][0]["field"] == "endpoint"
    assert not PushSubscription.objects.exists()


def test_loopback_only_with_the_test_switch_and_checked_again_at_send_time(api_alice, alice, push_service) -> None:
    browser = Browser()
    refused = api_alice.post("/api/v1/push/subscriptions", {"endpoint": push_service.url("/p"), "keys": browser.keys})
    assert refused.status_code == 422
    with override_settings(THAW_PUSH_ALLOW_LOOPBACK=True):
        subscribe(api_alice, push_service, browser, "/p")
        api_alice.put("/api/v1/reminders", {"mode": "fixed", "times": ["10:00"], "channels": ["push"]})
    # The switch is off again, as if the address had changed since subscribing (DNS rebinding):
    # the send checks again and never connects.
    assert services.run_due(due_now(alice)) == 0
    assert push_service.received == []
    bad_keys = api_alice.post("/api/v1/push/subscriptions", {"endpoint": "https://93.184.216.34/p",
                                                             "keys": {"p256dh": "AAAA", "auth": "short"}})
    assert {e["field"] for e in bad_keys.json()["errors"]} == {"keys.p256dh", "keys.auth"}


def test_devices_are_listed_removed_and_dropped_on_sign_out(alice, push_service, loopback_push) -> None:
    web = Client()
    web.force_login(alice)
    web.get("/")  # a session with a CSRF cookie, as a browser has
    browser = Browser()
    body = {"endpoint": push_service.url("/web"), "keys": browser.keys}
    added = web.post("/api/v1/push/subscriptions", body, content_type="application/json")
    assert added.status_code == 201
    assert web.post("/api/v1/push/subscriptions", body, content_type="application/json").status_code == 200
    assert [d["host"] for d in web.get("/api/v1/push/subscriptions").json()] == ["127.0.0.1"]
    page = web.get("/reminders/")
    assert b"127.0.0.1" in page.content and b"data-vapid-key" in page.content
    signed_out = web.post("/accounts/logout/")
    assert signed_out.status_code == 302 and signed_out["Clear-Site-Data"] == '"cache", "storage"'
    assert not PushSubscription.objects.exists(), "signing out there turned that device's notifications off"
    api = ApiClient(alice)
    kept = api.post("/api/v1/push/subscriptions", body).json()
    assert api.delete(f"/api/v1/push/subscriptions/{kept['id']}").status_code == 204
    api.post("/api/v1/push/subscriptions", body)
    deleted = api.client.delete("/api/v1/push/subscriptions", data={"endpoint": body["endpoint"]},
                                content_type="application/json", headers=api.headers)
    assert deleted.status_code == 204 and not PushSubscription.objects.exists()


def test_after_several_unanswered_thaw_offers_fewer_once(api_alice, alice, web_alice) -> None:
    api_alice.put("/api/v1/reminders", {**RANDOM_PLAN})
    now = timezone.now()
    for k in range(services.FEWER_AFTER):
        Prompt.objects.create(person=alice, due_at=now - timedelta(hours=5 - k),
                              expires_at=now - timedelta(hours=4 - k), sent_at=now - timedelta(hours=5 - k))
    home = web_alice.get("/").content.decode()
    assert "Would fewer reminders suit you better?" in home
    assert not re.search(r"miss|streak|failed", home, re.IGNORECASE)
    response = web_alice.post("/reminders/fewer", {"answer": "fewer"})
    assert response.status_code == 302
    assert ReminderPlan.objects.get(person=alice).windows[0]["count"] == 1
    assert "Would fewer reminders" not in web_alice.get("/").content.decode(), "offered once"


def test_reminders_that_reached_nobody_do_not_count_towards_offering_fewer(api_alice, alice, web_alice) -> None:
    api_alice.put("/api/v1/reminders", {**RANDOM_PLAN})
    now = timezone.now()
    for k in range(services.FEWER_AFTER):  # no device and no email: nothing reached the person
        Prompt.objects.create(person=alice, due_at=now - timedelta(hours=10 - k),
                              expires_at=now - timedelta(hours=9 - k), channel="none")
    assert "Would fewer reminders" not in web_alice.get("/").content.decode()
    for k in range(services.FEWER_AFTER - 1):  # four that did reach them, unanswered, are not yet several
        Prompt.objects.create(person=alice, due_at=now - timedelta(hours=4 - k), expires_at=now - timedelta(hours=3 - k),
                              sent_at=now - timedelta(hours=4 - k), channel="email")
    assert "Would fewer reminders" not in web_alice.get("/").content.decode()


def test_a_reminder_no_device_took_is_tried_again_with_growing_waits(
        api_alice, alice, push_service, loopback_push) -> None:
    subscribe(api_alice, push_service, Browser())
    api_alice.put("/api/v1/reminders", {"mode": "fixed", "times": ["08:15"], "channels": ["push"]})
    push_service.status = 500
    due = due_now(alice)
    tries = []
    for seconds in range(0, 30 * 60, 10):  # the worker's passes, every 10 s, for half an hour
        services.run_due(due + timedelta(seconds=seconds))
        tries.extend([seconds] * (len(push_service.received) - len(tries)))
    assert tries == [0, 60, 180, 420], "tried at once, then after waits of 1, 2 and 4 minutes"
    assert Prompt.objects.get(person=alice).sent_at is None
    push_service.status = 201
    services.run_due(due + timedelta(hours=2))
    assert len(push_service.received) == 4, "given up"


@override_settings(THAW_METRICS_TOKEN="metrics-token-for-tests")
def test_the_delay_of_each_reminder_sent_is_in_the_metrics(api_alice, alice) -> None:
    def scraped() -> tuple[float, float]:
        text = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-for-tests").content.decode()
        count = re.search(r"^thaw_prompt_delivery_delay_seconds_count (\S+)$", text, re.MULTILINE)
        total = re.search(r"^thaw_prompt_delivery_delay_seconds_sum (\S+)$", text, re.MULTILINE)
        return float(count.group(1)), float(total.group(1))

    api_alice.put("/api/v1/reminders", {"mode": "fixed", "times": ["08:15"], "channels": ["email"]})
    count, total = scraped()
    due = due_now(alice)
    with time_machine.travel(due + timedelta(seconds=4), tick=False):
        assert services.run_due(due + timedelta(seconds=4)) == 1
    assert scraped() == (count + 1, total + 4), "one reminder, sent 4 s after it was due"


def test_questionnaires_arrive_when_due_and_not_while_sharing_is_paused(
        api_alice, alice, carol, django_capture_on_commit_callbacks) -> None:
    from thaw.assessments.services import take
    from thaw.circle.services import set_paused
    from thaw.clinic import homework
    from thaw.clinic import services as clinic
    from thaw.clinic.models import Membership, Program

    program = Program.objects.create(name="Evening IOP", lead=carol)
    Membership.objects.create(program=program, clinician=carol)
    invite, _ = clinic.invite_person(program, carol)
    clinic.enrol(invite, alice, ["assessments", "flags"])
    with django_capture_on_commit_callbacks(execute=True):
        homework.assign(alice, program, carol, assessments={"phq9": 14})
    assert ReminderPlan.objects.filter(person=alice).first() is None, "reminders are off until the person says"
    with django_capture_on_commit_callbacks(execute=True):
        api_alice.put("/api/v1/reminders", {"mode": "off", "questionnaire_reminders": True, "channels": ["email"]})
    check_at = ReminderPlan.objects.get(person=alice).questionnaires_due_at
    assert check_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        set_paused(alice, True)
    assert ReminderPlan.objects.get(person=alice).questionnaires_due_at is None
    assert services.run_due(check_at + timedelta(hours=1)) == 0, "nothing while sharing is paused"
    with django_capture_on_commit_callbacks(execute=True):
        set_paused(alice, False)
    check_at = ReminderPlan.objects.get(person=alice).questionnaires_due_at
    local = check_at.astimezone(alice.tzinfo)
    assert 9 <= local.hour < 21, "questionnaire reminders come in the daytime"
    assert services.run_due(check_at) == 1
    run_pending(max(check_at, timezone.now()))
    prompt = Prompt.objects.get(person=alice, kind="questionnaire")
    assert prompt.instrument == "phq9" and f"/reminders/open/{prompt.id}" in mail.outbox[-1].body
    assert not REVEALING.search(mail.outbox[-1].subject + mail.outbox[-1].body)
    assert "phq" not in (mail.outbox[-1].subject + mail.outbox[-1].body).lower()
    assert services.run_due(check_at + timedelta(days=1)) == 0, "one reminder per time it comes due"
    # The link opens that questionnaire directly (after sign-in).
    web = Client()
    link = f"/reminders/open/{prompt.id}"
    assert web.get(link)["Location"].startswith("/accounts/login/?next=")
    web.force_login(alice)
    assert web.get(link, follow=True).redirect_chain[-1][0] == "/assessments/phq9/take"
    with django_capture_on_commit_callbacks(execute=True):
        take(alice, "phq9", [1] * 9)
    prompt.refresh_from_db()
    assert prompt.answered_at is not None
    next_check = ReminderPlan.objects.get(person=alice).questionnaires_due_at
    assert next_check is not None and next_check > timezone.now() + timedelta(days=13)


def test_the_reminders_page_keeps_what_was_typed_and_redirects_after_saving(web_alice, alice) -> None:
    bad = web_alice.post("/reminders/", {"mode": "random", "window_0_start": "09:00", "window_0_end": "10:00",
                                         "window_0_count": "4", "min_gap_minutes": "120", "day": ["sat"],
                                         "channel": ["email"], "message": "numbness o'clock", "expires_minutes": "60"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "numbness o&#x27;clock" in page and 'value="10:00"' in page and "Nothing was saved yet" in page
    assert not ReminderPlan.objects.filter(person=alice).exists()
    good = web_alice.post("/reminders/", {"mode": "fixed", "time": ["07:45", ""], "day": ["sat", "sun"],
                                          "channel": ["email"], "message": "Tea?", "expires_minutes": "30",
                                          "min_gap_minutes": "120", "questionnaire_reminders": "1",
                                          "questionnaire": ["who5"]})
    assert good.status_code == 302 and good["Location"] == "/reminders/"
    plan = ReminderPlan.objects.get(person=alice)
    assert (plan.times, plan.days, plan.questionnaires, plan.expires_minutes) == (["07:45"], [5, 6], ["who5"], 30)
    assert plan.next_due_at.astimezone(alice.tzinfo).weekday() in (5, 6)


def test_insights_state_the_answer_rate_and_compare_prompted_with_self_started(api_alice, alice, web_alice) -> None:
    now = timezone.now()
    prompts = [Prompt.objects.create(person=alice, due_at=now - timedelta(hours=h), sent_at=now - timedelta(hours=h),
                                     expires_at=now - timedelta(hours=h) + timedelta(minutes=60), channel="push")
               for h in (30, 20, 10, 5)]
    # Nothing could reach them for this one: not counted as sent.
    Prompt.objects.create(person=alice, due_at=now - timedelta(hours=2), sent_at=now - timedelta(hours=2),
                          expires_at=now - timedelta(hours=1), channel="none")
    for prompt, numbness in ((prompts[0], 2), (prompts[2], 4)):
        made = api_alice.post("/api/v1/checkins", checkin_body(
            numbness=numbness, prompt_id=str(prompt.id), at=(prompt.due_at + timedelta(minutes=5)).isoformat()))
        assert made.json()["prompt_id"] == str(prompt.id)
    for numbness in (8, 9, None):
        api_alice.post("/api/v1/checkins", checkin_body(numbness=numbness))
    stated = api_alice.get("/api/v1/insights").json()["reminders"]
    assert stated == {"sent": 4, "answered": 2, "answer_rate": 0.5,
                      "prompted": {"n": 2, "n_rated": 2, "mean_numbness": 3.0},
                      "self_started": {"n": 3, "n_rated": 2, "mean_numbness": 8.5}}
    page = web_alice.get("/insights/").content.decode()
    assert "you answered 2 (50%)" in page and "3.0 (from 2 rated)" in page and "8.5 (from 2 rated)" in page
    assert not re.search(r"missed|streak", page, re.IGNORECASE), "never guilt"
