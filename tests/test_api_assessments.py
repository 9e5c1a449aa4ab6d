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
    assert second["change"] == {"previous_score": 20, "delta": -12, "status": "recovered"}
    third = take(api_alice, "phq9", [2, 2, 2, 2, 2, 2, 2, 1, 0])  # 15
    assert third["change"] == {"previous_score": 8, "delta": 7, "status": "deteriorated"}


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
        if n < 6:
            assert f"question {n + 2} of 7" in response.content.decode()
    assert response.status_code == 302
    result = Assessment.objects.get(person=alice)
    assert result.score == 14 and result.band == "moderate"
    page = web_alice.get(response["Location"]).content.decode()
    assert "not a diagnosis" in page and "moderate" in page


def test_web_flow_back_and_missing_answer(web_alice: Client) -> None:
    missing = web_alice.post("/assessments/phq9/take", {"a": ["1", "2"]})
    assert missing.status_code == 422 and "Choose one of the answers" in missing.content.decode()
    assert "question 3 of 9" in missing.content.decode()
    back = web_alice.post("/assessments/phq9/take", {"a": ["1", "2"], "back": "1"}).content.decode()
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
    assert "severe" not in web_bob.get("/assessments/gad7/").content.decode()
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
