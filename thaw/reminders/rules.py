"""What a reminder plan may say, checked once for the API and the page alike.

``clean_plan`` takes plain data (the JSON of ``PUT /api/v1/reminders``; the page builds the
same shape from its form) and returns the cleaned values, or raises ``PlanInvalid`` naming
every field that is wrong in words a person can act on.

The reminder's own text is shown on a lock screen and in an inbox preview, where anyone may
read it: it must never say what Thaw is about. ``message_problem`` refuses the words that
would (and Thaw never puts health data in it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from thaw.reminders.moments import MODES, fits, in_quiet
from thaw.text import shown, take_text

# Thaw's own reminder text, in English here. A plan keeps "" while the person has not written
# their own, and the text is translated when it is sent, so it follows their language.
DEFAULT_MESSAGE = gettext_noop("Thaw: a moment for you?")
MESSAGE_MAX = 80
MAX_TIMES = 8
MAX_WINDOWS = 3
MAX_PER_WINDOW = 8
GAP_MINUTES = (0, 360)
EXPIRES_MINUTES = (5, 720)
DEFAULT_EXPIRES = 60
DEFAULT_GAP = 120
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("push", "email")
# Words that would tell an onlooker what the reminder is about. "numb" is refused at the start
# of a word ("numbness", "numbed") but "number" is not about anything. In Spanish: "estado de
# ánimo" (mood; "¡ánimo!" alone is a cheer, not a topic), entumecido/a and "mental" (as in English).
REVEALING = re.compile(r"\b(?:mood|numb(?!er)|mental|estados?\s+de\s+[áa]nimo|entumec)", re.IGNORECASE)
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class PlanInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def default_message() -> str:
    """Thaw's reminder text in the active language."""
    return _(DEFAULT_MESSAGE)


def is_default_message(text: str) -> bool:
    """True when ``text`` is Thaw's own reminder text in any language (kept as "", the default)."""
    text = text.strip()
    if text == DEFAULT_MESSAGE:
        return True
    from django.conf import settings

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if text == _(DEFAULT_MESSAGE):
                return True
    return False


def message_problem(text: str) -> str | None:
    """Why this reminder text cannot be used, or None."""
    found = REVEALING.search(text)
    if found:
        return _("leave out “%(word)s”: the reminder shows on your lock screen, so it never says what Thaw is "
                 "about (Thaw refuses “mood”, “numb” and “mental”)") % {"word": found.group(0)}
    return None


