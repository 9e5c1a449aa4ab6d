"""System checks that tell a self-hoster exactly what is misconfigured."""

from __future__ import annotations

import os
import stat

from django.conf import settings
from django.core.checks import Error, Warning, register


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
    if settings.SITE_IS_HTTPS or settings.SITE_HOST in ("127.0.0.1", "localhost", "::1"):
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
    if settings.DEBUG and settings.SITE_HOST not in ("127.0.0.1", "localhost", "::1"):
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
