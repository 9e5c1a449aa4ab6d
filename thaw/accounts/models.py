"""People who use Thaw, and the API tokens they hold.

The user model signs in by email (no usernames) and carries a role from day one:
a *person* keeps their own records, a *clinician* supports people who chose to share,
an *admin* administers accounts and never gets blanket access to clinical data, an *editor*
writes the Learn articles and moderates their comments, and *intake* staff answer contact
requests. ``role`` is the account's main role; ``extra_roles`` lets a staff account (an admin,
say, in a small practice) also hold editor and intake. Editors and intake see no clinical data.
"""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.utils import timezone as dj_timezone

from thaw.crypto import secret_digest

TOKEN_PREFIX = "thaw_"


class Role(models.TextChoices):
    PERSON = "person", "Person"
    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    INTAKE = "intake", "Intake"


# Roles a staff account may hold besides its main one.
EXTRA_ROLES = (Role.EDITOR, Role.INTAKE)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


def default_timezone() -> str:
    return settings.THAW_DEFAULT_TIMEZONE


class ScreeningSex(models.TextChoices):
    """Which AUDIT-C cut-off applies (Bradley et al. 2007); blank: not given, which uses 3."""

    FEMALE = "female", "Female (cut-off 3)"
    MALE = "male", "Male (cut-off 4)"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PERSON)
    timezone = models.CharField(max_length=64, default=default_timezone)
    crisis_region = models.CharField(
        max_length=8, blank=True, help_text="Which crisis lines to show; blank means the site default."
    )
    screening_sex = models.CharField(
        max_length=8, blank=True, choices=ScreeningSex.choices,
        help_text="For alcohol screening: which cut-off applies. Blank means not given (the lower cut-off is used).",
    )
    screening_sex_answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person answered the question (so it is asked only once).")
    language = models.CharField(
        max_length=8, blank=True,
        help_text="The language Thaw speaks to this person (en, es); blank follows the browser, then the site default.")
    last_language = models.CharField(
        max_length=8, blank=True,
        help_text="The language this person last read Thaw in, recorded while `language` is blank (it follows the "
                  "browser): what Thaw writes to them outside a page (emails, reminders, alerts) is in it.")
    word_forms = models.CharField(
        max_length=10, blank=True, choices=[("feminine", "feminine"), ("masculine", "masculine"), ("neutral", "neutral")],
        help_text="How gendered words (Spanish emotion words) are shown; blank means neutral.")
    extra_roles = models.JSONField(
        default=list, blank=True,
        help_text="Roles held besides the main one: editor and/or intake (staff accounts only).")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # ``set_password`` keeps the new raw password until the next save: that save is the one
        # place every way of changing a password (settings, reset link, ``thaw``) passes through.
        password_changed = self._password is not None and not self._state.adding  # type: ignore[attr-defined]
        super().save(*args, **kwargs)
        if password_changed:
            from thaw.accounts.signals import password_changed as changed

            changed.send(sender=type(self), user=self)

    @property
    def is_staff_role(self) -> bool:
        """Staff see other people's data or speak for the clinic (clinicians and admins; editors and
        intake too): shorter idle limits apply to them."""
        return self.is_staff_member

    def holds(self, role: str) -> bool:
        """Whether this account holds ``role``, as its main role or an extra one."""
        return self.role == role or role in (self.extra_roles or ())

    @property
    def is_editor(self) -> bool:
        return self.holds(Role.EDITOR)

    @property
    def is_intake(self) -> bool:
        return self.holds(Role.INTAKE)

    @property
    def is_staff_member(self) -> bool:
        """Clinicians, admins, editors and intake: signed out sooner, two-factor required."""
        return self.role != Role.PERSON or bool(self.extra_roles)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        """Not revoked and not past its expiry date (the idle rule is checked per token: ``usable``)."""
        return self.filter(revoked_at__isnull=True, user__is_active=True, expires_at__gt=dj_timezone.now())

    def usable(self) -> list[ApiToken]:
        now = dj_timezone.now()
        return [token for token in self.active().select_related("user") if token.expiry() > now]


def token_lifetime() -> timedelta:
    return timedelta(days=settings.THAW_TOKEN_LIFETIME_DAYS)


class ApiToken(models.Model):
    """A bearer token for scripts and apps. Only its SHA-256 is stored.

    A token dies when it is revoked, when its owner changes or resets their password, at
    ``expires_at`` (``THAW_TOKEN_LIFETIME_DAYS`` after it was made), and, for clinicians and
    admins, after ``THAW_TOKEN_IDLE_HOURS_CLINICIAN`` hours without use. Use is recorded at
    most once a minute, so the idle rule has that granularity.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The last characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown only once."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = dj_timezone.now()
        with transaction.atomic():  # queue on the SQLite writer lock like every other write
            token = cls.objects.create(user=user, name=name[:80] or "API token", key_hash=secret_digest(raw),
                                       hint=raw[-6:], created_at=now, expires_at=now + token_lifetime())
        return token, raw

    def idle_limit(self) -> timedelta | None:
        if self.user.is_staff_role:
            return timedelta(hours=settings.THAW_TOKEN_IDLE_HOURS_CLINICIAN)
        return None

    def expiry(self) -> datetime:
        """When the token stops working if nothing else happens: its end date, or sooner for
        a clinician's or admin's token left unused."""
        limit = self.idle_limit()
        if limit is None:
            return self.expires_at
        return min(self.expires_at, (self.last_used_at or self.created_at) + limit)

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
            return None
        from thaw.accounts.token_lookup import live_token

        # The same rows as cls.objects.active().select_related("user"), in one prepared query.
        token = live_token(cls, secret_digest(raw))
        if token is None:
            return None
        now = dj_timezone.now()
        if token.expiry() <= now:
            return None
        # Record use at most once a minute, so a busy script does not turn every read into a write.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            with transaction.atomic():
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = dj_timezone.now()
            self.save(update_fields=["revoked_at"])
