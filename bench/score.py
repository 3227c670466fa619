"""Score newsdown on the shared article-extraction benchmark: F1, precision, recall and ms per page.

    python bench/score.py                      # the figures
    python bench/score.py --show-worst 20      # and the 20 worst pages
    python bench/score.py --shared /path/to/shared --json /tmp/score.json

It runs the shared `tools/score.py` with our CLI (the venv's `newsdown` beside this Python) and passes
its output through.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def newsdown_command() -> str:
    beside = Path(sys.executable).with_name("newsdown")
    found = str(beside) if beside.exists() else shutil.which("newsdown")
    if found is None:
        sys.exit("bench/score.py: cannot find the newsdown command; install the package first")
    return f"{shlex.quote(found)} {{in}} --output-dir {{out}} -q"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder (tools/, bench/)")
    parser.add_argument("--show-worst", type=int, default=0, metavar="N", help="list the N worst pages")
    parser.add_argument("--json", type=Path, help="write per-page figures here")
    args = parser.parse_args()
    command = [sys.executable, str(args.shared / "tools" / "score.py"), "--cmd", newsdown_command()]
    command += ["--bench", str(args.shared / "bench" / "scrapinghub")]
    if args.show_worst:
        command += ["--show-worst", str(args.show_worst)]
    if args.json:
        command += ["--json", str(args.json)]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
