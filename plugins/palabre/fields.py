"""Typed reading of YAML nodes, collecting every problem instead of stopping at the first."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from .model import Problem
from .yamltree import Mapping, Node, Scalar, Sequence, field_name, quote

T = TypeVar("T")

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}")
DATE_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
EMAIL_PATTERN = re.compile(r"[^@\s<>\"':]+@[^@\s<>\"':]+\.[^@\s<>\"':]+")
URL_PATTERN = re.compile(r"https?://[^\s<>\"']+")


def invisible_character(text: str) -> str | None:
    """The first control or format character in ``text`` (bidi overrides, zero-width, ...)."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            return ch
    return None


def describe_character(ch: str) -> str:
    name = unicodedata.name(ch, "control character")
    return f"U+{ord(ch):04X} {name}"


class FieldReader:
    """Reads fields of one file; problems accumulate in ``problems``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, field, message))

    def check_keys(
        self, mapping: Mapping, allowed: Iterable[str], required: Iterable[str], where: str = ""
    ) -> None:
        allowed = list(allowed)
        for key, _ in mapping.items:
            if key.value not in allowed:
                self.problem(
                    key.line,
                    where + field_name(key.value),
                    f"expected one of {', '.join(sorted(allowed))}, got an unknown key",
                )
        for name in required:
            node = mapping.get(name)
            if node is None:
                self.problem(mapping.line, where + name, "expected a value, got none (required)")
            elif isinstance(node, Scalar) and node.is_null:
                self.problem(node.line, where + name, "expected a value, got nothing (required)")

    def optional(
        self, mapping: Mapping, name: str, read: Callable[[Node, str], T | None], where: str = ""
    ) -> T | None:
        """Read ``name`` with ``read`` when present and not empty."""
        node = mapping.get(name)
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return None
        return read(node, where + name)

    def scalar(self, node: Node, field: str, expected: str) -> Scalar | None:
        if isinstance(node, Scalar):
            return node
        self.problem(node.line, field, f"expected {expected}, got {node.describe()}")
        return None

    def text(
        self, node: Node, field: str, *, max_length: int = 300, name: bool = True
    ) -> str | None:
        """One line of visible text (titles, names): no control or invisible characters."""
        scalar = self.scalar(node, field, "text")
        if scalar is None:
            return None
        value = scalar.value.strip()
        if not value:
            self.problem(scalar.line, field, "expected text, got nothing")
            return None
        if "\n" in value:
            self.problem(scalar.line, field, "expected one line of text, got several lines")
            return None
        if name and (ch := invisible_character(value)):
            self.problem(
                scalar.line,
                field,
                f"expected visible text, got an invisible character ({describe_character(ch)})",
            )
            return None
        if len(value) > max_length:
            self.problem(
                scalar.line,
                field,
                f"expected at most {max_length} characters, got {len(value)}",
            )
            return None
        return unicodedata.normalize("NFC", value)

    def integer(self, node: Node, field: str, minimum: int = 1, maximum: int = 999) -> int | None:
        scalar = self.scalar(node, field, "a whole number")
        if scalar is None:
            return None
        if not re.fullmatch(r"\d{1,4}", scalar.value):
            self.problem(scalar.line, field, f"expected a whole number, got {scalar.describe()}")
            return None
        value = int(scalar.value)
        if not minimum <= value <= maximum:
            self.problem(
                scalar.line, field, f"expected a number from {minimum} to {maximum}, got {value}"
            )
            return None
        return value

    def date(self, node: Node, field: str) -> dt.date | None:
        scalar = self.scalar(node, field, "a date (YYYY-MM-DD)")
        if scalar is None:
            return None
        match = DATE_PATTERN.fullmatch(scalar.value)
        if not match:
            self.problem(
                scalar.line, field, f"expected a date (YYYY-MM-DD), got {scalar.describe()}"
            )
            return None
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            self.problem(
                scalar.line, field, f"expected a real calendar date, got {scalar.describe()}"
            )
            return None

    def matching(
        self, node: Node, field: str, pattern: re.Pattern[str], expected: str
    ) -> str | None:
        scalar = self.scalar(node, field, expected)
        if scalar is None:
            return None
        if not pattern.fullmatch(scalar.value):
            self.problem(scalar.line, field, f"expected {expected}, got {scalar.describe()}")
            return None
        return scalar.value

    def identifier(self, node: Node, field: str) -> str | None:
        return self.matching(
            node, field, ID_PATTERN, "an id (lowercase letters, digits and hyphens)"
        )

    def language(self, node: Node, field: str, allowed: Iterable[str] | None = None) -> str | None:
        code = self.matching(node, field, LANGUAGE_PATTERN, "a language code such as fr, en, es")
        if code is None or allowed is None:
            return code
        allowed = list(allowed)
        if code not in allowed:
            self.problem(
                node.line,
                field,
                f"expected one of the discussion's languages ({', '.join(allowed)}), "
                f"got {quote(code)}",
            )
            return None
        return code

    def sequence(self, node: Node, field: str) -> Sequence | None:
        if isinstance(node, Sequence):
            return node
        self.problem(node.line, field, f"expected a list, got {node.describe()}")
        return None

    def mapping(self, node: Node, field: str) -> Mapping | None:
        if isinstance(node, Mapping):
            return node
        self.problem(node.line, field, f"expected a mapping, got {node.describe()}")
        return None

    def per_language(
        self,
        node: Node,
        field: str,
        languages: Iterable[str],
        read: Callable[[Node, str], T | None],
    ) -> dict[str, T]:
        """A value given once (for the default language) or as ``{language: value}``."""
        languages = list(languages)
        if not isinstance(node, Mapping):
            value = read(node, field)
            return {languages[0]: value} if value is not None and languages else {}
        result: dict[str, T] = {}
        for key, value_node in node.items:
            # Without readable languages (already reported), no key can be judged.
            if languages and key.value not in languages:
                self.problem(
                    key.line,
                    f"{field}.{field_name(key.value)}",
                    f"expected one of the discussion's languages ({', '.join(languages)}), "
                    "got another key",
                )
                continue
            value = read(value_node, f"{field}.{key.value}")
            if value is not None:
                result[key.value] = value
        if (
            languages
            and languages[0] not in result
            and not any(p.field.startswith(field) for p in self.problems)
        ):
            self.problem(
                node.line,
                f"{field}.{languages[0]}",
                "expected a text in the default language, got none",
            )
        return result
