"""Learn: the clinic's public articles, their topics, revisions, images, daily view counts and
comments, and the public pages of the clinic's programs.

An article's own fields are what readers see; every save is also a ``Revision`` (drafts are
revisions newer than what is live), so editors can look back and restore. Views are counted
per article and day only (no cookie, no address, no row per reader; see ``thaw.learn.counter``).
A program's public page is a ``ProgramPage`` on the clinic's own ``Program`` (issue 8), so the
program a reader asks about is the one intake invites them to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from thaw.fields import EncryptedTextField

TITLE_MAX = 100
SUMMARY_MAX = 180
BODY_MAX = 40_000  # characters of Markdown: about 6,000 words, far beyond any article
ALT_MAX = 250
COMMENT_NAME_MAX = 60
COMMENT_MAX = 2_000
REPLY_MAX = 2_000
SLUG_MAX = 80
# Addresses under /learn/ that are pages of their own, so no article may take them as a slug.
RESERVED_SLUGS = frozenset({"all", "feed", "manage", "images", "search", "topics", "new", "preview"})
# The languages an article can be written in (issue 17). Fixed here, not read from settings, so a
# site's LANGUAGES never changes the migrations.
ARTICLE_LANGUAGES = (("en", "English"), ("es", "Español"))
# Said beside an article shown to a reader of another language (translated into the reader's).
IN_LANGUAGE = {"en": gettext_lazy("In English"), "es": gettext_lazy("In Spanish")}
ARTICLE_IN = {"en": gettext_lazy("This article is in English."), "es": gettext_lazy("This article is in Spanish.")}


class Topic(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class CommentMode(models.TextChoices):
    ON = "on", gettext_lazy("On: comments appear at once (crisis words are still held)")
    HELD = "held", gettext_lazy("Held: an editor reads each comment first")
    OFF = "off", gettext_lazy("Off: no new comments")


class Image(models.Model):
    """An uploaded picture, re-encoded by Thaw (never the uploaded bytes) and kept in the database,
    so every app server can serve it and a backup holds it."""

    digest = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=32)
    data = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"image {self.pk} ({self.width}×{self.height})"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(self.content_type, "bin")


class ArticleQuerySet(models.QuerySet["Article"]):
    def live(self, now: object = None) -> ArticleQuerySet:
        """What readers see: published, and its publication time has come."""
        return self.filter(published_at__isnull=False, published_at__lte=now or timezone.now())


class Article(models.Model):
    slug = models.SlugField(max_length=SLUG_MAX, unique=True)
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.CharField(max_length=SUMMARY_MAX)
    body = models.TextField(help_text="Markdown")
    body_html = models.TextField(help_text="The body rendered and sanitised (thaw.learn.markdown)")
    words = models.PositiveIntegerField(default=0)
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
    related = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+")
    image = models.ForeignKey(Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    image_alt = models.CharField(max_length=ALT_MAX, blank=True)
    # None: a draft nobody has published. In the future: scheduled.
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    comments_mode = models.CharField(max_length=8, choices=CommentMode.choices, default=CommentMode.HELD)
    # Kept here so a page or a list shows its counts without adding anything up.
    views = models.PositiveBigIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The language the article is written in, and the original it translates (issue 17). An
    # original has ``translation_of`` empty; its translations point at it (never at another
    # translation), so the versions of one article are the original and its translations.
    language = models.CharField(max_length=8, choices=ARTICLE_LANGUAGES, default="en", db_index=True)
    translation_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="translations")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/learn/{self.slug}/"

    @property
    def language_note(self) -> str:
        """"In English": said beside the article where it is listed for a reader of another language."""
        return str(IN_LANGUAGE.get(self.language, self.language))

    @property
    def written_in(self) -> str:
        """"This article is in English.": said at the top of its page to a reader of another language."""
        return str(ARTICLE_IN.get(self.language, self.language))

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / 220))

    @property
    def is_live(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.published_at is not None and self.published_at > timezone.now()


class RevisionKind(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")
    RESTORED = "restored", gettext_lazy("Restored as a draft")
    SEED = "seed", gettext_lazy("Loaded on first start")


class Revision(models.Model):
    """One saved version of an article. The newest is what the editor opens; a draft revision
    newer than the last published one is work not yet shown to readers."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=RevisionKind.choices)
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.CharField(max_length=SUMMARY_MAX)
    body = models.TextField()
    topics = models.JSONField(default=list)
    related = models.JSONField(default=list)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"revision {self.number} of {self.article_id}"


class ArticleDay(models.Model):
    """Views of one article on one (UTC) day: the only record of reading that Thaw keeps."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="articleday_unique")]

    def __str__(self) -> str:
        return f"{self.views} views of {self.article_id} on {self.day}"


class CommentStatus(models.TextChoices):
    HELD = "held", gettext_lazy("Waiting for an editor")
    APPROVED = "approved", gettext_lazy("Shown")
    REJECTED = "rejected", gettext_lazy("Not shown")


class Comment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    # A signed-in commenter; their comments leave with their account (erasure).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="learn_comments")
    name = models.CharField(max_length=COMMENT_NAME_MAX, help_text="The name the commenter chose to show")
    body = EncryptedTextField()
    status = models.CharField(max_length=10, choices=CommentStatus.choices, default=CommentStatus.HELD)
    urgent = models.BooleanField(default=False, help_text="Crisis language: the commenter was shown crisis lines")
    # A keyed hash of article, name and text: the same comment sent twice is one comment.
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reply = EncryptedTextField(blank=True)
    reply_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "status"], name="comment_article_status"),
                   models.Index(fields=["status", "urgent"], name="comment_queue")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.article_id}"


class ProgramFormat(models.TextChoices):
    VIRTUAL = "virtual", gettext_lazy("Virtual")
    IN_PERSON = "in_person", gettext_lazy("In person")
    HYBRID = "hybrid", gettext_lazy("Virtual and in person")


class ProgramPage(models.Model):
    """The public face of one of the clinic's programs (its name is the program's own)."""

    program = models.OneToOneField("clinic.Program", on_delete=models.CASCADE, related_name="page")
    slug = models.SlugField(max_length=SLUG_MAX, unique=True)
    summary = models.CharField(max_length=SUMMARY_MAX)
    body = models.TextField(help_text="Markdown")
    body_html = models.TextField()
    format = models.CharField(max_length=12, choices=ProgramFormat.choices, default=ProgramFormat.VIRTUAL)
    regions = models.JSONField(default=list)
    schedule = models.CharField(max_length=120)
    length = models.CharField(max_length=60)
    public = models.BooleanField(default=True, help_text="Shown at /programs/")
    example = models.BooleanField(default=False, help_text="One of the examples Thaw ships: replace or hide it")
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["position", "slug"]
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="programpage_slug")]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return f"/programs/{self.slug}/"
