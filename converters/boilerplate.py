"""The boilerplate filter, last stage: remove blocks inside readability's article that are not article.

Every removal has a rule name, so `--explain` can tell the user why text is missing. The rules look
at one block at a time (its tag, class words, text and link density); none knows a site or a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from newsdown.converters.model import Removal

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# The blocks the rules judge; a removed block takes its children with it.
BLOCKS = HEADINGS | {"p", "div", "section", "ul", "ol", "li", "figure", "figcaption", "table", "span", "dl"}
# Leaf blocks that can be a caption: a <figcaption>, or one whose class says caption. Only these count
# as repeated: a recipe or a schedule legitimately repeats whole paragraphs.
CAPTION_TAGS = frozenset({"figcaption", "p", "div", "span", "li"})
CAPTION_CLASS = re.compile(r"caption|credit|cutline|legend", re.I)

WORD = re.compile(r"\w+")
FIRST_WORD_CHARS = 40  # a block's first word is looked for in its opening characters

# Stand-alone labels that mark an ad slot or a player control, in the languages of the news we see.
ADVERT_LABEL = re.compile(
    r"^(?:advertisement|advertising|advert|ad|ads|anzeige|werbung|publicité|publicidad|pubblicità"
    r"|publicidade"
    r"|реклама|sponsored|sponsored content|story continues below(?: advertisement)?"
    r"|article continues below(?: advertisement)?|continue reading below"
    r"|scroll to continue(?: with content)?)$",
    re.I,
)
INTERFACE_LABEL = re.compile(
    r"^(?:close|play|pause|replay|mute|unmute|loading|loading\.\.\.|video|watch|next|previous|prev"
    r"|image \d+ of \d+|\d+ of \d+|this slideshow requires javascript\.?|enlarge this image|toggle caption"
    r"|hide caption|expand|collapse|skip ad|fullscreen|image copyright|image caption|media caption|copyright"
    r"|print|print article|order reprints|reprints|text size|back|voltar|zurück|retour|volver"
    r"|media playback is unsupported on your device)$",
    re.I,
)
# Share bars: every word is a network or a verb of sharing.
SHARE_WORDS = frozenset(
    {
        *("share", "shares", "sharing", "this", "on", "via", "copy", "link", "save", "print", "sms"),
        *("facebook", "twitter", "x", "whatsapp", "email", "e", "mail", "pinterest", "pint", "pin"),
        *(
            "linkedin",
            "reddit",
            "tweet",
            "messenger",
            "telegram",
            "flipboard",
            "tumblr",
            "comment",
            "comments",
        ),
        *("baixar", "compartilhe", "compartir", "teilen", "partager", "condividi"),
    }
)
SHARE_MAX_WORDS = 12  # a share bar is a handful of buttons, not a sentence
# Lead words of a block that introduces links to other stories.
RELATED_LEAD = re.compile(
    r"^(?:related(?: (?:stories|articles|content|coverage|links|posts|reading|news))?"
    r"|more on|more from|more about|also on"
    r"|read more|read also|also read|see also|see more|further reading|recommended(?: for you)?"
    r"|you (?:may|might) also (?:like|be interested in)|don'?t miss|most (?:read|popular|viewed)"
    r"|trending|popular (?:stories|posts|articles)|more (?:stories|news|articles|headlines)"
    r"|latest (?:news|stories)"
    r"|leia (?:também|mais)|lesen sie auch|mehr zum thema|lire aussi|à lire aussi|lee también|leggi anche"
    r"|top stories|watch|click here|get .{1,40} (?:app|on the go))\b",
    re.I,
)
READ_MORE_MAX_CHARS = 200  # a "Read more: <headline>" line, not a paragraph that begins with "See more"
RELATED_BLOCK_MAX_CHARS = 600  # a lead-in and a few headlines in one paragraph
LINK_DENSE = 0.6  # share of a block's text that sits in links for it to be a list of links
TRAILING_LIST_DENSITY = 0.8  # a bare list of links at the very end of the article is a "more" list
# A prompt asks the reader to do something (sign up, subscribe) through a channel (newsletter, inbox);
# an article that mentions newsletters does not ask.
NEWSLETTER_ASK = re.compile(
    r"\b(?:sign(?:ing)? up|subscribe|register|receive|get|join|delivered|abonnieren|inscreva-se|suscríbete"
    r"|abonnez-vous)\b",
    re.I,
)
NEWSLETTER_CHANNEL = re.compile(
    r"\b(?:newsletters?|inbox|e-?mails?|letterbox|updates|alerts|subscribers?|subscription|magazine)\b", re.I
)
# ... and it asks the reader: it says "you" or "our", or it opens with the ask. A report that people
# "get emergency alerts" or that a service "signed up subscribers" does neither.
NEWSLETTER_READER = re.compile(
    r"\b(?:you|your|our|us|sie|ihr\w*|unser\w*|seu|sua|nosso|nossa|tu|su|nuestro|vous|votre|notre)\b", re.I
)
NEWSLETTER_LEAD = re.compile(
    r"^(?:subscribe|sign up|join|abonnieren|inscreva-se|suscríbete|abonnez-vous)\b", re.I
)
NEWSLETTER_MAX_CHARS = 300  # a prompt is a line or two; an article about newsletters is longer
AUTHOR_BIO = re.compile(
    r"^(?:have a (?:news )?tip|(?:email|contact|reach) \w[\w .'-]{0,40} (?:at|on|via)\b"
    r"|follow (?:him|her|them|us|me|@)"
    r"|follow \S+ on (?:twitter|facebook|instagram)|\w[\w .'-]{0,40} (?:is|was) an? (?:[\w-]+ ){0,4}"
    r"(?:reporter|writer|correspondent|editor|journalist|columnist|contributor|author)\b)",
    re.I,
)
AUTHOR_CLASS = re.compile(
    r"(?:^|[\s_-])(?:author-?bio|about-?(?:the-?)?author|bio(?:graphy)?|byline|contributor)", re.I
)
AUTHOR_BIO_MAX_CHARS = 400
TAIL_BLOCKS = 4  # author notes and follow-us lines sit at the end of the article
PHOTO_CREDIT = re.compile(
    r"^\(?(?:(?:photo|image|picture|foto|bild|imagem|credit|source)s?(?: credit)?\s*[:©]|©|\(c\)\s)"
    r"|^\(?(?:getty images|ap photo|reuters|afp|shutterstock|istock)[\w /.,-]*\)?$",
    re.I,
)
PHOTO_CREDIT_MAX_CHARS = 120
TAG_LEAD = re.compile(r"^(?:tags?|topics?|filed under|categories|keywords)\W*$", re.I)
TAG_REL = re.compile(r"\b(?:tag|category)\b", re.I)
TAG_LIST = re.compile(
    r"^(?:tags?|topics?|filed under|categories|category|keywords|schlagworte|etiquetas)\s*:", re.I
)
COMMENTS = re.compile(
    r"^(?:\d+ )?(?:comments?|leave a (?:comment|reply)|tell us what you think\W*|post a comment"
    r"|join the discussion"
    r"|comentários|kommentare|commentaires|comentarios|отзывы|комментарии|add a comment|добавить отзыв)\W*$",
    re.I,
)

# A caption's class may sit on a wrapper a few levels up ("caption" > "caption-full" > p).
CAPTION_DEPTH = 3
# Two captions are the same when the shorter one's words open the longer one, give or take a "more"
# or "less" toggle at the end: sites print a caption in full and truncated, with and without credit.
CAPTION_SAME_SHARE = 0.8

# The top of the article: the byline, the dates and the reading time sit before the first paragraphs,
# and the front matter has them already.
TOP_BLOCKS = 4
DATELINE_MAX_CHARS = 120
MONTHS = frozenset(
    {
        *("january", "february", "march", "april", "may", "june", "july", "august", "september"),
        *("october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep"),
        *("sept", "oct", "nov", "dec", "januar", "februar", "märz", "mai", "juni", "juli", "oktober"),
        *("dezember", "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto"),
        *("setembro", "outubro", "novembro", "dezembro", "enero", "febrero", "marzo", "mayo", "junio"),
        *("julio", "septiembre", "octubre", "noviembre", "diciembre", "janvier", "février", "mars"),
        *("avril", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    }
)
# Words a dateline is made of besides the date: weekdays, "updated", time zones, prepositions.
DATELINE_WORDS = MONTHS | frozenset(
    {
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue"),
        *("wed", "thu", "fri", "sat", "sun", "montag", "dienstag", "mittwoch", "donnerstag", "freitag"),
        *("samstag", "sonntag", "segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"),
        *("feira", "lunes", "martes", "miércoles", "jueves", "viernes", "updated", "update", "published"),
        *("posted", "last", "modified", "original", "originally", "on", "at", "am", "pm", "a", "m", "p"),
        *("et", "est", "edt", "ct", "cst", "cdt", "mt", "mst", "mdt", "pt", "pst", "pdt", "gmt", "utc"),
        *("bst", "cet", "cest", "ist", "amt", "msk", "aest", "uhr", "stand", "aktualisiert", "am", "um"),
        *("veröffentlicht", "publicado", "atualizado", "actualizado", "em", "de", "às", "a", "las"),
        *("mis", "à", "jour", "le", "publié", "h", "hours", "ago", "minutes", "th", "st", "nd", "rd"),
    }
)
DATE_NUMBERS = re.compile(r"\b\d{1,2}[:.h]\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")
DATELINE_OTHER_WORDS = 3  # a name may share the line: "JANIE HAR Nov 20, 2019"
# "By Jane Roe", "Von Jürgen Weiß", "Por Ana Lima": a name after a preposition, and nothing else.
BYLINE_LEAD = re.compile(r"^(?:by|von|por|par|di|door|av|af)\s+(.+)$", re.I)
BYLINE_NAME_WORDS = 6
NAME_CONNECTORS = frozenset({"and", "und", "e", "y", "et", "&", "de", "da", "van", "von", "der", "del"})
# "Jane Roe, Staff Writer", "Robert Burns, AP National Security Writer"
BYLINE_TITLE = re.compile(
    r"^[^,.]{2,40},\s*(?:[\w.-]+ ){0,4}(?:writer|reporter|correspondent|editor|columnist)s?$", re.I
)
READING_TIME = re.compile(
    r"^(?:(?:tempo de leitura|reading time|read time|lesezeit|temps de lecture|tiempo de lectura)\W*\d+\s*\w+"
    r"|\d+\s*(?:min|mins|minutes?|minutos?|minuten)\.? (?:read|de leitura|de lectura|lesezeit))\W*$",
    re.I,
)
# Credits at the end of a wire story: the truth of who reported it is in the front matter.
CONTRIBUTOR_NOTE = re.compile(
    r"^(?:(?:additional )?(?:reporting|writing|editing|edited|compiled|research) by\b"
    r"|write to \w[\w .'-]{0,40} at\b|our standards\W|follow \S+ (?:full )?coverage\b)"
    r"|\bcontributed (?:to )?(?:this|the) (?:report|story|article)\W*$",
    re.I,
)
CONTRIBUTOR_MAX_CHARS = 400
# A press release ends with "About <Company>" and its boilerplate, or a rule and "<Company> is a ...".
ABOUT_HEADING = re.compile(r"^(?i:about|à propos de|über|sobre|acerca de)\s+(?:the\s+)?[A-Z][^.!?]{0,60}$")
COMPANY_BLURB = re.compile(
    r"^(?:[A-Z][\w&.'’-]*\s){1,4}(?:\([^)]{1,20}\)\s)?is (?:a|an|the) (?:[\w’'-]+ ){0,6}"
    r"(?:company|provider|firm|leader|manufacturer|developer|group|corporation|supplier|maker"
    r"|organi[sz]ation|specialist|platform)\b"
)
ABOUT_MAX_SHARE = 0.4  # the boilerplate is a short coda, not the half of a page about a company
# "TAYLOR SWIFT CLEARED TO PERFORM": a link to another story, set in capitals between paragraphs.
HEADLINE_LINK_WORDS = 4
HEADLINE_LINK_DENSITY = 0.9
CAPITALS_SHARE = 0.9  # "AMAs" may keep its small s
HEADLINE_HEAD_CHARS = 12
SLUG_SEPARATORS = re.compile(r"[-_]+")
SLUG_WORDS = 4
COMMENT_WORD = re.compile(r"\b(?:comments?|comentários|comentarios|kommentare|commentaires)\b", re.I)
MODERATION = re.compile(r"\bmodera", re.I)
COMMENT_POLICY_MAX_CHARS = 300
# A case-insensitive search for "\b(?:many|words)" is slow: Python's re tries every word at every
# position. A substring test on the casefolded text settles most blocks before it: every text the
# regex matches holds one of these parts. (casefold() turns each character that re.I matches to an
# ASCII letter into that letter, bar the Turkish "İ" and "ı" for "i": no part has an "i".)
NEWSLETTER_CHANNEL_PARTS = (
    *("newsletter", "nbox", "ema", "e-ma", "letterbox"),  # newsletters?|inbox|e-?mails?|letterbox
    *("updates", "alerts", "subscr", "magaz"),  # updates|alerts|subscribers?|subscription|magazine
)
MODERATION_PART = "modera"


def normalized(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())  # split(): the whitespace \s means, in C


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def first_word(text: str) -> str | None:
    """`words(text)[0]`, or None for a text without words; the text is casefolded only as far as it must."""
    # casefold() maps each character on its own: the opening's casefold opens the text's.
    folded = text[:FIRST_WORD_CHARS].casefold()
    match = WORD.search(folded)
    if match is None or match.end() == len(folded):  # no word in the opening, or a word cut short
        match = WORD.search(text.casefold())
    return match.group() if match else None


def link_density(element: lxml.html.HtmlElement, text: str) -> float:
    linked = sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))
    return linked / max(len(text), 1)


def _has_text(element: lxml.html.HtmlElement) -> bool:
    if element.text and not element.text.isspace():
        return True  # most blocks open with their text: no iterator needed
    return any(not text.isspace() for text in element.itertext())


def _zone(leaves: list[lxml.html.HtmlElement]) -> set[lxml.html.HtmlElement]:
    """The leaf blocks of a part of the article (its top, its tail) and the blocks that hold them: a
    block is in that part when it is one of these (no block sits inside a leaf block)."""
    zone: set[lxml.html.HtmlElement] = set()
    for leaf in leaves:
        # Every block already in the zone has its ancestors in it too: the climb stops there, so
        # the leaves of a long zone share the walk up their common ancestors.
        node = leaf
        while node is not None and node not in zone:
            zone.add(node)
            node = node.getparent()
    return zone


def clean_article(
    article: lxml.html.HtmlElement, headline: str | None = None
) -> tuple[lxml.html.HtmlElement, tuple[Removal, ...]]:
    """Remove, in place, the boilerplate blocks inside the article; return it and what went and why."""
    cleaner = _Cleaner(article, headline)
    cleaner.run()
    return article, tuple(cleaner.removed)


class _Cleaner:
    def __init__(self, article: lxml.html.HtmlElement, headline: str | None) -> None:
        self.article = article
        self.headline = words(headline) if headline else []
        self.removed: list[Removal] = []
        self.seen: set[tuple[str, ...]] = set()
        # The blocks in document order, the order they are judged in: lxml picks them by tag in C,
        # and the inline elements between them are never walked in Python.
        self.blocks = list(article.iterdescendants(*BLOCKS))
        self.dropped: set[lxml.html.HtmlElement] = set()  # blocks removed, or inside one removed
        # Leaves and captions hold no other block; a set of the blocks' parents tells them apart
        # at one getparent() a block, where a look at every child would walk the inline elements.
        holders = {block.getparent() for block in self.blocks}
        innermost = [block for block in self.blocks if block not in holders]
        self.captions = {block for block in innermost if _is_caption(block)}
        leaves = [block for block in innermost if _has_text(block)]
        self.top = _zone(leaves[:TOP_BLOCKS])
        self.tail = _zone(leaves[-TAIL_BLOCKS:])
        self.last_leaf = leaves[-1] if leaves else None
        self.latter_half = _zone(leaves[len(leaves) // 2 :])
        self._length: int | None = None
        self._words: tuple[str, list[str]] = ("", [])
        self._first: tuple[str, str | None] = ("", None)
        self._folded: tuple[str, str] = ("", "")

    def run(self) -> None:
        for element in self.blocks:
            if element in self.dropped:
                continue  # removed with a block before it
            text = normalized(element)
            rule = self.rule(element, text)
            if rule:
                self.remove(element, rule, text)
            else:
                self.remember(element, text)

    def remove(self, element: lxml.html.HtmlElement, rule: str, text: str) -> None:
        self.removed.append(Removal(rule=rule, text=text))
        if element.getparent() is not None:
            self.drop(element)

    def drop(self, element: lxml.html.HtmlElement) -> None:
        """Take the element out of the article; the blocks in it are not judged any more."""
        self.dropped.update(element.iter(*BLOCKS))
        element.drop_tree()

    def remember(self, element: lxml.html.HtmlElement, text: str) -> None:
        if element in self.captions:
            key = tuple(self.words(text))
            if key:
                self.seen.add(key)

    @property
    def length(self) -> int:
        """Characters of text in the whole article, counted when a rule first asks."""
        if self._length is None:
            self._length = len(self.article.text_content())
        return self._length

    def words(self, text: str) -> list[str]:
        """`words(text)` for the block being judged; several rules ask for it."""
        if self._words[0] != text:
            self._words = (text, words(text))
        return self._words[1]

    def folded(self, text: str) -> str:
        """`text.casefold()` for the block being judged; several rules ask for it."""
        if self._folded[0] != text:
            self._folded = (text, text.casefold())
        return self._folded[1]

    def first_word(self, text: str) -> str | None:
        """`first_word(text)` for the block being judged: a cheap test that settles most blocks
        before their words are split out."""
        if self._first[0] != text:
            self._first = (text, first_word(text))
        return self._first[1]

    def few_words(self, text: str, limit: int) -> list[str] | None:
        """`words(text)` if it has at most `limit` words, else None; a long block's words are not all
        split out just to learn that there are too many."""
        if self._words[0] == text:
            return self._words[1] if len(self._words[1]) <= limit else None
        found = [match.group() for match in islice(WORD.finditer(text.casefold()), limit + 1)]
        if len(found) > limit:
            return None
        self._words = (text, found)
        return found

    def remove_following(self, element: lxml.html.HtmlElement, rule: str) -> None:
        """Remove the blocks after `element` in its parent: the rest of a coda it opens."""
        for following in list(element.itersiblings()):
            text = normalized(following) if isinstance(following.tag, str) else ""  # not a comment
            if text:
                self.removed.append(Removal(rule=rule, text=text))
            self.drop(following)

    def rule(self, element: lxml.html.HtmlElement, text: str) -> str | None:
        for check in RULES:
            rule = check(self, element, text)
            if rule:
                return rule
        return None


def _empty_heading(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if element.tag in HEADINGS and not WORD.search(text):
        return "empty-heading"
    return None


def _advertisement_label(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    return "advertisement-label" if text and ADVERT_LABEL.match(text) else None


def _interface_label(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    return "interface-label" if text and INTERFACE_LABEL.match(text) else None


def _share_bar(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if cleaner.first_word(text) not in SHARE_WORDS:
        return None
    tokens = cleaner.few_words(text, SHARE_MAX_WORDS)
    if not tokens:
        return None
    return "share-bar" if all(token in SHARE_WORDS for token in tokens) else None


def _repeated_headline(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not cleaner.headline or cleaner.first_word(text) != cleaner.headline[0]:
        return None
    if cleaner.few_words(text, len(cleaner.headline)) == cleaner.headline:
        return "repeated-headline"
    return None


def _is_caption(element: lxml.html.HtmlElement) -> bool:
    """Whether a block that holds no other block is a caption."""
    if element.tag not in CAPTION_TAGS:
        return False
    node: lxml.html.HtmlElement | None = element
    for _ in range(CAPTION_DEPTH + 1):  # the block and its nearest ancestors, not all of them
        if node is None:
            break
        if node.tag == "figcaption" or CAPTION_CLASS.search(node.get("class") or ""):
            return True
        node = node.getparent()
    return False


def _same_caption(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    shorter = min(len(one), len(other))
    common = next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), shorter)
    return common >= CAPTION_SAME_SHARE * shorter


def _repeated_caption(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not cleaner.seen or element not in cleaner.captions:
        return None
    key = tuple(cleaner.words(text))
    # Sites print a caption twice, often once with the photo credit and once without it, so a
    # caption that opens an earlier one (or is opened by it) counts as the same caption.
    repeated = key and any(_same_caption(key, seen) for seen in cleaner.seen)
    return "repeated-caption" if repeated else None


def _photo_credit(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if len(text) <= PHOTO_CREDIT_MAX_CHARS and PHOTO_CREDIT.search(text):
        return "photo-credit"
    return None


def _link_dense_list(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not text:
        return None
    if element.tag in HEADINGS or element.tag == "p":
        return _related_lead(cleaner, element, text)
    if element.tag not in ("ul", "ol") or not _ends_article(cleaner, element):
        return None
    return "link-dense-list" if link_density(element, text) >= TRAILING_LIST_DENSITY else None


def _related_lead(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    """A lead-in line that is mostly a link ("Related:", "Read more: <headline>"), or a heading that
    only announces a list of links. "DON'T MISS" over a run of headlines: a longer block, but nearly
    all links."""
    if len(text) > RELATED_BLOCK_MAX_CHARS:
        return None
    if not (_leads_to_links(element, text) or TAG_LEAD.match(text)):
        return None  # read before the links are measured: the lead-in settles most paragraphs
    density = link_density(element, text)
    if len(text) > (RELATED_BLOCK_MAX_CHARS if density >= LINK_DENSE else READ_MORE_MAX_CHARS):
        return None
    if density >= LINK_DENSE / 2:
        return "link-dense-list"
    following = element.getnext()
    if not _is_link_list(following):
        return None
    while following is not None and _is_link_list(following):
        after = following.getnext()
        cleaner.remove(following, "link-dense-list", normalized(following))
        following = after
    return "link-dense-list"


def _leads_to_links(element: lxml.html.HtmlElement, text: str) -> bool:
    if RELATED_LEAD.match(text):
        return True
    # "DON'T MISS<br><a>Plague warning</a>": the line break is the only space after the lead.
    # iterdescendants, not find(".//br"): find parses its path in Python on every call.
    has_break = next(element.iterdescendants("br"), None) is not None
    return has_break and RELATED_LEAD.match(_text_with_breaks(element)) is not None


def _text_with_breaks(element: lxml.html.HtmlElement) -> str:
    parts = [element.text or ""]
    for node in element.iterdescendants():
        if node.tag == "br":
            parts.append(" ")
        elif isinstance(node.tag, str):
            parts.append(node.text or "")
        parts.append(node.tail or "")
    return " ".join("".join(parts).split())


def _is_link_list(element: lxml.html.HtmlElement | None) -> bool:
    if element is None or element.tag not in ("ul", "ol", "div", "section", "p"):
        return False
    text = normalized(element)
    return bool(text) and link_density(element, text) >= LINK_DENSE


def _ends_article(cleaner: _Cleaner, element: lxml.html.HtmlElement) -> bool:
    last = cleaner.last_leaf
    return last is not None and (last is element or element in last.iterancestors())


def _newsletter_prompt(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not text or len(text) > NEWSLETTER_MAX_CHARS:
        return None
    if NEWSLETTER_LEAD.match(text):
        return "newsletter-prompt"
    folded = cleaner.folded(text)
    if not any(part in folded for part in NEWSLETTER_CHANNEL_PARTS):
        return None  # NEWSLETTER_CHANNEL cannot match
    if NEWSLETTER_ASK.search(text) and NEWSLETTER_CHANNEL.search(text) and NEWSLETTER_READER.search(text):
        return "newsletter-prompt"
    return None


def _author_bio(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not text or len(text) > AUTHOR_BIO_MAX_CHARS:
        return None
    if AUTHOR_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}"):
        return "author-bio"
    if element in cleaner.tail and AUTHOR_BIO.match(text):
        return "author-bio"
    return None


def _tag_list(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if TAG_LIST.match(text) and len(text) <= READ_MORE_MAX_CHARS:
        return "tag-list"
    # Links the page itself marks as tags or categories (rel="tag", rel="category tag").
    if not text or not _all_tag_links(element):
        return None
    return "tag-list" if link_density(element, text) >= LINK_DENSE else None


def _all_tag_links(element: lxml.html.HtmlElement) -> bool:
    """The block has links, and each one is marked as a tag; the first other link settles it."""
    has_links = False
    for link in element.iter("a"):
        if not TAG_REL.search(link.get("rel") or ""):
            return False
        has_links = True
    return has_links


def _comments(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    return "comments" if text and COMMENTS.match(text) else None


def _dateline(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    """A date line ("Updated 5:27 am CST, Wednesday, November 20, 2019") at the top or the end."""
    if not text or len(text) > DATELINE_MAX_CHARS:
        return None
    if not (element in cleaner.top or element in cleaner.tail):
        return None
    if any(ancestor.tag == "blockquote" for ancestor in element.iterancestors()):
        return None  # the date line of a quoted post belongs to the quote
    if READING_TIME.match(text):
        return "dateline"
    tokens = cleaner.words(text)
    # A date: "20.11.2019", "5:27", or a month named beside a number ("may" alone is a verb).
    has_number = any(token.isdigit() for token in tokens)
    if not (DATE_NUMBERS.search(text) or (has_number and any(token in MONTHS for token in tokens))):
        return None
    others = [token for token in tokens if token not in DATELINE_WORDS and not token.isdigit()]
    return "dateline" if len(others) <= DATELINE_OTHER_WORDS else None


def _byline(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    """A byline ("By Jane Roe", "Jane Roe, Staff Writer") at the top: the front matter has the author."""
    if not text or len(text) > DATELINE_MAX_CHARS or element not in cleaner.top:
        return None
    if BYLINE_TITLE.match(text):
        return "byline"
    lead = BYLINE_LEAD.match(text)
    if lead is None:
        return None
    name = lead.group(1).replace(",", " ").split()
    if len(name) > BYLINE_NAME_WORDS:
        return None
    return "byline" if all(word[0].isupper() or word in NAME_CONNECTORS for word in name) else None


def _contributor_note(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not text or len(text) > CONTRIBUTOR_MAX_CHARS or element not in cleaner.tail:
        return None
    return "contributor-note" if CONTRIBUTOR_NOTE.search(text) else None


def _about_company(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    """A press release's coda: "About Ascom" and what follows it, or "Ascom is a ... provider"."""
    if not text or element not in cleaner.latter_half:
        return None
    if ABOUT_HEADING.match(text) and _is_heading(element, text):
        coda = len(text) + sum(len(normalized(el)) for el in element.itersiblings(etree.Element))
        if coda <= ABOUT_MAX_SHARE * cleaner.length:
            cleaner.remove_following(element, "about-company")
            return "about-company"
        return None
    if element in cleaner.tail and len(text) <= ABOUT_MAX_SHARE * cleaner.length:
        return "about-company" if COMPANY_BLURB.match(text) else None
    return None


