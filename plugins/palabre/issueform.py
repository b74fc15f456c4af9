"""The body of a GitHub issue written with the contribution form -> its fields. Pure.

GitHub renders an issue form as Markdown: one ``### <label>`` heading per field, in the
form's order, then the answer (``_No response_`` when an optional field was left empty;
``- [X] ...`` for a ticked box). The contribution's text is the form's last field, so that
headings written inside it are never taken for fields. The labels below must match
``.github/ISSUE_TEMPLATE/contribution.yml`` (a test compares them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NO_RESPONSE = "_No response_"


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    required: bool


FIELDS: tuple[FormField, ...] = (
    FormField("discussion", "Discussion", True),
    FormField("week", "Week", False),
    FormField("language", "Language", True),
    FormField("title", "Title", True),
    FormField("author", "Your name", True),
    FormField("organisation", "Organisation", False),
    FormField("country", "Country", False),
    FormField("in_reply_to", "In reply to", False),
    FormField("consent", "Publication", True),
    FormField("body", "Your contribution", True),
)
HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*#*[ \t]*$")
TICKED = re.compile(r"^\s*[-*]\s*\[[xX]\]")


@dataclass
class IssueForm:
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def parse_issue_body(text: str) -> IssueForm:
    """The answers of the form, by field id, and what is missing or wrong."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections: dict[str, list[str]] = {}
    expected = list(FIELDS)
    current: str | None = None
    for line in lines:
        match = HEADING.match(line)
        if match and current != "body":
            label = match.group(1).strip().lower()
            found = next((f for f in expected if f.label.lower() == label), None)
            if found is not None:
                # Fields come in the form's order; an earlier label later on is text.
                expected = expected[expected.index(found) + 1 :]
                current = found.id
                sections[current] = []
                continue
        if current is not None:
            sections[current].append(line)
    form = IssueForm()
    for spec in FIELDS:
        value = _answer(spec, "\n".join(sections.get(spec.id, [])).strip("\n"))
        if value:
            form.values[spec.id] = value
        elif spec.required:
            if spec.id not in sections:
                form.problems.append(
                    f"{spec.id}: expected a '### {spec.label}' section, got none "
                    "(was the issue written with the contribution form?)"
                )
            elif spec.id == "consent":
                form.problems.append(
                    "consent: expected the publication box to be ticked, got it unticked"
                )
            else:
                form.problems.append(f"{spec.id}: expected an answer, got none (required)")
    return form


def _answer(spec: FormField, raw: str) -> str:
    """The answer to one field; empty when there is none."""
    value = raw.strip()
    if value == NO_RESPONSE:
        return ""
    if spec.id == "body":
        return raw.strip("\n") if value else ""
    if spec.id == "consent":
        return "yes" if any(TICKED.match(line) for line in raw.split("\n")) else ""
    return value


def language_code(answer: str) -> str:
    """``fr`` from ``fr``, ``Français (fr)`` or ``FR``."""
    match = re.search(r"\(([A-Za-z]{2,3})\)\s*$", answer)
    return (match.group(1) if match else answer).strip().lower()
