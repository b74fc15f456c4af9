"""Read a whole content tree into an Archive, or raise ContentError listing every problem.

Pure: it reads files but never imports Pelican, so the build, the CLI and the tests share it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection, Hashable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from .discussionfile import parse_discussion
from .frontmatter import (
    DEFAULT_MAX_BYTES,
    DiscussionFacts,
    Parsed,
    contribution_id,
    decode,
    parse_contribution,
)
from .model import Archive, ContentError, Contribution, Discussion, Problem, Summary
from .summary import check_citations, parse_summary
from .yamltree import quote

logger = logging.getLogger(__name__)

DISCUSSIONS = "discussions"
DISCUSSION_FILE = "discussion.yml"
CONTRIBUTIONS = "contributions"
WEEK_FOLDER = re.compile(r"week-(\d{1,3})")
LANGUAGE_TEXT = re.compile(r"(call|summary)\.([a-z]{2,3})\.md")


class ParsedCache(Protocol):
    """Where valid contributions are kept between builds (see ``incremental.Cache``)."""

    def get(self, key: Hashable) -> Parsed | None: ...

    def put(self, key: Hashable, value: Parsed) -> None: ...


class ContentTree:
    """Where files are and how their paths are shown in messages."""

    def __init__(
        self,
        content_path: Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        parsed_cache: ParsedCache | None = None,
    ) -> None:
        self.content_path = content_path.resolve()
        self.base = self.content_path.parent
        self.max_bytes = max_bytes
        self.parsed_cache = parsed_cache

    def shown(self, path: Path) -> str:
        """The path as problems show it: relative to the folder that holds ``content/``."""
        if path.is_absolute() and path.is_relative_to(self.base):  # no resolve(): it is slow
            return path.relative_to(self.base).as_posix()
        try:
            return path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            return path.as_posix()

    def read_bytes(self, path: Path) -> tuple[bytes | None, list[Problem]]:
        size = path.stat().st_size
        if size > self.max_bytes:  # checked before reading a byte of it
            return None, [
                Problem(
                    self.shown(path),
                    1,
                    "file",
                    f"expected at most {self.max_bytes} bytes, got {size}",
                )
            ]
        return path.read_bytes(), []

    def read_text(self, path: Path) -> tuple[str | None, list[Problem]]:
        data, problems = self.read_bytes(path)
        if data is None:
            return None, problems
        return decode(self.shown(path), data, self.max_bytes)

    def discussion_folders(self) -> list[Path]:
        root = self.content_path / DISCUSSIONS
        if not root.is_dir():
            return []
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_archive(
    content_path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    parsed_cache: ParsedCache | None = None,
) -> Archive:
    """Every discussion under ``content_path/discussions``; raise ContentError on any problem.

    ``parsed_cache`` keeps valid contributions between builds, by path and content, so
    that a rebuild parses only the files that changed; every rule is still checked.
    """
    tree = ContentTree(content_path, max_bytes, parsed_cache)
    problems: list[Problem] = []
    discussions = []
    for folder in tree.discussion_folders():
        discussion, found = load_discussion(tree, folder)
        problems.extend(found)
        if discussion is not None:
            discussions.append(discussion)
    if problems:
        raise ContentError(problems)
    discussions.sort(key=lambda d: (d.opens, d.slug), reverse=True)
    logger.info(
        "Palabre: read %d discussions, %d contributions",
        len(discussions),
        sum(len(d.contributions) for d in discussions),
    )
    return Archive(tuple(discussions))


def load_discussion(tree: ContentTree, folder: Path) -> tuple[Discussion | None, list[Problem]]:
    spec = folder / DISCUSSION_FILE
    if not spec.is_file():
        return None, [
            Problem(
                tree.shown(folder),
                1,
                "discussion",
                f"expected a {DISCUSSION_FILE} in the discussion folder, got none",
            )
        ]
    text, problems = tree.read_text(spec)
    if text is None:
        return None, problems
    discussion, problems = parse_discussion(tree.shown(spec), text, folder.name)
    if discussion is None:
        return None, problems
    calls, summaries, problems = _read_language_texts(tree, folder, discussion)
    facts = DiscussionFacts(
        discussion.slug, discussion.languages, frozenset(w.number for w in discussion.weeks)
    )
    parsed, found, unreadable = _read_contributions(tree, folder / CONTRIBUTIONS, facts)
    problems.extend(found)
    problems.extend(check_relations(parsed, unreadable))
    known = {p.contribution.id for p in parsed}
    for summary in summaries.values():
        problems.extend(check_citations(summary, known, unreadable))
    if problems:
        return None, problems
    contributions = tuple(sorted((p.contribution for p in parsed), key=lambda c: c.sort_key))
    return (
        replace(discussion, calls=calls, summaries=summaries, contributions=contributions),
        [],
    )


def _read_language_texts(
    tree: ContentTree, folder: Path, discussion: Discussion
) -> tuple[dict[str, str], dict[str, Summary], list[Problem]]:
    """``call.<lang>.md`` texts and ``summary.<lang>.md`` replies by language; other
    Markdown files in the folder are errors."""
    calls: dict[str, str] = {}
    summaries: dict[str, Summary] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith("."):  # hidden, as in contributions/ (e.g. macOS "._call.fr.md")
            continue
        match = LANGUAGE_TEXT.fullmatch(path.name)
        if match is None:
            problems.append(
                Problem(
                    tree.shown(path),
                    1,
                    "file",
                    f"expected call.<language>.md or summary.<language>.md, got {quote(path.name)}",
                )
            )
            continue
        kind, language = match.groups()
        if language not in discussion.languages:
            problems.append(
                Problem(
                    tree.shown(path),
                    1,
                    "file",
                    f"expected a language of the discussion ({', '.join(discussion.languages)}), "
                    f"got {quote(language)}",
                )
            )
            continue
        text, found = tree.read_text(path)
        problems.extend(found)
        if text is not None and kind == "call":
            calls[language] = text
        elif text is not None:
            summary, found = parse_summary(tree.shown(path), text, language)
            problems.extend(found)
            if summary is not None:
                summaries[language] = summary
    return calls, summaries, problems


def _read_contributions(
    tree: ContentTree, folder: Path, facts: DiscussionFacts
) -> tuple[list[Parsed], list[Problem], set[str]]:
    """Valid contributions, problems, and the ids of contribution files that have problems."""
    parsed: list[Parsed] = []
    problems: list[Problem] = []
    unreadable: set[str] = set()
    if not folder.is_dir():
        return parsed, problems, unreadable
    for path in sorted(p for p in folder.rglob("*") if not _hidden(p, folder)):
        if path.is_dir():
            continue
        week = _folder_week(path, folder)
        if week is None or path.suffix != ".md":
            problems.append(
                Problem(
                    tree.shown(path),
                    1,
                    "file",
                    "expected contributions/week-<n>/<id>.md, got a file elsewhere"
                    if path.suffix == ".md"
                    else f"expected a Markdown file (.md), got {quote(path.name)}",
                )
            )
            continue
        result, found = _parse_file(tree, path, facts, week)
        problems.extend(found)
        if result is not None:
            parsed.append(result)
        else:
            unreadable.add(contribution_id(path.name))
    return parsed, problems, unreadable


def _parse_file(
    tree: ContentTree, path: Path, facts: DiscussionFacts, week: int
) -> tuple[Parsed | None, list[Problem]]:
    """One contribution file, from the cache when the same bytes were valid before."""
    data, problems = tree.read_bytes(path)
    if data is None:
        return None, problems
    shown = tree.shown(path)
    key = (shown, hashlib.sha256(data).hexdigest(), facts.slug, facts.languages,
           tuple(sorted(facts.weeks)), week)  # fmt: skip
    cache = tree.parsed_cache
    if cache is not None and (cached := cache.get(key)) is not None:
        return cached, []
    text, problems = decode(shown, data, tree.max_bytes)
    if text is None:
        return None, problems
    result, problems = parse_contribution(shown, text, facts, contribution_id(path.name), week)
    if result is not None and cache is not None:
        cache.put(key, result)
    return result, problems


def _hidden(path: Path, folder: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


def _folder_week(path: Path, folder: Path) -> int | None:
    parts = path.relative_to(folder).parts
    if len(parts) != 2:
        return None
    match = WEEK_FOLDER.fullmatch(parts[0])
    return int(match.group(1)) if match else None


def check_relations(parsed: Iterable[Parsed], unreadable: Collection[str] = ()) -> list[Problem]:
    """Rules between the contributions of one discussion: unique ids, existing targets.

    ``unreadable`` holds the ids of files that exist but have problems of their own: pointing
    to one of them is not reported as pointing to nothing.
    """
    parsed = list(parsed)
    problems: list[Problem] = []
    by_id: dict[str, Parsed] = {}
    for item in parsed:
        contribution = item.contribution
        if contribution.id in by_id:
            problems.append(
                Problem(
                    contribution.source_path,
                    1,
                    "file",
                    "expected an id unique in the discussion, got one already used by "
                    f"{by_id[contribution.id].contribution.source_path}",
                )
            )
        else:
            by_id[contribution.id] = item
    for item in parsed:
        problems.extend(_target_problems(item, by_id, unreadable))
    problems.extend(_reply_cycles(by_id))
    return problems


def _target_problems(
    item: Parsed, by_id: dict[str, Parsed], unreadable: Collection[str] = ()
) -> list[Problem]:
    c = item.contribution
    problems = []

    def problem(field: str, message: str) -> None:
        problems.append(Problem(c.source_path, item.lines.get(field, 1), field, message))

    for field in ("in_reply_to", "translation_of"):
        target_id = getattr(c, field)
        if target_id is not None and target_id not in by_id and target_id not in unreadable:
            problem(
                field,
                f"expected the id of a contribution of this discussion, got {quote(target_id)}",
            )
    parent = by_id.get(c.in_reply_to) if c.in_reply_to else None
    if parent is not None and parent.contribution.translation_of is not None:
        problem(
            "in_reply_to",
            f"expected the id of an original contribution, got a translation "
            f"(reply to {parent.contribution.translation_of} instead)",
        )
    original = by_id.get(c.translation_of) if c.translation_of else None
    if original is not None:
        if original.contribution.translation_of is not None:
            problem(
                "translation_of",
                f"expected the id of an original contribution, got a translation "
                f"(use {original.contribution.translation_of} instead)",
            )
        if original.contribution.language == c.language:
            problem(
                "language",
                f"expected a language other than the original's ({c.language}), got the same",
            )
        if c.in_reply_to is not None:
            problem(
                "in_reply_to",
                "expected no in_reply_to on a translation (it sits in its original's thread), "
                "got one",
            )
        twin = next(
            (
                other.contribution
                for other in by_id.values()
                if other.contribution.translation_of == c.translation_of
                and other.contribution.language == c.language
                and other.contribution.id < c.id
            ),
            None,
        )
        if twin is not None:
            problem(
                "translation_of",
                f"expected one translation per language, got a second {c.language} "
                f"translation (first: {twin.id})",
            )
    return problems


def _reply_cycles(by_id: dict[str, Parsed]) -> list[Problem]:
    problems = []
    for cid, item in sorted(by_id.items()):
        seen = {cid}
        current: Contribution = item.contribution
        while current.in_reply_to in by_id:
            current = by_id[current.in_reply_to].contribution
            if current.id == cid:
                problems.append(
                    Problem(
                        item.contribution.source_path,
                        item.lines.get("in_reply_to", 1),
                        "in_reply_to",
                        "expected replies to form a thread, got a loop back to this contribution",
                    )
                )
                break
            if current.id in seen:
                break
            seen.add(current.id)
    return problems