def parse_time(value: object) -> time | None:
    if isinstance(value, str):
        match = _TIME.match(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    return None


def fmt(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


@dataclass
class _Collector:
    errors: dict[str, str]

    def time(self, field: str, value: object) -> time | None:
        parsed = parse_time(value)
        if parsed is None:
            self.errors[field] = _("%(value)s is not a time: use HH:MM, e.g. 09:30") % {
                "value": shown(value) if value not in (None, "") else _("a time")}
        return parsed

    def whole(self, field: str, value: object, low: int, high: int, default: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.errors[field] = _("choose a whole number from %(low)s to %(high)s") % {"low": low, "high": high}
            return default
        return value


def _list(errors: dict[str, str], field: str, value: object) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors[field] = _("must be a list")
        return []
    return value


def clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    """Check a whole plan; return the values to store (times as ``time``)."""
    errors: dict[str, str] = {}
    check = _Collector(errors)
    mode = data.get("mode", "off")
    if mode not in MODES:
        errors["mode"] = _("choose off, fixed or random")
        mode = "off"

    times: list[time] = []
    raw_times = _list(errors, "times", data.get("times"))
    if len(raw_times) > MAX_TIMES:
        errors["times"] = _("at most %(n)s times a day") % {"n": MAX_TIMES}
    for n, value in enumerate(raw_times[:MAX_TIMES]):
        parsed = check.time(f"times.{n}", value)
        if parsed is not None and parsed not in times:
            times.append(parsed)
    times.sort()

    gap_minutes = check.whole("min_gap_minutes", data.get("min_gap_minutes"), *GAP_MINUTES, DEFAULT_GAP)
    windows: list[dict[str, Any]] = []
    raw_windows = _list(errors, "windows", data.get("windows"))
    if len(raw_windows) > MAX_WINDOWS:
        errors["windows"] = _("at most %(n)s windows") % {"n": MAX_WINDOWS}
    for n, item in enumerate(raw_windows[:MAX_WINDOWS]):
        if not isinstance(item, dict):
            errors[f"windows.{n}"] = _('must look like {"start": "09:00", "end": "21:00", "count": 3}')
            continue
        unknown = set(item) - {"start", "end", "count"}
        if unknown:
            errors[f"windows.{n}"] = _("unknown field %(field)s") % {"field": shown(sorted(unknown)[0])}
        start = check.time(f"windows.{n}.start", item.get("start"))
        end = check.time(f"windows.{n}.end", item.get("end"))
        count = check.whole(f"windows.{n}.count", item.get("count"), 1, MAX_PER_WINDOW, 1)
        if start is None or end is None:
            continue
        if end <= start:
            errors[f"windows.{n}.end"] = _("must be later than the start, on the same day")
            continue
        if not fits(count, start, end, timedelta(minutes=gap_minutes)):
            need = (count - 1) * gap_minutes
            errors[f"windows.{n}"] = _("%(count)s moments at least %(gap)s minutes apart need a window of %(hours)s h "
                                       "%(minutes)s min or more; widen it, lower the count or the gap") % {
                "count": count, "gap": gap_minutes, "hours": need // 60, "minutes": f"{need % 60:02d}"}
            continue
        windows.append({"start": start, "end": end, "count": count})
    windows.sort(key=lambda w: w["start"])
    for before, after in zip(windows, windows[1:], strict=False):
        if after["start"] < before["end"]:
            errors["windows"] = _("windows must not overlap")

    quiet = data.get("quiet_hours")
    quiet_start = quiet_end = None
    if quiet is not None:
        if not isinstance(quiet, dict) or set(quiet) - {"start", "end"}:
            errors["quiet_hours"] = _('must look like {"start": "22:00", "end": "07:00"}, or null for none')
        else:
            quiet_start = check.time("quiet_hours.start", quiet.get("start"))
            quiet_end = check.time("quiet_hours.end", quiet.get("end"))
            if quiet_start is not None and quiet_start == quiet_end:
                errors["quiet_hours.end"] = _("must differ from the start")
    pair = (quiet_start, quiet_end) if quiet_start is not None and quiet_end is not None else None
    if pair is not None:
        for value in times:
            if mode == "fixed" and in_quiet(value, pair):
                errors.setdefault("times", _("%(time)s is inside your quiet hours (%(start)s–%(end)s)") % {
                    "time": fmt(value), "start": fmt(pair[0]), "end": fmt(pair[1])})
        for window in windows:
            if mode == "random" and _overlaps(window["start"], window["end"], pair):
                errors.setdefault("windows", _("the window %(from)s–%(to)s overlaps your quiet hours (%(start)s–%(end)s)") % {
                    "from": fmt(window["start"]), "to": fmt(window["end"]), "start": fmt(pair[0]), "end": fmt(pair[1])})

    days: list[int] = []
    raw_days = data.get("days", list(DAY_NAMES))
    for value in _list(errors, "days", raw_days):
        if value not in DAY_NAMES:
            errors["days"] = _("use %(choices)s") % {"choices": ", ".join(DAY_NAMES)}
        elif DAY_NAMES.index(value) not in days:
            days.append(DAY_NAMES.index(value))
    channels: list[str] = []
    for value in _list(errors, "channels", data.get("channels", list(CHANNELS))):
        if value not in CHANNELS:
            errors["channels"] = _("use push and/or email")
        elif value not in channels:
            channels.append(value)

    message = take_text(errors, "message", data.get("message", default_message()), MESSAGE_MAX).strip()
    if "message" not in errors:
        if not message:
            errors["message"] = _("write a few words, or use Thaw's: “%(default)s”") % {"default": default_message()}
        elif problem := message_problem(message):
            errors["message"] = problem
        elif is_default_message(message):
            message = ""  # Thaw's own text: sent in the person's language at the time
    expires = check.whole("expires_minutes", data.get("expires_minutes"), *EXPIRES_MINUTES, DEFAULT_EXPIRES)

    questionnaire_reminders = data.get("questionnaire_reminders", False)
    if not isinstance(questionnaire_reminders, bool):
        errors["questionnaire_reminders"] = _("must be true or false")
        questionnaire_reminders = False
    from thaw.clinic.homework import CADENCE_INSTRUMENTS

    questionnaires: list[str] = []
    for value in _list(errors, "questionnaires", data.get("questionnaires")):
        if value not in CADENCE_INSTRUMENTS:
            errors["questionnaires"] = _("use %(choices)s") % {"choices": ", ".join(CADENCE_INSTRUMENTS)}
        elif value not in questionnaires:
            questionnaires.append(value)

    if mode == "fixed" and not times:
        errors.setdefault("times", "add at least one time, or choose another kind of reminder")
    if mode == "random" and not windows and not any(k.startswith("windows") for k in errors):
        errors["windows"] = _("add a window, e.g. 3 moments between 09:00 and 21:00")
    if mode != "off" and not days and "days" not in errors:
        errors["days"] = _("choose at least one day")
    if (mode != "off" or questionnaire_reminders) and not channels and "channels" not in errors:
        errors["channels"] = _("choose push, email or both, so a reminder can reach you")
    if errors:
        raise PlanInvalid(errors)
    return {"mode": mode, "times": times, "windows": windows, "min_gap_minutes": gap_minutes,
            "quiet_start": quiet_start, "quiet_end": quiet_end, "days": sorted(days), "channels": channels,
            "message": message, "expires_minutes": expires, "questionnaire_reminders": questionnaire_reminders,
            "questionnaires": questionnaires}


def _overlaps(start: time, end: time, quiet: tuple[time, time]) -> bool:
    if in_quiet(start, quiet):
        return True
    q_start, q_end = quiet
    if q_start < q_end:  # quiet within the day
        return start < q_end and q_start < end
    return end > q_start  # quiet past midnight: the window reaches into its evening part
