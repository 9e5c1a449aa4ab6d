"""A small detector of English left on a page shown in another language (issue 17).

English sentences are held together by short function words ("the", "you", "is", "to") that
Spanish does not use, so the share of English stop words among a block's words tells an English
sentence from a Spanish one without any model: a Spanish sentence scores 0, an English one
usually 0.3 or more. What a Spanish page rightly contains is left out before counting:

- text inside an element whose ``lang`` is not the page's (the PHQ-9's official English items,
  marked ``lang="en"`` for screen readers), and inside an element of a class the caller names as
  data (a Learn article's text, written by the clinic's editors in their language);
- scripts, styles and text areas (a text area shows back what the person typed);
  a chart's SVG is read: its ``title`` and ``desc`` are what a screen reader says, and its
  ``text`` what a reader sees (band names of an instrument are marked ``lang="en"``);
- quoted text (“numb” shown as an example of a word), email addresses, web addresses, and
  words the two languages share ("a", "no", "me", "he", "has" and the like are not counted);
- names (Thaw, a person's display name, an acronym such as WHO-5) count as words but never as English.

``english_blocks(html)`` returns the blocks (a paragraph, a heading, a list item, a button, a
label, and the ``alt``/``aria-label``/``placeholder``/``title`` texts a screen reader reads) that
look English, each with its stop words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Frequent English function words (and a few everyday words of a page: "now", "see", "save") that
# are not also Spanish words. Left out on purpose because
# Spanish uses them: a, no, me, he, has, son, sin, con, mi, once, van, era, fin, dice, pie, as, e, y, o.
STOP_WORDS = frozenset("""
the and of to in on at is are was were be been being it its this that these those with for from by an
you your yours we our ours they them their there here what which who whom whose when where why how
can could will would should shall may might must do does did done have had having not or if then than
so but only just also about into onto over under again more most some any all each every other such
very too up down out off what's it's don't can't won't isn't aren't you're we're they're i'm i've
i'll let's my mine his her hers him she i am yet still after before while because until both own same
few nor through during above below between yes get got make made take
now see call feel save edit delete back next show last day days open someone something nothing everyone
anything please thank thanks sign new add share shared sharing check want like one two first know way
""".split())
SHARED = frozenset({"a", "no", "me", "he", "has", "son", "sin", "con", "mi", "van", "era", "fin", "as", "e", "y", "o"})

BLOCK_TAGS = frozenset("""
p div li ul ol h1 h2 h3 h4 h5 h6 label legend button summary option dt dd td th tr table section article
header footer nav main form fieldset details figure figcaption blockquote pre br hr aside caption dialog
select output title desc text
""".split())
SKIP_TAGS = frozenset({"script", "style", "textarea", "template", "noscript"})
READ_ATTRIBUTES = ("alt", "aria-label", "placeholder", "title")
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed", "track"})

QUOTED = re.compile(r"“[^”]{0,200}”|\"[^\"]{0,200}\"|‘[^’]{0,200}’|«[^»]{0,200}»")
EMAIL = re.compile(r"\S+@\S+")
ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+|(?<!\w)/[\w./?=&%-]+")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Block:
    text: str
    stop_words: tuple[str, ...]
    words: int

    @property
    def share(self) -> float:
        return len(self.stop_words) / self.words if self.words else 0.0

    def __str__(self) -> str:
        return f"“{self.text}” (English words: {', '.join(self.stop_words)})"


def measure(text: str) -> Block:
    """The block's English stop words and word count, after what a Spanish page rightly contains."""
    cleaned = ADDRESS.sub(" ", EMAIL.sub(" ", QUOTED.sub(" ", text)))
    found = WORD.findall(cleaned)
    words = [w.lower().replace("’", "'") for w in found]
    # An acronym ("WHO-5", "AUDIT-C") is a name, not the English word it spells.
    stops = tuple(w for w, raw in zip(words, found, strict=True)
                  if w in STOP_WORDS and w not in SHARED and not (len(raw) > 1 and raw.isupper()))
    return Block(" ".join(text.split()), stops, len(words))


def looks_english(block: Block) -> bool:
    """Two English words of the list making up a sixth of the words is a sentence; a short label
    of up to four words is English with one ("Check in", "Edit my safety plan")."""
    if len(block.stop_words) >= 2 and block.share >= 0.15:
        return True
    return len(block.stop_words) >= 1 and block.words <= 4


class _Blocks(HTMLParser):
    def __init__(self, data_classes: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.data_classes = data_classes
        self.blocks: list[str] = []
        self._current: list[str] = []
        # One entry per open element: whether text inside it is left out.
        self._skipping: list[tuple[str, bool]] = []
        self._page_language = ""

    def _skipped(self) -> bool:
        return any(skip for _, skip in self._skipping)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self._page_language = a.get("lang", "")
            return
        if tag in BLOCK_TAGS or tag in SKIP_TAGS:
            self._flush()
        language = a.get("lang")
        other_language = language is not None and language.split("-")[0] != self._page_language.split("-")[0]
        other_language = other_language or bool(self.data_classes & set(a.get("class", "").split()))
        hidden = tag == "input" and a.get("type", "").lower() == "hidden"
        if not self._skipped() and not other_language and not hidden:
            for name in READ_ATTRIBUTES:
                if a.get(name, "").strip():
                    self.blocks.append(a[name].strip())
            if tag == "input" and a.get("type", "").lower() in ("submit", "button") and a.get("value"):
                self.blocks.append(a["value"])
        if tag not in VOID:
            self._skipping.append((tag, tag in SKIP_TAGS or other_language))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self._skipping and self._skipping[-1][0] == tag:
            self._skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS or tag in SKIP_TAGS:
            self._flush()
        # Pop back to the matching element (HTML lets some end tags be left out).
        for i in range(len(self._skipping) - 1, -1, -1):
            if self._skipping[i][0] == tag:
                del self._skipping[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipped():
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def visible_blocks(html: str, data_classes: frozenset[str] = frozenset()) -> list[str]:
    """The page's text as a reader meets it, block by block, left out what is in another language."""
    parser = _Blocks(data_classes)
    parser.feed(html)
    parser.close()
    return parser.blocks


def english_blocks(html: str, *, ignore: tuple[str, ...] = (),
                   data_classes: frozenset[str] = frozenset()) -> list[Block]:
    """The blocks of a page that read as English; ``ignore`` names text that is data, not Thaw's,
    and ``data_classes`` the classes of elements whose text is data."""
    found = []
    for text in visible_blocks(html, data_classes):
        for data in ignore:
            text = text.replace(data, " ")
        block = measure(text)
        if looks_english(block):
            found.append(block)
    return found
