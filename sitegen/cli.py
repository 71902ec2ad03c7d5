"""The command line: flags in, a Config to the builder, a report or located errors out.

Edge module: the only one that prints or exits, and the one place that imports click.
Exit status: 0 success, 1 the site has errors, 2 wrong usage.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from sitegen import __version__
from sitegen.builder import build as build_site
from sitegen.config import CONFIG_FILE, load_config
from sitegen.errors import BuildError, OutputError, SourceError
from sitegen.models import BuildReport
from sitegen.urls import slugify


def build_time() -> datetime:
    """The moment that decides which posts are in the future: SOURCE_DATE_EPOCH, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def _print_problems(warnings: tuple[SourceError, ...], errors: tuple[SourceError, ...] = ()) -> None:
    for warning in warnings:
        click.echo(click.style(warning.format("warning"), fg="yellow"), err=True)
    for error in errors:
        click.echo(click.style(error.format("error"), fg="red"), err=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _summary(report: BuildReport, root: Path) -> str:
    out = report.output_dir
    shown = out.relative_to(root).as_posix() + "/" if out.is_relative_to(root) else str(out)
    skipped = [_count(n, noun) for n, noun in ((report.drafts_skipped, "draft"),
                                               (report.future_skipped, "future post")) if n]
    tail = f"; skipped {' and '.join(skipped)}" if skipped else ""
    return (f"Built {_count(report.pages, 'page')} ({_count(report.posts, 'post')}, "
            f"{_count(report.tags, 'tag')}) and {_count(report.static_files, 'static file')} "
            f"in {report.seconds:.2f} s -> {shown}{tail}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sitegen")
def cli() -> None:
    """sitegen: turn a folder of Markdown posts with YAML front matter into a static blog."""


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output folder. Default: public/ in the site folder.")
@click.option("--base-url", metavar="URL", envvar="SITEGEN_BASE_URL",
              help="Public URL of the site, e.g. https://user.github.io/blog/ (overrides base_url).")
@click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
@click.option("--strict", is_flag=True, help="Treat every warning as an error.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def build(directory: Path, output: Path | None, base_url: str | None, drafts: bool,
          future: bool, strict: bool, quiet: bool) -> None:
    """Build the site in DIRECTORY (default: the current folder)."""
    if not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a folder", param_hint="DIRECTORY")
    try:
        config = load_config(directory, now=build_time(), output_dir=output, base_url=base_url,
                             drafts=drafts, future=future)
        report = build_site(config, strict=strict)
    except OutputError as exc:
        click.echo(click.style(f"error: {exc}", fg="red"), err=True)
        sys.exit(2)
    except BuildError as exc:
        _print_problems(exc.warnings, exc.errors)
        click.echo(f"{_count(len(exc.errors), 'error')}; the output folder was left as it was.",
                   err=True)
        sys.exit(1)
    if not quiet:
        _print_problems(report.warnings)
        click.echo(_summary(report, config.root))


@cli.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Create a new site in DIRECTORY: config, one post, templates/ and static/."""
    if (directory / CONFIG_FILE).exists():
        click.echo(f"error: {directory / CONFIG_FILE} already exists; nothing was changed.", err=True)
        sys.exit(1)
    today = build_time().date().isoformat()
    files = {
        CONFIG_FILE: ("title: My blog\ndescription: Notes and essays\nauthor: \"\"\n"
                      "base_url: https://example.org/\ntimezone: UTC\nposts_per_page: 10\n"),
        f"content/posts/{today}-hello-world.md": (
            "---\ntitle: Hello, world\ntags: [meta]\n---\n\nThis is the first post of the blog. "
            "Edit it in content/posts/, then run `sitegen build`.\n"),
        ".gitignore": "public/\n.public.lock\n",
    }
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in ("templates", "static", "content/pages"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    click.echo(f"Created a new site in {directory}. Next: cd {directory} && sitegen build")


@cli.command()
@click.argument("title")
@click.option("--tags", default="", help='Comma-separated tags, e.g. --tags "python, web".')
@click.option("--draft", is_flag=True, help="Mark the post as a draft.")
@click.option("-s", "--site", "directory", default=".",
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The site folder (default: the current folder).")
def new(title: str, tags: str, draft: bool, directory: Path) -> None:
    """Create a new post file titled TITLE and print its path."""
    try:
        config = load_config(directory, now=build_time())
    except BuildError as exc:
        _print_problems((), exc.errors)
        sys.exit(1)
    slug = slugify(title)
    if not slug:
        raise click.BadParameter("the title needs at least one letter or digit", param_hint="TITLE")
    path = config.content_dir / "posts" / f"{slug}.md"
    if path.exists():
        click.echo(f"error: {path} already exists; choose another title.", err=True)
        sys.exit(1)
    now = build_time().astimezone(ZoneInfo(config.timezone))
    names = [" ".join(t.split()) for t in tags.split(",") if t.strip()]
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}",
             f"date: {now:%Y-%m-%d %H:%M}"]
    if names:
        lines.append("tags: [" + ", ".join(json.dumps(n, ensure_ascii=False) for n in names) + "]")
    if draft:
        lines.append("draft: true")
    lines += ["---", "", "Write here. Put <!--more--> on its own line to end the summary.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    click.echo(path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else path)


def main() -> int:
    """Entry point of the sitegen command."""
    try:
        cli.main(prog_name="sitegen", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0
