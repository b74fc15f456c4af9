"""New contribution files: their names, their week, their text, and writing them safely.

Shared by ``palabre new``, ``import-mail`` and ``import-issue``. Everything a command writes
goes through :func:`validate_draft` first (the build's own per-file rules, run on the exact
text that will be written) and through :func:`verify_written` after (the whole loader, run on
the content tree with the new files in it), so that no command reports success for a file
that ``palabre check`` would refuse.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from .discussionfile import parse_discussion
from .frontmatter import (
    DEFAULT_MAX_BYTES,
    DiscussionFacts,
    parse_contribution,
    render_front_matter,
)
from .loader import (
    CONTRIBUTIONS,
    DISCUSSION_FILE,
    DISCUSSIONS,
    ContentTree,
    load_archive,
)
from .model import ContentError, Discussion, PalabreError, Problem
from .yamltree import quote

MAX_ID_LENGTH = 120
MAX_TITLE = 300
MAX_NAME = 300
MAX_ORGANISATION = 200
# Late contributions are common; this many days after ``closes`` still go in the last week.
LATE_DAYS = 31
# Text used to validate a draft whose body a moderator has still to write.
_BODY_PLACEHOLDER = "(text)"


class DraftError(PalabreError):
    """A draft cannot become a valid contribution; ``problems`` says why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


class UsageError(PalabreError):
    """The command was given something that cannot work (no such discussion, ...)."""


@dataclass
class Draft:
    """A contribution about to be written, with notes for the moderator who reviews it."""

    discussion: str
    title: str
    author: str
    week: int
    language: str
    date: dt.date
    body: str
    organisation: str | None = None
    country: str | None = None
    in_reply_to: str | None = None
    translation_of: str | None = None
    notes: list[str] = field(default_factory=list)

    def front_values(self) -> dict[str, object]:
        return {
            "title": self.title,
            "author": self.author,
            "week": self.week,
            "language": self.language,
            "date": self.date,
            "organisation": self.organisation,
            "country": self.country,
            "in_reply_to": self.in_reply_to,
            "translation_of": self.translation_of,
        }

    def text(self) -> str:
        """The file's text: front matter, a blank line, the body ending in one newline."""
        body = self.body.strip("\n")
        return render_front_matter(self.front_values()) + "\n" + (body + "\n" if body else "")


def visible_line(text: str) -> str:
    """One line of text with control and invisible characters turned into spaces, NFC."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") else ch
        for ch in text
    )
    return unicodedata.normalize("NFC", " ".join(cleaned.split()))


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def author_slug(author: str) -> str:
    """The author part of an id: ASCII, lowercase, hyphens; 'anonymous' when nothing is left."""
    return slugify(author, max_length=60, word_boundary=True) or "anonymous"


def make_id(date: dt.date, author: str, taken: Collection[str]) -> str:
    """``<date>-<author-slug>``, with ``-2``, ``-3``... when the id is already taken."""
    base = f"{date.isoformat()}-{author_slug(author)}"[:MAX_ID_LENGTH].rstrip("-")
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@dataclass(frozen=True)
class Place:
    """One discussion of a content tree, as the commands see it."""

    content: Path
    discussion: Discussion

    @property
    def folder(self) -> Path:
        return self.content / DISCUSSIONS / self.discussion.slug

    @property
    def facts(self) -> DiscussionFacts:
        return DiscussionFacts(
            self.discussion.slug,
            self.discussion.languages,
            frozenset(w.number for w in self.discussion.weeks),
        )

    def path_for(self, week: int, cid: str) -> Path:
        return self.folder / CONTRIBUTIONS / f"week-{week}" / f"{cid}.md"

    def existing_ids(self) -> set[str]:
        """Ids of every contribution file of the discussion, valid or not, in any week."""
        root = self.folder / CONTRIBUTIONS
        if not root.is_dir():
            return set()
        return {
            p.name.removesuffix(".md")
            for p in root.rglob("*.md")
            if not any(part.startswith(".") for part in p.relative_to(root).parts)
        }


def open_discussion(content: Path, slug: str) -> Place:
    """The discussion ``slug`` of ``content``, read with the build's rules."""
    folder = content / DISCUSSIONS / slug
    spec = folder / DISCUSSION_FILE
    if not spec.is_file():
        known = sorted(
            p.name for p in (content / DISCUSSIONS).glob("*") if (p / DISCUSSION_FILE).is_file()
        )
        raise UsageError(
            f"no discussion {quote(slug)} in {content} (known: {', '.join(known) or 'none'})"
        )
    tree = ContentTree(content)
    text, problems = tree.read_text(spec)
    discussion = None
    if text is not None:
        discussion, problems = parse_discussion(tree.shown(spec), text, slug)
    if discussion is None:
        raise DraftError(problems)
    return Place(content, discussion)


