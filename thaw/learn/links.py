"""Which Learn article to offer beside what a person sees in the app (never on a crisis screen).

Pure choices over plain figures, then one query to keep only articles that are live. A clinic
that unpublishes or renames an article simply loses the link.
"""

from __future__ import annotations

from typing import Any

# After numb days: what numbness is and why it comes and goes; then the ways back.
NUMB = "what-is-emotional-numbness"
WAYS_BACK = "five-ways-back"
MUTED = "why-numbing-mutes-good-feelings"
LABEL = "label-your-emotions"


def for_week(week: dict[str, Any]) -> str:
    """The home page's "This week": numb weeks get what numbness is, others a way back."""
    mean = week.get("mean")
    if mean is not None and mean >= 6:
        return NUMB
    if not week.get("n"):
        return LABEL
    return WAYS_BACK


def for_insights(longest_numb_streak: int | None, mean: float | None) -> str:
    """After a run of numb days, why numbing mutes the good feelings too (and what helps)."""
    if longest_numb_streak:
        return MUTED
    if mean is not None and mean >= 6:
        return NUMB
    return WAYS_BACK


def live(slug: str) -> Any | None:
    from thaw.learn.models import Article

    return Article.objects.live().filter(slug=slug).only("slug", "title").first()
