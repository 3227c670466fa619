"""The boilerplate filter for plain-text pages: named rules over blocks of text.

A text dump (copied from a browser, "Save as text", lynx/w3m, an e-mail) has no tags or classes,
so the rules read the words and the shape of each block: how long it is, whether it ends like a
sentence, whether it repeats, and what stands around it. The rule names are the HTML filter's
where the idea is the same, so `--explain` reads alike for both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from newsdown.converters.model import Removal

WORD = re.compile(r"\w+")
SENTENCE_END = re.compile(r"[.!?…:;,]['\"’”)]*$")
# A consent notice names cookies together with what the reader is asked to accept.
COOKIE = re.compile(r"\bcookies?\b", re.I)
CONSENT = re.compile(
    r"\b(?:consent|agree|accept|privacy|browse|browsing|settings|policy"  # English
    r"|accepter|acceptez|confidentialité|navigation"  # French
    r"|zustimmen|akzeptieren|datenschutz"  # German
    r"|aceptar|aceptas|privacidad|política)\b",  # Spanish
    re.I,
)
BUTTON_LABELS = frozenset(
    {
        "i agree",
        "agree",
        "accept",
        "accept all",
        "accept cookies",
        "ok",
        "got it",
        "close",
        "reject all",
        "manage settings",
        "cookie settings",
        "allow all",
        "continue",
        "dismiss",
        "i accept",
        "yes, i agree",
        "skip to content",
        "skip to main content",
        "menu",
        "search",
        "log in",
        "sign in",
        "back to top",
    }
)
SECTION_LINE = re.compile(
    r"^[A-Z][\w'&.-]*(?: [\w'&.-]+){0,3}(?:\s*[;|>»›]\s*[A-Z][\w'&.-]*(?: [\w'&.-]+){0,3})+$"
)
COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b", re.I)
COPYRIGHT_MAX_WORDS = 15
# The first crumb of a breadcrumb trail is the home page, not a topic.
HOME_WORDS = frozenset({"home", "accueil", "startseite", "inicio", "home page", "front page"})
CREDIT_LINE = re.compile(r"^(?:source\(s\)|sources?|credit|via)\s*:\s*(.+)$", re.I)
ADVERT = re.compile(r"^(?:advertisement|advertising|sponsored|sponsored content|anzeige|publicité)$", re.I)
# Words a share bar is made of, in the languages of the news we see; the bar opens with one of the
# SHARE_OPENERS, so a line of other words from this list ("on this article") is not taken for one.
SHARE_OPENERS = frozenset(
    {"share", "facebook", "twitter", "tweet", "partager", "teilen", "compartir", "condividi"}
)
SHARE_WORDS = SHARE_OPENERS | frozenset(
    {
        "x",
        "whatsapp",
        "email",
        "e-mail",
        "print",
        "linkedin",
        "copy",
        "link",
        "pinterest",
        "reddit",
        "telegram",
        "this",
        "article",
        "on",
        "messenger",
    }
)
NEWSLETTER = re.compile(r"\b(?:newsletters?|subscribe|sign up|signup|inbox|mailing list)\b", re.I)
NEWSLETTER_MAX_WORDS = 40
RELATED_LABEL = re.compile(
    r"^(?:more on|more from|related|read more|read also|see also|you may also like|you might also like"
    r"|recommended|most read|more stories|further reading|also read|other stories"
    r"|à lire aussi|lire aussi|sur le même sujet|mehr zum thema|lesen sie auch|leer más|lea también"
    r"|ver también|leggi anche)\b",
    re.I,
)
TRENDING_LABEL = re.compile(
    r"^(?:search trends|trending(?: now| topics| stories)?|most popular|popular now|top stories|hot topics)$",
    re.I,
)
COMMENTS_LABEL = re.compile(
    r"^(?:\d+\s+)?comments?(?:\s*\(\d+\))?$|^(?:leave a (?:comment|reply)|join the conversation"
    r"|add a comment|show comments|post a comment|reader comments)\b",
    re.I,
)
TOC_LABEL = re.compile(r"^(?:contents|table of contents|in this article|on this page|jump to)$", re.I)
REFERENCES_LABEL = re.compile(r"^(?:references|links|visible links)$", re.I)
LINK_REFERENCE = re.compile(r"^\d+\.\s+\S+://\S+$")
LINK_MARKER = re.compile(r"\[\d+\]")
# Headline-like: a handful of words that do not end like a sentence.
HEADLINE_MIN_WORDS, HEADLINE_MAX_WORDS = 4, 25
LIST_ITEM_MAX_WORDS = 16  # a teaser headline in a "More on" or trending block
MENU_MAX_WORDS = 6
SUBHEAD_MAX_WORDS = 8
PARAGRAPH_MIN_WORDS = 15
TAIL_SHARE = 0.5  # a comments section only counts as one in the second half of the page


def words(text: str) -> list[str]:
    return WORD.findall(text)


def is_sentence_like(text: str) -> bool:
    return bool(SENTENCE_END.search(text))


def is_headline_like(text: str, max_words: int = HEADLINE_MAX_WORDS) -> bool:
    count = len(words(text))
    ends_like_sentence = text.rstrip("'\"’”").endswith((".", ":", ";", ","))
    return 1 <= count <= max_words and not ends_like_sentence and not text.isupper()


def is_paragraph(text: str) -> bool:
    return len(words(text)) >= PARAGRAPH_MIN_WORDS


@dataclass
class TextFilter:
    """Runs the rules over the blocks, recording each removal; what is left is the article."""

    blocks: list[str]
    removed: list[Removal] = field(default_factory=list)
    credit: str | None = None
    tags: list[str] = field(default_factory=list)

    def remove(self, index: int, rule: str) -> None:
        self.removed.append(Removal(rule=rule, text=self.blocks[index]))
        self.blocks[index] = ""

    def remove_run(self, start: int, rule: str, keep_going: Callable[[str], bool]) -> int:
        """Remove the label at `start` and the blocks after it while `keep_going` holds."""
        self.remove(start, rule)
        index = start + 1
        while index < len(self.blocks) and (not self.blocks[index] or keep_going(self.blocks[index])):
            if self.blocks[index]:
                self.remove(index, rule)
            index += 1
        return index

    def compact(self) -> None:
        self.blocks = [block for block in self.blocks if block]

    def run_line_rules(self) -> None:
        """The rules that judge a block on its own words, and the labels that start a run."""
        index = 0
        while index < len(self.blocks):
            block = self.blocks[index]
            next_index = self._apply(index, block) if block else None
            index = next_index if next_index is not None else index + 1
        self.compact()

    def _apply(self, index: int, block: str) -> int | None:
        lowered = block.lower().strip(" .!")
        if COOKIE.search(block) and CONSENT.search(block):
            self.remove(index, "cookie-consent")
        elif lowered in BUTTON_LABELS:
            self.remove(index, "button-label")
        elif ADVERT.match(block):
            self.remove(index, "advertisement-label")
        elif (credit := CREDIT_LINE.match(block)) and len(words(block)) <= 8:
            self.credit = self.credit or credit.group(1).split(",")[0].strip(" .")
            self.remove(index, "credit-line")
        elif SECTION_LINE.match(block) and len(words(block)) <= 8:
            parts = [part.strip() for part in re.split(r"[;|>»›]", block) if part.strip()]
            self.tags.extend(part for part in parts if part.lower() not in HOME_WORDS)
            self.remove(index, "section-line")
        elif COPYRIGHT.search(block) and len(words(block)) <= COPYRIGHT_MAX_WORDS:
            self.remove(index, "copyright-footer")
        elif _is_share_bar(block):
            self.remove(index, "share-bar")
        elif (
            NEWSLETTER.search(block)
            and len(words(block)) <= NEWSLETTER_MAX_WORDS
            and not is_paragraph_body(block)
        ):
            self.remove(index, "newsletter-prompt")
        elif RELATED_LABEL.match(block) and len(words(block)) <= 8:
            return self.remove_run(index, "related-links", lambda b: is_headline_like(b, LIST_ITEM_MAX_WORDS))
        elif TRENDING_LABEL.match(block.strip()):
            return self.remove_run(index, "trending-list", lambda b: len(words(b)) <= MENU_MAX_WORDS)
        elif TOC_LABEL.match(block.strip()):
            return self.remove_run(
                index, "table-of-contents", lambda b: is_headline_like(b, SUBHEAD_MAX_WORDS)
            )
        elif REFERENCES_LABEL.match(block.strip()) and self._only_link_references_after(index):
            return self.remove_run(index, "link-references", lambda b: True)
        elif COMMENTS_LABEL.match(block.strip()) and self._in_tail(index):
            return self.remove_run(index, "comments", lambda b: True)
        return None

    def _in_tail(self, index: int) -> bool:
        before = sum(len(words(b)) for b in self.blocks[:index])
        total = sum(len(words(b)) for b in self.blocks)
        return total > 0 and before >= TAIL_SHARE * total

    def _only_link_references_after(self, index: int) -> bool:
        rest = [b for b in self.blocks[index + 1 :] if b]
        return bool(rest) and all(LINK_REFERENCE.match(b) for b in rest)


def is_paragraph_body(block: str) -> bool:
    """A long block that merely mentions newsletters is article text, not a prompt."""
    return len(words(block)) > 25 and not re.match(r"^(?:subscribe|sign up|get )", block, re.I)


def _is_share_bar(block: str) -> bool:
    tokens = [t.lower() for t in re.split(r"[\s|/·•,]+", block) if t]
    return 1 <= len(tokens) <= 8 and all(t in SHARE_WORDS for t in tokens) and tokens[0] in SHARE_OPENERS
