"""``thaw serve`` builds the URLconf, the catalogues and the busiest templates before forking its
workers (thaw.server.warm_up), so no worker's first requests wait seconds behind imports."""

from __future__ import annotations

from django.urls import clear_url_caches, get_resolver
from django.utils import translation

from thaw.server import warm_up


def test_warm_up_builds_what_each_worker_would_build_on_its_first_requests() -> None:
    clear_url_caches()
    assert not get_resolver()._populated
    warm_up()  # raises if one of the templates it names was renamed away
    resolver = get_resolver()
    assert resolver._populated and resolver.reverse_dict
    with translation.override("es"):
        assert translation.gettext("not shared") != "not shared"  # the Spanish catalogue is loaded
