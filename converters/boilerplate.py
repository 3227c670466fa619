"""The boilerplate filter, last stage: remove blocks inside readability's article that are not article.

Every removal has a rule name, so `--explain` can tell the user why text is missing. The rules look
at one block at a time (its tag, class words, text and link density); none knows a site or a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.html

from newsdown.converters.model import Removal

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# The blocks the rules judge; a removed block takes its children with it.
BLOCKS = HEADINGS | {"p", "div", "section", "ul", "ol", "li", "figure", "figcaption", "table", "span", "dl"}
# Leaf blocks that can be a caption: a <figcaption>, or one whose class says caption. Only these count
# as repeated: a recipe or a schedule legitimately repeats whole paragraphs.
CAPTION_TAGS = frozenset({"figcaption", "p", "div", "span", "li"})
CAPTION_CLASS = re.compile(r"caption|credit|cutline|legend", re.I)

WHITESPACE = re.compile(r"\s+")
WORD = re.compile(r"\w+")

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
    r"|hide caption|expand|collapse|skip ad|fullscreen)$",
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
    r"|more on|more from|more about"
    r"|read more|read also|also read|see also|see more|further reading|recommended(?: for you)?"
    r"|you (?:may|might) also (?:like|be interested in)|don'?t miss|most (?:read|popular|viewed)"
    r"|trending|popular (?:stories|posts|articles)|more (?:stories|news|articles|headlines)"
    r"|latest (?:news|stories)"
    r"|leia (?:também|mais)|lesen sie auch|mehr zum thema|lire aussi|à lire aussi|lee también|leggi anche"
    r"|top stories|watch|click here|get .{1,40} (?:app|on the go))\b",
    re.I,
)
READ_MORE_MAX_CHARS = 200  # a "Read more: <headline>" line, not a paragraph that begins with "See more"
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
    r"\b(?:newsletters?|inbox|e-?mails?|letterbox|updates|alerts|subscribers?)\b", re.I
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
TAG_LIST = re.compile(
    r"^(?:tags?|topics?|filed under|categories|category|keywords|schlagworte|etiquetas)\s*:", re.I
)
COMMENTS = re.compile(
    r"^(?:\d+ )?(?:comments?|leave a (?:comment|reply)|tell us what you think\W*|post a comment"
    r"|join the discussion"
    r"|comentários|kommentare|commentaires|comentarios|отзывы|комментарии|add a comment|добавить отзыв)\W*$",
    re.I,
)


def normalized(element: lxml.html.HtmlElement) -> str:
    return WHITESPACE.sub(" ", element.text_content()).strip()


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def link_density(element: lxml.html.HtmlElement, text: str) -> float:
    linked = sum(len(WHITESPACE.sub(" ", a.text_content()).strip()) for a in element.iter("a"))
    return linked / max(len(text), 1)


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
        self.seen: set[str] = set()
        blocks = [el for el in article.iterdescendants() if el.tag in BLOCKS]
        leaves = [el for el in blocks if not any(child.tag in BLOCKS for child in el)]
        self.tail = set(leaves[-TAIL_BLOCKS:])
        self.last_leaf = leaves[-1] if leaves else None

    def run(self) -> None:
        stack = list(reversed(self.article))
        while stack:
            element = stack.pop()
            if not isinstance(element.tag, str):
                continue
            if element.tag in BLOCKS:
                text = normalized(element)
                rule = self.rule(element, text)
                if rule:
                    self.remove(element, rule, text)
                    continue
                self.remember(element, text)
            stack.extend(reversed(element))

    def remove(self, element: lxml.html.HtmlElement, rule: str, text: str) -> None:
        self.removed.append(Removal(rule=rule, text=text))
        if element.getparent() is not None:
            element.drop_tree()

    def remember(self, element: lxml.html.HtmlElement, text: str) -> None:
        if _is_caption(element):
            key = " ".join(words(text))
            if key:
                self.seen.add(key)

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
    tokens = words(text)
    if not tokens or len(tokens) > SHARE_MAX_WORDS:
        return None
    return "share-bar" if all(token in SHARE_WORDS for token in tokens) else None


def _repeated_headline(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if cleaner.headline and words(text) == cleaner.headline:
        return "repeated-headline"
    return None


def _is_caption(element: lxml.html.HtmlElement) -> bool:
    if element.tag not in CAPTION_TAGS or any(child.tag in BLOCKS for child in element):
        return False
    return element.tag == "figcaption" or bool(CAPTION_CLASS.search(element.get("class") or ""))


def _repeated_caption(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not _is_caption(element):
        return None
    key = " ".join(words(text))
    # Sites print a caption twice, often once with the photo credit and once without it, so a
    # caption that opens an earlier one (or is opened by it) counts as the same caption.
    repeated = key and any(seen.startswith(key) or key.startswith(seen) for seen in cleaner.seen)
    return "repeated-caption" if repeated else None


def _photo_credit(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if len(text) <= PHOTO_CREDIT_MAX_CHARS and PHOTO_CREDIT.search(text):
        return "photo-credit"
    return None


def _link_dense_list(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not text:
        return None
    density = link_density(element, text)
    if element.tag in HEADINGS or element.tag == "p":
        # "Related:", "Read more: <headline>": a lead-in line that is mostly a link, or a heading
        # that only announces a list of links.
        if len(text) <= READ_MORE_MAX_CHARS and (RELATED_LEAD.match(text) or TAG_LEAD.match(text)):
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
        return None
    if element.tag in ("ul", "ol") and density >= TRAILING_LIST_DENSITY and _ends_article(cleaner, element):
        return "link-dense-list"
    return None


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
    if NEWSLETTER_ASK.search(text) and NEWSLETTER_CHANNEL.search(text):
        return "newsletter-prompt"
    return None


def _author_bio(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if not text or len(text) > AUTHOR_BIO_MAX_CHARS:
        return None
    if AUTHOR_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}"):
        return "author-bio"
    in_tail = element in cleaner.tail or any(ancestor in cleaner.tail for ancestor in element.iterancestors())
    if (in_tail or element in cleaner.tail) and AUTHOR_BIO.match(text):
        return "author-bio"
    return None


def _tag_list(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    if TAG_LIST.match(text) and len(text) <= READ_MORE_MAX_CHARS:
        return "tag-list"
    return None


def _comments(cleaner: _Cleaner, element: lxml.html.HtmlElement, text: str) -> str | None:
    return "comments" if text and COMMENTS.match(text) else None


Rule = Callable[[_Cleaner, lxml.html.HtmlElement, str], str | None]
# Order matters only for the name reported: the most specific rule first.
RULES: tuple[Rule, ...] = (
    _empty_heading,
    _advertisement_label,
    _interface_label,
    _comments,
    _share_bar,
    _repeated_headline,
    _repeated_caption,
    _photo_credit,
    _tag_list,
    _newsletter_prompt,
    _author_bio,
    _link_dense_list,
)
