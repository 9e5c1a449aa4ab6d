"""System check: the example programs Thaw ships are not left on the clinic's public pages."""

from __future__ import annotations

from django.core.checks import Warning, register


@register(deploy=True)
def example_programs_are_not_public(app_configs: object = None, databases: object = None,
                                    **kwargs: object) -> list[Warning]:
    if not databases:
        return []
    from django.db import DatabaseError

    from thaw.learn.models import ProgramPage

    try:
        shown = list(ProgramPage.objects.filter(example=True, public=True).order_by("slug")
                     .values_list("slug", flat=True))
    except DatabaseError:
        return []  # not migrated yet: thaw.E032 says so
    if not shown:
        return []
    return [Warning(
        f"{len(shown)} example program page(s) Thaw ships are public at /programs/: {', '.join(shown)}.",
        hint="Visitors can ask to join them. At /learn/manage/programs/, rewrite each for a real program and "
             "untick “Label it as an example”, or untick “Show this page at /programs/” to hide it "
             "(docs/LEARN.md).",
        id="thaw.W061")]