def _is_heading(element: lxml.html.HtmlElement, text: str) -> bool:
    """A heading, or a paragraph set in bold as one."""
    if element.tag in HEADINGS:
        return True
    return any(normalized(bold) == text for bold in element.iter("strong", "b"))


def _headline_link(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    """A link to another story set in capitals between the paragraphs."""
    if element.tag not in ("p", "div") or len(text) > READ_MORE_MAX_CHARS:
        return None
    if len(text.split()) < HEADLINE_LINK_WORDS:
        return None
    head = text[:HEADLINE_HEAD_CHARS]
    if head != head.upper():
        return None  # most paragraphs give themselves away in their first words
    letters = [char for char in text if char.isalpha()]
    if sum(char.isupper() for char in letters) < CAPITALS_SHARE * len(letters):
        return None
    if link_density(element, text) < HEADLINE_LINK_DENSITY:
        return None
    link = next(element.iter("a"), None)
    return "link-dense-list" if link is not None and _links_to_story(link.get("href") or "") else None


def _links_to_story(href: str) -> bool:
    """A story's address ends in a slug ("/taylor-swift-cleared-perform-amas"); a document's or a
    results table's ("/Public/Swimming/StateBoys.cfm") does not."""
    segments = [segment for segment in urlsplit(href).path.split("/") if segment]
    return bool(segments) and len(SLUG_SEPARATORS.split(segments[-1])) >= SLUG_WORDS


def _comment_policy(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not text or len(text) > COMMENT_POLICY_MAX_CHARS:
        return None
    if MODERATION_PART not in cleaner.folded(text):
        return None  # MODERATION cannot match
    return "comments" if COMMENT_WORD.search(text) and MODERATION.search(text) else None


Rule = Callable[[_Cleaner, lxml.html.HtmlElement, str], str | None]
# Order matters only for the name reported: the most specific rule first.
RULES: tuple[Rule, ...] = (
    _empty_heading,
    _advertisement_label,
    _interface_label,
    _comments,
    _comment_policy,
    _share_bar,
    _repeated_headline,
    _repeated_caption,
    _photo_credit,
    _tag_list,
    _newsletter_prompt,
    _author_bio,
    _contributor_note,
    _dateline,
    _byline,
    _about_company,
    _headline_link,
    _link_dense_list,
)
