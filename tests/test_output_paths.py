"""Output paths from hostile headlines and file names: always inside --output-dir, never overwriting,
collisions get distinct names."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from newsdown.cli.inputs import InputSpec
from newsdown.cli.output import (
    MAX_COMPONENT_BYTES,
    OutputPlan,
    relative_output,
    safe_component,
    slugify,
    write_atomically,
)
from newsdown.converters.errors import OutputError
from tests.helpers import newsdown

PAGE = b"""<html><head><title>%s</title></head><body><article><h1>%s</h1><p>Council members debated the
harbour budget for hours before the final vote was taken late on Tuesday night, ending a long row over
flood defences that had divided the town for most of the year and delayed the works.</p></article>
</body></html>"""


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("..\\..\\windows\\system32", "windows-system32"),
        ("/absolute/path", "absolute-path"),
        ("CON", "_con"),
        ("lpt1", "_lpt1"),
        ("...", ""),
        ("北京", ""),
        ("Café déjà vu", "cafe-deja-vu"),
    ],
)
def test_slugs_are_single_safe_components(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_names_are_cut_below_the_file_system_limit() -> None:
    assert len(slugify("word " * 100)) <= 80
    name = safe_component("é" * 500)
    assert len(name.encode("utf-8")) <= MAX_COMPONENT_BYTES
    assert name == "é" * (MAX_COMPONENT_BYTES // 2)


@pytest.mark.parametrize(
    "name", ["CON", "con.txt", "Aux ", "COM¹", "nul.tar.gz", "..", " . ", "a/b", "a\x00b"]
)
def test_safe_component_never_escapes_or_names_a_device(name: str) -> None:
    safe = safe_component(name)
    assert "/" not in safe
    assert "\\" not in safe
    assert "\x00" not in safe
    assert safe not in ("", ".", "..")
    assert safe.split(".")[0].strip().lower() not in ("con", "aux", "nul", "com¹")


def test_folder_parts_are_sanitised(tmp_path: Path) -> None:
    spec = InputSpec(origin="x", kind="file", path=Path("x"), relative=Path("../CON/a:b/page.html"))
    relative = relative_output(spec, None, ".md")
    assert relative == Path("_CON/a_b/page.md")


def test_collisions_get_distinct_names_case_and_unicode_insensitively(tmp_path: Path) -> None:
    plan = OutputPlan(tmp_path)
    names = ["story.md", "Story.md", "STORY.md", "caf\u00e9.md", "cafe\u0301.md", "story-2.md"]
    claimed = [plan.claim(Path(name)).name for name in names]
    expected = ["story.md", "Story-2.md", "STORY-3.md", "caf\u00e9.md", "cafe\u0301-2.md", "story-2-2.md"]
    assert claimed == expected


def test_a_symlink_out_of_the_output_dir_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "out"
    root.mkdir()
    (root / "link").symlink_to(outside)
    with pytest.raises(OutputError, match="refusing to write outside"):
        OutputPlan(root).claim(Path("link/page.md"))


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("mine")
    with pytest.raises(OutputError, match="exists"):
        write_atomically(target, "theirs", force=False)
    assert target.read_text() == "mine"


def test_hostile_headlines_from_stdin_stay_inside_the_output_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    titles = [b"../../etc/passwd", b"CON", b"x" * 500, b"Same Story", b"same story"]
    for title in titles:
        result = newsdown("-", "--output-dir", out, stdin=PAGE % (title, title))
        assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(["etc-passwd.md", "_con.md", "x" * 80 + ".md", "same-story.md"])
    # A later run whose headline maps to an existing name skips it: nothing is overwritten.
    assert "title: Same Story" in (out / "same-story.md").read_text()
    assert all(path.parent == out for path in out.rglob("*"))
    assert not (tmp_path / "etc").exists()


def test_two_inputs_with_the_same_name_in_one_run_get_distinct_outputs(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "Story.html").write_bytes(PAGE % (b"T", b"T"))
    (tmp_path / "b" / "story.html").write_bytes(PAGE % (b"U", b"U"))
    out = tmp_path / "out"
    inputs = [tmp_path / "a" / "Story.html", tmp_path / "b" / "Story.html", tmp_path / "b" / "story.html"]
    result = newsdown(*inputs, "--output-dir", out)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["Story-2.md", "Story.md", "story-3.md"]
    again = newsdown(*inputs, "--output-dir", out)
    assert again.returncode == 0
    assert sorted(path.name for path in out.iterdir()) == ["Story-2.md", "Story.md", "story-3.md"]


@pytest.mark.skipif(not hasattr(os, "umask") or os.name != "posix", reason="POSIX permissions")
def test_outputs_and_failed_lists_get_the_permissions_of_new_files(tmp_path: Path) -> None:
    sample = Path(__file__).parent.parent / "samples" / "harbour-council-budget.html"
    failed = tmp_path / "failed.txt"
    result = newsdown(sample, tmp_path / "missing.html", "-d", tmp_path / "out", "--failed-list", failed)
    assert result.returncode == 1
    new_file_mode = 0o666 & ~_current_umask()
    assert stat.S_IMODE((tmp_path / "out" / "harbour-council-budget.md").stat().st_mode) == new_file_mode
    assert stat.S_IMODE(failed.stat().st_mode) == new_file_mode
    assert not list((tmp_path / "out").glob(".*.tmp"))


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_folder_symlinked_out_of_the_output_dir_is_refused_for_each_file(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "inside").mkdir()
    (root / "away").symlink_to(elsewhere)
    plan = OutputPlan(root)
    assert plan.claim(Path("inside/a.md")) == root / "inside" / "a.md"
    assert plan.claim(Path("inside/b.md")) == root / "inside" / "b.md"  # the folder's resolution is reused
    (root / "inside" / "c.md").symlink_to(elsewhere / "c.md")
    for name in ("away/a.md", "inside/c.md"):
        with pytest.raises(OutputError, match="outside"):
            plan.claim(Path(name))
