"""The plain-text front end: a text dump of a news page to an Article, like the HTML path.

Steps: split the text into blocks (wrapped lines joined, bulleted and numbered lines gathered into
lists, lynx link markers dropped) -> the text boilerplate filter (textfilter.py) -> find the
headline, and drop what stands before it -> the byline and dateline under it -> drop repeats (a
line printed again right away is a caption, kept once in italics) -> drop the menu labels that end
the page -> short title-like lines between paragraphs become `##` subheadings -> Markdown, escaped
as the HTML path escapes page text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsdown.converters.authors import split_byline, wire_agency
from newsdown.converters.byline import PUBLISHED_WORD, UPDATED_WORD
from newsdown.converters.dates import DateValue, find_prose_date
from newsdown.converters.markdown import (
    ENTITY_LIKE,
    HTML_LIKE,
    LINK_CLOSE,
    LITERAL_BACKSLASH,
    MARK,
    MAY_START_BLOCK,
    normalise,
    resolve_marks,
)
from newsdown.converters.model import Article, Document, Metadata, Options, Removal
from newsdown.converters.textfilter import (
    LIST_ITEM,
    MENU_MAX_WORDS,
    SUBHEAD_MAX_WORDS,
    TextFilter,
    has_link_references,
    is_headline_like,
    is_list,
    is_paragraph,
    list_items,
    words,
)

# Lynx numbers every link ("[12]Home"); the numbers point into the reference list at the end.
LINK_MARKER = re.compile(r"\[\d+\]")
# A bulleted or numbered line: lynx writes "*", "+", "o" by depth, w3m "•", people "-".
BULLET = re.compile(r"^([ \t]*)([-*+•◦▪‣]|\d{1,3}[.)])[ \t]+(?=\S)")
MIN_LIST_ITEMS = 2  # one dashed line is a dialogue dash or a stray mark, not a list
# Wrapped text (lynx, e-mail): the lines of a paragraph bar the last are about as long as each
# other, at most a terminal's width, and some of them end in the middle of a sentence.
WRAP_MAX_CHARS = 200
WRAP_MIN_WIDTH = 60  # nobody wraps text narrower; shorter lines over each other are separate lines
WRAP_MIN_CHARS = 30
WRAP_MIN_SHARE = 0.55  # of the longest line
SENTENCE_END = (".", "!", "?", '"', "”", "»", "…")
BYLINE = re.compile(r"^(?:by|von|par|por|di|door|av)\s+\S", re.I)
# A byline's parts: "By Jane Doe | March 5, 2024 • 4 min read".
BYLINE_PARTS = re.compile(r"\s*[|•·]\s*|\s+[-–—]\s+")
BYLINE_MAX_WORDS = 16
BYLINE_REACH = 3  # blocks after the headline where a byline or dateline may stand
NAME_LINE_MIN_WORDS, NAME_LINE_MAX_WORDS = 2, 4  # one word is a label ("Explainer"), not a name
DATELINE_MAX_WORDS = 12
# A time stamp that need not hold a date we can read: "Updated 3 hours ago", "Published: yesterday".
TIME_LABEL = re.compile(
    rf"^(?:{UPDATED_WORD.pattern}|{PUBLISHED_WORD.pattern}|\d+\s+(?:minutes?|hours?|days?)\s+ago\b)", re.I
)
HEADLINE_MIN_WORDS = 4  # fewer words make a headline only when nothing longer stands before the story
# Copies of a caption stand within this many blocks of each other (image alt text, caption,
# caption with credit); a line repeated further away is a repeat, not a caption.
CAPTION_REACH = 2
CAPTION_MIN_WORDS = 4
CAPTION_MAX_WORDS = 60
CREDIT_TAIL_MAX_WORDS = 6  # what one copy of a caption adds to the other: "/via Reuters", "Photo: AFP"
FOOTER_ITEM_MAX_WORDS = 3  # items of a footer menu ("About us", "Contact", "Terms of use")


@dataclass
class _Unit:
    """A plain line, or one list item while lists are being gathered."""

    text: str
    marker: str | None = None  # "-" or "3." for a list item

    @property
    def ordered(self) -> bool:
        return self.marker is not None and self.marker[0].isdigit()


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
        credit=text_filter.credit or page.credit,
        tags=tuple(dict.fromkeys(text_filter.tags)),
    )
    return build_article(document, metadata, page.markdown(), tuple(text_filter.removed), options)


def split_blocks(text: str) -> list[str]:
    """Blocks separated by blank lines; a block of short lines is one block per line, runs of
    bulleted or numbered lines are one list block ("- item" / "3. item" lines)."""
    lines = text.replace(MARK, "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if has_link_references(lines):
        lines = [LINK_MARKER.sub("", line) for line in lines]
    units: list[_Unit] = []
    chunk: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            chunk.append(line)
        elif chunk:
            units.extend(_chunk_units(chunk))
            chunk = []
    return _gather_lists(units)


def _chunk_units(chunk: list[str]) -> list[_Unit]:
    """The lines of one chunk: list items (with their wrapped continuation lines) and text."""
    units: list[_Unit] = []
    plain: list[str] = []
    item_indent = -1
    for raw in chunk:
        bullet = BULLET.match(raw)
        if bullet:
            units.extend(_unwrap(plain))
            plain = []
            marker = bullet.group(2)
            marker = marker[:-1] + "." if marker[0].isdigit() else "-"
            units.append(_Unit(_clean(raw[bullet.end() :]), marker))
            item_indent = len(bullet.group(1).expandtabs())
        elif units and units[-1].marker and not plain and _indent(raw) > item_indent:
            units[-1].text += " " + _clean(raw)
        else:
            plain.append(_clean(raw))
    units.extend(_unwrap(plain))
    return units


def _clean(line: str) -> str:
    return " ".join(line.split())


def _indent(line: str) -> int:
    return len(line.expandtabs()) - len(line.expandtabs().lstrip())


def _unwrap(lines: list[str]) -> list[_Unit]:
    """Wrapped lines joined into one paragraph; otherwise one block per line. A short first line
    over a wrapped paragraph is a heading or byline of its own."""
    if _is_wrapped(lines):
        return [_Unit(" ".join(lines))]
    if len(lines) > 2 and _is_wrapped(lines[1:]):
        return [_Unit(lines[0]), _Unit(" ".join(lines[1:]))]
    return [_Unit(line) for line in lines]


def _is_wrapped(lines: list[str]) -> bool:
    if len(lines) < 2 or len(set(lines)) < len(lines):  # a line printed twice is not wrapped text
        return False
    body = lines[:-1]
    longest = max(len(line) for line in body)
    shortest = max(WRAP_MIN_CHARS, WRAP_MIN_SHARE * longest)
    if not WRAP_MIN_WIDTH <= longest <= WRAP_MAX_CHARS or any(len(line) < shortest for line in body):
        return False
    if any(_is_dateline(line) or BYLINE.match(line) for line in lines[1:]):
        return False  # a headline over its byline or date, without a blank line between
    return not all(line.endswith(SENTENCE_END) for line in body)


def _gather_lists(units: list[_Unit]) -> list[str]:
    """Runs of list items of one kind become list blocks; a lone item stays a line of text."""
    blocks: list[str] = []
    run: list[_Unit] = []
    for unit in [*units, _Unit("")]:
        if unit.marker is not None and (not run or run[0].ordered == unit.ordered):
            run.append(unit)
            continue
        if len(run) >= MIN_LIST_ITEMS:
            blocks.append("\n".join(f"{item.marker} {item.text}" for item in run))
        else:
            blocks.extend(f"{item.marker} {item.text}" if item.ordered else f"- {item.text}" for item in run)
        run = [unit] if unit.marker is not None else []
        if unit.marker is None and unit.text:
            blocks.append(unit.text)
    return blocks


@dataclass
class _Page:
    """The blocks that survived the filter, read for headline, byline, date and structure."""

    filter: TextFilter
    headline: str | None = None
    authors: list[str] = field(default_factory=list)
    published: DateValue | None = None
    credit: str | None = None
    captions: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.blocks = self.filter.blocks
        index = self._headline_index()
        if index is not None:
            self.headline = self.blocks[index]
            self._drop_page_header(index)
            self.blocks[index] = ""
            self._drop_repeated_headline(index)
            self._take_byline_and_date(index)
        self._drop_repeats()
        self._drop_page_footer()

    def _remove(self, index: int, rule: str) -> None:
        self.filter.removed.append(Removal(rule=rule, text=self.blocks[index]))
        self.blocks[index] = ""

    def _live(self, start: int = 0) -> list[int]:
        return [i for i in range(start, len(self.blocks)) if self.blocks[i]]

    # The headline -------------------------------------------------------------------------------

    def _headline_index(self) -> int | None:
        """The headline stands before the story's first paragraph and before any byline: the line
        printed again further down the page if there is one, else the first of four words or more,
        else the last title-like line that is not a name."""
        limit = next((i for i, b in enumerate(self.blocks) if _starts_story(b)), len(self.blocks))
        candidates = [i for i in range(limit) if _may_be_headline(self.blocks[i])]
        repeated = [i for i in candidates if self._repeats_far(i)]
        long_enough = [i for i in candidates if len(words(self.blocks[i])) >= HEADLINE_MIN_WORDS]
        short = [i for i in candidates if not _is_name_line(self.blocks[i])]
        chosen = repeated[:1] or long_enough[:1] or short[-1:]
        return chosen[0] if chosen else None

    def _repeats_far(self, index: int) -> bool:
        later = self._live(index + 1)[CAPTION_REACH:]
        return any(_same_text(self.blocks[i], self.blocks[index]) for i in later)

    def _drop_page_header(self, index: int) -> None:
        """What stands above the headline is the site's: menus, breadcrumbs, labels, banners."""
        for before in self._live()[: self._live().index(index)]:
            block = self.blocks[before]
            if self.published is None and PUBLISHED_WORD.search(block) and self._read_dateline(block):
                self._remove(before, "dateline")
            elif is_list(block) or len(words(block)) <= MENU_MAX_WORDS:
                self._remove(before, "menu-label")
            else:
                self._remove(before, "page-header")

    def _drop_repeated_headline(self, index: int) -> None:
        for later in self._live(index + 1):
            if _same_text(self.blocks[later], self.headline or ""):
                self._remove(later, "repeated-headline")

    # Byline and dateline -------------------------------------------------------------------------

    def _take_byline_and_date(self, index: int) -> None:
        for later in self._live(index + 1)[:BYLINE_REACH]:
            block = self.blocks[later]
            if is_paragraph(block) or is_list(block):
                break
            if self._read_byline(block):
                self._remove(later, "byline")
            elif self._read_dateline(block):
                self._remove(later, "dateline")

    def _read_byline(self, block: str) -> bool:
        """ "By Jane Doe and John Roe | March 5, 2024", or a short line holding only a name."""
        parts = [part for part in BYLINE_PARTS.split(block) if part]
        head = parts[0] if parts else ""
        name_line = NAME_LINE_MIN_WORDS <= len(words(head)) <= NAME_LINE_MAX_WORDS
        if self.authors or len(words(block)) > BYLINE_MAX_WORDS or block.endswith(SENTENCE_END):
            return False
        if not (BYLINE.match(head) or name_line):
            return False
        names, credit = split_byline(head)
        people = [name.name for name in names if not name.is_org]
        if not people:
            return False
        self.authors = people
        self.credit = credit or next((c for part in parts[1:] if (c := wire_agency(part))), None)
        self.published = self.published or find_prose_date(block, skip_after=UPDATED_WORD)
        return True

    def _read_dateline(self, block: str) -> bool:
        """A short line that prints a date; the published one is read, an "Updated" one only goes."""
        if not (_is_dateline(block) or (TIME_LABEL.match(block) and len(words(block)) <= DATELINE_MAX_WORDS)):
            return False
        self.published = self.published or find_prose_date(block, skip_after=UPDATED_WORD)
        return True

    # Repeats and the page footer ------------------------------------------------------------------

    def _drop_repeats(self) -> None:
        """Copies of a line close together are a caption, kept once (the longest copy, as sites print
        it with and without its credit); a line printed again further away goes."""
        for index in self._live():
            block = self.blocks[index]
            if not block or is_list(block):
                continue
            for near in self._live(index + 1)[:CAPTION_REACH]:
                if _is_caption_copy(block, self.blocks[near]):
                    block = max(block, self.blocks[near], key=len)
                    self._remove(near, "repeated-caption")
                    self.blocks[index] = block
                    self.captions.add(block)
            for later in self._live(index + 1):
                if self.blocks[later] == block:
                    self._remove(later, "repeated-line")

    def _drop_page_footer(self) -> None:
        """Short labels and menus after the story's last paragraph are the site's footer."""
        live = self._live()
        last = max(
            (i for i in live if is_paragraph(self.blocks[i]) and not is_list(self.blocks[i])), default=None
        )
        if last is None:
            return
        for index in reversed([i for i in live if i > last]):
            if not _is_footer_label(self.blocks[index]):
                break
            self._remove(index, "menu-label")

    # Markdown -------------------------------------------------------------------------------------

    def markdown(self) -> str:
        kept = [block for block in self.blocks if block]
        parts: list[str] = []
        for index, block in enumerate(kept):
            if is_list(block):
                parts.append(render_list(block))
            elif block in self.captions:
                parts.append(f"*{escape_text(block)}*")
            elif self._is_subheading(kept, index):
                parts.append(f"## {escape_text(block)}")
            else:
                parts.append(escape_text(block))
        return normalise(resolve_marks("\n\n".join(parts)))

    def _is_subheading(self, kept: list[str], index: int) -> bool:
        """A short title-like line with the story's text before it and a paragraph or list after it."""
        block = kept[index]
        if not is_headline_like(block, SUBHEAD_MAX_WORDS):
            return False
        before = any(is_paragraph(b) and not is_list(b) for b in kept[:index])
        after = index + 1 < len(kept) and (is_paragraph(kept[index + 1]) or is_list(kept[index + 1]))
        first = block.lstrip("'\"‘“«")[:1]
        return before and after and first.isupper()


