"""System checks that tell a self-hoster exactly what is misconfigured."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@register()
def data_dir_is_private(app_configs: object = None, **kwargs: object) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    data_dir = settings.DATA_DIR
    if not os.access(data_dir, os.W_OK):
        problems.append(
            Error(f"The data directory {data_dir} is not writable.", hint="Set THAW_DATA_DIR to a writable directory.", id="thaw.E001")
        )
    key_file = data_dir / "secret_key"
    if key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) & 0o077:
        problems.append(
            Warning(f"{key_file} can be read by other users.", hint=f"Run: chmod 600 {key_file}", id="thaw.W001")
        )
    return problems


@register(deploy=True)
def site_url_is_https(app_configs: object = None, **kwargs: object) -> list[Warning]:
    if settings.SITE_IS_HTTPS or settings.SITE_HOST in LOCAL_HOSTS:
        return []
    return [
        Warning(
            f"THAW_SITE_URL={settings.SITE_URL} is not HTTPS but the host is not local.",
            hint="Serve Thaw behind HTTPS and set THAW_SITE_URL=https://… ; health data must not cross a network in clear text.",
            id="thaw.W002",
        )
    ]


@register()
def debug_is_off_for_public_hosts(app_configs: object = None, **kwargs: object) -> list[Error]:
    if settings.DEBUG and settings.SITE_HOST not in LOCAL_HOSTS:
        return [
            Error(
                "THAW_DEBUG is on for a site that is not on this machine.",
                hint="Unset THAW_DEBUG: debug pages show settings and personal data to anyone.",
                id="thaw.E002",
            )
        ]
    return []


@register()
def encryption_key_is_usable(app_configs: object = None, **kwargs: object) -> list[Error | Warning]:
    from django.core.exceptions import ImproperlyConfigured

    from thaw import crypto

    try:
        crypto.keyring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="Fix or remove the encryption key setting.", id="thaw.E003")]
    path = crypto.key_file()
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        return [Warning(f"{path} can be read by other users.", hint=f"Run: chmod 600 {path}", id="thaw.W003")]
    return []


@register()
def settings_values_are_known(app_configs: object = None, **kwargs: object) -> list[Error]:
    """Values that would otherwise fall back silently: a wrong crisis region shows the wrong helplines."""
    import zoneinfo

    from thaw.safety.resources import crisis_regions, normalise_region

    problems = []
    _, regions = crisis_regions()
    if normalise_region(settings.THAW_CRISIS_REGION) not in regions:
        problems.append(Error(
            f"THAW_CRISIS_REGION={settings.THAW_CRISIS_REGION!r} has no crisis lines.",
            hint=f"Use one of {', '.join(regions)} (or add your region to thaw/safety/data/resources.toml).",
            id="thaw.E004"))
    try:
        zoneinfo.ZoneInfo(settings.THAW_DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(Error(f"THAW_DEFAULT_TIMEZONE={settings.THAW_DEFAULT_TIMEZONE!r} is not a time zone.",
                              hint="Use a name like Europe/London or America/New_York.", id="thaw.E005"))
    if getattr(settings, "SQLITE_WRITE_LOCK", "file") not in ("file", "none"):
        problems.append(Error(f"THAW_SQLITE_WRITE_LOCK={settings.SQLITE_WRITE_LOCK!r} is not 'file' or 'none'.",
                              id="thaw.E006"))
    if settings.ACCOUNT_EMAIL_VERIFICATION not in ("none", "optional", "mandatory"):
        problems.append(Error(f"THAW_EMAIL_VERIFICATION={settings.ACCOUNT_EMAIL_VERIFICATION!r} must be none, "
                              "optional or mandatory.", id="thaw.E007"))
    return problems


@register()
def stored_text_is_readable(app_configs: object = None, databases: object = None, **kwargs: object) -> list[Error]:
    """Refuse to run with a key ring that cannot read what is stored (a lost or replaced key)."""
    if not databases:
        return []
    from django.db import DatabaseError

    from thaw import crypto

    try:
        in_use = crypto.key_ids_in_use()
    except DatabaseError:
        return []  # not migrated yet
    missing = sorted(set(in_use) - {kid for kid, _ in crypto.keyring().keys})
    if not missing:
        return []
    return [Error(
        f"{sum(in_use[k] for k in missing)} stored note(s) or plan(s) use encryption key(s) {', '.join(missing)}, "
        "which this server does not have.",
        hint=f"Restore the right {crypto.key_file()} or THAW_ENCRYPTION_KEY. Never delete the key file: "
             "without it, notes and safety plans cannot be read.",
        id="thaw.E008")]


# --- the site address against the address being served ----------------------------------------

def _serving_file() -> Path:
    return Path(settings.DATA_DIR) / "serving.json"


@contextlib.contextmanager
def serving(url: str) -> Iterator[None]:
    """While ``thaw serve`` runs, leave its address in the data directory for ``thaw check``."""
    path = _serving_file()
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def served_address() -> str | None:
    """Where this data directory is being served: this process's ``thaw serve``, or a running one."""
    if os.environ.get("THAW_SERVED_URL"):
        return os.environ["THAW_SERVED_URL"]
    try:
        record = json.loads(_serving_file().read_text())
        os.kill(int(record["pid"]), 0)  # a server that was killed leaves a stale file behind
        return str(record["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _port(parts: object) -> int:
    port = parts.port  # type: ignore[attr-defined]
    return port if port is not None else (443 if parts.scheme == "https" else 80)  # type: ignore[attr-defined]


@register()
def site_url_matches_the_served_address(app_configs: object = None, **kwargs: object) -> list[Warning]:
    """Invitation links and emails use THAW_SITE_URL: on this machine it must name the served port.

    A site URL with another host name is left alone: a reverse proxy may stand in front.
    """
    served = served_address()
    if served is None:
        return []
    site, here = urlsplit(settings.SITE_URL), urlsplit(served)
    if site.hostname not in (*LOCAL_HOSTS, here.hostname):
        return []
    if _port(site) == _port(here):
        return []
    return [
        Warning(
            f"THAW_SITE_URL={settings.SITE_URL} but Thaw is being served at {served}: links in invitations "
            "and emails would point at an address where nothing answers.",
            hint=f"Set THAW_SITE_URL={served} (or leave it unset: `thaw serve --port` then sets it).",
            id="thaw.W040",
        )
    ]


# --- languages ---------------------------------------------------------------------------------

@register()
def languages_are_usable(app_configs: object = None, **kwargs: object) -> list[Error]:
    """THAW_LANGUAGE names a language Thaw speaks, and every language's catalogue is compiled."""
    from thaw.core import catalogue

    problems = []
    codes = [code for code, _ in settings.LANGUAGES]
    if settings.THAW_LANGUAGE not in codes:
        problems.append(Error(
            f"THAW_LANGUAGE={settings.THAW_LANGUAGE!r} is not a language Thaw speaks, so pages fall back to English.",
            hint=f"Use one of {', '.join(codes)} (a two-letter code; docs/TRANSLATING.md says how to add one).",
            id="thaw.E050"))
    for problem in catalogue.stale_or_missing():
        problems.append(Error(problem, hint="Run: .venv/bin/python scripts/messages.py compile "
                                             "(thaw does this by itself at start-up when it can write there).",
                              id="thaw.E051"))
    return problems
