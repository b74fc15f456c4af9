"""Read a whole content tree into an Archive, or raise ContentError listing every problem.

Pure: it reads files but never imports Pelican, so the build, the CLI and the tests share it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Collection, Hashable, Iterable
from dataclasses import replace
from operator import attrgetter
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
SORT_KEY = attrgetter("date", "id")  # Contribution.sort_key, without a call per contribution
NAME = attrgetter("name")
# A file's stat stands for its bytes only once its last change is this much older than the
# start of the build (see ``_settled``): it covers timestamps of coarse file systems (2 s
# on FAT) and some drift between the file system's clock and ours.
SETTLED_NS = 5_000_000_000


class ParsedCache(Protocol):
    """Where valid contributions and discussion files are kept between builds, by path and
    content (see ``incremental.Cache``)."""

    def get(self, key: Hashable) -> Parsed | Discussion | None: ...

    def put(self, key: Hashable, value: Parsed | Discussion) -> None: ...


class DigestCache(Protocol):
    """Where the digests of files are kept between builds, by their stat (see ``_settled``)."""

    def get(self, key: Hashable) -> str | None: ...

    def put(self, key: Hashable, value: str) -> None: ...


class ContentTree:
    """Where files are and how their paths are shown in messages."""

    def __init__(
        self,
        content_path: Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        parsed_cache: ParsedCache | None = None,
        digest_cache: DigestCache | None = None,
    ) -> None:
        self.content_path = content_path.resolve()
        self.base = self.content_path.parent
        self.max_bytes = max_bytes
        self.parsed_cache = parsed_cache
        # Stats are trusted on POSIX only, where ctime is the time of the last change.
        self.digest_cache = digest_cache if os.name == "posix" else None
        self.settled_before = time.time_ns() - SETTLED_NS

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

    def read_text(
        self, path: Path, digests: dict[str, str] | None = None
    ) -> tuple[str | None, list[Problem]]:
        """The file's text, or problems; ``digests`` gets the SHA-256 of its bytes."""
        data, problems = self.read_bytes(path)
        if data is None:
            return None, problems
        if digests is not None:
            digests[self.shown(path)] = hashlib.sha256(data).hexdigest()
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
    digest_cache: DigestCache | None = None,
) -> Archive:
    """Every discussion under ``content_path/discussions``; raise ContentError on any problem.

    ``parsed_cache`` keeps valid contributions between builds, by path and content, so
    that a rebuild parses only the files that changed; every rule is still checked.
    ``digest_cache`` keeps the digest of each contribution file by its stat, so that a
    rebuild reads only the files that changed (needs ``parsed_cache`` to be of any use).

    Each discussion's ``file_digests`` holds the SHA-256 of every file read for it.
    """
    tree = ContentTree(content_path, max_bytes, parsed_cache, digest_cache)
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
    digests: dict[str, str] = {}
    text, problems = tree.read_text(spec, digests)
    if text is None:
        return None, problems
    shown = tree.shown(spec)
    discussion, problems = _parse_discussion(tree, shown, text, folder.name, digests[shown])
    if discussion is None:
        return None, problems
    calls, summaries, problems = _read_language_texts(tree, folder, discussion, digests)
    facts = DiscussionFacts(
        discussion.slug, discussion.languages, frozenset(w.number for w in discussion.weeks)
    )
    parsed, found, unreadable = _read_contributions(tree, folder / CONTRIBUTIONS, facts, digests)
    problems.extend(found)
    problems.extend(check_relations(parsed, unreadable))
    known = {p.contribution.id for p in parsed}
    for summary in summaries.values():
        problems.extend(check_citations(summary, known, unreadable))
    if problems:
        return None, problems
    contributions = tuple(sorted((p.contribution for p in parsed), key=SORT_KEY))
    return (
        replace(
            discussion,
            calls=calls,
            summaries=summaries,
            contributions=contributions,
            file_digests=digests,
        ),
        [],
    )


def _parse_discussion(
    tree: ContentTree, shown: str, text: str, slug: str, sha: str
) -> tuple[Discussion | None, list[Problem]]:
    """``discussion.yml``, from the cache when the same bytes were valid before."""
    cache = tree.parsed_cache
    key = (DISCUSSION_FILE, shown, sha, slug)
    if cache is not None and (cached := cache.get(key)) is not None:
        return cached, []
    discussion, problems = parse_discussion(shown, text, slug)
    if discussion is not None and cache is not None:
        cache.put(key, discussion)
    return discussion, problems


