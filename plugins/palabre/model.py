"""Plain data for discussions, weeks and contributions. Never imports Pelican."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["open", "upcoming", "past"]
STATUSES: tuple[Status, ...] = ("open", "upcoming", "past")
ReplyStatus = Literal["draft", "final"]
REPLY_STATUSES: tuple[ReplyStatus, ...] = ("draft", "final")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, reported as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class PalabreError(Exception):
    """Base of every error Palabre raises on purpose."""


class ContentError(PalabreError):
    """The content tree has problems; all of them are listed, sorted by file and line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(
            set(problems), key=lambda p: (natural_key(p.path), p.line, p.field, p.message)
        )
        files = len({p.path for p in self.problems})
        count = len(self.problems)
        header = (
            f"{count} problem{'s' if count != 1 else ''} in "
            f"{files} file{'s' if files != 1 else ''}:"
        )
        super().__init__("\n".join([header, *map(str, self.problems)]))


def natural_key(text: str) -> tuple[object, ...]:
    """Sort key that puts week-2 before week-10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


class SettingsError(PalabreError):
    """A PALABRE_* setting is missing or has the wrong type."""


def localized(texts: Mapping[str, str], language: str, default: str) -> str:
    """The text in ``language`` when there is one, else in ``default``, else any."""
    if language in texts:
        return texts[language]
    if default in texts:
        return texts[default]
    return next(iter(texts.values()), "")


@dataclass(frozen=True)
class Organiser:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Week:
    number: int
    starts: dt.date
    title: Mapping[str, str]
    questions: Mapping[str, tuple[str, ...]]

    @property
    def slug(self) -> str:
        return f"week-{self.number}"


@dataclass(frozen=True)
class Contribution:
    id: str
    discussion: str
    title: str
    author: str
    week: int
    language: str
    date: dt.date
    body: str
    source_path: str
    body_line: int = 1
    organisation: str | None = None
    country: str | None = None
    in_reply_to: str | None = None
    translation_of: str | None = None
    translation: str | None = None  # "human" or "machine", for translations only

    @property
    def sort_key(self) -> tuple[dt.date, str]:
        return (self.date, self.id)


@dataclass(frozen=True)
class Summary:
    """The moderators' consolidated reply in one language (``summary.<lang>.md``)."""

    language: str
    title: str
    status: ReplyStatus
    body: str
    source_path: str
    body_line: int = 1
    date: dt.date | None = None
    # (contribution id, line in the file) of every citation, in the order of the text.
    cited: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Discussion:
    slug: str
    title: Mapping[str, str]
    languages: tuple[str, ...]
    opens: dt.date
    closes: dt.date
    weeks: tuple[Week, ...]
    source_path: str
    description: Mapping[str, str] = field(default_factory=dict)
    organisers: tuple[Organiser, ...] = ()
    contact: str | None = None
    calls: Mapping[str, str] = field(default_factory=dict)
    summaries: Mapping[str, Summary] = field(default_factory=dict)
    contributions: tuple[Contribution, ...] = ()
    # SHA-256 (hex) of the bytes of every file read for the discussion (discussion.yml,
    # calls, summaries, contributions), by path as in ``source_path``. Not in the repr:
    # what the files say is already there.
    file_digests: Mapping[str, str] = field(default_factory=dict, repr=False)

    def source_digest(self, contribution: Contribution) -> str:
        """What stands for one of its contributions in digests and caches: its path (which
        names it) and the SHA-256 of its file as the loader read it, else a digest of the
        parsed fields (path included)."""
        found = self.file_digests.get(contribution.source_path)
        if found is not None:
            return f"file:{contribution.source_path}:{found}"
        fields = repr(contribution).encode("utf-8", "surrogatepass")
        return f"parsed:{hashlib.sha256(fields).hexdigest()}"

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def title_in(self, language: str) -> str:
        return localized(self.title, language, self.default_language)

    def status_on(self, today: dt.date) -> Status:
        if today < self.opens:
            return "upcoming"
        if today > self.closes:
            return "past"
        return "open"

    def week(self, number: int) -> Week | None:
        return next((w for w in self.weeks if w.number == number), None)

    def contribution(self, contribution_id: str) -> Contribution | None:
        return self._by_id.get(contribution_id)

    @property
    def _by_id(self) -> dict[str, Contribution]:
        # Frozen dataclasses cannot cache in a field; the dict is cheap to rebuild but callers
        # that loop should use Thread helpers below, which build it once.
        return {c.id: c for c in self.contributions}

    def originals(self) -> list[Contribution]:
        """Contributions that are not translations of another, oldest first."""
        return sorted(
            (c for c in self.contributions if c.translation_of is None), key=lambda c: c.sort_key
        )

    def in_week(self, number: int) -> list[Contribution]:
        return [c for c in self.originals() if c.week == number]


@dataclass(frozen=True)
class Archive:
    """Every discussion of a site, sorted by opening date, newest first."""

    discussions: tuple[Discussion, ...]

    def discussion(self, slug: str) -> Discussion | None:
        return next((d for d in self.discussions if d.slug == slug), None)

    def contributions(self) -> list[Contribution]:
        return [c for d in self.discussions for c in d.contributions]

    def file_digests(self) -> dict[str, str]:
        """SHA-256 (hex) of every file read, by path (see ``Discussion.file_digests``)."""
        return {path: sha for d in self.discussions for path, sha in d.file_digests.items()}
