"""Rename and merge tags in the sources: every post's front matter, then tags.yaml.

`plan_retag` reads the files and returns the edits (tagedit changes each post, registryedit
tags.yaml), refusing a change the next build would reject; `write_edits` writes all or none.
Edge module beside cli: imports config, errors, models, parser, registryedit, tagedit, taxonomy,
urls.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from sitegen.errors import BuildError, ContentError, SitegenError, SourceError, WriteError
from sitegen.listing import content_files
from sitegen.models import Config, Tag
from sitegen.registry import TAGS_FILE, tag_registry
from sitegen.registryedit import register_alias
from sitegen.tagedit import retag_text
from sitegen.taxonomy import Vocabulary
from sitegen.urls import tag_key, tag_name


@dataclass(frozen=True, slots=True)
class Edit:
    path: Path
    before: str
    after: str
    created: bool = False  # the file did not exist (a new tags.yaml)


def plan_retag(config: Config, old: str, new: str, *, rename: bool) -> list[Edit]:
    """Every file that changes, with its text before and after; nothing is written.

    Raises SitegenError for a name that cannot be a tag, BuildError listing every file that
    cannot be edited (each located) or every problem the next build would have because of it.
    """
    old, new = _checked_names(config, old, new)
    edits: list[Edit] = []
    errors: list[SourceError] = []
    tags_before: dict[str, list[str]] = {}
    tags_after: dict[str, list[str]] = {}
    used = False
    for path in content_files(config):
        source = path.relative_to(config.root).as_posix()
        try:
            text = path.read_bytes().decode("utf-8")
            after, names_before, names = retag_text(text, old, new, source)
        except UnicodeDecodeError:
            errors.append(ContentError(source, "is not valid UTF-8", line=1, hint="run sitegen check "
                                       "to see what is wrong, fix it, then run this again"))
            continue
        except SourceError as error:
            errors.append(error)
            continue
        used = used or any(tag_key(name) == tag_key(old) for name in names_before)
        tags_before[source], tags_after[source] = names_before, names
        if after != text:
            edits.append(Edit(path, text, after))
    if errors:
        raise BuildError(errors)
    if not used and tag_key(old) not in config.tag_specs and tag_key(old) not in config.tag_aliases:
        raise SitegenError(f"no post uses the tag '{old}' and {TAGS_FILE} does not describe it",
                           hint="sitegen tags lists every tag with its spellings")
    registry = config.root / TAGS_FILE
    before = registry.read_bytes().decode("utf-8") if registry.is_file() else ""
    try:
        after = register_alias(before, old, new, rename=rename, old_path=_url_path(config, old, tags_before))
    except SourceError as error:  # tags.yaml cannot be edited: located and counted, as a post would be
        raise BuildError([error]) from None
    if after != before:
        edits.append(Edit(registry, before, after, created=not registry.is_file()))
    specs, aliases, _ = tag_registry(after)
    _check_urls(replace(config, tag_specs=specs, tag_aliases=aliases), tags_after, new)
    return edits


def _url_path(config: Config, name: str, names_by_source: dict[str, list[str]]) -> str | None:
    """With hierarchy, a tag's URL path after /tags/ as the site has it (its parents' slugs, which
    tags.yaml may set, then its own); None without hierarchy, where it is the tag's slug."""
    if not config.tags.hierarchy:
        return None
    vocabulary = Vocabulary.tags(config)
    key = vocabulary.key(name)
    if key is None:
        return None
    tags, _ = _site_tags(vocabulary, names_by_source)
    if key not in tags:  # no post names it: the URL it would have
        tags, _ = _site_tags(vocabulary, {"": [name]})
    return tags[key].slug


def _checked_names(config: Config, old: str, new: str) -> tuple[str, str]:
    old, new = tag_name(old), tag_name(new)
    for name, role in ((old, "old"), (new, "new")):
        if not name:
            raise SitegenError(f"the {role} tag name is empty", hint="give a name with letters or digits")
        if not name.isprintable():
            raise SitegenError(f"the {role} tag name {name!r} has a control character",
                               hint="type the name without it")
    if old == new:
        raise SitegenError(f"'{old}' and '{new}' are the same name")
    if Vocabulary.tags(config).key(new) is None:
        raise SitegenError(f"'{new}' has no letters or digits to make a URL from",
                           hint=f"choose a name with letters or digits, or give it a slug in {TAGS_FILE} "
                                f"first: '{new}': {{slug: my-tag}}")
    return old, new


