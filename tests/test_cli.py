"""The command as a user runs it: inputs, outputs, options, streams and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import SAMPLES, newsdown, split_front_matter

PAGE = SAMPLES / "harbour-council-budget.html"
OTHER = SAMPLES / "ridgeline-transit-strike.html"
NO_ARTICLE = b"<html><head><title>Home</title></head><body><nav><a href='/a'>A</a></nav></body></html>"


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """A folder of pages in nested subfolders, plus a file that is not a page."""
    root = tmp_path / "saved"
    (root / "2024" / "03").mkdir(parents=True)
    (root / "other").mkdir()
    shutil.copy(PAGE, root / "2024" / "03" / "budget.html")
    shutil.copy(OTHER, root / "other" / "strike.htm")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 not a page")
    return root


def test_one_file_prints_markdown_with_front_matter_to_stdout() -> None:
    result = newsdown(PAGE)
    assert result.returncode == 0
    assert result.stderr == b""
    front, body = split_front_matter(result.stdout.decode())
    assert front["title"] == "Harbour council approves £4m flood defence budget after late-night vote"
    assert front["author"] == ["Priya Natarajan"]
    assert front["source"] == "https://www.coastalcourier.example/news/2024/03/harbour-council-flood-budget"
    assert "Harbour District Council has approved a £4 million budget" in body
    assert not body.startswith("# ")  # the headline is in the front matter, not repeated


def test_stdin_dash_and_no_argument_read_standard_input() -> None:
    data = PAGE.read_bytes()
    with_dash = newsdown("-", stdin=data)
    without = newsdown(stdin=data)
    assert with_dash.returncode == without.returncode == 0
    assert with_dash.stdout == without.stdout
    assert b"Harbour District Council has approved" in with_dash.stdout


def test_url_option_fills_source_and_resolves_links_for_stdin() -> None:
    page = b"""<html><head><title>Lighthouse keepers return to Skerry Rock</title></head><body><article>
    <h1>Lighthouse keepers return to Skerry Rock</h1>
    <p>For the first time in forty years, keepers will live on the rock through the winter, the trust that
    runs the lighthouse said on Monday, after its automatic lamp failed twice in one storm season.</p>
    <p>The keepers will work in pairs for a month at a time.
    <a href="../trust/jobs">Applications</a> open next
    week, and the trust says it has already had more than two hundred enquiries from around the country.</p>
    </article></body></html>"""
    result = newsdown("-", "--url", "https://news.example/coast/story.html", stdin=page)
    assert result.returncode == 0, result.stderr
    front, body = split_front_matter(result.stdout.decode())
    assert front["source"] == "https://news.example/coast/story.html"
    assert "[Applications](https://news.example/trust/jobs)" in body


def test_output_file_is_written_and_never_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    first = newsdown(PAGE, "-o", target)
    assert first.returncode == 0
    assert first.stdout == b""
    assert target.read_text().startswith("---\ntitle:")
    target.write_text("my notes\n")
    again = newsdown(PAGE, "-o", target)
    assert again.returncode == 0
    assert b"skipped" in again.stderr
    assert b"--force" in again.stderr
    assert target.read_text() == "my notes\n"
    forced = newsdown(PAGE, "-o", target, "--force")
    assert forced.returncode == 0
    assert target.read_text().startswith("---\ntitle:")


def test_output_dir_mirrors_folders_and_skips_non_pages(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    result = newsdown(pages, "--output-dir", out)
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["2024/03/budget.md", "other/strike.md"]
    assert result.stdout == b""


def test_rerun_skips_existing_outputs_and_force_redoes_them(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    assert newsdown(pages, "--output-dir", out).returncode == 0
    (out / "other" / "strike.md").write_text("edited by hand\n")
    again = newsdown(pages, "--output-dir", out)
    assert again.returncode == 0
    assert again.stderr.count(b": skipped: ") == 2
    assert (out / "other" / "strike.md").read_text() == "edited by hand\n"
    forced = newsdown(pages, "--output-dir", out, "--force")
    assert forced.returncode == 0
    assert (out / "other" / "strike.md").read_text().startswith("---\n")


def test_inputs_with_the_same_name_get_distinct_outputs(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(PAGE, tmp_path / "a" / "story.html")
    shutil.copy(OTHER, tmp_path / "b" / "story.html")
    out = tmp_path / "out"
    result = newsdown(tmp_path / "a" / "story.html", tmp_path / "b" / "story.html", "--output-dir", out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["story-2.md", "story.md"]
    assert "Harbour" in (out / "story.md").read_text()
    assert "Transit" in (out / "story-2.md").read_text()


def test_json_format_gives_one_object_per_input() -> None:
    one = newsdown(PAGE, "--format", "json")
    record = json.loads(one.stdout)
    assert record["ok"] is True
    assert record["title"].startswith("Harbour council approves")
    assert record["input"] == str(PAGE)
    assert (
        record["markdown"].startswith("Harbour District Council") or "Harbour District" in record["markdown"]
    )
    several = newsdown(PAGE, OTHER, "/nonexistent/page.html", "-f", "json")
    lines = [json.loads(line) for line in several.stdout.decode().splitlines()]
    assert [line["ok"] for line in lines] == [True, True, False]
    assert lines[2]["error"]["code"] == 4
    assert several.returncode == 1


def test_text_format_is_plain_words() -> None:
    result = newsdown(OTHER, "--format", "text")
    text = result.stdout.decode()
    assert text.startswith("Transit workers vote to strike as contract talks collapse\n\n")
    assert "---" not in text.splitlines()[0]
    assert "](" not in text


def test_no_front_matter_no_images_no_links() -> None:
    result = newsdown(PAGE, "--no-front-matter", "--no-images", "--no-links")
    body = result.stdout.decode()
    assert not body.startswith("---")
    assert "![" not in body
    assert "](" not in body
    assert "Harbour District Council" in body


def test_images_are_absolute_markdown_images_by_default() -> None:
    body = newsdown(PAGE).stdout.decode()
    assert (
        "![The Mill Creek outfall at low tide](https://www.coastalcourier.example/media/2024/03/mill-creek.jpg)"
        in body
    )


def test_version() -> None:
    result = newsdown("--version")
    assert result.returncode == 0
    assert result.stdout.decode().startswith("newsdown ")


def test_help_documents_exit_codes_and_completion() -> None:
    result = newsdown("--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "Exit codes" in text
    assert "--install-completion" in text


def test_usage_errors_exit_2() -> None:
    assert newsdown(PAGE, "--no-such-option").returncode == 2
    several_to_file = newsdown(PAGE, OTHER, "-o", "x.md")
    assert several_to_file.returncode == 2
    assert b"--output-dir" in several_to_file.stderr
    assert newsdown(PAGE, "--format", "pdf").returncode == 2


def test_missing_file_exits_4_with_one_line() -> None:
    result = newsdown("/nonexistent/page.html")
    assert result.returncode == 4
    assert result.stderr.decode() == "newsdown: /nonexistent/page.html: no such file\n"


def test_page_without_article_exits_3(tmp_path: Path) -> None:
    home = tmp_path / "home.html"
    home.write_bytes(NO_ARTICLE)
    result = newsdown(home)
    assert result.returncode == 3
    assert b"no article found" in result.stderr
    assert b"Traceback" not in result.stderr


def test_unreachable_url_exits_5() -> None:
    result = newsdown("http://127.0.0.1:9/never", "--timeout", "2")
    assert result.returncode == 5
    assert result.stderr.startswith(b"newsdown: http://127.0.0.1:9/never: ")
    assert len(result.stderr.splitlines()) == 1


def test_unwritable_output_exits_6(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = newsdown(PAGE, "-o", blocker / "out.md")
    assert result.returncode == 6
    assert len(result.stderr.splitlines()) == 1


def test_one_failure_among_several_exits_1_and_others_are_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = newsdown(PAGE, "/nonexistent/page.html", OTHER, "--output-dir", out)
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "harbour-council-budget.md",
        "ridgeline-transit-strike.md",
    ]
    assert b"/nonexistent/page.html: no such file" in result.stderr


def test_all_failing_the_same_way_exit_with_that_code(tmp_path: Path) -> None:
    result = newsdown("/nonexistent/a.html", "/nonexistent/b.html", "--output-dir", tmp_path)
    assert result.returncode == 4


def test_quiet_hides_skips_verbose_lists_conversions(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("keep\n")
    assert newsdown(PAGE, "-o", target, "-q").stderr == b""
    verbose = newsdown(PAGE, "-o", tmp_path / "new.md", "-v")
    assert b"converted" in verbose.stderr
    assert newsdown("/nonexistent/page.html", "-q").stderr != b""  # errors are never silenced


def test_no_temporary_files_are_left_behind(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    newsdown(pages, "--output-dir", out)
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_closed_pipe_ends_quietly() -> None:
    command = f"{sys.executable} -m newsdown.cli {PAGE} | head -1"
    result = subprocess.run(["sh", "-c", command], capture_output=True, timeout=60, check=False)
    assert result.stdout == b"---\n"
    assert result.stderr == b""


def test_explain_lists_removed_blocks_on_stderr() -> None:
    result = newsdown(PAGE, "--explain")
    assert result.returncode == 0
    lines = result.stderr.decode().splitlines()
    assert lines
    assert all(line.startswith(f"newsdown: {PAGE}: removed by ") for line in lines)
    assert "Subscribe" not in result.stdout.decode()


def test_front_matter_reads_back_as_yaml() -> None:
    markdown = newsdown(OTHER).stdout.decode()
    front, _ = split_front_matter(markdown)
    assert list(front) == [
        k for k in ("title", "author", "date", "modified", "publisher", "source") if k in front
    ] + [k for k in front if k not in ("title", "author", "date", "modified", "publisher", "source")]
    assert yaml.safe_load(markdown.split("---\n")[1]) == front


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_output_dir_exits_6(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert newsdown(PAGE, "--output-dir", out).returncode == 6
    finally:
        out.chmod(0o700)


def test_input_list_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# pages to convert\n{PAGE}\n\n{OTHER}\n")
    out = tmp_path / "out"
    from_file = newsdown("--input-list", listing, "--output-dir", out)
    assert from_file.returncode == 0, from_file.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "harbour-council-budget.md",
        "ridgeline-transit-strike.md",
    ]
    piped = newsdown("-i", "-", "-f", "json", stdin=f"{PAGE}\n{OTHER}\n".encode())
    assert [json.loads(line)["input"] for line in piped.stdout.decode().splitlines()] == [
        str(PAGE),
        str(OTHER),
    ]


def test_missing_input_list_is_a_usage_error(tmp_path: Path) -> None:
    result = newsdown("--input-list", tmp_path / "nope.txt")
    assert result.returncode == 2
    assert b"cannot read --input-list" in result.stderr
