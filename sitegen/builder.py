"""The build, phase by phase: read -> Site -> pages -> rendered files -> the output folder.

Composes the stages (parser through incremental, site, pages, renderer) and hands the files to
output, which replaces the output folder safely; incremental is the one seam through which the
build cache decides what need not be done again. Imports cache (its types only), check, config,
errors, incremental, listing (its type, and its rule for names), models, output, pages, renderer,
site, urls, workers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from sitegen import output, workers
from sitegen.cache import BuildCache
from sitegen.cache.keys import PageState
from sitegen.config import base_url_warning
from sitegen.errors import BuildError, ConfigError, ContentError, Problems, SourceError, TemplateError
from sitegen.incremental import Incremental
from sitegen.listing import Listing, name_warning, utf8
from sitegen.models import BuildReport, Config, Page, Post, Site
from sitegen.urls import output_path

Progress = Callable[[int, int], None]
PARALLEL_RENDER_FROM = 300  # fewer pages are rendered sooner by this process than by forking


def build(config: Config, *, strict: bool = False, progress: Progress | None = None,
          use_cache: bool = True, store: BuildCache | None = None) -> BuildReport:
    """Build the site into config.output_dir, or raise BuildError with every problem found.

    With the cache, unchanged posts are not parsed again, pages whose inputs did not change are
    not rendered again, and output files whose bytes did not change keep their modification time.
    """
    started = time.perf_counter()
    _refuse_what_cannot_build(config)
    cache = Incremental.open(config, use_cache=use_cache, store=store)
    report: BuildReport | None
    if not (config.output_dir / output.MARKER).is_file():  # a first build locks once it writes
        report = cache.retrying(lambda: _build(config, cache, strict=strict, progress=progress))
    else:  # one lock for the look and the build: what the no-change check saw still holds
        with output.locked(config.output_dir):
            report = None if strict else cache.retrying(cache.unchanged)  # it may read the records
            if report is None:
                report = cache.retrying(lambda: _build(config, cache, strict=strict, progress=progress,
                                                       locked=True))
    return dataclasses.replace(report, seconds=time.perf_counter() - started)


def _build(config: Config, cache: Incremental, *, strict: bool, progress: Progress | None,
           locked: bool = False) -> BuildReport:
    cache.begin()
    site, planned, warnings = plan(config, cache)
    static, left_out = _copied_files(config, site, cache.listing, planned)
    warnings = sorted(warnings + left_out + _config_warnings(config, site) + cache.warnings,
                      key=SourceError.sort_key)
    if strict and warnings:
        raise BuildError([_as_error(w) for w in warnings])
    with contextlib.nullcontext() if locked else output.locked(config.output_dir):
        new_site = output.NewSite(config, cache.previous_output())
        try:
            rendered = _render(site, planned, cache, progress, new_site)
            for path, source in static.items():
                if cache.static_unchanged(path, source):
                    new_site.keep(path)
                else:
                    new_site.copy(path, source)
            changed = new_site.finish()
        except OSError as exc:
            raise output.write_error(exc, config.output_dir) from None
        finally:
            new_site.discard()
        report = _report(site, planned, len(static), warnings, rendered=rendered, changed=changed)
        cache.remember(report, site.next_future, new_site)
    return report


def _report(site: Site, planned: list[Page], static: int, warnings: list[SourceError], *,
            rendered: int, changed: int) -> BuildReport:
    return BuildReport(
        output_dir=site.config.output_dir, pages=len(planned), posts=len(site.posts),
        tags=len(site.tags), static_files=static, drafts_skipped=site.drafts_skipped,
        kinds=MappingProxyType(dict(sorted(Counter(p.template for p in planned).items()))),
        future_skipped=site.future_skipped, warnings=tuple(warnings), rendered=rendered,
        changed=changed, seconds=0.0,
    )


def _refuse_what_cannot_build(config: Config) -> None:
    output.check_output_dir(config)
    if config.search and not output.can_index_for_search():
        raise BuildError([ConfigError(
            "sitegen.yaml", "search: true needs Pagefind, which is not installed",
            hint="pip install 'pagefind[bin]>=1.3' where sitegen is installed, or set search: false")])


def read_posts(config: Config) -> tuple[list[Post], Problems]:
    """Every post and page of the site, parsed anew, in path order, and every problem found."""
    return Incremental(config, None).read_posts()


def plan(config: Config, cache: Incremental | None = None) -> tuple[Site, list[Page], list[SourceError]]:
    """Read, collect and plan; raise BuildError with every content error of the site."""
    site, planned, errors, warnings = survey(config, cache)
    if errors:
        raise BuildError(errors, warnings=warnings)
    return site, planned, warnings


def survey(config: Config, cache: Incremental | None = None,
           ) -> tuple[Site, list[Page], list[SourceError], list[SourceError]]:
    """Read, collect and plan what the content allows (posts that cannot be read are left out):
    the site, its pages, every error (sorted) and every warning."""
    from sitegen import pages as pages_stage  # here: a rebuild with nothing changed never loads them
    from sitegen import site as site_stage

    cache = cache or Incremental(config, None)
    documents, problems = cache.read_posts()
    site, site_errors, site_warnings = site_stage.collect_site(config, documents, cache.relate)
    planned = pages_stage.plan_pages(site)
    collisions = [] if cache.same_paths(planned) else pages_stage.find_collisions(planned)
    errors = problems.errors + site_errors + collisions
    warnings = sorted(problems.warnings + site_warnings + _translations_left_out(config, cache.listing),
                      key=SourceError.sort_key)
    return site, planned, sorted(errors, key=SourceError.sort_key), warnings


# A page's outcome: staged (None: inputs unchanged, not rendered; False: rendered, the same
# bytes as the output's), and its cache state; or the template's error
Outcome = tuple[bool | None, PageState] | TemplateError


def _render(site: Site, planned: list[Page], cache: Incremental, progress: Progress | None,
            new_site: output.NewSite) -> int:
    """Render and stage the pages whose inputs changed since the last build; return how many."""
    from sitegen import renderer  # here: a build with nothing to render never loads Jinja

    env = renderer.make_environment(site.config)
    keys = cache.page_keys(site, env)
    known = [keys.unchanged(page) for page in planned]
    todo = [page for page, state in zip(planned, known, strict=True) if state is None]
    skipped, total = len(planned) - len(todo), len(planned)

    def render(page: Page) -> Outcome:  # in forked workers too: it stages, records nothing
        read: set[str] = set()
        try:
            data = renderer.render_page(env, page, site, read=read)
        except TemplateError as error:
            return error
        return new_site.stage(page.path, data), keys.of(page, read)

    if progress is not None:
        progress(skipped, total)
    fresh = iter(workers.shared_out(
        render, todo, jobs=site.config.jobs if len(todo) >= PARALLEL_RENDER_FROM else 1,
        progress=None if progress is None else lambda done: progress(skipped + done, total),
        before=new_site.staging_folder))
    errors: dict[tuple[str, int | None], TemplateError] = {}
    rendered = 0
    for page, state in zip(planned, known, strict=True):
        outcome: Outcome = (None, state) if state is not None else next(fresh)
        if isinstance(outcome, TemplateError):
            errors.setdefault((outcome.path, outcome.line), outcome)
            continue
        staged, page_state = outcome
        if staged is None:
            new_site.keep(page.path)
        else:
            new_site.record(page.path, staged)
            rendered += 1
        cache.rendered(page.path, page_state)
    if errors:
        raise BuildError(errors.values())
    return rendered


def render_all(site: Site, planned: list[Page],
               progress: Progress | None = None) -> dict[PurePosixPath, bytes]:
    """Render every page; a broken template is reported once, not once per page."""
    from sitegen import renderer

    env = renderer.make_environment(site.config)
    rendered: dict[PurePosixPath, bytes] = {}
    errors: dict[tuple[str, int | None], TemplateError] = {}
    for done, page in enumerate(planned, start=1):
        if progress is not None:
            progress(done, len(planned))
        try:
            rendered[page.path] = renderer.render_page(env, page, site)
        except TemplateError as error:
            errors.setdefault((error.path, error.line), error)
    if errors:
        raise BuildError(errors.values())
    return rendered


def check(config: Config, *, external: bool = False) -> tuple[list[SourceError], list[SourceError]]:
    """Build in memory, write nothing; return (broken links and site errors, warnings)."""
    reading = Incremental(config, None)  # content/ is listed once, for the posts and the bundles
    try:
        site, planned, warnings = plan(config, reading)
        rendered = render_all(site, planned)
        static, left_out = _copied_files(config, site, reading.listing, planned)
        warnings += left_out
    except BuildError as exc:
        return list(exc.errors), list(exc.warnings)
    outputs = dict(rendered)
    for path, source in static.items():
        outputs[path] = source.read_bytes() if path.suffix == ".html" else b""
    from sitegen import check as check_stage

    errors = check_stage.check_links(site, outputs)
    if external:
        errors += check_stage.check_external(site)
    located = {(e.path, e.line) for e in errors}
    warnings = [w for w in warnings + _config_warnings(config, site)
                if (w.path, w.line) not in located]  # said once, as an error
    return sorted(errors, key=SourceError.sort_key), sorted(warnings, key=SourceError.sort_key)


def _config_warnings(config: Config, site: Site) -> list[SourceError]:
    warnings: list[SourceError] = []
    if not site.posts and not site.pages:
        warnings.append(ContentError("content", "no posts found",
                                     hint="add Markdown files to content/posts/ (sitegen new \"Title\")"))
    elif not config.preview and (warning := base_url_warning(config)) is not None:
        warnings.append(warning)
    return warnings


def _as_error(warning: SourceError) -> SourceError:
    return ContentError(warning.path, f"{warning.message} (--strict)", line=warning.line,
                        col=warning.col, hint=warning.hint)


def _translations_left_out(config: Config, listing: Listing) -> list[SourceError]:
    """One warning for all the page bundles' translations a build leaves out."""
    if not listing.translations:
        return []
    count, first = len(listing.translations), listing.translations[0].relative_to(config.root).as_posix()
    others = f" and {count - 1} other translation{'s' * (count > 2)} of page bundles" if count > 1 else ""
    return [ContentError(first, f"is not built{others} either: sitegen builds a site in one language, "
                         f"and this site's is '{config.language}'",
                         hint="keep them for later, or move them out of content/")]


