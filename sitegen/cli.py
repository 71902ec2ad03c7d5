"""The command line: flags in, a Config to the builder, a report or located errors out.

Edge module: the only one that prints or exits, and the one place that imports click and rich.
Exit status: 0 success, 1 the site has errors, 2 wrong usage.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.markup import escape

from sitegen import __version__
from sitegen import builder as builder_stage
from sitegen.config import CONFIG_FILE, TAGS_FILE, load_config
from sitegen.errors import BuildError, OutputError, SitegenError, SourceError, WriteError
from sitegen.models import BuildReport, Config
from sitegen.urls import slugify, tag_key

PROGRESS_AFTER = 1.0  # seconds before a progress bar appears on a terminal
PROGRESS_REDRAW = 0.1  # seconds between two redraws of it
_UNLIMITED = 1 << 20  # columns of a console that is not a terminal: nothing is cut or wrapped


def build_time() -> datetime:
    """The moment that decides which posts are in the future: SOURCE_DATE_EPOCH, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def print_problems(errors: tuple[SourceError, ...] | list[SourceError] = (),
                   warnings: tuple[SourceError, ...] | list[SourceError] = ()) -> None:
    """Warnings, then errors, each `path:line:col: severity: message` with its hint."""
    console = _stderr()
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for severity, color, problems in (("warning", "yellow", warnings), ("error", "red", errors)):
        for problem in problems:
            text = f"{escape(problem.location)}: [bold {color}]{severity}[/]: {escape(problem.message)}"
            if problem.hint:
                text += f"\n    [dim]hint: {escape(problem.hint)}[/]"
            console.print(text)
            if annotate:
                _annotate(severity, problem)


def _annotate(severity: str, problem: SourceError) -> None:
    """A GitHub Actions workflow command, so the problem shows on the pull request's files."""
    fields = [f"file={problem.path}"] + [f"{k}={v}" for k, v in (("line", problem.line),
                                                                    ("col", problem.col)) if v]
    message = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    click.echo(f"::{severity} {','.join(fields)}::{message}")


def _summary(report: BuildReport, root: Path | None) -> str:
    """The one-line report; without a root (the preview's own folder) the output is not named."""
    out = report.output_dir
    shown = "" if root is None else (
        f" -> {out.relative_to(root).as_posix()}/" if out.is_relative_to(root) else f" -> {out}")
    skipped = [_count(n, noun) for n, noun in ((report.drafts_skipped, "draft"),
                                               (report.future_skipped, "future post")) if n]
    tail = f"; skipped {' and '.join(skipped)}" if skipped else ""
    changed = "no file changed" if not report.changed else f"{_count(report.changed, 'file')} changed"
    return (f"Built {_count(report.pages, 'page')} ({_count(report.posts, 'post')}, "
            f"{_count(report.tags, 'tag')}) and {_count(report.static_files, 'static file')} "
            f"in {report.seconds:.2f} s{shown}; {changed}{tail}")