def _site_tags(vocabulary: Vocabulary,
               names_by_source: dict[str, list[str]]) -> tuple[dict[str, Tag], dict[str, str]]:
    """The tags a build would make of these names (parents, URLs and old URLs included), and
    where each is first named: by a post itself, or else by a post naming a tag under it."""
    uses = [vocabulary.uses(source, names, [(1, 1)] * len(names))[0]
            for source, names in sorted(names_by_source.items())]
    tags = vocabulary.with_old_slugs(vocabulary.terms(vocabulary.spellings(uses)))
    where: dict[str, str] = {}
    for source, used in zip(sorted(names_by_source), uses, strict=True):
        for use in used:
            where.setdefault(use.key, f"'{use.name}' in {source}")
    for source, used in zip(sorted(names_by_source), uses, strict=True):
        for use in used:
            for key in vocabulary.lineage(use.key)[1:]:
                where.setdefault(key, f"'{tags[key].name}' ('{use.name}' in {source})")
    return tags, where


def _check_urls(config: Config, tags_after: dict[str, list[str]], new: str) -> None:
    """Refuse a change after which the new tag (or a parent it brings) would share a URL with
    another tag, or a redirect would land on the other's page: the next build would reject it.
    The tags and their URLs are the ones the taxonomy stage makes of the names after the edit."""
    vocabulary = Vocabulary.tags(config)
    target = vocabulary.key(new)
    assert target is not None  # _checked_names made sure
    tags, where = _site_tags(vocabulary, tags_after)
    if target not in tags:
        return  # no post has it: no page
    by_slug: dict[str, list[str]] = {}
    for key, tag in tags.items():
        by_slug.setdefault(tag.slug, []).append(key)
    for key in vocabulary.lineage(target):
        tag = tags[key]
        others = [where[k] for k in by_slug[tag.slug] if k != key]
        own = tag.slug.rsplit("/", 1)[-1]
        if others and key == target:
            raise SitegenError(f"'{new}' would share the URL {tag.url} with the tag {others[0]}",
                               hint=f"merge into that tag instead, or give '{new}' its own slug in "
                                    f"{TAGS_FILE} first: '{new}': {{slug: {own}-2}}")
        if others:
            raise SitegenError(f"'{new}' would make the tag '{tag.name}', which would share the URL "
                               f"{tag.url} with the tag {others[0]}",
                               hint=f"give '{tag.name}' its own slug in {TAGS_FILE} first: "
                                    f"'{tag.name}': {{slug: {own}-2}}")
    for key, tag in tags.items():
        for slug in tag.old_slugs:
            landing = [k for k in by_slug.get(slug, []) if k != key]
            if landing and target in (key, *landing):
                raise SitegenError(f"the old URL {vocabulary.url(slug)} of '{tag.name}' would redirect "
                                   f"over the page of the tag {where[landing[0]]}",
                                   hint=f"merge the two tags, or give one of them its own slug in "
                                        f"{TAGS_FILE}")


def write_edits(edits: list[Edit]) -> None:
    """Write every edit or none: each new text goes beside its file first, then all are moved
    into place; a file changed since it was read stops everything, and a failure part way puts
    back the files already moved."""
    staged: list[tuple[Edit, Path]] = []
    done: list[Edit] = []
    try:
        for edit in edits:
            temporary = edit.path.with_name(f".{edit.path.name}.retag")  # a dot: never read as content
            temporary.write_bytes(edit.after.encode("utf-8"))
            staged.append((edit, temporary))
            if not edit.created:
                shutil.copymode(edit.path, temporary)
        for edit in edits:
            current = edit.path.read_bytes() if edit.path.exists() else None
            if current != (None if edit.created else edit.before.encode("utf-8")):
                raise WriteError(f"{edit.path} changed while this ran; nothing was written",
                                 hint="run the command again")
        for edit, temporary in staged:
            os.replace(temporary, edit.path)
            done.append(edit)
    except OSError as exc:
        _undo(done, staged)
        raise WriteError(f"cannot write {exc.filename}: {exc.strerror}; nothing was changed") from exc
    except BaseException:
        _undo(done, staged)
        raise


def _undo(done: list[Edit], staged: list[tuple[Edit, Path]]) -> None:
    for edit in reversed(done):
        if edit.created:
            edit.path.unlink(missing_ok=True)
        else:
            edit.path.write_bytes(edit.before.encode("utf-8"))
    for _, temporary in staged:
        temporary.unlink(missing_ok=True)
