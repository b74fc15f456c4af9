"""Open data: every contribution of a discussion as JSON and as CSV. Pure, no Pelican.

Both files are deterministic (sorted keys, fixed separators, contributions oldest first)
so that two builds of the same content give the same bytes. Each contribution carries its
metadata, its Markdown as written and its text without markup.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from .model import Contribution, Discussion

FORMAT = "palabre-discussion/1"
COLUMNS = (
    "id",
    "number",
    "discussion",
    "week",
    "date",
    "language",
    "title",
    "author",
    "organisation",
    "country",
    "in_reply_to",
    "translation_of",
    "translation",
    "url",
    "text_markdown",
    "text_plain",
)
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|dd|dt|section)>|<br\s*/?>|<hr\s*/?>")
_CELL_END = re.compile(r"</t[dh]>")
_TAG = re.compile(r"<[^>]*>")
_CSV_SPECIAL = (",", '"', "\r", "\n")


def plain_text(fragment: str) -> str:
    """Text of sanitised HTML: a paragraph (list item, table row...) a line, a blank line
    between them; table cells separated by " | "."""
    text = _CELL_END.sub(" | ", fragment)
    text = _BLOCK_END.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    paragraphs = (" ".join(part.split()).strip(" |") for part in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def numbers(discussion: Discussion) -> dict[str, int]:
    """The number of each original contribution, in order (1, 2, ...); a translation has
    its original's."""
    numbered = {c.id: n for n, c in enumerate(discussion.originals(), start=1)}
    for c in discussion.contributions:
        if c.translation_of is not None:
            numbered[c.id] = numbered[c.translation_of]
    return numbered


def records(
    discussion: Discussion,
    plain: Callable[[Contribution], str],
    url: Callable[[Contribution], str],
) -> list[dict[str, Any]]:
    """One record per contribution, translations included, oldest first; ``plain`` gives
    the text without markup (``plain_text`` of the rendered HTML)."""
    numbered = numbers(discussion)
    return [
        {
            "id": c.id,
            "number": numbered[c.id],
            "discussion": discussion.slug,
            "week": c.week,
            "date": c.date.isoformat(),
            "language": c.language,
            "title": c.title,
            "author": c.author,
            "organisation": c.organisation,
            "country": c.country,
            "in_reply_to": c.in_reply_to,
            "translation_of": c.translation_of,
            "translation": c.translation,
            "url": url(c),
            "text_markdown": c.body.strip("\n"),
            "text_plain": plain(c),
        }
        for c in sorted(discussion.contributions, key=lambda c: c.sort_key)
    ]


def discussion_json(discussion: Discussion, items: list[dict[str, Any]], url: str) -> str:
    """The discussion's facts and every contribution, as JSON."""
    data = {
        "format": FORMAT,
        "discussion": {
            "slug": discussion.slug,
            "url": url,
            "title": dict(discussion.title),
            "description": dict(discussion.description),
            "languages": list(discussion.languages),
            "opens": discussion.opens.isoformat(),
            "closes": discussion.closes.isoformat(),
            "organisers": [{"name": o.name, "url": o.url} for o in discussion.organisers],
            "weeks": [
                {
                    "number": w.number,
                    "starts": w.starts.isoformat(),
                    "title": dict(w.title),
                    "questions": {k: list(v) for k, v in w.questions.items()},
                }
                for w in discussion.weeks
            ],
        },
        "contributions": items,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, separators=(",", ": "))


def discussion_csv(items: list[dict[str, Any]]) -> str:
    """Every contribution, a row each, in the columns of ``COLUMNS`` (RFC 4180, UTF-8).

    The same bytes as ``csv.DictWriter`` with ``lineterminator="\\r\\n"`` (a test compares
    them), written with string methods: the csv module took a tenth of a second per
    discussion of 250 contributions, on every rebuild that touches it.
    """
    rows = [",".join(COLUMNS)]
    rows.extend(",".join(_csv_field(item[k]) for k in COLUMNS) for item in items)
    return "\r\n".join(rows) + "\r\n"


def _csv_field(value: object) -> str:
    """One field as csv.QUOTE_MINIMAL writes it: quoted when it holds a comma, a quote or
    a line break, its quotes doubled."""
    text = "" if value is None else str(value)
    if any(special in text for special in _CSV_SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text
