"""Front matter injection: whatever a page puts in its title, authors or tags, the YAML stays valid,
is exactly the first `---` block, and reads back as the cleaned strings."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdown.converters.frontmatter import clean_scalar
from newsdown.converters.model import Article
from tests.helpers import split_front_matter

HOSTILE = [
    "Breaking:\n---\ntitle: pwned\n---\n# body",
    "!!python/object/apply:os.system ['rm -rf /']",
    "\"quoted\" and 'single' and: colon # hash",
    "--- leading dashes",
    "...",
    "- a list item?",
    "&anchor *alias",
    "yes",
    "null",
    "2024-03-05",
    "0x1F",
    "{flow: map}",
    "[flow, seq]",
    "% directive",
    "@ reserved ` backtick",
    "tab\there",
    "\ufeffBOM and \u2028 line separator \x85 NEL",
    "x" * 5000,
]


def _front(article: Article) -> dict[str, Any]:
    front, _ = split_front_matter(article.to_markdown())
    return front


def test_hostile_strings_round_trip() -> None:
    for text in HOSTILE:
        article = Article(title=text, authors=(text, "Jane Doe"), tags=(text,), body_markdown="Body.\n")
        front = _front(article)
        assert front["title"] == clean_scalar(text)
        assert front["author"] == [clean_scalar(text), "Jane Doe"]
        assert front["tags"] == [clean_scalar(text)]


def test_a_title_with_document_markers_cannot_end_the_front_matter() -> None:
    article = Article(title="x\n---\nevil: true\n---", body_markdown="Body.\n")
    text = article.to_markdown()
    assert text.count("\n---\n") == 1
    assert "evil" not in yaml.safe_load(text.split("\n---\n")[0][4:])


def test_yaml_tags_are_never_interpreted() -> None:
    front = _front(Article(title="!!python/object:os.system", body_markdown="x\n"))
    assert front["title"] == "!!python/object:os.system"


SCALARS = st.text(max_size=200)


@settings(max_examples=300, deadline=None)
@given(SCALARS, st.lists(SCALARS, max_size=4), st.lists(SCALARS, max_size=4), st.text(max_size=200))
def test_front_matter_round_trips_arbitrary_text(
    title: str, authors: list[str], tags: list[str], body: str
) -> None:
    article = Article(title=title, authors=tuple(authors), tags=tuple(tags), body_markdown=body)
    text = article.to_markdown()
    expected_title = clean_scalar(title)
    expected_authors = [clean_scalar(a) for a in authors if clean_scalar(a)]
    expected_tags = [clean_scalar(t) for t in tags if clean_scalar(t)]
    if not (expected_title or expected_authors or expected_tags):
        assert text == body
        return
    # The front matter is exactly the first ---...--- block, whatever the body holds.
    assert text.startswith("---\n")
    end = text.index("\n---\n", 3)
    front = yaml.safe_load(text[4 : end + 1])
    assert front.get("title", "") == expected_title
    assert front.get("author", []) == expected_authors
    assert front.get("tags", []) == expected_tags
    assert text[end + 5 :] in ("", "\n" + body)
    text.encode("utf-8")  # writable as UTF-8 (no lone surrogates)