def week_for(discussion: Discussion, date: dt.date) -> tuple[int | None, str | None]:
    """The week a contribution received on ``date`` belongs to, and a note or a refusal.

    The week is the last one that has started on ``date``. A date before the first week is
    refused (the message is probably not a contribution); a date up to ``LATE_DAYS`` after
    the discussion closed goes in the last week with a note; a later one is refused.
    """
    weeks = sorted(discussion.weeks, key=lambda w: w.starts)
    if not weeks:
        return None, "the discussion has no weeks"
    started = [w for w in weeks if w.starts <= date]
    if not started:
        return None, (
            f"dated {date.isoformat()}, before week {weeks[0].number} starts "
            f"({weeks[0].starts.isoformat()}); give --week to import it anyway"
        )
    week = started[-1]
    if date > discussion.closes + dt.timedelta(days=LATE_DAYS):
        return None, (
            f"dated {date.isoformat()}, long after the discussion closed "
            f"({discussion.closes.isoformat()}); give --week to import it anyway"
        )
    if date > discussion.closes:
        return week.number, (
            f"received after the discussion closed ({discussion.closes.isoformat()}); "
            f"put in week {week.number}"
        )
    return week.number, None


def validate_draft(
    place: Place, draft: Draft, cid: str, known_ids: Collection[str], *, body_required: bool = True
) -> list[Problem]:
    """The build's problems with ``draft`` written as ``cid``, shown at its future path."""
    tree = ContentTree(place.content)
    shown = tree.shown(place.path_for(draft.week, cid))
    text = draft.text()
    if not body_required and not draft.body.strip():
        text += _BODY_PLACEHOLDER + "\n"
    _, problems = parse_contribution(shown, text, place.facts, cid, draft.week)
    lines = {
        line.split(":", 1)[0]: number
        for number, line in enumerate(text.split("\n"), start=1)
        if ":" in line
    }
    if len(text.encode("utf-8")) > DEFAULT_MAX_BYTES:
        problems.append(
            Problem(shown, 1, "file", f"expected at most {DEFAULT_MAX_BYTES} bytes, got more")
        )
    for name in ("in_reply_to", "translation_of"):
        target = getattr(draft, name)
        if target is not None and target not in known_ids:
            problems.append(
                Problem(
                    shown,
                    lines.get(name, 1),
                    name,
                    f"expected the id of a contribution of this discussion, got {quote(target)}",
                )
            )
    return sorted(set(problems), key=lambda p: (p.line, p.field, p.message))


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text`` in UTF-8; never replace an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def verify_written(content: Path, written: Iterable[Path]) -> dict[Path, list[Problem]]:
    """Load the whole tree as the build does; the problems of each written file, if any."""
    written = list(written)
    if not written:
        return {}
    try:
        load_archive(content)
    except ContentError as error:
        tree = ContentTree(content)
        shown = {tree.shown(path): path for path in written}
        found: dict[Path, list[Problem]] = {}
        for problem in error.problems:
            if problem.path in shown:
                found.setdefault(shown[problem.path], []).append(problem)
        return found
    return {}


def relative(path: Path, base: Path | None = None) -> str:
    """``path`` as the moderator typed paths: relative to the working folder when inside it."""
    base = (base or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def parse_date(text: str) -> dt.date:
    """A date from ``YYYY-MM-DD`` or an ISO timestamp such as GitHub's ``created_at``."""
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$", text)
    if not match:
        raise ValueError(f"expected a date (YYYY-MM-DD), got {quote(text)}")
    return dt.date.fromisoformat(match.group(1))


def id_from_reference(text: str) -> str:
    """A contribution id from an id or from the address of its page (``.../<d>/<id>/``)."""
    text = text.strip()
    if "/" in text:
        address = re.split(r"[?#]", text.split("://", 1)[-1])[0]
        parts = [p for p in address.split("/") if p and p != "index.html"]
        text = parts[-1].removesuffix(".html").removesuffix(".md") if parts else ""
    return text.strip().lower()


def notes_for(mapping: Mapping[Path, list[Problem]]) -> list[str]:
    return [str(problem) for problems in mapping.values() for problem in problems]
