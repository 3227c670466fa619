"""The plain-text front end: a text dump of a news page to an Article, like the HTML path.

Steps: split the text into blocks -> the text boilerplate filter (textfilter.py) -> find the
headline, byline and dateline -> drop repeats (a repeated line is kept once; a repeated short
line is a caption, kept once in italics) -> short title-like lines between paragraphs become
`##` subheadings -> Markdown.
"""

from __future__ import annotations

import re
from collections import Counter

from newsdown.converters.authors import split_byline
from newsdown.converters.dates import DateValue, find_prose_date
from newsdown.converters.markdown import normalise
from newsdown.converters.model import Article, Document, Metadata, Options, Removal
from newsdown.converters.textfilter import (
    LINK_MARKER,
    MENU_MAX_WORDS,
    SUBHEAD_MAX_WORDS,
    TextFilter,
    is_headline_like,
    is_paragraph,
    words,
)

# Wrapped text (lynx, e-mail): lines of a paragraph are this long, bar the last.
WRAPPED_MIN_CHARS, WRAPPED_MAX_CHARS = 40, 100
BYLINE = re.compile(r"^(?:by|von|par|por|di|door|av)\s+\S", re.I)
BYLINE_REACH = 3  # blocks after the headline where a byline or dateline may stand
NAME_LINE_MAX_WORDS = 4
DATELINE_MAX_WORDS = 10
CAPTION_MAX_WORDS = 60
# Characters that would start a Markdown block if a line began with them.
BLOCK_START = re.compile(r"^(\s*)([#>+*-]|\d{1,9}[.)])(?=\s|$)")
SETEXT_LINE = re.compile(r"^[=-]+\s*$")


def convert_text_document(document: Document, options: Options) -> Article:
    """Convert a text dump of a news page into an Article (pipeline's text branch)."""
    from newsdown.converters.pipeline import build_article

    text_filter = TextFilter(split_blocks(document.text))
    text_filter.run_line_rules()
    page = _Page(text_filter)
    metadata = Metadata(
        title=page.headline,
        authors=tuple(page.authors),
        published=page.published,
        credit=text_filter.credit,
        tags=tuple(dict.fromkeys(text_filter.tags)),
    )
    return build_article(document, metadata, page.markdown(), tuple(text_filter.removed), options)


def split_blocks(text: str) -> list[str]:
    """Blocks separated by blank lines; a block of short lines is one block per line."""
    text = LINK_MARKER.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if _is_wrapped(lines):
            blocks.append(" ".join(lines))
        else:
            blocks.extend(lines)
    return blocks


def _is_wrapped(lines: list[str]) -> bool:
    if len(lines) < 2:
        return False
    body = lines[:-1]
    return all(WRAPPED_MIN_CHARS <= len(line) <= WRAPPED_MAX_CHARS for line in body) and not any(
        line.endswith((".", "!", "?", '"', "”")) for line in body[: len(body) // 2 + 1]
    )


class _Page:
    """The blocks that survived the filter, read for headline, byline, date and structure."""

    def __init__(self, text_filter: TextFilter) -> None:
        self.filter = text_filter
        self.blocks = text_filter.blocks
        self.authors: list[str] = []
        self.published: DateValue | None = None
        self.headline_index: int | None = None
        self.captions: set[str] = set()
        self.headline = self._take_headline()
        self._take_byline_and_date()
        self._drop_repeats()

    def _remove(self, index: int, rule: str) -> None:
        self.filter.removed.append(Removal(rule=rule, text=self.blocks[index]))
        self.blocks[index] = ""

    def _take_headline(self) -> str | None:
        index = self.headline_index = self._headline_index()
        if index is None:
            return None
        headline = self.blocks[index]
        for before in range(index):
            if self.blocks[before] and len(words(self.blocks[before])) <= MENU_MAX_WORDS:
                self._remove(before, "menu-label")
        self.blocks[index] = ""
        for later in range(index + 1, len(self.blocks)):
            if self.blocks[later] == headline:
                self._remove(later, "repeated-headline")
        return headline

    def _headline_index(self) -> int | None:
        counts = Counter(self.blocks)
        candidates = [
            i for i, block in enumerate(self.blocks) if is_headline_like(block) and len(words(block)) >= 4
        ]
        for i in candidates:
            if counts[self.blocks[i]] > 1 and self._paragraph_follows(i):
                return i
        return next((i for i in candidates if self._paragraph_follows(i)), None)

    def _paragraph_follows(self, index: int) -> bool:
        return any(is_paragraph(block) for block in self.blocks[index + 1 : index + 8])

    def _take_byline_and_date(self) -> None:
        after_headline = [
            i for i in range((self.headline_index or -1) + 1, len(self.blocks)) if self.blocks[i]
        ]
        for index in after_headline[:BYLINE_REACH]:
            block = self.blocks[index]
            if is_paragraph(block):
                break
            if self._read_byline(block) or self._read_dateline(block):
                self._remove(index, "byline")

    def _read_byline(self, block: str) -> bool:
        parts = [part.strip() for part in block.split("|")]
        looks_like_byline = BYLINE.match(parts[0]) or len(words(parts[0])) <= NAME_LINE_MAX_WORDS
        if not looks_like_byline or self.authors:
            return False
        names, credit = split_byline(parts[0])
        people = [name.name for name in names if not name.is_org]
        if not people:
            return False
        self.authors = people
        self.filter.credit = self.filter.credit or credit
        for part in parts[1:]:
            self.published = self.published or find_prose_date(part)
        return True

    def _read_dateline(self, block: str) -> bool:
        if len(words(block)) > DATELINE_MAX_WORDS or self.published:
            return False
        self.published = find_prose_date(block)
        return self.published is not None

    def _drop_repeats(self) -> None:
        seen: set[str] = set()
        for index, block in enumerate(self.blocks):
            if not block:
                continue
            if block in seen:
                self._remove(index, "repeated-line")
                if len(words(block)) <= CAPTION_MAX_WORDS:
                    self.captions.add(block)
            seen.add(block)

    def markdown(self) -> str:
        kept = [block for block in self.blocks if block]
        lines: list[str] = []
        for index, block in enumerate(kept):
            if block in self.captions:
                lines.append(f"*{escape_inline(block)}*")
            elif self._is_subheading(kept, index):
                lines.append(f"## {block}")
            else:
                lines.append(escape_block_start(block))
        return normalise("\n\n".join(lines))

    def _is_subheading(self, kept: list[str], index: int) -> bool:
        block = kept[index]
        if not is_headline_like(block, SUBHEAD_MAX_WORDS):
            return False
        before = any(is_paragraph(b) for b in kept[:index])
        after = index + 1 < len(kept) and is_paragraph(kept[index + 1])
        first = block.lstrip("'\"‘“")[:1]
        return before and after and first.isupper()


def escape_block_start(text: str) -> str:
    """Escape a line start that Markdown would read as a heading, quote, list or rule."""
    if SETEXT_LINE.match(text):
        return "\\" + text
    return BLOCK_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def escape_inline(text: str) -> str:
    return text.replace("*", "\\*").replace("_", "\\_")
