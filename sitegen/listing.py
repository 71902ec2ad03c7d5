"""What a build reads from content/: the posts' and pages' Markdown, the page bundles' other
files, the translations left out; and each folder's modification time when it was listed, so
that a rebuild can tell the listing still holds without listing content/ again.

Imports errors, models.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.errors import ContentError, Problems
from sitegen.models import Config

SECTIONS = ("posts", "pages")
MARKDOWN_SUFFIXES = (".md", ".markdown")
# The time noted for a folder whose listing may change while no folder's time does (a linked
# post, whose target can change; a folder that could not be read): never a folder's time, so a
# listing that holds one is made again each time
UNKNOWN = -1
# A page bundle's text, as Hugo names it: index.md, or a translation such as index.es.md
BUNDLE_INDEX = re.compile(r"index(?:\.([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*))?\.(?:md|markdown)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Listing:
    """What a build reads from content/: the Markdown of posts and pages; each page bundle's
    other files (its resources, by bundle folder); the translations it leaves out; and each
    folder listed, with its modification time taken just before it was listed."""

    files: tuple[str, ...]  # as text, in path order: a no-change rebuild makes no Path of them
    resources: Mapping[Path, tuple[Path, ...]]
    translations: tuple[Path, ...]
    folders: tuple[tuple[str, int], ...] = ()

    def record(self, root: Path) -> dict[str, Any]:
        """The listing as JSON holds it, paths relative to `root` (see `from_record`); its files
        by a digest only: the build cache keeps their names."""
        cut = len(str(root)) + 1
        names = [path[cut:].replace(os.sep, "/") for path in self.files]
        return {"files": _digest(names),
                "folders": [[path[cut:].replace(os.sep, "/"), mtime] for path, mtime in self.folders],
                "bundles": [[_relative(folder, root), [_relative(p, root) for p in files]]
                            for folder, files in self.resources.items()],
                "translations": [_relative(p, root) for p in self.translations]}

    @classmethod
    def from_record(cls, root: Path, files: Sequence[str], record: Mapping[str, Any]) -> Listing | None:
        """The listing `record` was made of, if its files are `files` (relative, in path order):
        what list_content finds again while none of the folders has changed."""
        def path(name: str) -> Path:
            return root.joinpath(*name.split("/"))

        if _digest(files) != record["files"]:
            return None
        prefix = f"{root}{os.sep}"  # as text: no Path for each of 100,000 files
        return cls(tuple(prefix + name.replace("/", os.sep) for name in files),
                   {path(folder): tuple(map(path, found)) for folder, found in record["bundles"]},
                   tuple(map(path, record["translations"])),
                   tuple((str(path(name)), mtime) for name, mtime in record["folders"]))


def content_files(config: Config, problems: Problems | None = None) -> list[Path]:
    """The Markdown files of posts and pages, sorted; hidden and _private files left out."""
    return [Path(path) for path in list_content(config, problems).files]


def list_content(config: Config, problems: Problems | None = None) -> Listing:
    """The posts and pages (hidden and _private files left out), and the page bundles' other files.

    A folder inside a section that holds index.md is a page bundle, as Hugo means it: index.md
    is the post; every other file under the folder, Markdown included, is the post's to copy
    beside it. index.<language>.md is the post too when <language> is the site's; the other
    translations are left out.
    """
    problems = problems if problems is not None else Problems()
    files: list[str] = []  # in path order: each folder's entries are walked sorted, depth first
    resources: dict[Path, tuple[Path, ...]] = {}
    translations: list[Path] = []
    folders: list[tuple[str, int]] = []

    def walk(folder: str, depth: int) -> None:
        entries = _entries(folder, folders, problems, config.root)
        if entries is None:
            return
        in_section = depth >= 2 and folder.split(os.sep)[-depth] in SECTIONS
        if in_section and any(BUNDLE_INDEX.fullmatch(e.name) for e in entries):
            return bundle(folder, entries)
        for entry in entries:  # the file type comes with the listing: no stat for plain files
            if entry.is_symlink():
                if entry.is_dir() or entry.name.lower().endswith(MARKDOWN_SUFFIXES):
                    folders.append((folder, UNKNOWN))
                    _check_file(config, Path(entry.path), problems, files)
            elif entry.is_dir():
                walk(entry.path, depth + 1)
            elif entry.name.lower().endswith(MARKDOWN_SUFFIXES):
                if depth == 0 or entry.path.split(os.sep)[-depth - 1] not in SECTIONS:
                    _check_file(config, Path(entry.path), problems, files)  # says why it is left out
                else:
                    files.append(entry.path)

    def bundle(folder: str, entries: list[os.DirEntry[str]]) -> None:
        others: list[Path] = []
        for entry in entries:
            index = BUNDLE_INDEX.fullmatch(entry.name)
            if index is not None and not _speaks(config.language, index[1]):
                translations.append(Path(entry.path))
            elif index is not None and entry.is_symlink():
                folders.append((folder, UNKNOWN))
                _check_file(config, Path(entry.path), problems, files)
            elif index is not None:
                files.append(entry.path)
            elif entry.is_dir(follow_symlinks=False):
                others.extend(_files_under(entry.path, folders, problems, config.root))
            else:
                others.append(Path(entry.path))
        resources[Path(folder)] = tuple(sorted(others))

    walk(str(config.content_dir), 0)
    return Listing(tuple(files), resources, tuple(sorted(translations)), tuple(folders))


def _entries(folder: str, folders: list[tuple[str, int]], problems: Problems, root: Path,
             missing: type[OSError] | tuple[type[OSError], ...] = (FileNotFoundError, NotADirectoryError),
             ) -> list[os.DirEntry[str]] | None:
    """A folder's entries by name, hidden and _private ones left out, its time noted first: a
    change made while it is listed shows in a later time, never in the time noted (None: no such
    folder, or one that `missing` says cannot be read, noted to be listed again). An entry whose
    name is not UTF-8 cannot be named in a page or in the cache: it is left out, with a warning."""
    try:
        mtime = os.stat(folder).st_mtime_ns
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except missing:
        folders.append((folder, UNKNOWN))
        return None
    folders.append((folder, mtime))
    kept = []
    for entry in entries:
        if entry.name.startswith((".", "_")):
            continue
        if not utf8(entry.name):  # the folders above it were looked at as entries too
            problems.warnings.append(name_warning(entry.path, root))
            continue
        kept.append(entry)
    return kept


def name_warning(path: str, root: Path) -> ContentError:
    """The warning for a file or folder of the site whose name is not UTF-8 (see utf8): it cannot
    be named in a page, a URL or the build cache, so the build leaves it out."""
    return ContentError(shown(os.path.relpath(path, root)), "is left out: its name is not UTF-8 text",
                        hint="rename it with a name in UTF-8 (the encoding of the site's files)")


def shown(path: str | os.PathLike[str]) -> str:
    """A path as text that can be written out (in a message, in the cache's JSON): the bytes of a
    name that is not UTF-8 as \\xe9, every other path as it is."""
    return os.fsencode(path).decode(errors="backslashreplace")


def utf8(name: str) -> bool:
    """Whether a file name (or a path inside the site) is UTF-8: names are read from the file
    system as bytes, and those that are not UTF-8 come as text that cannot be written out."""
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


def _files_under(folder: str, folders: list[tuple[str, int]], problems: Problems, root: Path) -> list[Path]:
    found: list[Path] = []
    for entry in _entries(folder, folders, problems, root, OSError) or ():  # one it cannot read: none
        if entry.is_dir():
            if not entry.is_symlink():  # not into linked folders
                found.extend(_files_under(entry.path, folders, problems, root))
        else:
            found.append(Path(entry.path))
    return found


def other_inputs(config: Config, listing: Listing) -> dict[str, list[int]]:
    """Size and time of the other files a build reads: the templates, the theme, the static
    files, the page bundles' files and the translations left out (the build's warning counts them)."""
    paths = [os.path.join(here, name)
             for folder in (config.templates_dir, config.theme_dir, config.static_dir)
             for here, _, names in os.walk(folder) for name in names]
    paths += map(str, (*listing.translations, *(p for files in listing.resources.values() for p in files)))
    found = {}
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        # a name that is not UTF-8 is kept too, as the warning shows it: adding or removing
        # such a file (left out, with a warning) is a change the next build must see
        found[shown(path)] = [info.st_mtime_ns, info.st_size]
    return dict(sorted(found.items()))


def _digest(names: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(names).encode(errors="surrogateescape")).hexdigest()


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _speaks(site_language: str, language: str | None) -> bool:
    """Whether a bundle's index.<language>.md (None: index.md) is in the site's language."""
    if language is None:
        return True
    wanted, written = site_language.lower().replace("_", "-"), language.lower().replace("_", "-")
    return written in (wanted, wanted.split("-")[0])


def _check_file(config: Config, path: Path, problems: Problems, files: list[str]) -> None:
    source = path.relative_to(config.root).as_posix()
    relative = path.relative_to(config.content_dir)
    if path.is_symlink() and not path.exists():
        problems.warnings.append(ContentError(source, f"is a broken link to {os.readlink(path)}",
                                              hint="remove it or point it at an existing file"))
    elif path.is_symlink() and not path.resolve().is_relative_to(config.root):
        problems.errors.append(ContentError(source, f"links to {path.resolve()}, outside the site folder",
                                            hint="copy the file into the site instead"))
    elif path.is_dir():
        problems.warnings.append(ContentError(source, "is a linked folder; its posts are not read",
                                              hint="move the posts into the site instead"))
    elif relative.parts[0] not in SECTIONS or len(relative.parts) < 2:
        problems.warnings.append(ContentError(
            source, "is not built: only content/posts/ and content/pages/ are read",
            hint="move it into content/posts/ or content/pages/"))
    else:
        files.append(str(path))
