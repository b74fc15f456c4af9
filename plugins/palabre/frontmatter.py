"""Contribution files: bytes -> text -> front matter + body -> Contribution, or problems.

Everything here is pure: no Pelican, no file system. Cross-file rules (ids unique,
``in_reply_to`` pointing to an existing contribution) live in ``loader``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from .fields import ID_PATTERN, FieldReader
from .model import Contribution, Problem
from .yamltree import Mapping as YamlMapping
from .yamltree import YamlProblem, parse, problem_at, quote

DEFAULT_MAX_BYTES = 1024 * 1024
REQUIRED = ("title", "author", "week", "language", "date")
OPTIONAL = ("organisation", "country", "in_reply_to", "translation_of", "translation")
TRANSLATION_KINDS = ("human", "machine")
ALLOWED = REQUIRED + OPTIONAL
FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
END_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# Ids that would take the URL of a page Palabre writes itself in a discussion folder.
RESERVED_IDS = frozenset({"summary", "proceedings", "feed", "feeds", "data", "call", "authors"})
RESERVED_ID_PATTERN = re.compile(r"week-\d+")


@dataclass(frozen=True)
class DiscussionFacts:
    """What a contribution is checked against: its discussion's languages and weeks."""

    slug: str
    languages: tuple[str, ...]
    weeks: Collection[int]


@dataclass(frozen=True)
class Parsed:
    contribution: Contribution
    lines: Mapping[str, int] = field(default_factory=dict)  # field -> line, for later checks


def decode(
    path: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str | None, list[Problem]]:
    """UTF-8 bytes -> text with ``\\n`` line ends and no BOM; the size is checked first."""
    if len(data) > max_bytes:
        return None, [
            Problem(path, 1, "file", f"expected at most {max_bytes} bytes, got {len(data)}")
        ]
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    data = data[bom:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                path,
                line,
                "file",
                f"expected UTF-8 text, got the byte 0x{data[error.start]:02X} "
                f"at offset {error.start + bom}",
            )
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(path, line, "file", "expected text, got a NUL byte")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split(text: str) -> tuple[str, str, int] | None:
    """Front matter text, body text and the body's first line; None without front matter."""
    if not FENCE.match(text):
        return None
    start = text.index("\n") + 1 if "\n" in text else len(text)
    end = END_FENCE.search(text, start)
    if end is None:
        return None
    front = text[start : end.start()]
    after = end.end() + 1 if end.end() < len(text) else end.end()
    body_line = text[:after].count("\n") + 1
    return front, text[after:], body_line


def contribution_id(file_name: str) -> str:
    return file_name.removesuffix(".md")


def check_id(path: str, cid: str) -> list[Problem]:
    if not ID_PATTERN.fullmatch(cid) or len(cid) > 120:
        return [
            Problem(
                path,
                1,
                "file",
                "expected a file name of lowercase ASCII letters, digits and hyphens "
                f"ending in .md, got {quote(cid + '.md')}",
            )
        ]
    if cid in RESERVED_IDS or RESERVED_ID_PATTERN.fullmatch(cid):
        return [
            Problem(
                path,
                1,
                "file",
                f"expected a file name that is not a page of the discussion, got {quote(cid)} "
                "(reserved)",
            )
        ]
    return []


def parse_contribution(
    path: str,
    text: str,
    facts: DiscussionFacts,
    cid: str,
    folder_week: int | None = None,
) -> tuple[Parsed | None, list[Problem]]:
    """Validate one contribution's text; every problem of the file is returned at once."""
    problems = check_id(path, cid)
    parts = split(text)
    if parts is None:
        message = (
            "expected a closing '---' line after the YAML, got none"
            if FENCE.match(text)
            else "expected the file to start with YAML between two '---' lines, got none"
        )
        problems.append(Problem(path, 1, "front matter", message))
        return None, problems
    front, body, body_line = parts
    try:
        root = parse(front, first_line=2)
    except YamlProblem as error:
        return None, [*problems, problem_at(path, error)]
    if not isinstance(root, YamlMapping):
        got = "nothing" if root is None else root.describe()
        problems.append(
            Problem(path, 2, "front matter", f"expected a mapping of fields, got {got}")
        )
        return None, problems

    reader = FieldReader(path)
    reader.check_keys(root, ALLOWED, REQUIRED)
    values = _read_fields(reader, root, facts, cid)
    lines = {key.value: key.line for key, _ in root.items}
    week = values.get("week")
    if folder_week is not None and week is not None and week != folder_week:
        reader.problem(
            lines["week"],
            "week",
            f"expected {folder_week} (the file is in folder week-{folder_week}), got {week}",
        )
    if not body.strip():
        reader.problem(body_line, "body", "expected the contribution's text, got nothing")
    problems.extend(reader.problems)
    if problems:
        return None, problems
    contribution = Contribution(
        id=cid,
        discussion=facts.slug,
        body=body,
        source_path=path,
        body_line=body_line,
        **values,
    )
    return Parsed(contribution, lines), []


def _read_fields(
    reader: FieldReader, root: YamlMapping, facts: DiscussionFacts, cid: str
) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in ("title", "author"):
        values[name] = reader.optional(root, name, reader.text)
    values["week"] = reader.optional(root, "week", lambda n, f: _week(reader, n, f, facts))
    values["language"] = reader.optional(
        root, "language", lambda n, f: reader.language(n, f, facts.languages)
    )
    values["date"] = reader.optional(root, "date", reader.date)
    for name in ("organisation", "country"):
        values[name] = reader.optional(root, name, lambda n, f: reader.text(n, f, max_length=200))
    for name in ("in_reply_to", "translation_of"):
        value = reader.optional(root, name, reader.identifier)
        if value == cid:
            reader.problem(
                root.get(name).line,
                name,
                f"expected another contribution's id, got its own ({cid})",
            )
            value = None
        values[name] = value
    values["translation"] = reader.optional(root, "translation", reader.text)
    if values["translation"] is not None:
        line = root.get("translation").line
        if values["translation"] not in TRANSLATION_KINDS:
            reader.problem(
                line,
                "translation",
                f"expected {' or '.join(TRANSLATION_KINDS)}, got {quote(values['translation'])}",
            )
            values["translation"] = None
        elif root.get("translation_of") is None:
            reader.problem(line, "translation", "expected only with translation_of, got it without")
    return values


def _week(reader: FieldReader, node, field: str, facts: DiscussionFacts) -> int | None:
    number = reader.integer(node, field)
    if number is not None and number not in facts.weeks:
        weeks = ", ".join(str(w) for w in sorted(facts.weeks)) or "none"
        reader.problem(
            node.line, field, f"expected a week of the discussion ({weeks}), got {number}"
        )
        return None
    return number


def render_front_matter(values: Mapping[str, object]) -> str:
    """Front matter text for ``values`` in the canonical order (used by the CLI to write files)."""
    lines = ["---"]
    for name in ALLOWED:
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, dt.date):
            text = value.isoformat()
        elif isinstance(value, int):
            text = str(value)
        else:
            text = _yaml_string(str(value))
        lines.append(f"{name}: {text}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _yaml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
