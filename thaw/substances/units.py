"""Substances, their units, and standard drinks: plain data and arithmetic.

The English labels are marked with ``gettext_noop`` (which changes nothing) so the catalogue has
them; pages show them in the reader's language through ``substance_label``, ``amount_label`` and
``{% translate %}``, while the API and exports keep the keys.

A "standard drink" is not one thing: countries define it by grams of pure alcohol
(the US 14 g, the UK "unit" 8 g, Australia 10 g, …). Thaw counts alcohol in grams
from volume × strength and shows it in the person's chosen size, so a weekly limit
means what the person's own health service means by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from thaw.validation import decimal

ETHANOL_DENSITY_G_PER_ML = 0.789


@dataclass(frozen=True)
class Unit:
    key: str
    label: str  # singular, for "2 × joint" style display the plural is label_plural
    label_plural: str
    max_amount: float  # more than this in one entry is almost surely a typo


@dataclass(frozen=True)
class Substance:
    key: str
    label: str
    units: tuple[str, ...]


UNITS: dict[str, Unit] = {
    u.key: u
    for u in (
        Unit("ml", gettext_noop("ml"), gettext_noop("ml"), 10_000),
        Unit("standard_drink", gettext_noop("standard drink"), gettext_noop("standard drinks"), 100),
        Unit("g", gettext_noop("g"), gettext_noop("g"), 1_000),
        Unit("mg", gettext_noop("mg"), gettext_noop("mg"), 100_000),
        Unit("joint", gettext_noop("joint"), gettext_noop("joints"), 100),
        Unit("hit", gettext_noop("hit"), gettext_noop("hits"), 500),
        Unit("cigarette", gettext_noop("cigarette"), gettext_noop("cigarettes"), 200),
        Unit("puff", gettext_noop("puff"), gettext_noop("puffs"), 2_000),
        Unit("pouch", gettext_noop("pouch"), gettext_noop("pouches"), 100),
        Unit("pill", gettext_noop("pill"), gettext_noop("pills"), 100),
        Unit("dose", gettext_noop("dose"), gettext_noop("doses"), 100),
    )
}

SUBSTANCES: dict[str, Substance] = {
    s.key: s
    for s in (
        Substance("alcohol", gettext_noop("Alcohol"), ("ml", "standard_drink")),
        Substance("cannabis", gettext_noop("Cannabis"), ("joint", "hit", "g", "mg")),
        Substance("nicotine", gettext_noop("Nicotine"), ("cigarette", "puff", "pouch", "mg")),
        Substance("opioids", gettext_noop("Opioids"), ("dose", "pill", "mg")),
        Substance("stimulants", gettext_noop("Stimulants"), ("dose", "pill", "mg", "g")),
        Substance("sedatives", gettext_noop("Sedatives"), ("pill", "dose", "mg")),
        Substance("other", gettext_noop("Something else"), ("dose", "pill", "mg", "g", "ml")),
    )
}
CUSTOM = "other"  # the substance whose name the person gives in their own words

# Why a person used: a fixed set, so they can be counted. "numb" is the one Thaw is about.
MOTIVES: dict[str, str] = {
    "numb": gettext_noop("to stop feeling, to numb"),
    "social": gettext_noop("to be social"),
    "craving": gettext_noop("a craving"),
    "sleep": gettext_noop("to sleep"),
    "stress": gettext_noop("stress"),
    "habit": gettext_noop("habit"),
    "celebrate": gettext_noop("to celebrate"),
    "pain": gettext_noop("for pain"),
    "other": gettext_noop("something else"),
}
NUMB_MOTIVE = "numb"

# What helped when a craving passed without using.
HELPED: dict[str, str] = {
    "waited": gettext_noop("waited it out"),
    "grounding": gettext_noop("a grounding exercise"),
    "called": gettext_noop("called or messaged someone"),
    "outside": gettext_noop("went outside"),
    "ate_drank": gettext_noop("ate or drank something"),
    "distraction": gettext_noop("did something else"),
}


@dataclass(frozen=True)
class DrinkSize:
    key: str
    label: str
    grams: float


DRINK_SIZES: dict[str, DrinkSize] = {
    d.key: d
    for d in (
        DrinkSize("who", gettext_noop("10 g (WHO-style, many countries)"), 10.0),
        DrinkSize("us", gettext_noop("United States: 14 g"), 14.0),
        DrinkSize("uk", gettext_noop("United Kingdom unit: 8 g"), 8.0),
        DrinkSize("au", gettext_noop("Australia: 10 g"), 10.0),
        DrinkSize("ca", gettext_noop("Canada: 13.45 g"), 13.45),
        DrinkSize("ie", gettext_noop("Ireland: 10 g"), 10.0),
        DrinkSize("nz", gettext_noop("New Zealand: 10 g"), 10.0),
        DrinkSize("de", gettext_noop("Germany: 10 g"), 10.0),
        DrinkSize("jp", gettext_noop("Japan: 20 g"), 20.0),
    )
}
DEFAULT_DRINK_GRAMS = 10.0
MIN_DRINK_GRAMS, MAX_DRINK_GRAMS = 1.0, 100.0


@dataclass(frozen=True)
class Serving:
    """A common serving, offered as a shortcut in the form; the person can change both numbers."""

    key: str
    label: str
    ml: float
    abv: float


SERVINGS: tuple[Serving, ...] = (
    Serving("can", gettext_noop("Can of beer (330 ml, 5%)"), 330, 5.0),
    Serving("pint", gettext_noop("Pint (568 ml, 4.5%)"), 568, 4.5),
    Serving("wine", gettext_noop("Glass of wine (150 ml, 12%)"), 150, 12.0),
    Serving("large_wine", gettext_noop("Large glass of wine (250 ml, 12%)"), 250, 12.0),
    Serving("shot", gettext_noop("Shot of spirits (40 ml, 40%)"), 40, 40.0),
    Serving("bottle_wine", gettext_noop("Bottle of wine (750 ml, 12%)"), 750, 12.0),
)


def alcohol_grams(volume_ml: float, abv_percent: float) -> float:
    """Grams of pure alcohol in ``volume_ml`` of a drink that is ``abv_percent`` alcohol by volume."""
    if volume_ml < 0 or not 0 <= abv_percent <= 100:
        raise ValueError("volume must be >= 0 and ABV within 0-100")
    return volume_ml * abv_percent / 100.0 * ETHANOL_DENSITY_G_PER_ML


def standard_drinks(volume_ml: float, abv_percent: float, grams_per_drink: float) -> float:
    """Standard drinks = volume × ABV/100 × 0.789 g/ml ÷ grams per standard drink.

    A 330 ml can at 5 % holds 13.0 g of alcohol: 1.3 drinks at 10 g, 0.93 at 14 g.
    """
    if grams_per_drink <= 0:
        raise ValueError("grams per standard drink must be positive")
    return alcohol_grams(volume_ml, abv_percent) / grams_per_drink


def drink_grams(size_key: str | None, site_default: float) -> float:
    """The grams in one standard drink for a person's choice (empty: the site's default)."""
    if size_key and size_key in DRINK_SIZES:
        return DRINK_SIZES[size_key].grams
    return site_default


def amount_label(amount: float | None, unit: str) -> str:
    """"330 ml", "2 joints", "1 pill"; empty when no amount was given."""
    if amount is None or not unit:
        return ""
    known = UNITS.get(unit)
    text = decimal(amount)
    if known is None:
        return f"{text} {unit}"
    return f"{text} {gettext(known.label if amount == 1 else known.label_plural)}"


def substance_label(key: str, custom_name: str = "") -> str:
    if key == CUSTOM and custom_name:
        return custom_name
    found = SUBSTANCES.get(key)
    return gettext(found.label) if found else key
