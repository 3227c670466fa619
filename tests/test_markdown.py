"""Markdown safety: page text that looks like Markdown syntax is escaped where it would change the
document's structure, and left alone elsewhere."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdown.converters.markdown import FENCED_CODE, html_to_markdown, markdown_to_text, normalise


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p># not a heading</p>", "\\# not a heading"),
        ("<p>line one<br># two</p>", "line one\\\n\\# two"),
        ("<p>a\n# b\n- c\n+ d\n1. e\n2) f\n&gt; g</p>", "a\n\\# b\n\\- c\n\\+ d\n1\\. e\n2\\) f\n\\> g"),
        ("<p>---</p>", "\\---"),
        ("<p>text<br>===</p>", "text\\\n\\==="),
        ("<p>```js</p>", "\\`\\`\\`js"),
        ("<p>~~~</p>", "\\~\\~~"),
        ("<p>[ref]: http://evil.example</p>", "\\[ref\\]: http://evil.example"),
        ("<ul><li># item</li></ul>", "- \\# item"),
        ("<blockquote><p>- x</p></blockquote>", "> \\- x"),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "\\<script>alert(1)\\</script>"),
        ("<p>&lt;!-- hidden --&gt; &lt;http://x.example&gt;</p>", "\\<!-- hidden --> \\<http://x.example>"),
        ("<p>[click](javascript:alert(1))</p>", "[click\\](javascript:alert(1))"),
        ("<p>&amp;copy; and &amp;#169;</p>", "\\&copy; and \\&#169;"),
        ("<p>a `code` span</p>", "a \\`code\\` span"),
        ("<p>\\*not emphasis*</p>", "\\\\\\*not emphasis\\*"),
        ('<p><a href="http://x.example/">a ] b [c</a></p>', "[a \\] b \\[c](http://x.example/)"),
        ("<table><tr><th>a|b</th></tr><tr><td>x | y</td></tr></table>", "| a\\|b |\n| --- |\n| x \\| y |"),
    ],
)
def test_syntax_in_text_is_escaped(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown + "\n"


@pytest.mark.parametrize(
    "text",
    [
        "In 2024. Prices rose 5% - a lot. [sic] said x &amp; y &lt; 3 # tag + 1",
        "Scores: 3-1, 2 = 2, 10 > 9, a|b",
        "He said: 1. no, 2. never.",
    ],
)
def test_text_that_cannot_change_the_structure_is_left_alone(text: str) -> None:
    expected = text.replace("&amp;", "&").replace("&lt;", "<")
    assert html_to_markdown(f"<p>{text}</p>") == expected + "\n"


def test_real_structure_is_not_escaped() -> None:
    html = "<h2>Head</h2><ul><li>one</li></ul><ol><li>first</li></ol><blockquote><p>q</p></blockquote><hr>"
    assert html_to_markdown(html) == "## Head\n\n- one\n\n1. first\n\n> q\n\n---\n"


def test_control_characters_and_escape_sequences_are_removed() -> None:
    markdown = html_to_markdown("<p>red \x1b[31mtext\x1b[0m \u009b2J bell\x07 sub\x1a</p>")
    assert markdown == "red [31mtext[0m 2J bell sub\n"


def test_text_format_removes_the_escapes() -> None:
    markdown = html_to_markdown("<p># one</p><p>[click](javascript:x) &lt;b&gt; a*b*</p>")
    assert markdown_to_text(markdown) == "# one\n\n[click](javascript:x) <b> a*b*\n"


def test_blank_lines_inside_fenced_code_are_kept() -> None:
    html = "<p>Before</p><pre><code class='language-py'>x = 1\n\n\n\ny = 2</code></pre><p>After</p>"
    assert html_to_markdown(html) == "Before\n\n```py\nx = 1\n\n\n\ny = 2\n```\n\nAfter\n"


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<div>One<br><br>Two</div>", "One\n\nTwo\n"),
        ("<div>One<br><br><br>Two<br>same<br></div>", "One\n\nTwo\\\nsame\n"),
        ("<p>Ends with a break<br></p><p>Next</p>", "Ends with a break\n\nNext\n"),
        ("<p>A literal backslash \\<br></p>", "A literal backslash \\\\\n"),
    ],
)
def test_line_breaks_never_leave_a_stray_backslash(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@given(st.text(alphabet=" \t\n\r\u00a0x`\\", max_size=60))
def test_normalised_markdown_has_no_trailing_space_and_one_blank_line_at_most(text: str) -> None:
    markdown = normalise(text)
    outside_code = "".join(FENCED_CODE.split(markdown)[0::2])
    assert not re.search(r"[ \t]$", markdown, re.M)
    assert "\n\n\n" not in outside_code
    assert markdown == "" or (markdown.endswith("\n") and not markdown.endswith("\n\n"))
