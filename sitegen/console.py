"""What the terminal shows: problems with their hints, the one-line report, the progress bar,
tables. Every line sitegen prints is made here; cli decides when.

Edge module beside cli: imports errors, models. The one place that imports rich.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.errors import SourceError, count
from sitegen.models import BuildReport

if TYPE_CHECKING:  # rich is loaded when something is printed: a quiet build never loads it
    from rich.console import Console

PROGRESS_AFTER = 1.0  # seconds before a progress bar appears on a terminal
PROGRESS_REDRAW = 0.1  # seconds between two redraws of it
_UNLIMITED = 1 << 20  # columns of a console that is not a terminal: nothing is cut or wrapped


def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """Text that rich prints as it is, brackets included."""
    from rich.markup import escape

    return escape(text)


def print_problems(errors: tuple[SourceError, ...] | list[SourceError] = (),
                   warnings: tuple[SourceError, ...] | list[SourceError] = ()) -> None:
    """Warnings, then errors, each as SourceError.format writes it, coloured on a terminal."""
    if not errors and not warnings:
        return
    from rich.text import Text

    console = stderr()
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for severity, color, problems in (("warning", "yellow", warnings), ("error", "red", errors)):
        for problem in problems:
            text = Text(problem.format(severity))
            start = len(problem.location) + 2
            text.stylize(f"bold {color}", start, start + len(severity))
            if problem.hint:
                text.stylize("dim", len(text) - len(problem.hint) - len("hint: "))
            console.print(text)
            if annotate:
                _annotate(severity, problem)


def _annotate(severity: str, problem: SourceError) -> None:
    """A GitHub Actions workflow command, so the problem shows on the pull request's files."""
    fields = [f"file={problem.path}"] + [f"{k}={v}" for k, v in (("line", problem.line),
                                                                    ("col", problem.col)) if v]
    message = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::{severity} {','.join(fields)}::{message}")


def summary(report: BuildReport, root: Path | None) -> str:
    """The one-line report; without a root (the preview's own folder) the output is not named."""
    out = report.output_dir
    shown = "" if root is None else (
        f" -> {out.relative_to(root).as_posix()}/" if out.is_relative_to(root) else f" -> {out}")
    skipped = [count(n, noun) for n, noun in ((report.drafts_skipped, "draft"),
                                               (report.future_skipped, "future post")) if n]
    tail = f"; skipped {' and '.join(skipped)}" if skipped else ""
    changed = "no file changed" if not report.changed else f"{count(report.changed, 'file')} changed"
    return (f"Built {count(report.pages, 'page')} ({count(report.posts, 'post')}, "
            f"{count(report.tags, 'tag')}) and {count(report.static_files, 'static file')} "
            f"in {report.seconds:.2f} s{shown}; {changed}{tail}")


@contextmanager
def progress(enabled: bool, label: str = "Rendering") -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (a build's rendering, an import's posts), shown only once
    the work has run for a second."""
    console = stderr() if enabled else None
    if console is None or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    started = time.perf_counter()
    # Redrawn from here, not by rich's refresh thread: a build forks its render workers only
    # while it runs no other thread (a forked copy could inherit a lock held mid-use).
    bar = Progress(TextColumn(escape(label)), BarColumn(), MofNCompleteColumn(),
                   console=console, transient=True, auto_refresh=False)
    task = None
    drawn = 0.0

    def update(done: int, total: int) -> None:
        nonlocal task, drawn
        now = time.perf_counter()
        if task is None:
            if now - started < PROGRESS_AFTER:
                return
            bar.start()
            task = bar.add_task("render", total=total)
        bar.update(task, completed=done)
        if now - drawn >= PROGRESS_REDRAW or done == total:
            bar.refresh()
            drawn = now

    try:
        yield update
    finally:
        bar.stop()


def error(message: str) -> None:
    """A problem that is not located in a file: `error: message`, on standard error."""
    stderr().print(f"[bold red]error[/]: {escape(message)}")


def warning(message: str) -> None:
    stderr().print(f"[bold yellow]warning[/]: {escape(message)}")


def note(message: str) -> None:
    """A closing line on standard error (what a failed command left behind)."""
    stderr().print(escape(message))


def kinds_table(kinds: Mapping[str, int]) -> None:
    from rich.table import Table

    table = Table("template", "pages", box=None)
    for template, number in kinds.items():
        table.add_row(template, str(number))
    stdout().print(table)


def tag_table(rows: Sequence[tuple[str, str, int, Sequence[str]]],
              duplicates: Sequence[tuple[Sequence[str], str]], noun: str = "tag") -> None:
    """Every tag (name, slug, posts, spellings), then the likely duplicates (names, why); or
    every category (`noun`)."""
    from rich.table import Table

    table = Table(noun, "slug", "posts", "spellings", box=None)
    for name, slug, posts, spellings in rows:
        table.add_row(escape(name), slug, str(posts), escape(", ".join(spellings)))
    console = stdout()
    if not console.is_terminal:  # piped: every line whole, never cut to a guessed width
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=True, width=_UNLIMITED)
    console.print(table)
    for names, reason in duplicates:
        console.print(f"[yellow]likely duplicate[/]: {escape(' / '.join(names))} ({reason})")
