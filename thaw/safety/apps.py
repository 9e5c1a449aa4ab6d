from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.apps import AppConfig

# Whether ready() reads and checks the crisis detector (phrase lists, statistical weights) now.
# On by default: servers, the worker, `thaw check`, the WSGI entry point and the tests' own
# Django all start this way. Only thaw.cli's light commands turn it off, with detector_on_first_scan().
_load_detector_at_start = True


@contextlib.contextmanager
def detector_on_first_scan() -> Iterator[None]:
    """Inside this block, a Django start-up leaves the crisis detector to the first scan (both
    loaders are cached). For commands that seldom scan text (an account, a backup, a shell):
    reading the detector is about half of their start-up (0.8 s of 1.7 s). A broken file still
    stops the servers and the worker, and fails the first scan with the same message."""
    global _load_detector_at_start
    before, _load_detector_at_start = _load_detector_at_start, False
    try:
        yield
    finally:
        _load_detector_at_start = before


def load_detector() -> None:
    """Read and check the phrase lists and the statistical layer's weights: a broken file raises
    saying what is wrong. Done at start-up so that gunicorn's workers share them (the app is
    preloaded before forking) and a broken file stops start-up, never a person's crisis screen."""
    from thaw.safety.language import find_crisis_language
    from thaw.safety.ngram import shows_help

    find_crisis_language("start-up check")
    shows_help("start-up check")


class SafetyConfig(AppConfig):
    name = "thaw.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        # A broken crisis-resource file must stop start-up, never a person's crisis screen (quick:
        # always checked here).
        from thaw.safety.resources import TRANSLATIONS, crisis_regions, regions_in

        crisis_regions()
        for language in TRANSLATIONS:
            regions_in(language)
        if _load_detector_at_start:
            load_detector()
        # The optional semantic backstop loads in each worker after it forks (thaw/server.py), or
        # on a process's first scan: never here, where gunicorn's master would fork a loading thread.
        # Its setting is checked here, though: a value other than 0 or 1 stops start-up.
        from thaw.safety.backstop import switched_on

        switched_on()