def _read_language_texts(
    tree: ContentTree, folder: Path, discussion: Discussion, digests: dict[str, str]
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
        text, found = tree.read_text(path, digests)
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
    tree: ContentTree, folder: Path, facts: DiscussionFacts, digests: dict[str, str]
) -> tuple[list[Parsed], list[Problem], set[str]]:
    """Valid contributions, problems, and the ids of contribution files that have problems.

    Paths are plain strings here: with 5,000 files, ``pathlib`` took most of a rebuild.
    """
    parsed: list[Parsed] = []
    problems: list[Problem] = []
    unreadable: set[str] = set()
    if not folder.is_dir():
        return parsed, problems, unreadable
    shown_folder = tree.shown(folder)
    weeks: dict[str, int | None] = {}  # week folder name -> number, or None
    facts_key = (facts.slug, facts.languages, tuple(sorted(facts.weeks)))
    for parts, entry in _files(str(folder)):
        shown = "/".join((shown_folder, *parts))
        name = parts[-1]
        week = None
        if len(parts) == 2:
            if parts[0] not in weeks:
                match = WEEK_FOLDER.fullmatch(parts[0])
                weeks[parts[0]] = int(match.group(1)) if match else None
            week = weeks[parts[0]]
        markdown = name.endswith(".md")  # what Path.suffix == ".md" is for names not hidden
        if week is None or not markdown:
            problems.append(
                Problem(
                    shown,
                    1,
                    "file",
                    "expected contributions/week-<n>/<id>.md, got a file elsewhere"
                    if markdown
                    else f"expected a Markdown file (.md), got {quote(name)}",
                )
            )
            continue
        result, found = _parse_file(
            tree, entry, shown, facts=facts, facts_key=facts_key, week=week, digests=digests
        )
        problems.extend(found)
        if result is not None:
            parsed.append(result)
        else:
            unreadable.add(contribution_id(name))
    return parsed, problems, unreadable


def _files(folder: str, parts: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], os.DirEntry]]:
    """Every file under ``folder``, as its path's parts below ``folder`` and its entry.

    Files come in the order of sorted ``Path`` objects (depth first, names sorted), without
    hidden names or anything under them. As ``Path.rglob`` did, links to folders are not
    followed, and folders that cannot be listed are skipped.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted([e for e in scan if not e.name.startswith(".")], key=NAME)
    except PermissionError:
        return []
    files = []
    for entry in entries:
        if not entry.is_dir():
            files.append(((*parts, entry.name), entry))
        elif not entry.is_symlink():
            files.extend(_files(entry.path, (*parts, entry.name)))
    return files


def _parse_file(
    tree: ContentTree,
    entry: os.DirEntry,
    shown: str,
    *,
    facts: DiscussionFacts,
    facts_key: tuple[object, ...],
    week: int,
    digests: dict[str, str],
) -> tuple[Parsed | None, list[Problem]]:
    """One contribution file, from the cache when the same bytes were valid before.

    The bytes are read only when the digest cache does not know the file's stat, or when
    the parsed cache has nothing for its digest; the SHA-256 goes into ``digests``.
    """
    stat = entry.stat()  # follows links, as Path.stat did
    if stat.st_size > tree.max_bytes:  # checked before reading a byte of it
        return None, [
            Problem(
                shown, 1, "file", f"expected at most {tree.max_bytes} bytes, got {stat.st_size}"
            )
        ]
    cache = tree.parsed_cache
    # What stands for the file's bytes without reading them, as in git's index: see
    # SETTLED_NS and _settled for why it is safe.
    stat_key = ("stat", entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns,
                stat.st_ino, stat.st_dev)  # fmt: skip
    known = tree.digest_cache.get(stat_key) if tree.digest_cache is not None else None
    if known is not None and cache is not None:
        key = (shown, known, *facts_key, week)
        if (cached := cache.get(key)) is not None:
            digests[shown] = known
            return cached, []
    with open(entry.path, "rb") as handle:
        data = handle.read()
    sha = hashlib.sha256(data).hexdigest()
    digests[shown] = sha
    if tree.digest_cache is not None and _settled(tree, stat):
        tree.digest_cache.put(stat_key, sha)
    key = (shown, sha, *facts_key, week)
    if cache is not None and (cached := cache.get(key)) is not None:
        return cached, []
    text, problems = decode(shown, data, tree.max_bytes)
    if text is None:
        return None, problems
    cid = contribution_id(entry.name)
    result, problems = parse_contribution(shown, text, facts, cid, week)
    if result is not None and cache is not None:
        cache.put(key, result)
    return result, problems


def _settled(tree: ContentTree, stat: os.stat_result) -> bool:
    """Whether a file's stat may stand for its bytes in later builds: it last changed well
    before this build started.

    Writing a file sets its ctime to the current time, and nothing but the clock sets
    ctime (``touch -d``, ``tar`` and ``rsync -t`` set mtime only); a new file, or a file
    renamed onto the path, has a new inode or a new ctime too. So the same path, size,
    mtime, ctime, inode and device mean the same bytes, but for a second write within the
    same tick of the file system's clock as the one seen (seconds on some file systems).
    A file changed that close to the start of the build is read and hashed again by the
    next build, the way git treats "racily clean" files, and its stat is kept once it has
    settled. Any doubt costs a read and a hash, never a stale contribution; and the parsed
    cache is still hit by the digest of the bytes (after a ``git checkout``, for example).
    """
    return max(stat.st_mtime_ns, stat.st_ctime_ns) < tree.settled_before


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
    # Translations by original and language, in the order of by_id, to find a first one.
    translations: dict[tuple[str, str], list[Contribution]] = {}
    for item in by_id.values():
        if item.contribution.translation_of is not None:
            twin_key = (item.contribution.translation_of, item.contribution.language)
            translations.setdefault(twin_key, []).append(item.contribution)
    for item in parsed:
        c = item.contribution
        if c.in_reply_to is not None or c.translation_of is not None:
            problems.extend(_target_problems(item, by_id, unreadable, translations))
    problems.extend(_reply_cycles(by_id))
    return problems


def _target_problems(
    item: Parsed,
    by_id: dict[str, Parsed],
    unreadable: Collection[str],
    translations: dict[tuple[str, str], list[Contribution]],
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
                other
                for other in translations.get((c.translation_of, c.language), ())
                if other.id < c.id
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
