"""Crisis resources by region, from ``data/resources.toml`` (validated at start-up).

Each language other than English has a sibling, ``data/resources.<language>.toml``: the regions'
names and each resource's name, how and description in that language (numbers always come from
resources.toml), and the services that answer IN that language (``[[regions.X.<language>-named
list>]]``, e.g. ``spanish``), each with its source. A person whose language is Spanish gets the
Spanish wording and the Spanish-language services first (988 press 2, text AYUDA).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent / "data" / "resources.toml"
# The sibling files, and the name of the list of services that answer in that language.
TRANSLATIONS = {"es": ("resources.es.toml", "spanish")}


@dataclass(frozen=True)
class Resource:
    name: str
    how: str
    description: str
    phone: str = ""
    sms: str = ""
    sms_body: str = ""
    language: str = ""  # set on a service that answers in a language other than English (e.g. "es")

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "how": self.how, "description": self.description, "phone": self.phone,
                "sms": self.sms, "sms_body": self.sms_body, "language": self.language or "en"}


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


def parse_translation(doc: dict, regions: dict[str, Region], language: str, services_key: str,
                      source: str) -> dict[str, Region]:
    """The regions in ``language``: names and wording from the sibling file, numbers from
    resources.toml, and the services that answer in the language first. A missing or unknown
    entry is an error naming it (a crisis page must never be half translated)."""
    problems: list[str] = []
    translated_regions = doc.get("regions", {})
    result: dict[str, Region] = {}
    for code, region in regions.items():
        raw = translated_regions.get(code)
        if not isinstance(raw, dict) or not raw.get("name"):
            problems.append(f"region {code}: missing, or without a name")
            continue
        wording = raw.get("resources", {})
        items = []
        for resource in region.resources:
            text = wording.get(resource.name)
            if not isinstance(text, dict) or not all(text.get(k) for k in ("name", "how", "description")):
                problems.append(f"region {code}: resource {resource.name!r} needs name, how and description")
                continue
            items.append(Resource(text["name"], text["how"], text["description"], resource.phone, resource.sms,
                                  resource.sms_body))
        for name in sorted(set(wording) - {r.name for r in region.resources}):
            problems.append(f"region {code}: {name!r} is not a resource of this region in resources.toml")
        services = []
        for number, service in enumerate(raw.get(services_key, []), start=1):
            where = f"region {code}: {services_key} #{number} ({service.get('name', '?')!r})"
            if not all(service.get(k) for k in ("name", "how", "description", "source", "checked")):
                problems.append(f"{where} needs name, how, description, source and checked")
                continue
            if not str(service["source"]).startswith("https://"):
                problems.append(f"{where}: source must be the service's own https:// page")
            services.append(Resource(service["name"], service["how"], service["description"],
                                     str(service.get("phone", "")), str(service.get("sms", "")),
                                     str(service.get("sms_body", "")), language))
        result[code] = Region(code, raw["name"], region.emergency, tuple(services + items), region.time_zones,
                              region.countries)
    if problems:
        raise ValueError(f"{source} is invalid: " + "; ".join(problems))
    return result


@cache
def regions_in(language: str) -> dict[str, Region]:
    """Every region's crisis lines as a person reading ``language`` should see them."""
    _, regions = crisis_regions()
    if language not in TRANSLATIONS:
        return regions
    name, services_key = TRANSLATIONS[language]
    with open(PATH.parent / name, "rb") as handle:
        return parse_translation(tomllib.load(handle), regions, language, services_key, name)


def region_language() -> str:
    """The language crisis lines are shown in now: the active one if it has a translation."""
    language = _active_language()
    return language if language in TRANSLATIONS else "en"


def _active_language() -> str:
    from django.utils import translation

    return (translation.get_language() or "en").split("-")[0]


def region_for(code: str | None, language: str | None = None) -> Region:
    """The region's lines in ``language`` (default: the language being spoken right now)."""
    default, regions = crisis_regions()
    from django.conf import settings

    wanted = normalise_region(code or getattr(settings, "THAW_CRISIS_REGION", "") or default)
    chosen = wanted if wanted in regions else default
    return regions_in(language or _active_language())[chosen]


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
