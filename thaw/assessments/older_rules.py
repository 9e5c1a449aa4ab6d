"""How a result scored under earlier rules is marked, wherever a score or a change status is shown.

Results are never re-scored (``thaw.assessments.scoring``): a version-1 GAD-7 change from 12
to 7 stays "recovered", which the published rules would call "no reliable change". So every
place that shows a stored band or status (the person's own pages, the clinician's caseload,
person page and "since last session", the trusted person's view) puts the same mark beside
it, "rules v1", and one note under the list saying what the mark means. Both come from here;
templates reach them through the ``rules_mark`` filter and the ``older_rules_note`` tag
(``thaw_tags``), and the caseload's Python-built rows call ``rules_mark`` directly.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from thaw.assessments.scoring import RULES_VERSION


def scored_under_older_rules(version: int | None) -> bool:
    """True for a result produced by rules older than the ones Thaw scores with now."""
    return version is not None and version < RULES_VERSION


def any_older(versions: Iterable[int | None]) -> bool:
    return any(scored_under_older_rules(v) for v in versions)


def rules_mark(version: int | None) -> SafeString:
    """" · rules v1" beside a result from older rules (with its leading space); nothing for current ones."""
    if not scored_under_older_rules(version):
        return SafeString("")
    return format_html(' <span class="hint rules-mark">· {}</span>',
                       gettext("rules v%(version)s") % {"version": version})


def older_rules_note() -> SafeString:
    """What the mark means: shown once under any list holding a marked result."""
    return format_html('<p class="hint older-rules">{}</p>', gettext(
        "Results marked “rules v1” were scored with Thaw's first scoring rules and are shown as they were "
        "scored, never re-scored. Later results use version %(current)s, the published rules, under which "
        "the same change can read differently.") % {"current": RULES_VERSION})
