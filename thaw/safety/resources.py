"""Crisis resources by region, from ``data/resources.toml`` (validated at start-up)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent / "data" / "resources.toml"


@dataclass(frozen=True)
class Resource:
    name: str
    how: str
    description: str
    phone: str = ""
    sms: str = ""
    sms_body: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "how": self.how, "description": self.description, "phone": self.phone,
                "sms": self.sms}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    emergency: str
    resources: tuple[Resource, ...]
    time_zones: tuple[str, ...] = ()  # IANA names, or prefixes ending in "/"
    countries: tuple[str, ...] = ()  # ISO 3166 codes, as in a language tag's region (en-GB)

    def has_time_zone(self, name: str) -> bool:
        return any(name == z or (z.endswith("/") and name.startswith(z)) for z in self.time_zones)


def parse_resources(doc: dict) -> tuple[str, dict[str, Region]]:
    regions: dict[str, Region] = {}
    problems = []
    for code, raw in doc.get("regions", {}).items():
        items = tuple(
            Resource(r["name"], r["how"], r["description"], str(r.get("phone", "")), str(r.get("sms", "")),
                     str(r.get("sms_body", "")))
            for r in raw.get("resources", [])
        )
        if not items or not raw.get("emergency"):
            problems.append(f"region {code} needs an emergency number and at least one resource")
        regions[code] = Region(code, raw.get("name", code), str(raw.get("emergency", "")), items,
                               tuple(raw.get("time_zones", ())), tuple(c.upper() for c in raw.get("countries", ())))
    default = doc.get("default_region", "")
    if default not in regions:
        problems.append(f"default_region {default!r} is not a region")
    if problems:
        raise ValueError("resources.toml is invalid: " + "; ".join(problems))
    return default, regions


@cache
def crisis_regions() -> tuple[str, dict[str, Region]]:
    with open(PATH, "rb") as handle:
        return parse_resources(tomllib.load(handle))


ALIASES = {"GB": "UK", "USA": "US", "CAN": "CA", "AUS": "AU"}


def normalise_region(code: str) -> str:
    code = code.strip().upper()
    return ALIASES.get(code, code)


def region_for(code: str | None) -> Region:
    default, regions = crisis_regions()
    from django.conf import settings

    wanted = normalise_region(code or getattr(settings, "THAW_CRISIS_REGION", "") or default)
    return regions.get(wanted) or regions[default]


def _language_countries(languages: Iterable[str]) -> list[str]:
    """The country part of language tags, in order: en-GB -> GB, zh-Hant-TW -> TW, de -> none."""
    found = []
    for tag in languages:
        for part in tag.replace("_", "-").split("-")[1:]:
            if len(part) == 2 and part.isalpha():
                found.append(part.upper())
                break
    return found


def guess_region(time_zone: str | None, languages: Iterable[str] = ()) -> str | None:
    """The region whose crisis lines most likely reach this person, or None when nothing says.

    The device's time zone says where it is, so it wins; the browser's languages only say
    what the person reads (an en-GB browser in Berlin), so they are the fallback.
    static/thaw/thaw.js makes the same choice in the browser, from the same data.
    """
    _, regions = crisis_regions()
    if time_zone:
        for region in regions.values():
            if region.has_time_zone(time_zone):
                return region.code
    for country in _language_countries(languages):
        for region in regions.values():
            if country in region.countries:
                return region.code
    return None


def accept_language(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most preferred first."""
    weighted = []
    for n, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, n, tag))
    return [tag for _, _, tag in sorted(weighted)]
