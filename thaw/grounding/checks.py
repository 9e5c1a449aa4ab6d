"""System check: the exercise and affirmation files parse and obey their rules."""

from __future__ import annotations

from django.core.checks import Error, register

from thaw.grounding.exercises import ExerciseFileError, every_language


@register()
def grounding_files_are_valid(app_configs: object = None, **kwargs: object) -> list[Error]:
    errors = []
    for loader in (every_language,):
        try:
            loader()
        except ExerciseFileError as exc:
            errors.append(Error(str(exc), hint="Fix the grounding data file named above.", id="thaw.E030"))
        except (OSError, ValueError) as exc:
            errors.append(Error(f"Cannot read a grounding data file: {exc}", id="thaw.E031"))
    return errors