def _copied_files(config: Config, site: Site, listing: Listing,
                  planned: list[Page]) -> tuple[dict[PurePosixPath, Path], list[SourceError]]:
    """The files copied as they are: theme assets, the site's static/ over them, and each page
    bundle's resources beside its post; one that clashes with a page, or another, is an error.
    The warnings say which files are left out (a name that is not UTF-8)."""
    generated = {page.path: page for page in planned}
    files, errors, warnings = _static_files(config, generated)
    static = dict(files)
    # by the source's folder as text: a path made for each of 100,000 posts costs a third of a second
    bundles = {folder.relative_to(config.root).as_posix(): (folder, found)
               for folder, found in listing.resources.items()}
    for post in (*site.posts, *site.pages) if bundles else ():
        bundle = bundles.get(str(post.source).rpartition("/")[0])
        if bundle is None:
            continue
        folder, found = bundle
        for source in found:
            # beside the post's page, wherever its URL puts it
            path = output_path(post.url).parent / PurePosixPath(source.relative_to(folder).as_posix())
            name = source.relative_to(config.root).as_posix()
            if not source.resolve().is_relative_to(config.root):
                errors.append(ContentError(name, f"links to {source.resolve()}, outside the site folder",
                                           hint="copy the file into the page bundle instead"))
            elif not source.is_file():
                continue  # a broken link, or a link to a folder: nothing to copy
            elif path in generated:
                errors.append(ContentError(
                    name, f"would overwrite {path}, which {generated[path].origin} makes",
                    hint="rename the file in the page bundle"))
            elif path in static:
                errors.append(ContentError(
                    name, f"would overwrite {path}, copied from {static[path].relative_to(config.root)}",
                    hint="rename one of them"))
            else:
                files[path] = source
    if errors:
        raise BuildError(errors)
    return files, warnings


def _static_files(config: Config, generated: Mapping[PurePosixPath, Page]
                  ) -> tuple[dict[PurePosixPath, Path], list[SourceError], list[SourceError]]:
    """Theme assets, then the site's static/ over them; a file that clashes with a page is an
    error, one whose name is not UTF-8 is left out with a warning."""
    files: dict[PurePosixPath, Path] = {}
    errors: list[SourceError] = []
    warnings: list[SourceError] = []
    for folder in (config.theme_dir / "static", config.static_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            if not path.is_file() or ".git" in relative.parts:
                continue
            if not utf8(str(relative)):
                warnings.append(name_warning(str(path), config.root))
            elif folder == config.static_dir and not path.resolve().is_relative_to(config.root):
                errors.append(ContentError(path.relative_to(config.root).as_posix(),
                                           f"links to {path.resolve()}, outside the site folder",
                                           hint="copy the file into static/ instead"))
            elif relative in generated:
                errors.append(ContentError(
                    path.relative_to(config.root).as_posix(),
                    f"would overwrite the generated page {relative}",
                    hint=f"remove it, or override the template that makes {relative} instead"))
            else:
                files[relative] = path
    return files, errors, warnings
