"""Learn's forms: a comment, an article in the editor, a picture, a program's public page.
Every text box goes through the one text gate (``thaw.forms.TextField``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from thaw.forms import TextField
from thaw.learn.models import (
    ALT_MAX,
    ARTICLE_LANGUAGES,
    BODY_MAX,
    COMMENT_MAX,
    COMMENT_NAME_MAX,
    REPLY_MAX,
    SLUG_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    CommentMode,
    ProgramFormat,
)


class CommentForm(forms.Form):
    name = TextField(label=gettext_lazy("Your name, as it will be shown"), max_length=COMMENT_NAME_MAX,
                     help_text=gettext_lazy("A first name or a nickname is fine. Nothing else about you is shown."))
    body = TextField(label=gettext_lazy("Your comment"), max_length=COMMENT_MAX, multiline=True,
                     widget=forms.Textarea(attrs={"rows": 6}))


class ArticleForm(forms.Form):
    slug = TextField(label=gettext_lazy("Address"), max_length=SLUG_MAX, required=False,
                     help_text=gettext_lazy("The end of the page's address: /learn/<address>/. Lowercase words joined by hyphens; "
                               "it cannot change once the article exists."))
    title = TextField(label=gettext_lazy("Title"), max_length=TITLE_MAX, required=False)
    summary = TextField(label=gettext_lazy("Summary"), max_length=SUMMARY_MAX, required=False,
                        help_text=gettext_lazy("One or two plain sentences, shown in lists, feeds and search results."))
    body = TextField(label=gettext_lazy("Article (Markdown)"), max_length=BODY_MAX, required=False, multiline=True,
                     widget=forms.Textarea(attrs={"rows": 18, "class": "markdown"}),
                     help_text=gettext_lazy("## for headings, *emphasis*, **strong**, - for lists, [link text](/help/) for links."))
    language = forms.ChoiceField(label=gettext_lazy("Language of the article"), required=False,
                                 choices=ARTICLE_LANGUAGES)
    translation_of = forms.ChoiceField(
        label=gettext_lazy("Translation of"), required=False,
        help_text=gettext_lazy("If this article translates another, choose the original: each page then offers "
                               "the other, and readers of each language are shown their own."))
    topics = forms.MultipleChoiceField(label=gettext_lazy("Topics"), required=False, widget=forms.CheckboxSelectMultiple)
    related = forms.MultipleChoiceField(label=gettext_lazy("Related articles (up to 4)"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    publish_at = forms.DateTimeField(label=gettext_lazy("Publish on (for scheduling)"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args: Any, topics: list[tuple[str, str]], articles: list[tuple[str, str]],
                 new: bool, originals: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["translation_of"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("None: this is an original")), *(originals or [])]
        self.fields["topics"].choices = topics  # type: ignore[attr-defined]
        self.fields["related"].choices = articles  # type: ignore[attr-defined]
        if not new:
            del self.fields["slug"]


class ImageForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Picture (JPEG, PNG, WebP or GIF, up to 5 MB)"), required=False)
    alt = TextField(label=gettext_lazy("Describe the picture for people who cannot see it"), max_length=ALT_MAX, required=False,
                    help_text=gettext_lazy("What it shows, in a sentence. Required."))


class CommentsModeForm(forms.Form):
    comments_mode = forms.ChoiceField(label=gettext_lazy("Comments"), choices=CommentMode.choices, widget=forms.RadioSelect)


class ReplyForm(forms.Form):
    reply = TextField(label=gettext_lazy("Your reply (shown under the comment, with the comment)"), max_length=REPLY_MAX,
                      required=False, multiline=True)


class ProgramPageForm(forms.Form):
    summary = TextField(label=gettext_lazy("Summary"), max_length=SUMMARY_MAX)
    body = TextField(label=gettext_lazy("What the program is (Markdown)"), max_length=BODY_MAX, multiline=True,
                     widget=forms.Textarea(attrs={"rows": 14}))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ProgramFormat.choices)
    regions = TextField(label=gettext_lazy("Regions served (comma separated)"), max_length=300)
    schedule = TextField(label=gettext_lazy("Typical schedule"), max_length=120)
    length = TextField(label=gettext_lazy("Length"), max_length=60)
    public = forms.BooleanField(label=gettext_lazy("Show this page at /programs/"), required=False)
    example = forms.BooleanField(
        label=gettext_lazy("Label it as an example (visitors read “Example program: not a real service”)"),
        required=False, help_text=gettext_lazy("Untick once the page describes a real program."))
