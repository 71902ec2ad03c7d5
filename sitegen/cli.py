"""The command line: flags in, a Config to the builder, a report or located errors out.

Edge module: the only one that exits, and the one place that imports click; what it prints is
made by console.
Exit status: 0 success, 1 the site has errors, 2 wrong usage.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from sitegen import __version__, console, workers
from sitegen import builder as builder_stage
from sitegen.cache import BuildCache
from sitegen.config import load_config
from sitegen.errors import BuildError, OutputError, SitegenError, WriteError, count
from sitegen.models import BuildReport, Config
from sitegen.registry import TAGS_FILE
from sitegen.urls import tag_key

_OWN_PROCESS = "own process"  # the commands' context object when run as the program, not in a test


def build_time() -> datetime:
    """The moment that decides which posts are in the future: SOURCE_DATE_EPOCH, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def _load(directory: Path, *, outcome: str = "nothing was changed", **overrides: object) -> Config:
    """The site's configuration, read the same way by every command: an invalid sitegen.yaml or
    tags.yaml is reported with its locations, then `outcome`, and ends the command with status 1."""
    if not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a folder", param_hint="DIRECTORY")
    try:
        return load_config(directory, now=build_time(), **overrides)  # type: ignore[arg-type]
    except BuildError as exc:
        console.print_problems(exc.errors, exc.warnings)
        console.note(f"{count(len(exc.errors), 'error')} in the configuration; {outcome}.")
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
    context = click.get_current_context()
    context.with_resource(workers.collector_off())
    out = output if output is not None else directory / "public"  # as load_config makes it
    config = _load(directory, outcome=_left(out), output_dir=output, base_url=base_url, drafts=drafts,
                   future=future)
    config = replace(config, jobs=jobs or os.cpu_count() or 1)
    stopped = workers.stop_on_signals()
    try:
        store = None if no_cache else BuildCache.load(config)  # held here to the end (see below)
        with console.progress(not quiet) as progress:
            report = builder_stage.build(config, strict=strict, progress=progress,
                                         use_cache=not no_cache, store=store)
    except KeyboardInterrupt:
        console.note(f"Interrupted; {_left(out)}.")
        sys.exit(128 + (stopped[0] if stopped else signal.SIGINT))
    except OutputError as exc:
        console.error(str(exc))
        sys.exit(2)
    except WriteError as exc:
        console.error(str(exc))
        sys.exit(1)
    except BuildError as exc:
        console.print_problems(exc.errors, exc.warnings)
        console.note(f"{count(len(exc.errors), 'error')}; {_left(out)}.")
        sys.exit(1)
    if not quiet:
        console.print_problems(warnings=report.warnings)
        if verbose:
            console.kinds_table(report.kinds)
            click.echo(f"Rendered {count(report.rendered, 'page')}; the others had not changed.")
        click.echo(console.summary(report, config.root))
    if context.find_root().obj == _OWN_PROCESS:  # the command is the process: end it, keeping store
        workers.end_now()


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
    console.print_problems(errors, warnings)
    problems = len(errors) + len(warnings)
    if problems:
        console.note(f"{count(problems, 'problem')} found.")
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
    sitegen tags [DIR]                 every tag, and likely duplicates; then every category
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
    from sitegen.tagreport import category_rows, near_duplicates, tag_rows

    config = _load(_site_folder(words, site_dir), drafts=drafts, future=True)
    site, _, errors, warnings = builder_stage.survey(config)  # a broken post leaves the others
    suspects = near_duplicates(site)
    console.tag_table([(row.tag.name, row.tag.slug, row.count, row.spellings) for row in tag_rows(site)],
                      [(suspect.names, suspect.reason) for suspect in suspects])
    click.echo(f"{count(len(site.tags), 'tag')}, {count(len(suspects), 'likely duplicate')}.")
    if site.categories:
        click.echo()
        rows = category_rows(site)
        console.tag_table([(row.tag.name, row.tag.slug, row.count, row.spellings) for row in rows], [],
                          noun="category")
        click.echo(f"{len(site.categories)} categor{'y' if len(site.categories) == 1 else 'ies'}.")
    if errors:
        console.print_problems(errors, warnings)
        console.note(f"{count(len(errors), 'error')}; the site does not build until they are fixed.")
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
        console.print_problems(exc.errors, exc.warnings)
        console.note(f"{count(len(exc.errors), 'error')}; nothing was written.")
        sys.exit(1)
    except SitegenError as exc:
        console.error(str(exc))
        sys.exit(1)
    posts = [e for e in edits if e.path.name != TAGS_FILE]
    if dry_run:
        for edit in edits:
            name = edit.path.relative_to(config.root).as_posix()
            import difflib

            click.echo("".join(difflib.unified_diff(
                edit.before.splitlines(keepends=True), edit.after.splitlines(keepends=True),
                f"a/{name}", f"b/{name}")), nl=False)
        click.echo(f"Would change {count(len(posts), 'post')}; nothing was written (--dry-run).")
        return
    if not edits:
        click.echo(f"No post uses '{old}' and tags.yaml already knows it; nothing to change.")
        return
    try:
        write_edits(edits)
    except SitegenError as exc:
        console.error(str(exc))
        sys.exit(1)
    verb = "Renamed" if rename else "Merged"
    registry = ""
    if len(edits) > len(posts):
        registry = " and respelled its entry in tags.yaml" if tag_key(old) == tag_key(new) else \
            " and recorded it as an alias in tags.yaml, so its old URLs redirect"
    click.echo(f"{verb} '{old}' into '{new}' in {count(len(posts), 'post')}{registry}.")


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
            console.print_problems(warnings=outcome.warnings)
            click.echo(f"[{stamp}] {console.summary(outcome, None)}")
        elif isinstance(outcome, BuildError):
            console.print_problems(outcome.errors, outcome.warnings)
            errors = count(len(outcome.errors), "error")
            click.echo(f"[{stamp}] {errors}; still serving the last good build.")
        else:
            console.error(str(outcome))

    if host not in ("127.0.0.1", "localhost", "::1"):
        console.warning(f"serving on {host}: other machines on the network can read the site, "
                        "drafts included when --drafts is on.")

    def on_ready(address: str) -> None:
        if port and not address.endswith(f":{port}/"):
            click.echo(f"Port {port} is busy; using {address.rsplit(':', 1)[1].rstrip('/')} instead.")
        click.echo(f"Serving {address} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(address)

    workers.stop_on_signals()
    try:
        preview.serve(directory, load, host=host, port=port, on_build=on_build, on_ready=on_ready)
    except OutputError as exc:
        console.error(str(exc))
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
        console.print_problems(exc.errors, exc.warnings)
        sys.exit(1)
    except SitegenError as exc:
        console.error(str(exc))
        sys.exit(1)
    console.print_problems(warnings=report.warnings)  # what build says, before the site goes public
    click.echo(console.summary(report, config.root))
    try:
        commit = deploy_branch(config.root, config.output_dir, remote=remote, branch=branch,
                               message=message, push=not no_push)
    except SitegenError as exc:
        console.error(str(exc))
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
    from sitegen.scaffold import init_site

    try:
        init_site(directory, build_time().date())
    except SitegenError as exc:
        console.error(str(exc))
        sys.exit(1)
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
    from sitegen.scaffold import new_post

    config = _load(directory)
    now = build_time().astimezone(ZoneInfo(config.timezone))
    try:
        path = new_post(config, title, tag_names, draft=draft, now=now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TITLE") from None
    except SitegenError as exc:
        console.error(str(exc))
        sys.exit(1)
    click.echo(path.relative_to(config.root).as_posix())


@cli.group("import")
def import_() -> None:
    """Make a site folder from another blog's export."""


@import_.command("wordpress")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("site", type=click.Path(file_okay=False, path_type=Path))
@click.option("--uploads", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A copy of the old site's wp-content/uploads: the files posts use are copied "
                   "into static/.")
@click.option("--merge", is_flag=True, help="Add to a folder that holds files already; none is replaced.")
@click.option("--dry-run", is_flag=True, help="Convert and print the summary; write nothing.")
def wordpress(export: Path, site: Path, uploads: Path | None, merge: bool, dry_run: bool) -> None:
    """Turn EXPORT (WordPress's Tools > Export file) into a site folder SITE."""
    from sitegen.errors import SourceError
    from sitegen.importers.wordpress import check_site_dir, plan_import, write_site
    from sitegen.importers.wpreport import summary
    from sitegen.importers.wxr import read_export

    try:
        check_site_dir(site, merge=merge)
    except SitegenError as exc:
        console.error(str(exc))
        sys.exit(2)
    try:
        with console.progress(True, "Converting") as progress:
            plan = plan_import(read_export(export, str(export)), uploads=uploads, progress=progress)
    except SourceError as exc:
        console.print_problems([exc])
        console.note("Nothing was imported.")
        sys.exit(1)
    kept = [] if dry_run else write_site(plan, site)
    console.print_problems(warnings=[*plan.warnings, *kept])
    click.echo(summary(plan, str(site), dry_run=dry_run))


def main() -> int:
    """Entry point of the sitegen command."""
    workers.tune_collector()
    try:
        cli.main(prog_name="sitegen", standalone_mode=True, obj=_OWN_PROCESS)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
