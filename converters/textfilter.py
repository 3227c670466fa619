"""The boilerplate filter for plain-text pages: named rules over blocks of text.

A text dump (copied from a browser, "Save as text", lynx/w3m, an e-mail) has no tags or classes,
so the rules read the words and the shape of each block: how long it is, whether it ends like a
sentence, whether it repeats, and what stands around it. The rule names are the HTML filter's
where the idea is the same, so `--explain` reads alike for both.

A block is one string: a paragraph (wrapped lines joined), a single short line, or a list, whose
items stand one per line as `- item` or `3. item` (the only blocks holding a newline).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from newsdown.converters.model import Removal

WORD = re.compile(r"\w+")
# A list item as split_blocks writes it: a dash or a number, one space, the text.
LIST_ITEM = re.compile(r"^(-|\d{1,9}\.) ")
# A consent notice names cookies together with what the reader is asked to accept.
COOKIE = re.compile(r"\bcookies?\b", re.I)
CONSENT = re.compile(
    r"\b(?:consent|agree|accept|privacy|browse|browsing|settings|policy"  # English
    r"|accepter|acceptez|confidentialité|navigation"  # French
    r"|zustimmen|akzeptieren|datenschutz"  # German
    r"|aceptar|aceptas|privacidad|política)\b",  # Spanish
    re.I,
)
# Lynx prints form buttons as "(BUTTON) Accept"; the label is what counts.
LYNX_BUTTON = re.compile(r"^\(BUTTON\)\s*", re.I)
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
        "j'accepte",
        "tout accepter",
        "alle akzeptieren",
        "aceptar todo",
    }
)
# A breadcrumb or section line: a few capitalised crumbs joined by ; | > » or ›, nothing else.
SECTION_LINE = re.compile(
    r"^[A-Z][\w'&.-]*(?: [\w'&.-]+){0,3}(?:\s*[;|>»›]\s*[A-Z][\w'&.-]*(?: [\w'&.-]+){0,3})+$"
)
SECTION_MAX_WORDS = 8
# "Tags: Energy, Bills" at the foot of a page: the page's own topics, wanted in the front matter.
TAG_LINE = re.compile(r"^(?:tags|topics|themen|thèmes|mots-clés|etiquetas|temas)\s*:\s*(.+)$", re.I)
TAG_MAX_WORDS = 20
COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b", re.I)
COPYRIGHT_MAX_WORDS = 15
# The first crumb of a breadcrumb trail is the home page, not a topic.
HOME_WORDS = frozenset({"home", "accueil", "startseite", "inicio", "home page", "front page"})
# "Source(s): Reuters" credits the whole story to an agency or outlet.
CREDIT_LINE = re.compile(r"^(?:source\(s\)|sources?|quelle|fuente|fonte)\s*:\s*(.+)$", re.I)
CREDIT_MAX_WORDS = 8
# "Photo: Jane Doe/AFP" credits a picture, not the story, so it goes without becoming the credit.
PHOTO_CREDIT = re.compile(
    r"^\(?(?:(?:photo|image|picture|foto|bild|credit)s?(?: credit)?\s*[:©]|©\s*\w+\s*/)", re.I
)
PHOTO_CREDIT_MAX_WORDS = 10
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
SHARE_MAX_TOKENS = 8
NEWSLETTER = re.compile(
    r"\b(?:newsletters?|subscribe|sign up|signup|inbox|mailing list|abonnez-vous|inscrivez-vous"
    r"|abonnieren|suscríbete)\b",
    re.I,
)
NEWSLETTER_MAX_WORDS = 40
# Past this length a block that mentions newsletters is a paragraph about them, unless it opens
# with the call to action itself.
NEWSLETTER_PARAGRAPH_WORDS = 25
CALL_TO_ACTION = re.compile(r"^(?:subscribe|sign up|get |abonnez|inscrivez)", re.I)
RELATED_LABEL = re.compile(
    r"^(?:more on|more from|related|read more|read also|see also|you may also like|you might also like"
    r"|recommended|most read|more stories|further reading|also read|other stories"
    r"|à lire aussi|lire aussi|sur le même sujet|mehr zum thema|lesen sie auch|leer más|lea también"
    r"|ver también|leggi anche)\b",
    re.I,
)
LABEL_MAX_WORDS = 8
TRENDING_LABEL = re.compile(
    r"^(?:search trends|trending(?: now| topics| stories)?|most popular|popular now|top stories|hot topics)$",
    re.I,
)
COMMENTS_LABEL = re.compile(
    r"^(?:\d+\s+)?comments?(?:\s*\(\d+\))?$|^(?:leave a (?:comment|reply)|join the conversation"
    r"|add a comment|show comments|post a comment|reader comments|commentaires|kommentare)\b",
    re.I,
)
TOC_LABEL = re.compile(
    r"^(?:contents|table of contents|in this article|on this page|jump to|sommaire|inhalt)$", re.I
)
# Lynx ends a dump with "References" (or "Visible links"/"Hidden links") and numbered URLs.
REFERENCES_LABEL = re.compile(r"^(?:references|visible links|hidden links)\s*:?$", re.I)
LINK_REFERENCE = re.compile(r"^(?:\d+\.\s+)?[a-z][\w+.-]*:\S+$", re.I)
# Headline-like: a handful of words that do not end like a sentence.
HEADLINE_MAX_WORDS = 25
LIST_ITEM_MAX_WORDS = 16  # a teaser headline in a "More on" or trending block
MENU_MAX_WORDS = 6
SUBHEAD_MAX_WORDS = 8
PARAGRAPH_MIN_WORDS = 15
TAIL_SHARE = 0.5  # a comments section only counts as one in the second half of the page


def words(text: str) -> list[str]:
    return WORD.findall(text)


def is_list(block: str) -> bool:
    return "\n" in block


def list_items(block: str) -> list[str]:
    """The items of a list block without their markers; any other block is its own one item."""
    if not is_list(block):
        return [block]
    return [LIST_ITEM.sub("", line, count=1) for line in block.split("\n")]


def is_headline_like(text: str, max_words: int = HEADLINE_MAX_WORDS) -> bool:
    """A line of a few words that does not end like a sentence and is not shouted."""
    count = len(words(text))
    ends_like_sentence = text.rstrip("'\"’”»").endswith((".", ":", ";", ","))
    return not is_list(text) and 1 <= count <= max_words and not ends_like_sentence and not text.isupper()


def is_paragraph(text: str) -> bool:
    return len(words(text)) >= PARAGRAPH_MIN_WORDS


def all_items(test: Callable[[str], bool]) -> Callable[[str], bool]:
    """A test for a block that holds when it holds for each list item (or for the one line)."""
    return lambda block: all(test(item) for item in list_items(block))


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
            next_index = None
            if block:
                next_index = self._apply_to_list(index) if is_list(block) else self._apply(index, block)
            index = next_index if next_index is not None else index + 1
        self.compact()

    def _apply_to_list(self, index: int) -> int | None:
        """A list is article text unless it is a share bar or lynx's list of link references."""
        block = self.blocks[index]
        if _is_share_bar(" ".join(list_items(block))):
            self.remove(index, "share-bar")
        elif self._only_link_references_from(index):
            return self.remove_run(index, "link-references", lambda b: True)
        return None

    def _apply(self, index: int, block: str) -> int | None:
        rule = self._single_block_rule(block)
        if rule is not None:
            self.remove(index, rule)
            return None
        return self._run_rule(index, block)

    def _single_block_rule(self, block: str) -> str | None:
        """The rule that removes this block alone, reading credit and tags on the way."""
        count = len(words(block))
        if COOKIE.search(block) and CONSENT.search(block):
            return "cookie-consent"
        if LYNX_BUTTON.sub("", block).lower().strip(" .!") in BUTTON_LABELS:
            return "button-label"
        if ADVERT.match(block):
            return "advertisement-label"
        if (credit := CREDIT_LINE.match(block)) and count <= CREDIT_MAX_WORDS:
            self.credit = self.credit or credit.group(1).split(",")[0].strip(" .")
            return "credit-line"
        if PHOTO_CREDIT.match(block) and count <= PHOTO_CREDIT_MAX_WORDS:
            return "photo-credit"
        if SECTION_LINE.match(block) and count <= SECTION_MAX_WORDS:
            crumbs = re.split(r"[;|>»›]", block)
            self.tags.extend(c.strip() for c in crumbs if c.strip() and c.strip().lower() not in HOME_WORDS)
            return "section-line"
        if (tag_line := TAG_LINE.match(block)) and count <= TAG_MAX_WORDS:
            self.tags.extend(t.strip() for t in re.split(r"[,;|]", tag_line.group(1)) if t.strip())
            return "tag-list"
        if COPYRIGHT.search(block) and count <= COPYRIGHT_MAX_WORDS:
            return "copyright-footer"
        if _is_share_bar(block):
            return "share-bar"
        if NEWSLETTER.search(block) and count <= NEWSLETTER_MAX_WORDS and not _is_about_newsletters(block):
            return "newsletter-prompt"
        return None

    def _run_rule(self, index: int, block: str) -> int | None:
        """A label that starts a run of blocks belonging to it: related links, a list of contents."""
        label = block.strip()
        if RELATED_LABEL.match(label) and len(words(label)) <= LABEL_MAX_WORDS:
            teaser = all_items(lambda b: is_headline_like(b, LIST_ITEM_MAX_WORDS))
            return self.remove_run(index, "related-links", teaser)
        if TRENDING_LABEL.match(label):
            return self.remove_run(
                index, "trending-list", all_items(lambda b: len(words(b)) <= MENU_MAX_WORDS)
            )
        if TOC_LABEL.match(label):
            entry = all_items(lambda b: is_headline_like(b, SUBHEAD_MAX_WORDS))
            return self.remove_run(index, "table-of-contents", entry)
        if REFERENCES_LABEL.match(label) and self._only_link_references_from(index + 1):
            return self.remove_run(index, "link-references", lambda b: True)
        if COMMENTS_LABEL.match(label) and self._in_tail(index):
            return self.remove_run(index, "comments", lambda b: True)
        return None

    def _in_tail(self, index: int) -> bool:
        before = sum(len(words(b)) for b in self.blocks[:index])
        total = sum(len(words(b)) for b in self.blocks)
        return total > 0 and before >= TAIL_SHARE * total

    def _only_link_references_from(self, index: int) -> bool:
        """From `index` to the end, nothing but numbered URLs and lynx's link-list labels."""
        rest = [item for b in self.blocks[index:] if b for item in list_items(b)]
        refs = [item for item in rest if not REFERENCES_LABEL.match(item)]
        return bool(refs) and all(LINK_REFERENCE.match(item) for item in refs)


def has_link_references(lines: list[str]) -> bool:
    """Whether a lynx-style "References" list of numbered URLs ends the text."""
    for at in range(len(lines) - 1, -1, -1):
        if REFERENCES_LABEL.match(lines[at].strip()):
            rest = [line.strip() for line in lines[at + 1 :] if line.strip()]
            refs = [line for line in rest if not REFERENCES_LABEL.match(line)]
            return bool(refs) and all(LINK_REFERENCE.match(line) for line in refs)
    return False


def _is_about_newsletters(block: str) -> bool:
    """A long block that merely mentions newsletters is article text, not a prompt."""
    return len(words(block)) > NEWSLETTER_PARAGRAPH_WORDS and not CALL_TO_ACTION.match(block)


def _is_share_bar(block: str) -> bool:
    tokens = [t.lower() for t in re.split(r"[\s|/·•,]+", block) if t]
    return (
        1 <= len(tokens) <= SHARE_MAX_TOKENS
        and all(t in SHARE_WORDS for t in tokens)
        and tokens[0] in SHARE_OPENERS
    )
