"""Article HTML to Markdown: markdownify with our flavour, then whitespace normalisation.

Flavour (features.md 4.4): ATX headings, `-` bullets, `**strong**`/`*em*`, fenced code with the
language from `class="language-x"`, backslash hard breaks (editors strip trailing spaces), GFM
tables with a header row, absolute links, no `javascript:` or empty links, images as
`![alt](url)` on their own line, at most one blank line between blocks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import lxml.html
from bs4.builder import TreeBuilder, builder_registry
from bs4.element import Comment, Doctype, NavigableString, PageElement, ProcessingInstruction, Tag
from lxml import etree
from markdownify import MarkdownConverter

BLANK_RUNS = re.compile(r"\n{3,}")
# A fenced code block, kept whole by the whitespace normalisation: its blank lines are code.
FENCED_CODE = re.compile(r"^(```[^\n]*\n.*?^```)$", re.M | re.S)
TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp", ""})
# Characters that would end or break a Markdown link destination.
UNSAFE_IN_URL = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}
CODE_LANGUAGE = re.compile(r"(?:lang|language)-([\w+#-]+)")
HEADING = re.compile(r"^(#{1,6}) ", re.M)
# Control characters never reach the output (nor, through it, a terminal): C0 but tab and newline,
# DEL and C1 (U+009B is a one-character terminal escape).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Escaping page text (features.md 4.4): text that would read as Markdown syntax is backslash-escaped
# where it would change the document's structure, and nowhere else. Inline syntax is escaped in each
# text node; block syntax only matters at the start of a line, which is not known until the document is
# assembled, so text that could start a block is marked with MARK and decided on afterwards.
MARK = "\x1a"  # SUB: a control character, so never in page text (CONTROL removes it from input)
ESCAPABLE = r"!-/:-@\[-`{-~"  # ASCII punctuation: the characters a backslash escapes in CommonMark
LITERAL_BACKSLASH = re.compile(rf"\\(?=[{ESCAPABLE}]|$)")
HTML_LIKE = re.compile(r"<(?=[A-Za-z/!?])")  # a tag, comment, declaration or autolink would start
ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
LINK_CLOSE = re.compile(r"\](?=[(\[:]|$)")  # [text](url), [text][ref], [ref]: url
MAY_START_BLOCK = re.compile(r"(?:^|(?<=\n))([ \t]*)(?=[#>+\-=\d`~\[])")
BLOCK_TRIGGERS = frozenset("#>+-=`~[")  # and digits: the characters MAY_START_BLOCK looks ahead for
# What may stand before block syntax on its line: indentation, quote and list markers.
CONTAINER_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*")
BLOCK_START = re.compile(r"#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|[-=]+[ \t]*$|`{3}|~{3}|\[[^\]]*\]:")
ORDERED_START = re.compile(r"\d{1,9}(?=[.)](?:[ \t]|$))")

# markdownify's rules for its tree walk (process_tag, process_text), as markdownify 1.2 has them.
NEWLINE_WHITESPACE = re.compile(r"[\t \r\n]*[\r\n][\t \r\n]*")  # a whitespace run with a line break
SPACES_AND_TABS = re.compile(r"[\t ]+")
HTML_HEADING = re.compile(r"h(\d+)")  # matched at the start of a tag's name
INLINE_CONTEXT_TAGS = frozenset({"td", "th"})  # and headings: their children are converted inline
NOFORMAT_TAGS = frozenset({"pre", "code", "kbd", "samp"})  # no escaping or emphasis inside
# Whitespace at the edges of these (and headings) or next to them (and <pre>) is dropped.
WHITESPACE_TRIMMING_TAGS = frozenset(
    {"p", "blockquote", "article", "div", "section", "ol", "ul", "li", "dl", "dt", "dd"}
    | {"table", "thead", "tbody", "tfoot", "tr", "td", "th"}
)


# bs4's HTML tree builder for lxml: it says which attributes hold lists of words ("class", "rel").
def _soup_builder() -> TreeBuilder:
    builder = builder_registry.lookup("lxml", "html")
    assert builder is not None, "bs4 comes with its lxml tree builder"
    return builder()


SOUP_BUILDER = _soup_builder()
# bs4 keeps whitespace as it is inside these; elsewhere a whitespace-only string becomes one character.
WHITESPACE_KEPT_IN = frozenset({"pre", "textarea"})
ASCII_SPACES = " \n\t\x0c\r"


def to_soup(root: lxml.html.HtmlElement) -> Tag:
    """The lxml element as the bs4 tree markdownify walks, built node by node.

    markdownify reads a bs4 tree; serialising our tree and having bs4 parse the markup again cost twice
    as long as building bs4's nodes from it directly. The nodes are made and linked as bs4's own lxml
    tree builder makes them (attribute word lists, whitespace-only strings, sibling and document-order
    links, which markdownify's find_all and sibling tests follow).
    """
    document = Tag(None, SOUP_BUILDER, "[document]")
    document.hidden = True  # as bs4's BeautifulSoup object: the root prints no markup of its own
    builder = _SoupBuilder(document)
    builder.add_element(root, document, keep_whitespace=False)
    return document


class _SoupBuilder:
    def __init__(self, document: Tag) -> None:
        self.last: PageElement = document  # the node before the next one, in document order

    def add_element(self, element: lxml.html.HtmlElement, parent: Tag, *, keep_whitespace: bool) -> None:
        tag = element.tag
        if tag is etree.Comment:
            self.link(Comment(element.text or ""), parent)
        elif tag is etree.PI:
            self.link(ProcessingInstruction(f"{element.target} {element.text or ''}"), parent)
        elif isinstance(tag, str):
            node = Tag(None, SOUP_BUILDER, tag, attrs=dict(element.attrib))
            self.link(node, parent)
            inside_keeps = keep_whitespace or tag in WHITESPACE_KEPT_IN
            self.add_text(element.text, node, keep_whitespace=inside_keeps)
            for child in element:
                self.add_element(child, node, keep_whitespace=inside_keeps)
                self.add_text(child.tail, node, keep_whitespace=inside_keeps)

    def add_text(self, text: str | None, parent: Tag, *, keep_whitespace: bool) -> None:
        if not text:
            return
        if not keep_whitespace and not text.strip(ASCII_SPACES):
            text = "\n" if "\n" in text else " "
        self.link(NavigableString(text), parent)

    def link(self, node: PageElement, parent: Tag) -> None:
        siblings = parent.contents
        previous = siblings[-1] if siblings else None
        node.parent = parent
        node.previous_sibling = previous
        node.next_sibling = None
        if previous is not None:
            previous.next_sibling = node
        siblings.append(node)
        self.last.next_element = node
        node.previous_element = self.last
        node.next_element = None
        self.last = node


class _NewsMarkdown(MarkdownConverter):
    """markdownify with link, image and code handling suited to news articles."""

    def __init__(self, *, base_url: str | None, images: bool, links: bool) -> None:
        super().__init__(
            heading_style="atx",
            bullets="-",
            newline_style="backslash",
            table_infer_header=True,
            escape_misc=False,
            keep_inline_images_in=["a", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"],
            code_language_callback=_code_language,
        )
        self.base_url = base_url
        self.images = images
        self.links = links

    # markdownify's process_tag and process_text, rewritten for speed (they were two thirds of the
    # conversion): the same steps and the same answers (tests/test_fast_md.py checks them against
    # markdownify's own), with the tree questions markdownify asks of every node answered cheaply.
    def process_tag(self, node: Any, parent_tags: set[str] | None = None) -> str:
        if parent_tags is None:
            parent_tags = set()
        name = node.name
        rules = _tag_rules(name)
        parent_tags_for_children = {*parent_tags, name}
        if rules.children_inline:
            parent_tags_for_children.add("_inline")
        if name in NOFORMAT_TAGS:
            parent_tags_for_children.add("_noformat")
        child_strings = []
        for child in [child for child in node.contents if not _can_ignore(child, rules.trims_inside)]:
            if isinstance(child, NavigableString):
                text = self.process_text(child, parent_tags_for_children)
            else:
                text = self.process_tag(child, parent_tags_for_children)
            if text:
                child_strings.append(text)
        # markdownify asks node.find_parent("pre") here, through bs4's general search machinery (a
        # fifth of its time); the walk starts at the root, so the set holds the names of the node and
        # all its ancestors.
        inside_pre = "pre" in parent_tags_for_children
        text = "".join(child_strings) if inside_pre else _join_collapsing_newlines(child_strings)
        convert_fn = self.get_conv_fn_cached(name)  # type: ignore[attr-defined]
        if convert_fn is not None:
            text = convert_fn(node, text, parent_tags=parent_tags)
        return text

    def process_text(self, el: Any, parent_tags: set[str] | None = None) -> str:
        if parent_tags is None:
            parent_tags = set()
        text = str(el)
        if "pre" not in parent_tags:  # we never wrap: markdownify's other branch is for wrapping
            text = _collapse_whitespace(text)
        if "_noformat" not in parent_tags:
            text = self.escape(text, parent_tags)
        # Whitespace goes next to a block, or at the start or end of one.
        if _trims_whitespace_outside(el.previous_sibling) or (
            _trims_whitespace_inside(el.parent) and not el.previous_sibling
        ):
            text = text.lstrip(" \t\r\n")
        if _trims_whitespace_outside(el.next_sibling) or (
            _trims_whitespace_inside(el.parent) and not el.next_sibling
        ):
            text = text.rstrip()
        return text

    def escape(self, text: str, parent_tags: set[str]) -> str:
        # Each substitution runs only when its trigger character is there: most text nodes need none.
        if "\\" in text:
            text = LITERAL_BACKSLASH.sub(r"\\\\", text)
        escaped: str = MarkdownConverter.escape(self, text, parent_tags)  # type: ignore[attr-defined]
        if "<" in escaped:
            escaped = HTML_LIKE.sub(r"\\<", escaped)
        if "&" in escaped:
            escaped = ENTITY_LIKE.sub(r"\\&", escaped)
        escaped = escaped.replace("`", "\\`").replace("~~", "\\~\\~")
        if "a" in parent_tags:
            escaped = escaped.replace("[", "\\[").replace("]", "\\]")
        elif "]" in escaped:
            escaped = LINK_CLOSE.sub(r"\\]", escaped)
        if parent_tags & {"td", "th"}:
            escaped = escaped.replace("|", "\\|")
        if "\n" in escaped or _may_open_block(escaped):
            escaped = MAY_START_BLOCK.sub(rf"\1{MARK}", escaped)
        return escaped

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        href = self._safe_url(el.get("href"))
        if not self.links or href is None or href.startswith("#"):
            return text
        el["href"] = href
        el.attrs.pop("title", None)
        # markdownify's type stub omits its convert_* methods, which the class does define.
        result: str = MarkdownConverter.convert_a(self, el, text, parent_tags)  # type: ignore[attr-defined]
        return result

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if not self.images:
            return ""
        src = self._safe_url(el.get("src"))
        if not src or src.startswith("data:"):
            return ""
        el["src"] = src
        el.attrs.pop("title", None)
        el["alt"] = " ".join((el.get("alt") or "").replace("[", "(").replace("]", ")").split())
        result: str = MarkdownConverter.convert_img(self, el, text, parent_tags)  # type: ignore[attr-defined]
        return result

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""

    def convert_figcaption(self, el: Any, text: str, parent_tags: set[str]) -> str:
        caption = " ".join(text.split())
        return f"\n\n*{caption.strip('*_ ')}*\n\n" if caption.strip("*_ ") else ""

    def _safe_url(self, url: str | None) -> str | None:
        if not url or not url.strip():
            return None
        url = url.strip()
        if self.base_url and not url.startswith("#"):
            try:
                url = urljoin(self.base_url, url)
            except ValueError:
                return None
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return None
        if scheme not in SAFE_SCHEMES and scheme != "data":
            return None  # javascript:, vbscript: and friends never reach the output
        for char, escaped in UNSAFE_IN_URL.items():
            url = url.replace(char, escaped)
        return url


class TagRules(NamedTuple):
    """What markdownify's rules say about a tag, which depends on its name only: markdownify works it
    out with regexes and tuple searches for every node it looks at, we once per name."""

    trims_inside: bool  # whitespace at the start and end of it is dropped (blocks)
    trims_outside: bool  # whitespace next to it is dropped (blocks and <pre>)
    children_inline: bool  # its children are converted inline (headings, table cells)


@functools.lru_cache(maxsize=1024)
def _tag_rules(name: str) -> TagRules:
    heading = HTML_HEADING.match(name) is not None
    inside = bool(name) and (heading or name in WHITESPACE_TRIMMING_TAGS)  # should_remove_whitespace_inside
    outside = inside or name == "pre"  # should_remove_whitespace_outside
    return TagRules(inside, outside, heading or name in INLINE_CONTEXT_TAGS)


def _trims_whitespace_inside(node: PageElement | None) -> bool:
    return isinstance(node, Tag) and _tag_rules(node.name).trims_inside


def _trims_whitespace_outside(node: PageElement | None) -> bool:
    return isinstance(node, Tag) and _tag_rules(node.name).trims_outside


def _can_ignore(node: PageElement, trims_inside: bool) -> bool:
    """markdownify's process_tag `_can_ignore`: comments, and whitespace-only text at the edges of a
    block or next to one, are not converted."""
    if isinstance(node, Tag):
        return False
    if isinstance(node, (Comment, Doctype)):
        return True
    assert isinstance(node, NavigableString), "a tree holds tags and strings only"
    if node.strip() != "":
        return False
    if trims_inside and (not node.previous_sibling or not node.next_sibling):
        return True
    return _trims_whitespace_outside(node.previous_sibling) or _trims_whitespace_outside(node.next_sibling)


def _collapse_whitespace(text: str) -> str:
    """markdownify's whitespace normalisation of text outside <pre>: a run of whitespace holding a
    line break becomes one newline, other runs of spaces and tabs one space. Each regex runs only if
    the text has what it would replace: most text nodes have no line break, tab or double space."""
    if "\n" in text or "\r" in text:
        text = NEWLINE_WHITESPACE.sub("\n", text)
    if "\t" in text or "  " in text:
        text = SPACES_AND_TABS.sub(" ", text)
    return text


def _join_collapsing_newlines(strings: list[str]) -> str:
    """markdownify's joining of converted children outside <pre>: where one string's trailing
    newlines meet the next one's leading newlines, the longer run stays, at most two."""
    joined = "".join(strings)
    if "\n\n" not in joined:
        return joined  # no two runs meet (most tags: inline ones), so nothing to collapse
    parts = [""]  # [..., leading newlines, content, trailing newlines] per string
    for string in strings:
        leading, content, trailing = _split_newlines(string)
        if parts[-1] and leading:
            leading = "\n" * min(2, max(len(parts.pop()), len(leading)))
        parts += (leading, content, trailing)
    return "".join(parts)


def _split_newlines(string: str) -> tuple[str, str, str]:
    """markdownify's re_extract_newlines: (leading newlines, the rest, trailing newlines); a string of
    newlines only is all leading."""
    if not string.startswith("\n") and not string.endswith("\n"):
        return "", string, ""  # the usual case, without a regex
    content = string.lstrip("\n")
    leading = string[: len(string) - len(content)]
    stripped = content.rstrip("\n")
    return leading, stripped, content[len(stripped) :]


def _may_open_block(line: str) -> bool:
    """MAY_START_BLOCK's lookahead, for one line: its first character after indentation."""
    first = line.lstrip(" \t")[:1]
    return bool(first) and (first in BLOCK_TRIGGERS or first.isdecimal())


def _code_language(el: Any) -> str:
    for node in (el, el.find("code")):
        if node is None:
            continue
        match = CODE_LANGUAGE.search(" ".join(node.get("class") or ()))
        if match:
            return match.group(1)
    return ""


def article_to_markdown(
    article: lxml.html.HtmlElement, *, base_url: str | None = None, images: bool = True, links: bool = True
) -> str:
    """Convert the article's element to normalised Markdown."""
    converter = _NewsMarkdown(base_url=base_url, images=images, links=links)
    markdown: str = converter.convert_soup(to_soup(article))
    return normalise(resolve_marks(markdown))


def html_to_markdown(
    html: str, *, base_url: str | None = None, images: bool = True, links: bool = True
) -> str:
    """Convert an HTML fragment to normalised Markdown."""
    try:
        root = lxml.html.document_fromstring(CONTROL.sub("", html))
    except etree.ParserError:  # nothing but whitespace or comments
        return ""
    return article_to_markdown(root, base_url=base_url, images=images, links=links)


def resolve_marks(markdown: str) -> str:
    """Escape block syntax where a MARK stands at the start of a line (after any quote or list markers);
    drop the other marks."""
    if MARK not in markdown:
        return markdown
    lines = markdown.split("\n")
    for number, line in enumerate(lines):
        at = line.find(MARK)
        if at < 0:
            continue
        if CONTAINER_PREFIX.fullmatch(line, 0, at):
            rest = line[at + 1 :]
            ordered = ORDERED_START.match(rest)
            if ordered:
                rest = f"{rest[: ordered.end()]}\\{rest[ordered.end() :]}"
            elif BLOCK_START.match(rest):
                rest = f"\\{rest}"
            line = line[:at] + rest
        lines[number] = line.replace(MARK, "")
    return "\n".join(lines)


def normalise(markdown: str) -> str:
    """NFC, no NBSP, no trailing spaces, at most one blank line, exactly one final newline."""
    markdown = unicodedata.normalize("NFC", markdown).replace("\u00a0", " ").replace("\r", "")
    markdown = CONTROL.sub("", markdown)
    # Each multiline regex below scans the whole text; a substring test first is ~10x cheaper, and
    # most articles have no trailing spaces, no fenced code and no runs of blank lines.
    if " \n" in markdown or "\t\n" in markdown or markdown.endswith((" ", "\t")):
        markdown = TRAILING_SPACE.sub("", markdown)
    markdown = _collapse_blank_runs(markdown).strip("\n")
    return markdown + "\n" if markdown else ""


def _collapse_blank_runs(markdown: str) -> str:
    """Hard breaks only inside paragraphs and at most one blank line between blocks, outside fenced
    code."""
    parts = FENCED_CODE.split(markdown) if "```" in markdown else [markdown]  # prose, code, ..., prose
    return "".join(
        part if index % 2 else _one_blank_line(_tidy_hard_breaks(part)) for index, part in enumerate(parts)
    )


def _one_blank_line(prose: str) -> str:
    return BLANK_RUNS.sub("\n\n", prose) if "\n\n\n" in prose else prose


def _tidy_hard_breaks(prose: str) -> str:
    """Pages separate paragraphs with <br><br> and end them with a <br>; as Markdown hard breaks those
    leave lines holding a lone backslash, or a backslash at a paragraph's end, which CommonMark prints
    as a literal backslash. A line that is only a break becomes a blank line; a break before a blank
    line or the end goes."""
    if "\\" not in prose:
        return prose
    lines = ["" if line.strip() == "\\" else line for line in prose.split("\n")]
    for number, line in enumerate(lines):
        last = number + 1 == len(lines) or not lines[number + 1].strip()
        if last and _ends_with_hard_break(line):
            lines[number] = line[:-1].rstrip()
    return "\n".join(lines)


def _ends_with_hard_break(line: str) -> bool:
    """A backslash ends the line and is not itself escaped (an odd number of them)."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def shift_headings(markdown: str) -> str:
    """Shift heading levels so the body's highest heading is `##` (the title is level one)."""
    levels = [len(m.group(1)) for m in HEADING.finditer(markdown)]
    if not levels or min(levels) == 2:
        return markdown
    shift = 2 - min(levels)
    return HEADING.sub(lambda m: "#" * max(1, min(6, len(m.group(1)) + shift)) + " ", markdown)


IMAGE_SYNTAX = re.compile(r"(?<!\\)!\[((?:\\.|[^\\\]])*)\]\([^)]*\)\n?")
LINK_SYNTAX = re.compile(r"(?<!\\)\[((?:\\.|[^\\\]])*)\]\([^)]*\)")
EMPHASIS_MARKS = re.compile(r"(?<![\w\\])[*_]{1,3}(?=\S)|(?<=[^\s\\])[*_]{1,3}(?![\w])")
BACKSLASH_ESCAPE = re.compile(rf"\\([{ESCAPABLE}])")
BLOCK_MARKERS = re.compile(r"^(?:#{1,6} |> ?|```.*$)", re.M)


def markdown_to_text(markdown: str) -> str:
    """Plain text for `--format text`: the words, without Markdown syntax or image references."""
    text = IMAGE_SYNTAX.sub("", markdown)
    text = LINK_SYNTAX.sub(r"\1", text)
    text = BLOCK_MARKERS.sub("", text)
    text = EMPHASIS_MARKS.sub("", text).replace("\\\n", "\n")
    return normalise(BACKSLASH_ESCAPE.sub(r"\1", text))
