"""Markdown to safe HTML for articles, program pages and the editor's live preview. Pure: no ORM.

markdown-it-py parses CommonMark (the dialect the seed files and most editors know) with raw HTML
and images reduced to their description; its output then passes nh3 (the Ammonia sanitiser) with an allow-list of
tags, attributes and link schemes, so nothing an editor types can run a script, load something
from another site or break the page's layout, whatever the parser lets through. A ``#`` heading
becomes ``<h2>``: the page's title is the only ``<h1>``.
"""

from __future__ import annotations

import re
from functools import cache
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset({"h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "blockquote", "em", "strong",
                          "a", "code", "pre"})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title"}), "ol": frozenset({"start"})}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def render(markdown: str) -> str:
    """Sanitised HTML for ``markdown`` (already through the text gate)."""
    parser = _parser()
    tokens = parser.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
        if token.children:
            token.children = [_no_image(child) for child in token.children]
    html = parser.renderer.render(tokens, parser.options, {})
    return sanitise(html)


def _no_image(token: Token) -> Token:
    """An image in the body would be loaded from wherever it points: keep only its description
    (an article's picture is uploaded in Thaw, with its alt text)."""
    if token.type != "image":
        return token
    return Token("text", "", 0, content=token.content)


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True)


def plain_text(html: str) -> str:
    return unescape(_TAG.sub(" ", html))


def word_count(html: str) -> int:
    """Words a reader sees (link addresses are not words)."""
    return len(_WORD.findall(plain_text(html)))
