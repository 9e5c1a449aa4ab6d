"""The check-in pages: one-tap, full form, body-first, edit, delete, history; isolation."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from thaw.checkins.models import CheckIn
from thaw.checkins.services import create_checkin

pytestmark = pytest.mark.django_db


def post_form(client: Client, url: str = "/checkin/", **fields):
    data = {"intensity": "5", "numbness": "6", "note": "", "at": "", "new_tags": ""}
    data.update(fields)
    return client.post(url, data)


def test_pages_need_sign_in(client: Client) -> None:
    for url in ("/checkin/", "/checkins/", "/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/checkin/quick", {"choice": "numb"}).status_code == 302
    assert CheckIn.objects.count() == 0


def test_welcome_page_for_visitors(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "Create an account" in page and "not an emergency service" in page


def test_one_tap_checkin(web_alice: Client, alice) -> None:
    response = web_alice.post("/checkin/quick", {"choice": "numb"})
    checkin = CheckIn.objects.get(person=alice)
    assert response.status_code == 302 and str(checkin.id) in response["Location"]
    assert checkin.words == ["numb"] and checkin.numbness == 8 and checkin.source == "quick"


def test_one_tap_with_htmx_returns_a_fragment(web_alice: Client) -> None:
    response = web_alice.post("/checkin/quick", {"choice": "too-much"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Saved: Too much" in response.content and b"<html" not in response.content
    assert CheckIn.objects.get().words == ["overwhelmed"]


def test_unknown_one_tap_choice_saves_nothing(web_alice: Client) -> None:
    web_alice.post("/checkin/quick", {"choice": "elated-ish"})
    assert CheckIn.objects.count() == 0


def test_full_form_with_per_word_intensity_tags_and_note(web_alice: Client, alice) -> None:
    response = post_form(
        web_alice, word=["lonely", "tired"], **{"intensity:lonely": "8"}, tag=["work"], new_tags="night shift, Commute",
        body=["chest/tight"], note="Quiet evening.",
    )
    assert response.status_code == 302
    checkin = CheckIn.objects.get(person=alice)
    assert [(e.word, e.intensity) for e in checkin.emotions.all()] == [("lonely", 8), ("tired", 5)]
    assert checkin.tags == ["commute", "night shift", "work"]
    assert checkin.body == ["chest/tight"] and checkin.note == "Quiet evening." and checkin.numbness == 6


def test_form_without_a_word_is_refused_and_keeps_what_was_typed(web_alice: Client) -> None:
    response = post_form(web_alice, note="I typed this carefully", new_tags="my own tag", numbness="9")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Pick at least one word" in page
    assert "I typed this carefully" in page and 'value="my own tag"' in page
    assert 'value="9"' in page
    assert CheckIn.objects.count() == 0


def test_form_with_a_future_time_is_refused(web_alice: Client) -> None:
    response = post_form(web_alice, word=["calm"], at="2999-01-01T10:00", note="keep me")
    assert response.status_code == 422
    assert "in the future" in response.content.decode() and "keep me" in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_body_first_path_preselects_not_sure(web_alice: Client) -> None:
    page = web_alice.get("/checkin/?start=body").content.decode()
    assert re.search(r'value="not sure"[^>]* checked', page)
    assert page.index("Where do you feel it in your body?") < page.index("What are you feeling?")
    response = post_form(web_alice, word=["not sure"], body=["stomach/heavy", "everywhere/absent"], start="body")
    assert response.status_code == 302
    assert CheckIn.objects.get().body == ["stomach/heavy", "everywhere/absent"]


def test_edit_and_delete_own_checkin(web_alice: Client, alice) -> None:
    checkin = create_checkin(alice, {"emotions": [{"word": "sad", "intensity": 4}], "numbness": 3, "note": "first"})
    page = web_alice.get(f"/checkins/{checkin.id}/").content.decode()
    assert "first" in page and 'value="sad"' in page
    original_at = checkin.at
    response = post_form(
        web_alice, f"/checkins/{checkin.id}/", word=["sad", "hopeful"], numbness="2", note="changed",
        at=page.split('name="at_original" value="')[1].split('"')[0],
        at_original=page.split('name="at_original" value="')[1].split('"')[0],
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.words == ["sad", "hopeful"] and checkin.note == "changed" and checkin.numbness == 2
    assert checkin.at == original_at, "an unchanged time keeps its seconds"
    assert web_alice.get(f"/checkins/{checkin.id}/delete").status_code == 200
    assert web_alice.post(f"/checkins/{checkin.id}/delete").status_code == 302
    assert not CheckIn.objects.filter(pk=checkin.id).exists()


def test_someone_elses_checkin_pages_answer_404(web_bob: Client, alice) -> None:
    checkin = create_checkin(alice, {"emotions": [{"word": "sad", "intensity": 4}], "numbness": 3, "note": "private"})
    for method, url in (("get", f"/checkins/{checkin.id}/"), ("post", f"/checkins/{checkin.id}/"),
                        ("get", f"/checkins/{checkin.id}/delete"), ("post", f"/checkins/{checkin.id}/delete")):
        response = getattr(web_bob, method)(url, {"numbness": "0", "word": ["calm"]} if method == "post" else None)
        assert response.status_code == 404, url
        assert b"private" not in response.content
    history = web_bob.get("/checkins/").content.decode()
    assert "private" not in history and "No check-ins yet" in history
    assert CheckIn.objects.get(pk=checkin.id).note == "private"


def test_history_filters_by_word_tag_and_date(web_alice: Client, alice) -> None:
    create_checkin(alice, {"emotions": [{"word": "sad", "intensity": 4}], "numbness": 3, "tags": ["work"],
                           "note": "sad-at-work", "at": "2026-02-01T12:00:00Z"})
    create_checkin(alice, {"emotions": [{"word": "calm", "intensity": 4}], "numbness": 1, "tags": ["home"],
                           "note": "calm-at-home", "at": "2026-02-03T12:00:00Z"})
    def shown(**params) -> str:
        return web_alice.get("/checkins/", params).content.decode()
    assert "sad-at-work" in shown(word="sad") and "calm-at-home" not in shown(word="sad")
    assert "calm-at-home" in shown(tag="home") and "sad-at-work" not in shown(tag="home")
    by_date = shown(**{"from": "2026-02-02", "to": "2026-02-04"})
    assert "calm-at-home" in by_date and "sad-at-work" not in by_date
    assert "No check-ins match" in shown(word="furious")
    assert web_alice.get("/checkins/", {"word": "a\x00b", "from": "not-a-date"}).status_code == 200


def test_history_pages_older_entries(web_alice: Client, alice) -> None:
    for day in range(1, 29):
        for hour in (8, 20):
            create_checkin(alice, {"emotions": [{"word": "calm", "intensity": 2}], "numbness": 1,
                                   "at": f"2026-02-{day:02d}T{hour:02d}:00:00Z"})
    first = web_alice.get("/checkins/").content.decode()
    assert first.count('class="entry"') == 50 and "Older check-ins" in first
    older_link = first.split('href="?')[1].split('"')[0].replace("&amp;", "&")
    second = web_alice.get("/checkins/?" + older_link).content.decode()
    assert second.count('class="entry"') == 6 and "Older check-ins" not in second


def test_emotion_words_page_lists_definitions(client: Client) -> None:
    page = client.get("/emotions/").content.decode()
    assert "shut down" in page and "Numb / shut down" in page


def test_double_tap_on_one_tap_saves_once(web_alice: Client, alice) -> None:
    first = web_alice.post("/checkin/quick", {"choice": "heavy"})
    second = web_alice.post("/checkin/quick", {"choice": "heavy"})
    assert CheckIn.objects.filter(person=alice).count() == 1
    assert first["Location"] == second["Location"]
    web_alice.post("/checkin/quick", {"choice": "okay"})
    assert CheckIn.objects.filter(person=alice).count() == 2, "a different button is a new check-in"


def test_one_tap_fragment_refreshes_recent_list(web_alice: Client) -> None:
    fragment = web_alice.post("/checkin/quick", {"choice": "numb"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="recent" hx-swap-oob="true"' in fragment and "numbness 8/10" in fragment


def test_body_sensations_are_shown_and_open_on_edit(web_alice: Client, alice) -> None:
    checkin = create_checkin(alice, {"emotions": [{"word": "not sure", "intensity": 0}], "numbness": 5,
                                     "body": ["chest/tight"]})
    assert "Chest: tight" in web_alice.get("/checkins/").content.decode()
    edit = web_alice.get(f"/checkins/{checkin.id}/").content.decode()
    chest = edit.split("<summary>Chest</summary>")[0].rsplit("<details", 1)[1]
    assert "open" in chest


def test_form_errors_are_sentences_with_focusable_targets(web_alice: Client) -> None:
    page = post_form(web_alice, word=["calm"], at="2999-01-01T10:00").content.decode()
    assert "The time is in the future" in page and 'href="#at"' in page
    page = post_form(web_alice).content.decode()
    assert 'href="#first-word"' in page and 'id="first-word"' in page


def test_signup_keeps_the_device_time_zone(client: Client) -> None:
    from thaw.accounts.models import User

    response = client.post("/accounts/signup/", {"email": "tz@example.org", "password1": "a calm, long passphrase",
                                                 "password2": "a calm, long passphrase", "timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert User.objects.get(email="tz@example.org").timezone == "Asia/Tokyo"
    client.post("/accounts/logout/")
    client.post("/accounts/signup/", {"email": "tz2@example.org", "password1": "a calm, long passphrase",
                                      "password2": "a calm, long passphrase", "timezone": "Mars/Olympus"})
    assert User.objects.get(email="tz2@example.org").timezone == "UTC"


def test_use_device_time_zone_notice(web_alice: Client, alice) -> None:
    page = web_alice.get("/").content.decode()
    assert 'id="tz-notice"' in page and 'data-timezone="UTC"' in page
    web_alice.post("/settings/timezone", {"timezone": "Europe/Paris", "next": "/checkins/"})
    alice.refresh_from_db()
    assert alice.timezone == "Europe/Paris"
    response = web_alice.post("/settings/timezone", {"timezone": "Nowhere/Land", "next": "https://evil.example/"})
    alice.refresh_from_db()
    assert alice.timezone == "Europe/Paris" and response["Location"] == "/"


def test_history_explains_impossible_date_filters(web_alice: Client) -> None:
    page = web_alice.get("/checkins/", {"from": "2026-03-10", "to": "2026-03-01"}).content.decode()
    assert "after the “To” date" in page
    assert "is not a date" in web_alice.get("/checkins/", {"from": "yesterday"}).content.decode()


# --- numbness the person never gave is not saved ---------------------------------------------

@pytest.mark.parametrize("choice", ["heavy", "okay", "too-much"])
def test_one_tap_without_a_numbness_meaning_saves_not_rated(web_alice: Client, alice, choice: str) -> None:
    web_alice.post("/checkin/quick", {"choice": choice})
    checkin = CheckIn.objects.get(person=alice)
    assert checkin.numbness is None
    history = web_alice.get("/checkins/").content.decode()
    assert "numbness not rated" in history and "numbness None" not in history


def test_form_saved_without_touching_the_slider_saves_not_rated(web_alice: Client, alice) -> None:
    page = web_alice.get("/checkin/").content.decode()
    # A new form starts "not rated"; the slider only rests in the middle.
    assert re.search(r'id="numbness_unrated"[^>]*checked', page)
    # The browser sends the slider's resting value whatever happens, and "not rated" with it.
    post_form(web_alice, word=["tired"], numbness="5", numbness_unrated="1")
    assert CheckIn.objects.get(person=alice).numbness is None


def test_form_with_the_slider_rated_saves_the_number_and_edit_shows_it(web_alice: Client, alice) -> None:
    post_form(web_alice, word=["tired"], numbness="5")
    checkin = CheckIn.objects.get(person=alice)
    assert checkin.numbness == 5
    page = web_alice.get(f"/checkins/{checkin.id}/").content.decode()
    assert not re.search(r'id="numbness_unrated"[^>]*checked', page) and 'name="numbness" value="5"' in page
    # Ticking "not rated" on edit takes the rating back.
    post_form(web_alice, f"/checkins/{checkin.id}/", word=["tired"], numbness="5", numbness_unrated="1")
    checkin.refresh_from_db()
    assert checkin.numbness is None
    page = web_alice.get(f"/checkins/{checkin.id}/").content.decode()
    assert re.search(r'id="numbness_unrated"[^>]*checked', page)


def test_this_week_counts_only_rated_numbness(web_alice: Client, alice) -> None:
    create_checkin(alice, {"emotions": [{"word": "tired", "intensity": 3}], "numbness": 8})
    web_alice.post("/checkin/quick", {"choice": "okay"})
    week = re.search(r'<section[^>]*id="week".*?</section>', web_alice.get("/").content.decode(), re.S).group(0)
    assert "2 check-ins" in week and "average numbness 8.0 out of 10" in week and "the 1 you rated" in week


def test_one_tap_fragment_refreshes_this_week(web_alice: Client, alice) -> None:
    """After a one-tap check-in the home page's "This week" is sent again, not left stale."""
    assert "No check-ins in the last seven days" in web_alice.get("/").content.decode()
    response = web_alice.post("/checkin/quick", {"choice": "numb"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    week = re.search(r'<section[^>]*id="week"[^>]*hx-swap-oob="true".*?</section>', html, re.S)
    assert week is not None, html
    assert "1 check-in," in week.group(0) and "average numbness 8.0" in week.group(0)


def test_the_check_in_form_asks_for_its_files_early_and_carries_only_what_it_uses(web_alice: Client) -> None:
    """A slow phone starts fetching the stylesheet and the scripts from the answer's headers; the
    form carries no htmx (it does not use it; home does) and each word's meaning only once."""
    from thaw.checkins.vocabulary import vocabulary

    response = web_alice.get("/checkin/")
    page = response.content.decode()
    links = response["Link"].split(", ")
    head = page[:page.index("</head>")]
    named = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', head)
    assert links == [f"<{url}>; rel=preload; as={'style' if url.endswith('.css') else 'script'}" for url in named]
    assert any("/checkins/meter." in link and "as=script" in link for link in links)
    assert any("/thaw/thaw." in link and "as=style" in link for link in links)
    assert "htmx" not in page and "htmx" not in response["Link"]
    assert "/vendor/htmx.min." in web_alice.get("/").content.decode()  # the one-tap check-in uses it
    betrayed = vocabulary().emotions["betrayed"].definition
    assert page.count(betrayed) == 1 and 'value="betrayed"' in page
