"""The person's own profile: the few settings they can read and change about themselves.

One table, ``FIELDS``, says for each profile field how it is shown and how a new value is
checked and saved; ``GET/PATCH /api/v1/me`` and the Settings page both use it. To add a
field (a language, say): add the model field, a ``ProfileField`` here, and the field to
``MeOut``/``MePatch`` in ``thaw.accounts.api``.

Everything here acts on the user it is given, which is always the caller: there is no way
to name someone else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from thaw.accounts.forms import valid_timezone
from thaw.accounts.models import ScreeningSex


class ProfileInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _read_blank_as_none(user: Any, name: str) -> Any:
    return getattr(user, name) or None


def _clean_timezone(value: object) -> str:
    if not isinstance(value, str) or not valid_timezone(value.strip()):
        raise ValueError(_("must be a time zone name such as Europe/London or America/New_York"))
    return value.strip()


def _clean_region(value: object) -> str:
    from thaw.safety.resources import crisis_regions, normalise_region

    if value is None or value == "":
        return ""  # the site's default
    _default, regions = crisis_regions()
    if not isinstance(value, str) or normalise_region(value) not in regions:
        raise ValueError(_("must be one of %(regions)s, or null for the site's default") % {"regions": ", ".join(regions)})
    return normalise_region(value)


def _clean_screening_sex(value: object) -> str:
    if value is None or value == "":
        return ""  # prefer not to say: the lower cut-off applies
    if value not in ScreeningSex.values:
        raise ValueError(_('must be "female", "male" or null (prefer not to say)'))
    return str(value)


def _clean_language(value: object) -> str:
    from thaw.core.language import codes, supported

    if value is None or value == "":
        return ""  # follow the browser, then the site's default
    if not isinstance(value, str) or supported(value) != value.strip().lower():
        raise ValueError(_("must be one of %(codes)s, or null to follow the browser") % {"codes": ", ".join(codes())})
    return value.strip().lower()


def _clean_word_forms(value: object) -> str:
    from thaw.core.language import WORD_FORMS

    if value is None or value == "":
        return ""  # neutral wordings, both forms where there is none
    if value not in WORD_FORMS:
        raise ValueError(_('must be "feminine", "masculine", "neutral" or null'))
    return str(value)


def _store_screening_sex(user: Any, value: str) -> list[str]:
    user.screening_sex = value
    user.screening_sex_answered_at = timezone.now()  # answered: Thaw does not ask again
    return ["screening_sex", "screening_sex_answered_at"]


def _store(name: str) -> Callable[[Any, Any], list[str]]:
    def store(user: Any, value: Any) -> list[str]:
        setattr(user, name, value)
        return [name]

    return store


@dataclass(frozen=True)
class ProfileField:
    name: str
    read: Callable[[Any, str], Any]
    clean: Callable[[object], Any] | None  # None: read-only here
    store: Callable[[Any, Any], list[str]]
    read_only_reason: str = ""


FIELDS: dict[str, ProfileField] = {
    f.name: f for f in (
        ProfileField("email", lambda user, name: getattr(user, name), None, _store("email"),
                     gettext_noop("cannot be changed through the API; change it on the web, where the new address is "
                                  "verified")),
        ProfileField("timezone", lambda user, name: getattr(user, name), _clean_timezone, _store("timezone")),
        ProfileField("crisis_region", _read_blank_as_none, _clean_region, _store("crisis_region")),
        ProfileField("screening_sex", _read_blank_as_none, _clean_screening_sex, _store_screening_sex),
        ProfileField("language", _read_blank_as_none, _clean_language, _store("language")),
        ProfileField("word_forms", _read_blank_as_none, _clean_word_forms, _store("word_forms")),
    )
}


def read(user: Any) -> dict[str, Any]:
    return {name: field.read(user, name) for name, field in FIELDS.items()}


def update(user: Any, changes: Mapping[str, object]) -> dict[str, Any]:
    """Check every change, then save them together (all or nothing); raise ProfileInvalid naming each problem."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        field = FIELDS.get(name)
        if field is None:
            errors[name] = _("is not a profile field")
        elif field.clean is None:
            errors[name] = _(field.read_only_reason)
        else:
            try:
                cleaned[name] = field.clean(value)
            except ValueError as exc:
                errors[name] = str(exc)
    if errors:
        raise ProfileInvalid(errors)
    updated: list[str] = []
    for name, value in cleaned.items():
        updated += FIELDS[name].store(user, value)
    if updated:
        with transaction.atomic():
            user.save(update_fields=updated)
    return read(user)
