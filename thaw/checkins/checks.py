"""System check: the content files parse and obey their rules."""

from __future__ import annotations

from django.core.checks import Error, register

from thaw.checkins.vocabulary import VocabularyError, body_map, tag_groups, vocabulary


@register()
def content_files_are_valid(app_configs: object = None, **kwargs: object) -> list[Error]:
    errors = []
    for loader in (vocabulary, body_map, tag_groups):
        try:
            loader()
        except VocabularyError as exc:
            errors.append(Error(str(exc), hint="Fix the data file named above.", id="thaw.E010"))
        except (OSError, ValueError) as exc:
            errors.append(Error(f"Cannot read a content file: {exc}", id="thaw.E011"))
    return errors
