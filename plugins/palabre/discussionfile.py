"""``discussion.yml``: text -> Discussion (without contributions), or problems. Pure."""

from __future__ import annotations

import re
from itertools import pairwise

from .fields import EMAIL_PATTERN, ID_PATTERN, URL_PATTERN, FieldReader
from .model import Discussion, Organiser, Problem, Week
from .yamltree import Mapping, Node, YamlProblem, parse, problem_at, quote

REQUIRED = ("title", "languages", "opens", "closes", "weeks")
OPTIONAL = ("description", "organisers", "contact")
WEEK_KEYS = ("number", "starts", "title", "questions")
ORGANISER_KEYS = ("name", "url")
# Slugs that would take the URL of a site-wide page.
RESERVED_SLUGS = frozenset({"authors", "search", "theme", "feeds", "pages", "static", "drafts"})


def check_slug(path: str, slug: str) -> list[Problem]:
    if not ID_PATTERN.fullmatch(slug) or len(slug) > 80:
        return [
            Problem(
                path,
                1,
                "folder",
                "expected a discussion folder named with lowercase ASCII letters, digits and "
                f"hyphens, got {quote(slug)}",
            )
        ]
    if slug in RESERVED_SLUGS or re.fullmatch(r"[a-z]{2}", slug):
        return [
            Problem(
                path,
                1,
                "folder",
                f"expected a folder name that is not a site page or a language code, "
                f"got {quote(slug)} (reserved)",
            )
        ]
    return []


def parse_discussion(path: str, text: str, slug: str) -> tuple[Discussion | None, list[Problem]]:
    problems = check_slug(path, slug)
    try:
        root = parse(text)
    except YamlProblem as error:
        return None, [*problems, problem_at(path, error)]
    if not isinstance(root, Mapping):
        got = "nothing" if root is None else root.describe()
        return None, [*problems, Problem(path, 1, "discussion", f"expected a mapping, got {got}")]
    reader = FieldReader(path)
    reader.check_keys(root, REQUIRED + OPTIONAL, REQUIRED)
    languages = reader.optional(root, "languages", lambda n, f: _languages(reader, n, f)) or ()
    title = reader.optional(
        root, "title", lambda n, f: reader.per_language(n, f, languages, reader.text)
    )
    description = reader.optional(
        root,
        "description",
        lambda n, f: reader.per_language(
            n, f, languages, lambda m, g: reader.text(m, g, max_length=1000)
        ),
    )
    opens = reader.optional(root, "opens", reader.date)
    closes = reader.optional(root, "closes", reader.date)
    if opens and closes and closes < opens:
        reader.problem(
            root.get("closes").line,
            "closes",
            f"expected a date on or after opens ({opens.isoformat()}), got {closes.isoformat()}",
        )
    organisers = reader.optional(root, "organisers", lambda n, f: _organisers(reader, n, f))
    contact = reader.optional(
        root, "contact", lambda n, f: reader.matching(n, f, EMAIL_PATTERN, "an e-mail address")
    )
    weeks = reader.optional(root, "weeks", lambda n, f: _weeks(reader, n, f, languages)) or ()
    problems.extend(reader.problems)
    if problems:
        return None, problems
    return (
        Discussion(
            slug=slug,
            title=title or {},
            languages=tuple(languages),
            opens=opens,
            closes=closes,
            weeks=tuple(weeks),
            source_path=path,
            description=description or {},
            organisers=tuple(organisers or ()),
            contact=contact,
        ),
        [],
    )


def _languages(reader: FieldReader, node: Node, field: str) -> tuple[str, ...]:
    sequence = reader.sequence(node, field)
    if sequence is None:
        return ()
    codes = []
    for index, item in enumerate(sequence.items):
        code = reader.language(item, f"{field}[{index}]")
        if code in codes:
            reader.problem(
                item.line, f"{field}[{index}]", f"expected each language once, got {code} twice"
            )
        elif code:
            codes.append(code)
    if not sequence.items:
        reader.problem(node.line, field, "expected at least one language, got an empty list")
    return tuple(codes)


def _organisers(reader: FieldReader, node: Node, field: str) -> list[Organiser]:
    sequence = reader.sequence(node, field)
    organisers = []
    for index, item in enumerate(sequence.items if sequence else ()):
        where = f"{field}[{index}]"
        mapping = reader.mapping(item, where)
        if mapping is None:
            continue
        reader.check_keys(mapping, ORGANISER_KEYS, ("name",), where=f"{where}.")
        name = reader.optional(mapping, "name", reader.text, where=f"{where}.")
        url = reader.optional(
            mapping,
            "url",
            lambda n, f: reader.matching(n, f, URL_PATTERN, "an http(s) address"),
            where=f"{where}.",
        )
        if name:
            organisers.append(Organiser(name, url))
    return organisers


def _weeks(reader: FieldReader, node: Node, field: str, languages: tuple[str, ...]) -> list[Week]:
    sequence = reader.sequence(node, field)
    weeks: list[Week] = []
    for index, item in enumerate(sequence.items if sequence else ()):
        where = f"{field}[{index}]"
        mapping = reader.mapping(item, where)
        if mapping is None:
            continue
        reader.check_keys(mapping, WEEK_KEYS, ("number", "starts", "title"), where=f"{where}.")
        number = reader.optional(mapping, "number", reader.integer, where=f"{where}.")
        starts = reader.optional(mapping, "starts", reader.date, where=f"{where}.")
        title = reader.optional(
            mapping,
            "title",
            lambda n, f: reader.per_language(n, f, languages, reader.text),
            where=f"{where}.",
        )
        questions = reader.optional(
            mapping,
            "questions",
            lambda n, f: reader.per_language(
                n, f, languages, lambda m, g: _questions(reader, m, g)
            ),
            where=f"{where}.",
        )
        if number is None or starts is None or not title:
            continue
        if any(w.number == number for w in weeks):
            reader.problem(
                mapping.get("number").line,
                f"{where}.number",
                f"expected each week once, got {number} twice",
            )
            continue
        weeks.append(Week(number, starts, title, questions or {}))
    if sequence is not None and not sequence.items:
        reader.problem(node.line, field, "expected at least one week, got an empty list")
    _check_week_order(reader, sequence, weeks, field)
    return sorted(weeks, key=lambda w: w.number)


def _check_week_order(reader: FieldReader, sequence, weeks: list[Week], field: str) -> None:
    for previous, current in pairwise(weeks):
        if current.starts < previous.starts:
            reader.problem(
                sequence.line if sequence else 1,
                field,
                f"expected week {current.number} to start after week {previous.number} "
                f"({previous.starts.isoformat()}), got {current.starts.isoformat()}",
            )


def _questions(reader: FieldReader, node: Node, field: str) -> tuple[str, ...] | None:
    sequence = reader.sequence(node, field)
    if sequence is None:
        return None
    texts = [
        reader.text(item, f"{field}[{index}]", max_length=2000, name=False)
        for index, item in enumerate(sequence.items)
    ]
    return tuple(t for t in texts if t)
