"""A strict, safe subset of YAML: maps, lists and text, each with its line number.

PyYAML's event stream is read directly instead of its constructors, so that
no tag is ever honoured, no anchor or alias is expanded (no "billion laughs"),
duplicate keys are caught, and every scalar stays the text that was written
(``NO`` is the text "NO", ``1.0`` is the text "1.0"): typing is the validator's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .model import Problem

try:  # the C parser is much faster and yields the same events
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 20


@dataclass(frozen=True)
class Scalar:
    value: str
    line: int
    plain: bool  # written without quotes, so "~" and "" mean "nothing"

    @property
    def is_null(self) -> bool:
        return self.plain and self.value in ("", "~")

    def describe(self) -> str:
        return "nothing" if self.is_null else quote(self.value)


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    line: int

    def describe(self) -> str:
        return "a list"


@dataclass(frozen=True)
class Mapping:
    items: tuple[tuple[Scalar, Node], ...]
    line: int

    def describe(self) -> str:
        return "a mapping"

    def get(self, key: str) -> Node | None:
        return next((v for k, v in self.items if k.value == key), None)

    def keys(self) -> list[str]:
        return [k.value for k, _ in self.items]


Node = Scalar | Sequence | Mapping


class YamlProblem(Exception):
    """The text is not acceptable YAML; carries a 1-based line and a message."""

    def __init__(self, line: int, message: str, field: str = "yaml") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.field = field


def quote(text: str, limit: int = 60) -> str:
    """Show untrusted text in a message: one line, bounded, control characters visible."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    shown = "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in shown)
    return f'"{shown}"'


def parse(text: str, first_line: int = 1) -> Node | None:
    """Parse one YAML document into nodes; raise YamlProblem on anything unsafe or invalid.

    ``first_line`` is the file line of the text's first line, so that lines in
    problems point into the original file. An empty document gives ``None``.
    """
    offset = first_line
    try:
        events = list(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + offset if mark is not None else offset
        raise YamlProblem(
            line, f"expected valid YAML, got a syntax error: {error.problem}"
        ) from error
    except yaml.reader.ReaderError as error:
        # Its own message spans two lines, and its position is in bytes or characters
        # depending on the parser; the first such character in the text is the culprit.
        found = text.find(chr(error.character)) if isinstance(error.character, int) else -1
        line = text.count("\n", 0, max(found, 0)) + offset
        raise YamlProblem(
            line, f"expected text without control characters, got U+{error.character:04X}"
        ) from error
    except yaml.YAMLError as error:
        raise YamlProblem(offset, f"expected valid YAML, got {error}") from error
    return _Builder(events, offset).document()


class _Builder:
    def __init__(self, events: list[yaml.Event], offset: int) -> None:
        self.events = events
        self.position = 0
        self.offset = offset

    def next(self) -> yaml.Event:
        event = self.events[self.position]
        self.position += 1
        return event

    def line(self, event: yaml.Event) -> int:
        return event.start_mark.line + self.offset

    def document(self) -> Node | None:
        self.next()  # StreamStart
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        root = self.node(0)
        self.next()  # DocumentEnd
        event = self.next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise YamlProblem(self.line(event), "expected one YAML document, got several")
        return root

    def node(self, depth: int) -> Node:
        event = self.next()
        line = self.line(event)
        if depth > MAX_DEPTH:
            raise YamlProblem(line, f"expected at most {MAX_DEPTH} levels of nesting, got more")
        if isinstance(event, yaml.AliasEvent):
            raise YamlProblem(line, "expected plain values, got an alias (*name)")
        if getattr(event, "anchor", None) is not None:
            raise YamlProblem(line, "expected plain values, got an anchor (&name)")
        if getattr(event, "tag", None) is not None and not _is_quoted_scalar(event):
            raise YamlProblem(line, f"expected plain values, got a tag ({quote(event.tag)})")
        if isinstance(event, yaml.ScalarEvent):
            # The C parser gives plain scalars the style "" where the Python one gives None.
            return Scalar(event.value, line, plain=not event.style)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not isinstance(self.events[self.position], yaml.SequenceEndEvent):
                items.append(self.node(depth + 1))
            self.next()
            return Sequence(tuple(items), line)
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(line, depth)
        raise YamlProblem(line, "expected a value, got unexpected YAML")  # pragma: no cover

    def mapping(self, line: int, depth: int) -> Mapping:
        items: list[tuple[Scalar, Node]] = []
        seen: dict[str, int] = {}
        while not isinstance(self.events[self.position], yaml.MappingEndEvent):
            key = self.node(depth + 1)
            if not isinstance(key, Scalar):
                raise YamlProblem(key.line, f"expected a text key, got {key.describe()}")
            if key.value in seen:
                raise YamlProblem(
                    key.line,
                    f"expected each key once, got a duplicate (first on line {seen[key.value]})",
                    field=field_name(key.value),
                )
            seen[key.value] = key.line
            items.append((key, self.node(depth + 1)))
        self.next()
        return Mapping(tuple(items), line)


def _is_quoted_scalar(event: yaml.Event) -> bool:
    # PyYAML reports the non-specific tag "!" for quoted scalars in some versions.
    return isinstance(event, yaml.ScalarEvent) and event.tag == "!" and bool(event.style)


def field_name(key: str) -> str:
    """A key as it may appear in a message: itself when it is a simple name, else quoted."""
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,40}", key) else quote(key, 40)


def problem_at(path: str, error: YamlProblem) -> Problem:
    return Problem(path, error.line, error.field, error.message)
