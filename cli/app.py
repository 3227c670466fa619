"""The `newsdown` command: options, help text and exit codes. The work is done in run.py."""

from __future__ import annotations

import io
import itertools
import os
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

EPILOG = (
    "Exit codes: 0 all converted; 1 some of several inputs failed; 2 usage error; "
    "3 no article found; 4 input error; 5 network error; 6 output error; 130 interrupted."
)

app = typer.Typer(
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    markdown = "markdown"
    json = "json"
    text = "text"


class InputFormat(StrEnum):
    auto = "auto"
    html = "html"
    text = "text"


def version_callback(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"newsdown {version('newsdown')}")
        raise typer.Exit()


@app.command(epilog=EPILOG)
def newsdown(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="HTML or text files, folders, http(s) URLs, or - for standard input.", show_default=False
        ),
    ] = None,
    input_list: Annotated[
        str | None,
        typer.Option(
            "--input-list", "-i", help="Read inputs from this file, one path or URL a line (- for stdin)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the result to this file (one input).")
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", "-d", help="Write one file per input here, mirroring input folders."),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="markdown, json (JSON Lines for several), or text.")
    ] = Format.markdown,
    input_format: Annotated[
        InputFormat, typer.Option("--input-format", help="Treat input as html or text; auto sniffs content.")
    ] = InputFormat.auto,
    url: Annotated[
        str | None,
        typer.Option("--url", help="The page's URL, for files and stdin: resolves links, fills source."),
    ] = None,
    no_front_matter: Annotated[bool, typer.Option("--no-front-matter", help="Markdown body only.")] = False,
    no_images: Annotated[bool, typer.Option("--no-images", help="Leave images out.")] = False,
    no_links: Annotated[bool, typer.Option("--no-links", help="Keep link text, drop the links.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")] = False,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Write what there is when no article is found.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print each removed block and the rule that removed it.")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a URL.")] = 30.0,
    doc_timeout: Annotated[
        float,
        typer.Option(
            "--doc-timeout", min=0, help="Seconds to convert one document before giving up (0: none)."
        ),
    ] = 60.0,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes for a batch.  [default: number of CPUs]"),
    ] = None,
    failed_list: Annotated[
        Path | None,
        typer.Option("--failed-list", help="Write the inputs that failed here, one a line, to retry later."),
    ] = None,
    user_agent: Annotated[
        str | None,
        typer.Option("--user-agent", help="User-Agent for URLs.  [default: newsdown/VERSION (+URL)]"),
    ] = None,
    respect_robots: Annotated[
        bool | None,
        typer.Option(
            "--respect-robots/--no-respect-robots",
            help="Follow robots.txt.  [default: on when converting several inputs]",
            show_default=False,
        ),
    ] = None,
    max_size: Annotated[
        float,
        typer.Option("--max-size", min=0.001, help="Largest page to read, in MB (after decompression)."),
    ] = 20.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries of a URL on connection errors, 429 and 5xx.")
    ] = 3,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More messages; -vv for tracebacks.")
    ] = 0,
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version and exit."
        ),
    ] = None,
) -> None:
    """Convert news pages to Markdown with YAML front matter.

    Examples: newsdown page.html | less ; curl -s URL | newsdown - --url URL > a.md ;
    newsdown saved/ --output-dir md/ ; newsdown -f json a.html b.html | jq .title
    """
    from newsdown.cli.run import Settings, UsageError, default_streams, run
    from newsdown.converters.model import Options

    streams = default_streams()
    arguments: Iterable[str] = list(inputs or [])
    if input_list is not None:
        listed = read_input_list(input_list, streams.stdin)
        arguments = itertools.chain(arguments, listed)
    elif not arguments:
        if streams_is_terminal():
            raise typer.BadParameter("no input: give a file, folder, URL, or - for standard input")
        arguments = ["-"]
    settings = Settings(
        options=Options(
            input_format=input_format.value,
            include_images=not no_images,
            include_links=not no_links,
            allow_empty=allow_empty,
        ),
        output_file=output if output is not None and str(output) != "-" else None,
        output_dir=output_dir,
        format=output_format.value,
        front_matter=not no_front_matter,
        force=force,
        explain=explain,
        base_url=url,
        verbosity=-1 if quiet else verbose,
        progress=not quiet and sys.stderr.isatty() and "CI" not in os.environ,
        timeout=timeout,
        doc_timeout=doc_timeout,
        jobs=jobs or os.cpu_count() or 1,
        failed_list=failed_list,
        user_agent=user_agent,
        respect_robots=respect_robots,
        max_bytes=int(max_size * 1024 * 1024),
        retries=retries,
    )
    try:
        code = run(arguments, settings, streams)
    except UsageError as error:
        raise typer.BadParameter(str(error)) from None
    raise typer.Exit(int(code))


def read_input_list(name: str, stdin: BinaryIO) -> Iterator[str]:
    """Inputs named one per line, read lazily; blank lines and # comments are skipped."""
    if name == "-":
        yield from _entries(io.TextIOWrapper(stdin, encoding="utf-8", errors="replace"))
        return
    try:
        handle = Path(name).open(encoding="utf-8", errors="replace")  # noqa: SIM115  # closed below
    except OSError as error:
        raise typer.BadParameter(f"cannot read --input-list {name}: {error.strerror or error}") from None
    with handle:
        yield from _entries(handle)


def _entries(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        entry = line.strip()
        if entry and not entry.startswith("#"):
            yield entry


def streams_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def main() -> None:
    """Console-script entry point. A closed pipe (exit 141) and Ctrl-C (exit 130) are handled inside
    the command by run.py: Click would catch them before any handler here."""
    app()