def _starts_story(block: str) -> bool:
    """The first paragraph, or a byline: the headline stands before both."""
    if is_list(block):
        return False
    return is_paragraph(block) or bool(BYLINE.match(block) and len(words(block)) <= BYLINE_MAX_WORDS)


def _may_be_headline(block: str) -> bool:
    return is_headline_like(block) and len(words(block)) >= NAME_LINE_MIN_WORDS and not _is_dateline(block)


def _is_dateline(block: str) -> bool:
    return len(words(block)) <= DATELINE_MAX_WORDS and find_prose_date(block) is not None


def _is_name_line(block: str) -> bool:
    names, _ = split_byline(block)
    return bool(names) and len(words(block)) <= NAME_LINE_MAX_WORDS


def _same_text(a: str, b: str) -> bool:
    return words(a.casefold()) == words(b.casefold())


def _is_caption_copy(block: str, other: str) -> bool:
    """The same caption again, or again with (or without) a credit added at its end."""
    if is_list(other) or len(words(block)) > CAPTION_MAX_WORDS or len(words(other)) > CAPTION_MAX_WORDS:
        return False
    shorter, longer = sorted((block, other), key=len)
    tail = longer[len(shorter) :]
    is_credit = len(words(tail)) <= CREDIT_TAIL_MAX_WORDS and not tail.endswith(SENTENCE_END)
    return len(words(shorter)) >= CAPTION_MIN_WORDS and longer.startswith(shorter) and is_credit