@contextmanager
def _progress(enabled: bool) -> Iterator[builder_stage.Progress | None]:
    """A render progress bar on a terminal, shown only once a build has run for a second."""
    console = _stderr()
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    started = time.perf_counter()
    # Redrawn from here, not by rich's refresh thread: a build forks its render workers only
    # while it runs no other thread (a forked copy could inherit a lock held mid-use).
    bar = Progress(TextColumn("Rendering"), BarColumn(), MofNCompleteColumn(),
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


def _load(directory: Path, *, outcome: str = "nothing was changed", **overrides: object) -> Config:
    """The site's configuration, read the same way by every command: an invalid sitegen.yaml or
    tags.yaml is reported with its locations, then `outcome`, and ends the command with status 1."""
    if not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a folder", param_hint="DIRECTORY")
    try:
        return load_config(directory, now=build_time(), **overrides)  # type: ignore[arg-type]
    except BuildError as exc:
        print_problems(exc.errors, exc.warnings)
        _stderr().print(f"{_count(len(exc.errors), 'error')} in the configuration; {outcome}.")
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sitegen")
def cli() -> None:
    """sitegen: turn a folder of Markdown posts with YAML front matter into a static blog."""


_site_argument = click.argument("directory", default=".",
                                type=click.Path(file_okay=False, path_type=Path))


@cli.command()
@_site_argument
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output folder. Default: public/ in the site folder.")
@click.option("--base-url", metavar="URL", envvar="SITEGEN_BASE_URL",
              help="Public URL of the site, e.g. https://user.github.io/blog/ (overrides base_url).")
@click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
@click.option("--strict", is_flag=True, help="Treat every warning as an error.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print what was built, by kind of page.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes that convert posts and render pages in parallel. Default: the number of CPUs.")
@click.option("--no-cache", is_flag=True, help="Ignore .sitegen-cache/ and build everything anew.")
def build(directory: Path, output: Path | None, base_url: str | None, drafts: bool,
          future: bool, strict: bool, quiet: bool, verbose: bool, jobs: int | None,
          no_cache: bool) -> None:
    """Build the site in DIRECTORY (default: the current folder)."""
    # One build, then the process ends: its few reference cycles go with it, and the cycle
    # collector would only scan the posts and pages it makes (a twentieth of a rebuild)
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)
    stopped: list[int] = []

    def terminate(signum: int, _frame: object) -> None:
        stopped.append(signum)
        raise KeyboardInterrupt

    out = output if output is not None else directory / "public"  # as load_config makes it
    config = _load(directory, outcome=_left(out), output_dir=output, base_url=base_url, drafts=drafts,
                   future=future)
    config = replace(config, jobs=jobs or os.cpu_count() or 1)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    try:
        with _progress(not quiet) as progress:
            report = builder_stage.build(config, strict=strict, progress=progress,
                                         use_cache=not no_cache)
    except KeyboardInterrupt:
        _stderr().print(f"Interrupted; {_left(out)}.")
        sys.exit(128 + (stopped[0] if stopped else signal.SIGINT))
    except OutputError as exc:
        _stderr().print(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(2)
    except WriteError as exc:
        _stderr().print(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(1)
    except BuildError as exc:
        print_problems(exc.errors, exc.warnings)
        _stderr().print(f"{_count(len(exc.errors), 'error')}; {_left(out)}.")
        sys.exit(1)
    if quiet:
        return
    print_problems(warnings=report.warnings)
    if verbose:
        from rich.table import Table

        table = Table("template", "pages", box=None)
        for template, number in report.kinds.items():
            table.add_row(template, str(number))
        _stdout().print(table)
        click.echo(f"Rendered {_count(report.rendered, 'page')}; the others had not changed.")
    click.echo(_summary(report, config.root))


def _left(out: Path) -> str:
    """What a build that stopped left behind: the previous site, or none (the first build)."""
    return "the output folder was left as it was" if out.exists() else "no site was written"


@cli.command()
@_site_argument
@click.option("--external", is_flag=True, help="Also try every external link (slow; needs network).")
@click.option("--base-url", metavar="URL", envvar="SITEGEN_BASE_URL",
              help="Public URL of the site, as for build (overrides base_url).")
@click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
def check(directory: Path, external: bool, base_url: str | None, drafts: bool, future: bool) -> None:
    """Build in memory and report broken links, missing anchors and front-matter problems."""
    config = _load(directory, base_url=base_url, drafts=drafts, future=future)
    errors, warnings = builder_stage.check(config, external=external)
    print_problems(errors, warnings)
    problems = len(errors) + len(warnings)
    if problems:
        _stderr().print(f"{_count(problems, 'problem')} found.")
        sys.exit(1)
    click.echo("No broken links, missing anchors or front-matter problems.")


@cli.command(context_settings={"ignore_unknown_options": False})
@click.argument("words", nargs=-1, metavar="[rename OLD NEW | merge FROM INTO] [DIR]")
@click.option("--drafts", is_flag=True, help="Count drafts too (listing).")
@click.option("--dry-run", is_flag=True, help="Show the changes of rename or merge as a diff; write nothing.")
@click.option("-s", "--site", "site_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="The site folder, as DIR (default: the current folder).")
def tags(words: tuple[str, ...], drafts: bool, dry_run: bool, site_dir: Path | None) -> None:
    """List tags with counts, slugs and spellings; or rename or merge a tag in every post.

    \b
    sitegen tags [DIR]                 every tag, and likely duplicates
    sitegen tags rename OLD NEW [DIR]  rename a tag; OLD becomes an alias that redirects
    sitegen tags merge FROM INTO [DIR] fold FROM into INTO; FROM's URLs redirect to INTO
    The site folder can also be given as -s DIR (--site DIR).
    """
    if words and words[0] in ("rename", "merge"):
        if len(words) not in (3, 4):
            raise click.UsageError(f"usage: sitegen tags {words[0]} OLD NEW [DIR]")
        _retag(_site_folder(words[3:], site_dir), words[1], words[2], rename=words[0] == "rename",
               dry_run=dry_run)
        return
    if len(words) > 1:
        raise click.UsageError("usage: sitegen tags [DIR] | rename OLD NEW [DIR] | merge FROM INTO [DIR]")
    from rich.table import Table

    from sitegen.tagreport import near_duplicates, tag_rows

    config = _load(_site_folder(words, site_dir), drafts=drafts, future=True)
    site, _, errors, warnings = builder_stage.survey(config)  # a broken post leaves the others
    table = Table("tag", "slug", "posts", "spellings", box=None)
    for row in tag_rows(site):
        table.add_row(escape(row.tag.name), row.tag.slug, str(row.count), escape(", ".join(row.spellings)))
    console = _stdout()
    if not console.is_terminal:  # piped: every line whole, never cut to a guessed width
        console = Console(highlight=False, soft_wrap=True, width=_UNLIMITED)
    console.print(table)
    suspects = near_duplicates(site)
    for suspect in suspects:
        console.print(f"[yellow]likely duplicate[/]: {escape(' / '.join(suspect.names))} ({suspect.reason})")
    click.echo(f"{_count(len(site.tags), 'tag')}, {_count(len(suspects), 'likely duplicate')}.")
    if errors:
        print_problems(errors, warnings)
        _stderr().print(f"{_count(len(errors), 'error')}; the site does not build until they are fixed.")
        sys.exit(1)


def _site_folder(given: tuple[str, ...], option: Path | None) -> Path:
    """The site folder of `sitegen tags`, given as DIR or as --site DIR (once)."""
    if given and option is not None and Path(given[0]) != option:
        raise click.UsageError(f"two site folders given: {given[0]} and --site {option}")
    return Path(given[0]) if given else option or Path(".")


def _retag(directory: Path, old: str, new: str, *, rename: bool, dry_run: bool) -> None:
    from sitegen.retag import plan_retag, write_edits

    config = _load(directory)
    try:
        edits = plan_retag(config, old, new, rename=rename)
    except BuildError as exc:
        print_problems(exc.errors, exc.warnings)
        _stderr().print(f"{_count(len(exc.errors), 'error')}; nothing was written.")
        sys.exit(1)
    except SitegenError as exc:
        _stderr().print(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(1)
    posts = [e for e in edits if e.path.name != TAGS_FILE]
    if dry_run:
        for edit in edits:
            name = edit.path.relative_to(config.root).as_posix()
            import difflib

            click.echo("".join(difflib.unified_diff(
                edit.before.splitlines(keepends=True), edit.after.splitlines(keepends=True),
                f"a/{name}", f"b/{name}")), nl=False)
        click.echo(f"Would change {_count(len(posts), 'post')}; nothing was written (--dry-run).")
        return
    if not edits:
        click.echo(f"No post uses '{old}' and tags.yaml already knows it; nothing to change.")
        return
    try:
        write_edits(edits)
    except SitegenError as exc:
        _stderr().print(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(1)
    verb = "Renamed" if rename else "Merged"
    registry = ""
    if len(edits) > len(posts):
        registry = " and respelled its entry in tags.yaml" if tag_key(old) == tag_key(new) else \
            " and recorded it as an alias in tags.yaml, so its old URLs redirect"
    click.echo(f"{verb} '{old}' into '{new}' in {_count(len(posts), 'post')}{registry}.")


@cli.command()
@_site_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=8000, show_default=True, help="Port; the next free one if busy.")
@click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
def serve(directory: Path, host: str, port: int, drafts: bool, future: bool,
          open_browser: bool) -> None:
    """Build, serve on http://localhost:8000/, and rebuild and reload on every change."""
    _load(directory, preview=True)  # a broken one from the start ends here; later, it is shown
    from sitegen import server as preview

    def load(base_url: str) -> Config:
        return load_config(directory, now=build_time(), base_url=base_url, drafts=drafts,
                           future=future, preview=True)

    def on_build(outcome: BuildReport | SitegenError) -> None:
        stamp = time.strftime("%H:%M:%S")
        if isinstance(outcome, BuildReport):
            print_problems(warnings=outcome.warnings)
            click.echo(f"[{stamp}] {_summary(outcome, None)}")
        elif isinstance(outcome, BuildError):
            print_problems(outcome.errors, outcome.warnings)
            errors = _count(len(outcome.errors), "error")
            click.echo(f"[{stamp}] {errors}; still serving the last good build.")
        else:
            _stderr().print(f"[bold red]error[/]: {escape(str(outcome))}")

    if host not in ("127.0.0.1", "localhost", "::1"):
        _stderr().print(f"[bold yellow]warning[/]: serving on {escape(host)}: other machines on the "
                        "network can read the site, drafts included when --drafts is on.")

    def on_ready(address: str) -> None:
        if port and not address.endswith(f":{port}/"):
            click.echo(f"Port {port} is busy; using {address.rsplit(':', 1)[1].rstrip('/')} instead.")
        click.echo(f"Serving {address} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(address)

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # a supervisor's stop cleans up like Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    try:
        preview.serve(directory, load, host=host, port=port, on_build=on_build, on_ready=on_ready)
    except OutputError as exc:
        _stderr().print(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(2)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped.")


@cli.command()
@click.argument("target", type=click.Choice(["gh-pages"]))
@_site_argument
@click.option("--remote", default="origin", show_default=True, help="The git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch that holds the site.")
@click.option("-m", "--message", default=None, help="Commit message (default: names the source commit).")
@click.option("--base-url", metavar="URL", envvar="SITEGEN_BASE_URL", help="Public URL of the site.")
@click.option("--no-push", is_flag=True, help="Commit to the local branch only.")
def deploy(target: str, directory: Path, remote: str, branch: str, message: str | None,
           base_url: str | None, no_push: bool) -> None:
    """Build, then commit the site to the gh-pages branch and push it.

    The working tree, the index and HEAD are left as they are; a .nojekyll file is added so
    GitHub Pages serves the files as they are.
    """
    from sitegen.deploy import deploy_branch

    config = _load(directory, base_url=base_url)
    try:
        report = builder_stage.build(config)
    except BuildError as exc:
        print_problems(exc.errors, exc.warnings)
        sys.exit(1)
    except SitegenError as exc:
        _stderr().print(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(1)
    print_problems(warnings=report.warnings)  # what build says, before the site goes public
    click.echo(_summary(report, config.root))
    source = subprocess.run(["git", "-C", str(config.root), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    message = message or f"Publish the site built from {source or 'the working tree'}"
    try:
        commit = deploy_branch(config.root, config.output_dir, remote=remote, branch=branch,
                               message=message, push=not no_push)
    except SitegenError as exc:
        _stderr().print(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(1)
    if commit is None:
        click.echo(f"{branch} already holds this site; nothing to publish.")
    else:
        where = "" if no_push else f" and pushed to {remote}"
        click.echo(f"Committed {commit[:12]} to {branch}{where}.")


@cli.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Create a new site in DIRECTORY: config, one post, templates/ and static/."""
    if (directory / CONFIG_FILE).exists():
        _stderr().print(f"[bold red]error[/]: {directory / CONFIG_FILE} already exists; nothing was changed.")
        sys.exit(1)
    today = build_time().date().isoformat()
    files = {
        CONFIG_FILE: ("title: My blog\ndescription: Notes and essays\nauthor: \"\"\n"
                      "# Set base_url to the address the site will be published at before you\n"
                      "# publish it: feeds, the sitemap and canonical links are built on it, and\n"
                      "# sitegen build warns until it is set.\n"
                      "# base_url: https://your.domain/\n"
                      "timezone: UTC\nposts_per_page: 10\n"),
        # named as `sitegen new` names posts, so a second "Hello, world" is refused, not a clash
        "content/posts/hello-world.md": (
            f"---\ntitle: Hello, world\ndate: {today}\ntags: [meta]\n---\n\nThis is the first post "
            "of the blog. Edit it in content/posts/, then run `sitegen build`.\n"),
        ".gitignore": "public/\n.public.lock\n.sitegen-cache/\n",
    }
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in ("templates", "static", "content/pages"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    click.echo(f"Created a new site in {directory}. Next: cd {directory} && sitegen serve")


@cli.command()
@click.argument("title")
@click.option("--tags", "tag_names", default="", help='Comma-separated tags, e.g. --tags "python, web".')
@click.option("--draft", is_flag=True, help="Mark the post as a draft.")
@click.option("-s", "--site", "directory", default=".",
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The site folder (default: the current folder).")
def new(title: str, tag_names: str, draft: bool, directory: Path) -> None:
    """Create a new post file titled TITLE and print its path."""
    config = _load(directory)
    slug = slugify(title)
    if not slug:
        raise click.BadParameter("the title needs at least one letter or digit", param_hint="TITLE")
    path = config.content_dir / "posts" / f"{slug}.md"
    if path.exists():
        _stderr().print(f"[bold red]error[/]: {path} already exists; choose another title.")
        sys.exit(1)
    now = build_time().astimezone(ZoneInfo(config.timezone))
    names = [" ".join(t.split()) for t in tag_names.split(",") if t.strip()]
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}",
             f"date: {now:%Y-%m-%d %H:%M}"]
    if names:
        lines.append("tags: [" + ", ".join(json.dumps(n, ensure_ascii=False) for n in names) + "]")
    if draft:
        lines.append("draft: true")
    # A comment in the front matter, not a sentence in the body: left in, it is never published
    lines += ["# Write the post below the closing ---. A line holding only <!--more--> ends the",
              "# summary shown on the home and tag pages.", "---", "", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    click.echo(path.relative_to(config.root).as_posix())


def main() -> int:
    """Entry point of the sitegen command."""
    # A build makes hundreds of thousands of long-lived objects (posts, pages, the cache index)
    # and few reference cycles: the default thresholds had the cycle collector scan them over
    # and over, a fifth of a rebuild's time. Young objects are still collected, just less often.
    gc.set_threshold(50_000, 50, 1000)
    try:
        cli.main(prog_name="sitegen", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
