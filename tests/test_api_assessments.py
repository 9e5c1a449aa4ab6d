"""The assessments API and pages; the safety path when an answer shows risk."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import ApiClient
from thaw.assessments.models import Assessment
from thaw.audit.models import AuditEvent
from thaw.safety.models import RiskFlag

pytestmark = pytest.mark.django_db


def take(api: ApiClient, instrument: str, answers: list) -> dict:
    response = api.post("/api/v1/assessments", {"instrument": instrument, "answers": answers})
    assert response.status_code == 201, response.content
    return response.json()


def test_take_phq9_returns_score_band_and_no_change_first(api_alice: ApiClient) -> None:
    body = take(api_alice, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])
    assert body["instrument"] == "phq9" and body["score"] == 8 and body["band"] == "mild"
    assert body["crisis"] is False and body["resources"] == [] and body["change"] is None
    assert body["subscores"]["phq2"] == 2
    assert set(body) >= {"id", "instrument", "score", "band", "subscores", "crisis", "resources", "change"}


def test_change_status_across_takes(api_alice: ApiClient) -> None:
    take(api_alice, "phq9", [3, 3, 3, 3, 3, 3, 2, 0, 0])  # 20
    second = take(api_alice, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])  # 8
    assert second["change"] == {"previous_score": 20, "delta": -12, "status": "recovered", "clinically_meaningful": True}
    third = take(api_alice, "phq9", [2, 2, 2, 2, 2, 2, 2, 1, 0])  # 15
    assert third["change"] == {"previous_score": 8, "delta": 7, "status": "deteriorated", "clinically_meaningful": True}
    fourth = take(api_alice, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 1])  # 9: 6 points, under the threshold of 7
    assert fourth["change"] == {"previous_score": 15, "delta": -6, "status": "no reliable change",
                                "clinically_meaningful": True}


def test_item_9_triggers_crisis_flag_and_resources(api_alice: ApiClient, alice) -> None:
    body = take(api_alice, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert body["crisis"] is True and body["score"] == 1
    assert any("988" in r["how"] for r in body["resources"])
    flag = RiskFlag.objects.get(person=alice)
    assert flag.source == "assessment" and flag.source_id == body["id"] and "PHQ-9" in flag.reason
    assert AuditEvent.objects.filter(person=alice, action="risk_flag.raised").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "phq9", "answers": [0] * 8}, "answers"),
        ({"instrument": "phq9", "answers": [0] * 8 + [4]}, "answers.8"),
        ({"instrument": "phq9", "answers": [0] * 8 + [1.0]}, "answers.8"),
        ({"instrument": "phq9", "answers": [0] * 8 + ["1"]}, "answers.8"),
        ({"instrument": "cssrs", "answers": [0]}, "instrument"),
        ({"instrument": "phq9"}, "answers"),
        ({"instrument": "phq9", "answers": "0,0,0"}, "answers"),
        ({"instrument": "phq9", "answers": [0] * 9, "extra": 1}, "extra"),
        ({"instrument": 9, "answers": [0] * 9}, "instrument"),
    ],
)
def test_bad_assessments_are_refused_and_nothing_is_stored(api_alice: ApiClient, body: dict, field: str) -> None:
    response = api_alice.post("/api/v1/assessments", body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Assessment.objects.count() == 0 and RiskFlag.objects.count() == 0


def test_list_filters_by_instrument_and_is_private(api_alice: ApiClient, api_bob: ApiClient) -> None:
    take(api_alice, "phq9", [0] * 9)
    gad = take(api_alice, "gad7", [1] * 7)
    listed = api_alice.get("/api/v1/assessments", instrument="gad7").json()["items"]
    assert [a["id"] for a in listed] == [gad["id"]]
    assert len(api_alice.get("/api/v1/assessments").json()["items"]) == 2
    assert api_bob.get("/api/v1/assessments").json()["items"] == []
    assert api_bob.get(f"/api/v1/assessments/{gad['id']}").status_code == 404
    assert api_alice.get(f"/api/v1/assessments/{gad['id']}").json()["score"] == 7
    assert api_alice.get("/api/v1/assessments", instrument="nope").status_code == 422


def test_anonymous_gets_401_but_can_read_instruments(api_anon: ApiClient) -> None:
    assert api_anon.get("/api/v1/assessments").status_code == 401
    assert api_anon.post("/api/v1/assessments", {"instrument": "phq9", "answers": [0] * 9}).status_code == 401
    instruments = api_anon.get("/api/v1/instruments").json()
    assert [i["id"] for i in instruments] == ["phq9", "gad7", "pcl5", "who5", "auditc"]
    assert instruments[0]["items"][0]["options"][3] == {"value": 3, "label": "Nearly every day"}


def test_web_flow_one_question_per_screen(web_alice: Client, alice) -> None:
    page = web_alice.get("/assessments/gad7/take").content.decode()
    assert "question 1 of 7" in page and "Feeling nervous, anxious, or on edge" in page
    answers: list[str] = []
    for n in range(7):
        response = web_alice.post("/assessments/gad7/take", {"a": answers, "choice": "2"})
        answers.append("2")
        assert response.status_code == 302, "every answer redirects: Back and reload never send it again"
        if n < 6:
            assert response["Location"] == "/assessments/gad7/take"
            assert f"question {n + 2} of 7" in web_alice.get(response["Location"]).content.decode()
            assert f"question {n + 2} of 7" in web_alice.get(response["Location"]).content.decode(), "a reload too"
    result = Assessment.objects.get(person=alice)
    assert result.score == 14 and result.band == "moderate"
    page = web_alice.get(response["Location"]).content.decode()
    assert "not a diagnosis" in page and "moderate" in page
    # Back from the result: the questionnaire starts afresh, and nothing is stored twice.
    assert "question 1 of 7" in web_alice.get("/assessments/gad7/take").content.decode()
    assert Assessment.objects.filter(person=alice).count() == 1


def test_answers_in_progress_are_sealed_in_the_session(web_alice: Client) -> None:
    from django.contrib.sessions.models import Session

    web_alice.post("/assessments/pcl5/take", {"step": "anchor", "anchor": "the night of the fire"})
    web_alice.post("/assessments/pcl5/take", {"step": "item", "started": "1", "anchor": "the night of the fire",
                                              "choice": "3"})
    stored = Session.objects.get(session_key=web_alice.session.session_key).get_decoded()
    sealed = stored["thaw.vault:assessment:pcl5"]
    assert sealed.startswith("enc1:") and "fire" not in sealed
    page = web_alice.get("/assessments/pcl5/take").content.decode()
    assert "question 2 of 20" in page and 'value="the night of the fire"' in page


def test_web_flow_back_and_missing_answer(web_alice: Client) -> None:
    missing = web_alice.post("/assessments/phq9/take", {"a": ["1", "2"]})
    assert missing.status_code == 422 and "Choose one of the answers" in missing.content.decode()
    assert "question 3 of 9" in missing.content.decode()
    back = web_alice.post("/assessments/phq9/take", {"a": ["1", "2"], "back": "1"}, follow=True).content.decode()
    assert "question 2 of 9" in back and 'value="2" checked' in back
    tampered = web_alice.post("/assessments/phq9/take", {"a": ["9"], "choice": "1"})
    assert tampered.status_code == 422 and "starts again" in tampered.content.decode()
    assert Assessment.objects.count() == 0


def test_web_crisis_screen_comes_before_the_score(web_alice: Client) -> None:
    answers = ["0"] * 8
    response = web_alice.post("/assessments/phq9/take", {"a": answers, "choice": "2"})
    assert response.status_code == 302 and response["Location"].startswith("/help/?from=assessment")
    page = web_alice.get(response["Location"]).content.decode()
    assert "988" in page and "not an emergency service" in page and "Continue to your results" in page
    assert "Your PHQ-9 result" not in page


def test_results_page_with_chart_and_someone_elses_result_is_404(web_alice: Client, web_bob: Client, alice) -> None:
    for answers in ([3] * 7, [1] * 7):
        ApiClient(alice).post("/api/v1/assessments", {"instrument": "gad7", "answers": answers})
    page = web_alice.get("/assessments/gad7/").content.decode()
    assert "<svg" in page and page.count('class="dot"') == 2 and "recovered" in page
    result_id = Assessment.objects.filter(person=alice).first().id
    assert web_bob.get(f"/assessments/result/{result_id}/").status_code == 404
    bobs = web_bob.get("/assessments/gad7/").content.decode()
    assert "No results yet." in bobs and 'class="dot"' not in bobs and "recovered" not in bobs
    assert web_alice.get("/assessments/nonsense/").status_code == 404


def test_due_dates_follow_the_cadence(web_alice: Client, alice) -> None:
    ApiClient(alice).post("/api/v1/assessments", {"instrument": "phq9", "answers": [0] * 9})
    page = web_alice.get("/assessments/").content.decode()
    assert "Next suggested on" in page and "Not taken yet." in page


def test_report_page_and_pdf(web_alice: Client, alice) -> None:
    ApiClient(alice).post("/api/v1/assessments", {"instrument": "phq9", "answers": [2] * 9})
    ApiClient(alice).post("/api/v1/checkins", {"emotions": [{"word": "numb", "intensity": 7}], "numbness": 8})
    page = web_alice.get("/report/?weeks=4").content.decode()
    assert "PHQ-9" in page and "18/27" in page and "average numbness 8.0" in page
    pdf = web_alice.get("/report.pdf?weeks=4")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 1000
    assert web_alice.get("/report/?weeks=lots").status_code == 200


# --- the published rules, end to end (issue 12) ---------------------------------------------

def pdf_text(data: bytes) -> bytes:
    """The text drawn in a PDF made by fpdf2 (its page streams are zlib-compressed)."""
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    return b"".join(chunks)


def test_every_result_carries_the_rule_fields(api_alice: ApiClient) -> None:
    body = take(api_alice, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2])  # 10: at the cut-off
    assert body["above_cutoff"] is True and body["cutoff"] == 10 and body["rules_version"] == 2
    assert body["dsm5_clusters_met"] is None and body["item_rule_met"] is None and body["band"] == "moderate"
    assert body["summary"] and body["difficulty"] is None and body["worst_event"] is None
    body = take(api_alice, "gad7", [1, 1, 1, 1, 1, 1, 3])  # 9: "mild", below the cut-off of 10
    assert (body["band"], body["above_cutoff"], body["cutoff"]) == ("mild", False, 10)


def test_pcl5_names_both_the_cutoff_and_the_cluster_pattern(api_alice: ApiClient) -> None:
    both = take(api_alice, "pcl5", [2] * 20)
    assert both["dsm5_clusters_met"] is True and both["above_cutoff"] is True and both["band"] == "probable PTSD"
    assert both["clusters"]["D"] == {"endorsed": 7, "needed": 2, "met": True}
    no_b = take(api_alice, "pcl5", [1] * 5 + [4] * 15)  # 65, but no intrusion symptom at "Moderately" or more
    assert no_b["above_cutoff"] is True and no_b["dsm5_clusters_met"] is False
    assert no_b["band"] == "above cut-off; pattern not met" and "probable PTSD" not in no_b["band"]
    assert "33" in no_b["summary"] and "not a probable-PTSD result" in no_b["summary"]
    listed = api_alice.get("/api/v1/assessments", instrument="pcl5").json()["items"]
    assert [a["dsm5_clusters_met"] for a in listed] == [False, True]


def test_who5_single_item_rule_in_the_result(api_alice: ApiClient) -> None:
    body = take(api_alice, "who5", [5, 5, 5, 5, 1])  # 84: well above 50, but one answer "Some of the time"
    assert body["item_rule_met"] is True and body["above_cutoff"] is False and body["score"] == 84
    assert "reason to check for depression" in body["summary"]
    assert take(api_alice, "who5", [3, 3, 3, 3, 3])["item_rule_met"] is False


def test_auditc_cutoff_follows_the_persons_answer(api_alice: ApiClient, alice) -> None:
    assert api_alice.get("/api/v1/me").json()["screening_sex"] is None
    first = take(api_alice, "auditc", [1, 1, 1])
    assert (first["cutoff"], first["above_cutoff"], first["band"]) == (3, True, "positive screen")
    assert "used when sex is not given" in first["summary"]
    assert api_alice.patch("/api/v1/me", {"screening_sex": "male"}).json()["screening_sex"] == "male"
    men = take(api_alice, "auditc", [1, 2, 0])  # 3 again (other answers: the same ones twice count once)
    assert (men["cutoff"], men["above_cutoff"], men["band"]) == (4, False, "below the screening cut-off")
    assert take(api_alice, "auditc", [2, 1, 1])["above_cutoff"] is True
    api_alice.patch("/api/v1/me", {"screening_sex": "female"})
    assert take(api_alice, "auditc", [1, 0, 2])["cutoff"] == 3
    assert api_alice.get(f"/api/v1/assessments/{men['id']}").json()["cutoff"] == 4, "stored, not re-scored"


def test_site_cutoff_is_an_override_only(api_alice: ApiClient, settings) -> None:
    api_alice.patch("/api/v1/me", {"screening_sex": "female"})
    settings.THAW_AUDIT_C_CUTOFF = 5
    body = take(api_alice, "auditc", [2, 1, 1])
    assert (body["cutoff"], body["above_cutoff"]) == (5, False) and "set for everyone" in body["summary"]


@pytest.mark.parametrize("answers", [[0], [0, 0, 0]])
def test_auditc_never_skips_questions_2_and_3(api_alice: ApiClient, alice, answers: list[int]) -> None:
    body = take(api_alice, "auditc", answers)
    assert body["score"] == 0 and body["above_cutoff"] is False
    assert Assessment.objects.get(person=alice).answers == [0]


@pytest.mark.parametrize(("body", "field"), [
    ({"instrument": "auditc", "answers": [0, 1, 0]}, "answers.1"),
    ({"instrument": "auditc", "answers": [1]}, "answers"),
    ({"instrument": "phq9", "answers": [1] * 9, "difficulty": 4}, "difficulty"),
    ({"instrument": "phq9", "answers": [1] * 9, "difficulty": "very"}, "difficulty"),
    ({"instrument": "gad7", "answers": [1] * 7, "difficulty": 1}, "difficulty"),
    ({"instrument": "phq9", "answers": [1] * 9, "worst_event": "the flood"}, "worst_event"),
    ({"instrument": "pcl5", "answers": [1] * 20, "worst_event": "x" * 301}, "worst_event"),
    ({"instrument": "pcl5", "answers": [1] * 20, "worst_event": 12}, "worst_event"),
    ({"instrument": "pcl5", "answers": [1] * 20, "worst_event": "a\x00b"}, "worst_event"),
])
def test_bad_rule_inputs_are_refused_and_nothing_is_stored(api_alice: ApiClient, body: dict, field: str) -> None:
    response = api_alice.post("/api/v1/assessments", body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Assessment.objects.count() == 0


def test_a_lone_surrogate_in_the_anchor_is_refused(api_alice: ApiClient) -> None:
    raw = '{"instrument": "pcl5", "answers": [' + ", ".join(["1"] * 20) + '], "worst_event": "\\ud800"}'
    response = api_alice.post("/api/v1/assessments", raw=raw)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "worst_event"
    assert Assessment.objects.count() == 0


def test_phq9_difficulty_is_stored_unscored_and_reported(api_alice: ApiClient, web_alice: Client) -> None:
    plain = take(api_alice, "phq9", [1] * 8 + [0])
    answered = api_alice.post("/api/v1/assessments", {"instrument": "phq9", "answers": [2] * 8 + [0],
                                                      "difficulty": 2}).json()
    assert answered["difficulty"] == {"value": 2, "label": "Very difficult"} and answered["score"] == 16
    assert plain["difficulty"] is None
    page = web_alice.get("/report/?weeks=4").content.decode()
    assert "Very difficult" in page and "not part of the score" in page
    pdf = web_alice.get("/report.pdf?weeks=4")
    assert b"Very difficult" in pdf_text(pdf.content) and b"not part of the score" in pdf_text(pdf.content)


def test_pcl5_anchor_is_private_encrypted_and_exported(api_alice: ApiClient, api_bob: ApiClient, alice) -> None:
    from django.db import connection

    from thaw import crypto

    body = api_alice.post("/api/v1/assessments", {"instrument": "pcl5", "answers": [1] * 20,
                                                  "worst_event": "  the river crossing  "}).json()
    assert body["worst_event"] == "the river crossing"
    with connection.cursor() as cursor:
        cursor.execute("SELECT worst_event FROM assessments_assessment")
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:") and "river" not in stored
    assert ("worst_event" in dict((m.__name__, f) for m, f in crypto.encrypted_fields())["Assessment"])
    assert api_bob.get(f"/api/v1/assessments/{body['id']}").status_code == 404
    exported = api_alice.get("/api/v1/export").content.decode()
    assert "the river crossing" in exported


def test_crisis_words_in_the_anchor_show_help(api_alice: ApiClient, alice) -> None:
    body = api_alice.post("/api/v1/assessments", {"instrument": "pcl5", "answers": [0] * 20,
                                                  "worst_event": "I want to kill myself"}).json()
    assert body["crisis"] is True and body["resources"]
    flag = RiskFlag.objects.get(person=alice)
    assert flag.kind == "crisis_language" and flag.source_id == body["id"]


def test_older_results_keep_their_rules_version_and_are_not_rescored(api_alice: ApiClient, web_alice: Client,
                                                                     alice) -> None:
    # Under the first rules GAD-7 12 -> 7 was "recovered" (threshold 4, cut-off 8); under the
    # published rules it is "no reliable change". The stored result keeps what produced it.
    from datetime import timedelta

    from django.utils import timezone

    weeks_ago = timezone.now() - timedelta(weeks=3)
    Assessment.objects.create(person=alice, instrument="gad7", answers=[2, 2, 2, 2, 2, 1, 1], score=12,
                              band="moderate", rules_version=1, taken_at=weeks_ago, created_at=weeks_ago)
    old = Assessment.objects.create(person=alice, instrument="gad7", answers=[1, 1, 1, 1, 1, 1, 1], score=7,
                                    band="mild", previous_score=12, change_status="recovered", rules_version=1,
                                    taken_at=weeks_ago + timedelta(days=14), created_at=weeks_ago + timedelta(days=14))
    body = api_alice.get(f"/api/v1/assessments/{old.id}").json()
    assert body["rules_version"] == 1 and body["change"]["status"] == "recovered" and body["above_cutoff"] is None
    assert "first rules" in body["summary"]
    page = web_alice.get("/assessments/gad7/").content.decode()
    assert "rules v1" in page and "never re-scored" in page and "(recovered)" in page
    result = web_alice.get(f"/assessments/result/{old.id}/").content.decode()
    assert 'id="rules-version"' in result and "Recovered:" in result, "shown as it was scored, and says so"
    new = take(api_alice, "gad7", [1, 1, 1, 1, 1, 1, 1])
    assert new["rules_version"] == 2 and new["change"]["status"] == "no reliable change"
    old.refresh_from_db()
    assert (old.change_status, old.rules_version) == ("recovered", 1)


# --- the web forms (issue 12) ----------------------------------------------------------------

def test_web_auditc_asks_the_cutoff_once_and_skips_after_never(web_alice: Client, alice) -> None:
    page = web_alice.get("/assessments/auditc/take").content.decode()
    assert "which cut-off applies to you" in page and "Prefer not to say" in page
    page = web_alice.post("/assessments/auditc/take", {"step": "sex", "choice": "male"}, follow=True).content.decode()
    assert "question 1 of 3" in page
    alice.refresh_from_db()
    assert alice.screening_sex == "male" and alice.screening_sex_answered_at is not None
    done = web_alice.post("/assessments/auditc/take", {"step": "item", "choice": "0"})
    assert done.status_code == 302, "a “Never” ends the AUDIT-C: questions 2 and 3 are not asked"
    result = Assessment.objects.get(person=alice)
    assert (result.answers, result.score, result.findings["cutoff"]) == ([0], 0, 4)
    again = web_alice.get("/assessments/auditc/take").content.decode()
    assert "which cut-off applies to you" not in again and "question 1 of 3" in again
    tampered = web_alice.post("/assessments/auditc/take", {"step": "item", "a": ["0", "1"], "choice": "1"})
    assert tampered.status_code == 422 and "starts again" in tampered.content.decode()


def test_web_auditc_prefer_not_to_say_uses_3(web_alice: Client, alice) -> None:
    web_alice.post("/assessments/auditc/take", {"step": "sex", "choice": ""})
    alice.refresh_from_db()
    assert alice.screening_sex == "" and alice.screening_sex_answered_at is not None
    for n, choice in enumerate(["1", "1"]):
        web_alice.post("/assessments/auditc/take", {"step": "item", "a": ["1"] * n, "choice": choice})
    response = web_alice.post("/assessments/auditc/take", {"step": "item", "a": ["1", "1"], "choice": "1"})
    assert response.status_code == 302
    page = web_alice.get(response["Location"]).content.decode()
    assert "positive screen" in page and "The cut-off that applies to you is 3" in page


def test_web_pcl5_offers_the_anchor_and_shows_the_clusters(web_alice: Client, alice) -> None:
    page = web_alice.get("/assessments/pcl5/take").content.decode()
    assert "Before you start" in page and "Optional and private" in page and 'name="anchor"' in page
    page = web_alice.post("/assessments/pcl5/take", {"step": "anchor", "anchor": "the crash"}, follow=True).content.decode()
    assert "question 1 of 20" in page and 'value="the crash"' in page
    back = web_alice.post("/assessments/pcl5/take", {"step": "item", "started": "1", "anchor": "the crash",
                                                     "back": "1"}, follow=True).content.decode()
    assert "Before you start" in back and ">the crash</textarea>" in back
    too_long = web_alice.post("/assessments/pcl5/take", {"step": "anchor", "anchor": "y" * 301})
    assert too_long.status_code == 422 and "Before you start" in too_long.content.decode()
    answers = ["2"] * 19
    done = web_alice.post("/assessments/pcl5/take", {"step": "item", "started": "1", "anchor": "the crash",
                                                     "a": answers, "choice": "2"})
    assert done.status_code == 302
    result = Assessment.objects.get(person=alice)
    assert result.worst_event == "the crash" and result.band == "probable PTSD"
    page = web_alice.get(done["Location"]).content.decode()
    assert 'id="dsm5-clusters"' in page and "the crash" in page and "33" in page


def test_web_phq9_asks_the_difficulty_question_last(web_alice: Client, alice) -> None:
    answers = ["1"] * 8
    page = web_alice.post("/assessments/phq9/take", {"step": "item", "a": answers, "choice": "0"},
                          follow=True).content.decode()
    assert "how difficult have these problems made it" in page and "Skip this question" in page
    missing = web_alice.post("/assessments/phq9/take", {"step": "difficulty", "a": answers + ["0"]})
    assert missing.status_code == 422 and "skip this question" in missing.content.decode()
    done = web_alice.post("/assessments/phq9/take", {"step": "difficulty", "a": answers + ["0"], "choice": "1"})
    assert done.status_code == 302 and Assessment.objects.get(person=alice).difficulty == 1
    assert "Somewhat difficult" in web_alice.get(done["Location"]).content.decode()
    skipped = web_alice.post("/assessments/phq9/take", {"step": "difficulty", "a": ["2"] * 8 + ["0"], "skip": "1"})
    assert skipped.status_code == 302
    assert Assessment.objects.filter(person=alice, difficulty__isnull=True).count() == 1
    none = web_alice.post("/assessments/phq9/take", {"step": "item", "a": ["0"] * 8, "choice": "0"})
    assert none.status_code == 302, "no problem checked: the difficulty question is not asked"


def test_settings_page_asks_the_screening_question(web_alice: Client, alice) -> None:
    page = web_alice.get("/settings/").content.decode()
    assert "For alcohol screening, which cut-off applies to you?" in page
    response = web_alice.post("/settings/", {"display_name": "", "timezone": "Europe/London", "crisis_region": "",
                                             "screening_sex": "female"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.screening_sex == "female" and alice.screening_sex_answered_at is not None
    bad = web_alice.post("/settings/", {"timezone": "Europe/London", "screening_sex": "other"})
    assert bad.status_code == 422 and "Select a valid choice" in bad.content.decode()
