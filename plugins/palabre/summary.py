"""Consolidated replies: ``summary.<lang>.md`` read and checked, rendered with citations,
and the coverage of the contributions by the reply. Pure, no Pelican.

A reply starts with a small YAML front matter, read with the same strict machinery as a
contribution's::

    ---
    title: Consolidated reply
    status: final          # draft or final
    date: 2013-09-15       # required once final
    ---

Its Markdown cites contributions as ``[@2013-07-09-aminata-traore]``, or several at once
as ``[@id1; @id2]``; write ``\\[@`` for the text itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from . import markup
from .citations import PLACEHOLDER, Anchor, Citation
from .fields import FieldReader
from .frontmatter import FENCE, split
from .model import REPLY_STATUSES, Archive, Discussion, Problem, Summary
from .yamltree import Mapping as YamlMapping
from .yamltree import YamlProblem, parse, problem_at, quote

REQUIRED = ("title", "status")
OPTIONAL = ("date",)
ALLOWED = REQUIRED + OPTIONAL
ID_PREFIX = "reply-"  # every id the reply puts in a page starts with it
CITATION_EXAMPLE = "[@2013-07-09-jean-dupont] or [@id1; @id2]"


def parse_summary(path: str, text: str, language: str) -> tuple[Summary | None, list[Problem]]:
    """Validate one ``summary.<lang>.md``; every problem of the file is returned at once.

    Cited ids are checked against the discussion later, by ``check_citations``.
    """
    parts = split(text)
    if parts is None:
        message = (
            "expected a closing '---' line after the YAML, got none"
            if FENCE.match(text)
            else "expected the file to start with YAML between two '---' lines, got none"
        )
        return None, [Problem(path, 1, "front matter", message)]
    front, body, body_line = parts
    try:
        root = parse(front, first_line=2)
    except YamlProblem as error:
        return None, [problem_at(path, error)]
    if not isinstance(root, YamlMapping):
        got = "nothing" if root is None else root.describe()
        return None, [Problem(path, 2, "front matter", f"expected a mapping of fields, got {got}")]

    reader = FieldReader(path)
    reader.check_keys(root, ALLOWED, REQUIRED)
    title = reader.optional(root, "title", reader.text)
    status = reader.optional(root, "status", reader.text)
    if status is not None and status not in REPLY_STATUSES:
        reader.problem(
            root.get("status").line,
            "status",
            f"expected {' or '.join(REPLY_STATUSES)}, got {quote(status)}",
        )
        status = None
    date = reader.optional(root, "date", reader.date)
    if status == "final" and root.get("date") is None:
        reader.problem(root.line, "date", "expected a date for a final reply, got none")
    if not body.strip():
        reader.problem(body_line, "body", "expected the text of the reply, got nothing")
    cited = []
    for citation in markup.parse_reply(body).citations:
        line = body_line + citation.line - 1
        if not citation.ids:
            reader.problem(
                line,
                "citation",
                f"expected a citation such as {CITATION_EXAMPLE} (write \\[@ for the text "
                f"itself), got {quote(citation.raw)}",
            )
        elif citation.in_link:
            reader.problem(
                line, "citation", f"expected a citation outside a link, got {quote(citation.raw)}"
            )
        cited.extend((cid, line) for cid in citation.ids)
    if reader.problems or title is None or status is None:
        return None, reader.problems
    return (
        Summary(
            language=language,
            title=title,
            status=status,
            date=date,
            body=body,
            source_path=path,
            body_line=body_line,
            cited=tuple(cited),
        ),
        [],
    )


def check_citations(
    summary: Summary, known: Collection[str], unreadable: Collection[str] = ()
) -> list[Problem]:
    """A problem for every cited id that is not a contribution of the discussion.

    ``unreadable`` holds the ids of contribution files that have problems of their own.
    """
    return [
        Problem(
            summary.source_path,
            line,
            "citation",
            f"expected the id of a contribution of this discussion, got {quote(cid)}",
        )
        for cid, line in summary.cited
        if cid not in known and cid not in unreadable
    ]


# Coverage: which contributions the reply draws on


@dataclass(frozen=True)
class Coverage:
    """How much of a discussion one language's reply cites. Translations count as their
    original: citing either covers both."""

    discussion: str
    language: str
    path: str
    cited: tuple[str, ...]  # ids of original contributions, oldest first
    uncited: tuple[str, ...]

    def __str__(self) -> str:
        total = len(self.cited) + len(self.uncited)
        text = f"{self.path} cites {len(self.cited)} of {total} contributions"
        return text + (f"; not cited: {', '.join(self.uncited)}" if self.uncited else "")


def coverage(discussion: Discussion) -> list[Coverage]:
    """For each language's reply, the contributions it cites and those it does not cite yet."""
    originals = discussion.originals()
    original_of = {c.id: c.translation_of or c.id for c in discussion.contributions}
    report = []
    for language, summary in sorted(discussion.summaries.items()):
        cited = {original_of.get(cid, cid) for cid, _ in summary.cited}
        report.append(
            Coverage(
                discussion=discussion.slug,
                language=language,
                path=summary.source_path,
                cited=tuple(c.id for c in originals if c.id in cited),
                uncited=tuple(c.id for c in originals if c.id not in cited),
            )
        )
    return report


def archive_coverage(archive: Archive) -> list[Coverage]:
    """``coverage`` of every discussion that has a reply, by discussion then language."""
    return [item for d in sorted(archive.discussions, key=lambda d: d.slug) for item in coverage(d)]


# Rendering


@dataclass(frozen=True)
class RenderedReply:
    """A reply as sanitised HTML whose anchors are filled in and whose citations are still
    placeholders: links depend on the page they are written on (``fill_citations``)."""

    html: str
    citations: tuple[Citation, ...]
    anchors: tuple[Anchor, ...]

    def fragment(self, anchor: int) -> str:
        """The id, in the page, of anchor number ``anchor``."""
        return ID_PREFIX + self.anchors[anchor].slug

    @property
    def headings(self) -> list[tuple[Anchor, str]]:
        """(anchor, id in the page) of every heading, for a table of contents."""
        return [(a, ID_PREFIX + a.slug) for a in self.anchors if a.heading]


def render_summary(summary: Summary) -> RenderedReply:
    html, found = markup.render_reply(summary.body, ID_PREFIX)

    def anchor_or_citation(match) -> str:
        kind, index = match.group(1), int(match.group(2))
        return found.anchors[index].slug if kind == "a" else match.group(0)

    return RenderedReply(
        html=PLACEHOLDER.sub(anchor_or_citation, html),
        citations=tuple(found.citations),
        anchors=tuple(found.anchors),
    )


def fill_citations(reply: RenderedReply, link: Callable[[Iterable[str]], str]) -> str:
    """The reply's HTML with each citation replaced by ``link(ids)``, which must escape."""

    def replace(match) -> str:
        index = int(match.group(2))
        if match.group(1) != "c" or index >= len(reply.citations):
            return ""
        return link(reply.citations[index].ids)

    return PLACEHOLDER.sub(replace, reply.html)
