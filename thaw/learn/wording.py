"""What Learn's rules say when the text gate refuses a field, as whole sentences naming the field.

Each field has its own four sentences (not text, a broken character, a control character, too
long), translated whole: a translated name glued to the gate's words cannot agree with them in
every language (Spanish says "acórtalo" of el título but "acórtala" of la respuesta). The English
reads exactly as the name and the gate's words did when they were glued together.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext_lazy

from thaw.text import Wording

NAME = Wording(
    gettext_lazy("Your name must be text"),
    gettext_lazy("Your name contains a broken character at character %(position)s (half of an emoji or symbol, "
                 "lost in copying); please type that part again"),
    gettext_lazy("Your name contains an invisible control character at character %(position)s; please delete it "
                 "(line breaks and tabs are fine)"),
    ngettext_lazy("Your name is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "Your name is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)

COMMENT = Wording(
    gettext_lazy("Your comment must be text"),
    gettext_lazy("Your comment contains a broken character at character %(position)s (half of an emoji or "
                 "symbol, lost in copying); please type that part again"),
    gettext_lazy("Your comment contains an invisible control character at character %(position)s; please delete "
                 "it (line breaks and tabs are fine)"),
    ngettext_lazy("Your comment is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "Your comment is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)

REPLY = Wording(
    gettext_lazy("The reply must be text"),
    gettext_lazy("The reply contains a broken character at character %(position)s (half of an emoji or symbol, "
                 "lost in copying); please type that part again"),
    gettext_lazy("The reply contains an invisible control character at character %(position)s; please delete it "
                 "(line breaks and tabs are fine)"),
    ngettext_lazy("The reply is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "The reply is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)

ADDRESS = Wording(
    gettext_lazy("The address must be text"),
    gettext_lazy("The address contains a broken character at character %(position)s (half of an emoji or symbol, "
                 "lost in copying); please type that part again"),
    gettext_lazy("The address contains an invisible control character at character %(position)s; please delete "
                 "it (line breaks and tabs are fine)"),
    ngettext_lazy("The address is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "The address is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)

TITLE = Wording(
    gettext_lazy("The title must be text"),
    gettext_lazy("The title contains a broken character at character %(position)s (half of an emoji or symbol, "
                 "lost in copying); please type that part again"),
    gettext_lazy("The title contains an invisible control character at character %(position)s; please delete it "
                 "(line breaks and tabs are fine)"),
    ngettext_lazy("The title is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "The title is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)

SUMMARY = Wording(
    gettext_lazy("The summary must be text"),
    gettext_lazy("The summary contains a broken character at character %(position)s (half of an emoji or symbol, "
                 "lost in copying); please type that part again"),
    gettext_lazy("The summary contains an invisible control character at character %(position)s; please delete "
                 "it (line breaks and tabs are fine)"),
    ngettext_lazy("The summary is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "The summary is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)

ARTICLE = Wording(
    gettext_lazy("The article must be text"),
    gettext_lazy("The article contains a broken character at character %(position)s (half of an emoji or symbol, "
                 "lost in copying); please type that part again"),
    gettext_lazy("The article contains an invisible control character at character %(position)s; please delete "
                 "it (line breaks and tabs are fine)"),
    ngettext_lazy("The article is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "The article is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)

DESCRIPTION = Wording(
    gettext_lazy("The description must be text"),
    gettext_lazy("The description contains a broken character at character %(position)s (half of an emoji or "
                 "symbol, lost in copying); please type that part again"),
    gettext_lazy("The description contains an invisible control character at character %(position)s; please "
                 "delete it (line breaks and tabs are fine)"),
    ngettext_lazy("The description is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s character",
                  "The description is %(length)s characters long; the limit is %(limit)s, so please shorten it by "
                  "%(over)s characters", "n"),
)