def _is_footer_label(block: str) -> bool:
    if is_list(block):
        return all(
            len(words(item)) <= FOOTER_ITEM_MAX_WORDS and not any(c.isdigit() for c in item)
            for item in list_items(block)
        )
    return len(words(block)) <= MENU_MAX_WORDS and not block.endswith(SENTENCE_END)


def escape_text(text: str) -> str:
    """Escape page text as the HTML path does (markdown.py): inline syntax everywhere, block syntax
    at the start of a line only, which `resolve_marks` decides once the document is assembled."""
    text = LITERAL_BACKSLASH.sub(r"\\\\", text)
    text = text.replace("*", "\\*").replace("_", "\\_")
    text = HTML_LIKE.sub(r"\\<", text)
    text = ENTITY_LIKE.sub(r"\\&", text).replace("`", "\\`").replace("~~", "\\~\\~")
    text = LINK_CLOSE.sub(r"\\]", text)
    return MAY_START_BLOCK.sub(rf"\1{MARK}", text)


def escape_paragraph(text: str) -> str:
    """One paragraph of page text as Markdown that reads back as that text."""
    return resolve_marks(escape_text(text))


def render_list(block: str) -> str:
    markers = [LIST_ITEM.match(line) for line in block.split("\n")]
    return "\n".join(
        f"{marker.group(1) if marker else '-'} {escape_text(item)}"
        for marker, item in zip(markers, list_items(block), strict=True)
    )
