"""Error types that carry a file, a line, what is wrong and how to fix it.

The core of the package: imports nothing from sitegen.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath


def count(number: int, noun: str) -> str:
    """`3 errors`, `1 error`: a number with its noun, plural when it is not one."""
    return f"{number} {noun}{'s' * (number != 1)}"


def did_you_mean(name: str, known: Iterable[str], otherwise: str) -> str:
    """A hint for a misspelt name: the known name closest to it, else `otherwise`."""
    import difflib

    matches = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean '{matches[0]}'?" if matches else otherwise


def with_hint(text: str, hint: str | None) -> str:
    """The one way a problem is written with its hint: the hint on its own indented line."""
    return f"{text}\n    hint: {hint}" if hint else text


class SitegenError(Exception):
    """Base class; str() is the complete message a user reads: what is wrong, then how to fix it."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return with_hint(self.message, self.hint)

    def __reduce__(self) -> tuple[object, ...]:
        """Travel between processes intact (the default would pass the message alone)."""
        return (_rebuild_plain, (type(self), self.message, self.hint))


def _rebuild_plain(kind: type[SitegenError], message: str, hint: str | None) -> SitegenError:
    return kind(message, hint=hint)


class SourceError(SitegenError):
    """A problem located in a file: `path:line:col: error: message` plus an optional hint."""

    def __init__(
        self,
        path: PurePath | str,
        message: str,
        *,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = str(path)
        self.line = line
        self.col = col

    @property
    def location(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def format(self, severity: str = "error") -> str:
        return with_hint(f"{self.location}: {severity}: {self.message}", self.hint)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.col or 0, self.message)

    def __str__(self) -> str:
        return self.format()

    def __reduce__(self) -> tuple[object, ...]:
        """Travel between processes intact (the default would pass the message alone)."""
        return (_rebuild, (type(self), self.path, self.message, self.line, self.col, self.hint))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.format()!r})"


@dataclass
class Problems:
    """Errors and warnings found while reading one file or many."""

    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)


def _rebuild(kind: type[SourceError], path: str, message: str, line: int | None,
             col: int | None, hint: str | None) -> SourceError:
    return kind(path, message, line=line, col=col, hint=hint)


class ConfigError(SourceError):
    """sitegen.yaml, tags.yaml or categories.yaml is invalid."""

    @classmethod
    def of(cls, error: SourceError) -> ConfigError:
        """`error` as a configuration error (YAML's own errors come as SourceError)."""
        if isinstance(error, ConfigError):
            return error
        return cls(error.path, error.message, line=error.line, col=error.col, hint=error.hint)


class ContentError(SourceError):
    """A post or page cannot be read, or clashes with another."""


class TemplateError(SourceError):
    """A template failed to compile or render."""


class OutputError(SitegenError):
    """The output folder cannot be used; the user must pick another (a usage error)."""


class WriteError(SitegenError):
    """The output could not be written (disk full, no permission); the old output is intact."""


class BuildError(SitegenError):
    """Every error of one build, sorted by file and line."""

    def __init__(
        self, errors: Iterable[SourceError], *, warnings: Iterable[SourceError] = ()
    ) -> None:
        self.errors = tuple(sorted(errors, key=SourceError.sort_key))
        self.warnings = tuple(warnings)
        super().__init__(self._text())

    def __reduce__(self) -> tuple[object, ...]:
        return (BuildError, (self.errors,), {"warnings": self.warnings})

    def _text(self) -> str:
        lines = [error.format() for error in self.errors]
        lines.append(count(len(self.errors), "error"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


class CacheDamaged(SitegenError):
    """Something read from the build cache does not match what was written; not the user's
    error: the build starts over without the cache."""


class InternalError(SitegenError):
    """An exception sitegen did not expect (a bug), with where it was raised."""

    @classmethod
    def of(cls, exc: BaseException, doing: str, hint: str) -> InternalError:
        where = "".join(traceback.format_exception(exc)).rstrip()
        return cls(f"internal error while {doing}: {type(exc).__name__}: {exc}\n{where}", hint=hint)
