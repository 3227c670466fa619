"""One run of the command: expand inputs, convert each, write results, report. No Typer here.

run() takes its streams as arguments so tests can drive it without a terminal or subprocess.
"""

from __future__ import annotations

import itertools
import json
import sys
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, TextIO

from newsdown.cli.console import Messages
from newsdown.cli.deadline import time_limit
from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.inputs import InputSpec, expand_inputs
from newsdown.cli.output import EXTENSIONS, OutputPlan, TargetExistsError, relative_output, write_atomically
from newsdown.cli.report import Outcome, Report
from newsdown.converters.errors import InputError, NewsdownError
from newsdown.converters.model import Article, Options, Source

OutputFormat = Literal["markdown", "json", "text"]


class UsageError(Exception):
    """Options that do not fit together; the CLI turns it into exit code 2."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the command line decided, in one frozen object."""

    options: Options = field(default_factory=Options)
    output_file: Path | None = None
    output_dir: Path | None = None
    format: OutputFormat = "markdown"
    front_matter: bool = True
    force: bool = False
    explain: bool = False
    base_url: str | None = None
    verbosity: int = 0
    progress: bool = False
    timeout: float = 30.0
    doc_timeout: float = 60.0  # seconds per document, fetching excluded; 0 for no limit


@dataclass(frozen=True, slots=True)
class Streams:
    stdin: BinaryIO
    stdout: TextIO
    stderr: TextIO


def run(arguments: Iterable[str], settings: Settings, streams: Streams) -> ExitCode:
    """Convert every input; return the exit code. Raises UsageError for conflicting options."""
    specs = expand_inputs(arguments)
    first_two = list(itertools.islice(specs, 2))
    several = len(first_two) > 1 or any(spec.relative is not None for spec in first_two)
    check_usage(settings, several)
    messages = Messages(streams.stderr, settings.verbosity)
    report = Report()
    plan = OutputPlan(settings.output_dir) if settings.output_dir else None
    all_specs = itertools.chain(first_two, specs)
    try:
        for spec in with_progress(all_specs, settings, streams):
            outcome = convert_one(spec, settings, streams, messages, plan)
            report.add(outcome)
            describe(outcome, messages)
    except KeyboardInterrupt:
        messages.error("interrupted", report.summary())
        return ExitCode.INTERRUPTED
    if several and (settings.verbosity >= 1 or (settings.progress and settings.verbosity >= 0)):
        messages.warning("done", report.summary())
    return report.exit_code()


def check_usage(settings: Settings, several: bool) -> None:
    if settings.output_file and settings.output_dir:
        raise UsageError("use either -o/--output FILE or --output-dir DIR, not both")
    if several and settings.output_file:
        raise UsageError("several inputs need --output-dir DIR, not -o FILE")
    if several and not settings.output_dir and settings.format != "json":
        raise UsageError("several inputs need --output-dir DIR (or --format json for JSON Lines on stdout)")


def with_progress(specs: Iterable[InputSpec], settings: Settings, streams: Streams) -> Iterator[InputSpec]:
    """A Rich progress line on stderr while a batch runs on a terminal; nothing otherwise."""
    if not settings.progress:
        yield from specs
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

    console = Console(file=streams.stderr, markup=False, highlight=False)
    columns = (SpinnerColumn(), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("converting", total=None)
        for spec in specs:
            yield spec
            progress.advance(task)


def convert_one(
    spec: InputSpec, settings: Settings, streams: Streams, messages: Messages, plan: OutputPlan | None
) -> Outcome:
    """Read, convert and write one input; every expected failure becomes an Outcome."""
    extension = EXTENSIONS[settings.format]
    target = None
    try:
        if spec.kind == "invalid":
            raise InputError(spec.problem)
        if plan is not None and spec.kind == "file":
            # Known before converting, so a re-run skips finished inputs without reading them.
            target = plan.claim(relative_output(spec, None, extension))
            if target.exists() and not settings.force:
                raise TargetExistsError(f"{target} exists (use --force to overwrite)")
        article = convert_input(spec, settings, streams)
        if settings.explain:
            for removal in article.removed:
                messages.explain(spec.origin, removal.rule, removal.text)
        if plan is not None and target is None:
            target = plan.claim(relative_output(spec, article.title, extension))
        deliver(render(article, spec, settings), settings, streams, target)
    except TargetExistsError as error:
        return Outcome(origin=spec.origin, status="skipped", message=str(error), output=target)
    except NewsdownError as error:
        return failed(spec, ExitCode(error.exit_code), str(error), settings, streams)
    except RecursionError:
        return failed(spec, ExitCode.INPUT, "the page is nested too deeply to convert", settings, streams)
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as error:  # noqa: BLE001  # a bug: one line, the traceback only with -vv
        if settings.verbosity >= 2:
            traceback.print_exc(file=streams.stderr)
        reason = f"internal error ({type(error).__name__}: {error}); run with -vv for details"
        return failed(spec, ExitCode.PARTIAL, reason, settings, streams)
    return Outcome(origin=spec.origin, status="converted", output=target or settings.output_file)


def convert_input(spec: InputSpec, settings: Settings, streams: Streams) -> Article:
    from newsdown.converters import fetch
    from newsdown.converters.pipeline import convert_source

    source: Source
    if spec.kind == "url":
        source = fetch.fetch_url(spec.origin, timeout=settings.timeout)
    elif spec.kind == "stdin":
        source = fetch.read_stream(streams.stdin)
    else:
        assert spec.path is not None
        source = fetch.read_path(spec.path, spec.origin)
    if settings.base_url and source.url is None:
        source = Source(origin=source.origin, data=source.data, url=settings.base_url)
    with time_limit(settings.doc_timeout):
        return convert_source(source, settings.options)


def render(article: Article, spec: InputSpec, settings: Settings) -> str:
    if settings.format == "json":
        record = {**article.to_dict(), "input": spec.origin, "ok": True}
        return json.dumps(record, ensure_ascii=False) + "\n"
    if settings.format == "text":
        from newsdown.converters.markdown import markdown_to_text

        body = markdown_to_text(article.body_markdown)
        return f"{article.title}\n\n{body}" if article.title else body
    return article.to_markdown(front_matter=settings.front_matter)


def deliver(text: str, settings: Settings, streams: Streams, target: Path | None) -> None:
    if target is not None:
        write_atomically(target, text, force=settings.force)
    elif settings.output_file is not None:
        write_atomically(settings.output_file, text, force=settings.force)
    else:
        streams.stdout.write(text)
        streams.stdout.flush()


def failed(spec: InputSpec, code: ExitCode, reason: str, settings: Settings, streams: Streams) -> Outcome:
    if settings.format == "json" and settings.output_dir is None:
        # JSON Lines consumers get one record per input, failures included.
        record = {"input": spec.origin, "ok": False, "error": {"code": int(code), "message": reason}}
        streams.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return Outcome(origin=spec.origin, status="failed", code=code, message=reason)


def describe(outcome: Outcome, messages: Messages) -> None:
    if outcome.status == "failed":
        messages.error(outcome.origin, outcome.message)
    elif outcome.status == "skipped":
        messages.warning(outcome.origin, f"skipped: {outcome.message}")
    else:
        where = f" -> {outcome.output}" if outcome.output else ""
        messages.info(f"{outcome.origin}: converted{where}")


def default_streams() -> Streams:
    # Markdown is UTF-8 whatever the locale (Windows consoles, LANG=C).
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8", errors="replace")
    return Streams(stdin=sys.stdin.buffer, stdout=stdout, stderr=sys.stderr)
