"""The Spanish content files (issue 17) match their English siblings.

Each data file ``X.toml`` has a Spanish sibling ``X.es.toml`` holding only the translatable
fields, keyed by the English identifiers. Until the i18n layer loads them, these checks are what
keeps them complete: a word, tag, step or resource added in English without its Spanish text
would leave a Spanish-speaking person with an English sentence (or nothing) on their screen.
Pure file checks: no database.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKINS = ROOT / "thaw" / "checkins" / "data"
GROUNDING = ROOT / "thaw" / "grounding" / "data"
SAFETY = ROOT / "thaw" / "safety" / "data"
CRISIS_ES = ROOT / "tests" / "data" / "crisis_es"


def load(path: Path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


# --- emotion vocabulary ----------------------------------------------------------------


def test_every_family_and_word_has_its_spanish_text_and_nothing_else() -> None:
    english, spanish = load(CHECKINS / "emotions.toml"), load(CHECKINS / "emotions.es.toml")
    assert set(spanish["family"]) == {f["name"] for f in english["family"]}
    assert set(spanish["word"]) == {w["word"] for w in english["word"]}
    assert len(spanish["word"]) >= 180
    for name, family in spanish["family"].items():
        assert family["label"] and family["description"], name
    for word, entry in spanish["word"].items():
        assert set(entry) <= {"feminine", "masculine", "neutral", "definition", "search"}, word
        assert entry["feminine"] and entry["masculine"], word
        assert isinstance(entry["neutral"], str), word
        assert 10 <= len(entry["definition"]) <= 200 and "\n" not in entry["definition"], word
        assert all(isinstance(term, str) and term for term in entry.get("search", [])), word


@pytest.mark.parametrize("form", ["feminine", "masculine", "neutral"])
def test_no_two_entries_look_the_same_in_any_form(form: str) -> None:
    # An empty neutral falls back to "feminine / masculine" (see the file's header).
    shown: dict[str, str] = {}
    for word, entry in load(CHECKINS / "emotions.es.toml")["word"].items():
        text = (entry[form] or f"{entry['feminine']} / {entry['masculine']}").casefold()
        assert text not in shown, f"{word!r} and {shown.get(text)!r} both show {text!r}"
        shown[text] = word


def test_definitions_are_distinct_and_not_sure_is_no_se() -> None:
    words = load(CHECKINS / "emotions.es.toml")["word"]
    definitions = [entry["definition"] for entry in words.values()]
    assert len(set(definitions)) == len(definitions)
    assert {words["not sure"][form] for form in ("feminine", "masculine", "neutral")} == {"no sé"}
    assert words["on autopilot"]["neutral"] == "en piloto automático"


def test_body_and_tags_have_a_spanish_label_for_every_name() -> None:
    body, body_es = load(CHECKINS / "body.toml"), load(CHECKINS / "body.es.toml")
    for kind in ("region", "sensation"):
        assert set(body_es[kind]) == {item["name"] for item in body[kind]}, kind
        assert all(body_es[kind].values()), kind
    tags, tags_es = load(CHECKINS / "tags.toml"), load(CHECKINS / "tags.es.toml")
    assert set(tags_es["group"]) == {group["name"] for group in tags["group"]}
    assert set(tags_es["tag"]) == {tag for group in tags["group"] for tag in group["tags"]}
    assert all(tags_es["tag"].values())


# --- grounding -------------------------------------------------------------------------


def test_every_exercise_has_the_same_steps_in_spanish() -> None:
    english, spanish = load(GROUNDING / "exercises.toml"), load(GROUNDING / "exercises.es.toml")
    assert set(spanish["exercise"]) == {exercise["id"] for exercise in english["exercise"]}
    phases = set()
    for exercise in english["exercise"]:
        translated = spanish["exercise"][exercise["id"]]
        assert set(translated) == {"title", "summary", "eyes_open", "steps"}, exercise["id"]
        assert len(translated["steps"]) == len(exercise["steps"]), exercise["id"]
        assert all(0 < len(step) <= 300 for step in translated["steps"]), exercise["id"]
        phases |= {phase["name"] for phase in exercise.get("pattern", {}).get("phases", [])}
    assert phases <= set(spanish["phase"])


def test_there_are_as_many_spanish_affirmations_as_english_ones() -> None:
    english = load(GROUNDING / "affirmations.toml")["affirmations"]
    spanish = load(GROUNDING / "affirmations.es.toml")["affirmations"]
    assert len(spanish) == len(english) == len(set(spanish))
    assert all(0 < len(text) <= 200 and "\n" not in text for text in spanish)


# --- crisis resources ------------------------------------------------------------------


def test_every_crisis_resource_has_a_spanish_description() -> None:
    english, spanish = load(SAFETY / "resources.toml"), load(SAFETY / "resources.es.toml")
    assert set(spanish["regions"]) == set(english["regions"])
    for code, region in english["regions"].items():
        translated = spanish["regions"][code]
        assert translated["name"], code
        assert set(translated["resources"]) == {resource["name"] for resource in region["resources"]}, code
        for name, resource in translated["resources"].items():
            assert resource["name"] and resource["how"] and resource["description"], (code, name)


def test_spanish_language_services_say_where_they_were_confirmed() -> None:
    regions = load(SAFETY / "resources.es.toml")["regions"]
    assert regions["US"]["spanish"], "the US has Spanish-language crisis services"
    for code, region in regions.items():
        for service in region.get("spanish", []):
            assert service["source"].startswith("https://"), (code, service["name"])
            assert service["checked"], (code, service["name"])
            assert service["how"] and service["description"], (code, service["name"])
            assert service.get("phone") or service.get("sms") or "chat" in service["how"].lower()


# --- crisis-language evaluation set ----------------------------------------------------


def read_set(name: str) -> list[dict[str, str]]:
    with open(CRISIS_ES / name, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == ["label", "category", "sentence", "rationale"]
        return list(reader)


def test_the_spanish_evaluation_set_is_well_formed_with_a_quarter_held_out() -> None:
    held_out, tuning = read_set("held_out.tsv"), read_set("tuning.tsv")
    categories = {"suicide", "self_harm", "plan_or_means", "harm_to_others"}
    for row in held_out + tuning:
        assert row["label"] in {"crisis", "not_crisis", "borderline"}, row
        if row["label"] == "not_crisis":
            assert row["category"] == "none", row
        else:
            assert row["category"] in categories, row
        if row["label"] == "borderline":
            assert row["rationale"].strip(), row
        assert row["sentence"].strip() == row["sentence"] != "", row
    assert len(held_out) + len(tuning) >= 300
    assert 0.24 <= len(held_out) / (len(held_out) + len(tuning)) <= 0.30
    assert not {r["sentence"].casefold() for r in held_out} & {r["sentence"].casefold() for r in tuning}
    for rows in (held_out, tuning):
        crisis_categories = {row["category"] for row in rows if row["label"] == "crisis"}
        assert crisis_categories == categories
        assert any(row["label"] == "not_crisis" for row in rows)
