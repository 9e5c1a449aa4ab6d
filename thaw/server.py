"""Run Thaw under gunicorn, embedded so that ``thaw serve`` is the only command needed.

Worker model (see docs/PERFORMANCE.md for the measurements): synchronous worker
processes, one per core (at least two). Django is CPU-bound here, so processes (not
threads) use both cores; SQLite writers from those processes queue on a file lock
(thaw.db.sqlite) rather than on SQLite's sleep-and-retry busy handler.
"""

from __future__ import annotations

import gc
from typing import Any

from gunicorn.app.base import BaseApplication

# Young-generation threshold: CPython's default (700) made a 500-person caseload page run
# a full collection about one request in ten, which doubled its p95 (docs/PERFORMANCE.md).
GC_GEN0_THRESHOLD = 5000


def tune_gc() -> None:
    """After the app is loaded: move everything loaded so far out of the collector's way
    (``gc.freeze``; forked workers share it copy-on-write) and collect young objects less often."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


# The busiest pages' templates (compiled once, kept by Django's cached loader).
WARM_TEMPLATES = ("base.html", "core/home.html", "insights/page.html", "clinic/caseload.html", "clinic/person.html")


def warm_up() -> None:
    """Before forking: build what every worker would otherwise build on its first requests.

    Django imports the URLconf (every view, the API, numpy and the insights engine with them),
    reads the translation catalogues and compiles templates lazily, on first use. Done after
    the fork, each worker paid it (seconds of CPU) inside its first requests, which then
    waited behind it; done here, once, the workers share the result copy-on-write.
    """
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (the import is the point)
    # What views import only when first used (so that commands start fast), imported here once
    # for every worker: scipy for insights and the substance review, the PDF writer, the FHIR models.
    import fhir.resources.R4B.bundle  # noqa: F401
    import fpdf  # noqa: F401
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401
    reverse("home")  # fills the resolver's reverse lookup tables
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Settings")
    for name in WARM_TEMPLATES:
        get_template(name)


class ThawServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from thaw.wsgi import application

        warm_up()
        tune_gc()
        return application


def _worker_exited(server: Any, worker: Any) -> None:
    """A worker's multiprocess metric files stay (its counts are kept); its gauges go."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def _gunicorn_logging() -> dict[str, Any]:
    """gunicorn's own lines (workers booting, exiting, timing out) in Thaw's log format."""
    from django.conf import settings

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": settings.LOGGING["formatters"],
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": settings.THAW_LOG_FORMAT,
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": settings.LOGGING["root"]["level"]},
        "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
                    "gunicorn.access": {"handlers": [], "propagate": False}},
    }


def _post_fork(server: Any, worker: Any) -> None:
    from thaw.learn import counter
    from thaw.safety import backstop

    counter.after_fork()
    backstop.warm()  # the crisis backstop (with the word-finding extra) loads in the background


def _worker_exit(server: Any, worker: Any) -> None:
    """A worker stopping (restart, shutdown) writes the article views it still holds."""
    from thaw.learn import counter

    counter.flush()


def run_gunicorn(*, host: str, port: int, workers: int) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    ThawServer(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "sync",
            "preload_app": True,
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "thaw",
            "child_exit": _worker_exited,
            "logconfig_dict": _gunicorn_logging(),
            "post_fork": _post_fork,
            "worker_exit": _worker_exit,
        }
    ).run()
