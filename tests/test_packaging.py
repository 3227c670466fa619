"""Only `newsdown` is installed at the top level; the generic folder names never leak."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path


def test_generic_names_are_not_importable_outside_the_repo(tmp_path: Path) -> None:
    code = (
        "import importlib.util as u, sys; "
        "sys.exit(0 if u.find_spec('cli') is None and u.find_spec('converters') is None else 1)"
    )
    result = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path, check=False)
    assert result.returncode == 0


def test_package_modules_import_under_newsdown() -> None:
    import newsdown.cli.app
    import newsdown.converters

    assert newsdown.converters.convert_html is not None
    assert newsdown.cli.app.main is not None


def test_console_script_is_declared() -> None:
    scripts = [ep for ep in distribution("newsdown").entry_points if ep.group == "console_scripts"]
    assert [(ep.name, ep.value) for ep in scripts] == [("newsdown", "newsdown.cli.app:main")]
