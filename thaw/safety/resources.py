"""Crisis resources by region, from ``data/resources.toml`` (validated at start-up)."""

from __future__ import annotations

import tomllib
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
        regions[code] = Region(code, raw.get("name", code), str(raw.get("emergency", "")), items)
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
