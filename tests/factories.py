"""Helpers that write real content files into a temporary folder, as a moderator would.

Values are written as YAML with ``json.dumps`` for text (JSON strings are valid YAML),
bare for whole numbers and dates, so that each test states only what it is about.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

DEFAULT_OPENS = "2013-07-08"

TITLES = {
    "fr": "Migration et développement",
    "en": "Migration and development",
    "es": "Migración y desarrollo",
}
WEEK_WORDS = {"fr": "Semaine", "en": "Week", "es": "Semana"}
QUESTIONS = {
    "fr": ("Quel rôle pour les collectivités locales ?", "Quels obstacles ?"),
    "en": ("What role for local authorities?", "What obstacles?"),
    "es": ("¿Qué papel para las autoridades locales?", "¿Qué obstáculos?"),
}


def yaml_value(value: object) -> str:
    """``value`` as a YAML scalar or flow collection: text quoted, numbers and dates bare."""
    if isinstance(value, bool):
        raise TypeError("write yes/no as text, e.g. 'yes', so the test says what it means")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def content_tree(tmp_path: Path) -> Path:
    """An empty ``content/`` folder inside ``tmp_path``."""
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    return content


def write_discussion(
    content: Path,
    slug: str = "demo",
    *,
    languages: Sequence[str] = ("fr", "en", "es"),
    weeks: int = 2,
    opens: str = DEFAULT_OPENS,
    closes: str = "2013-08-04",
    title: Mapping[str, str] | str | None = None,
    extra_yaml: str = "",
    calls: bool = True,
) -> Path:
    """Write ``discussions/<slug>/discussion.yml`` (and ``call.<lang>.md``); return the folder.

    Weeks are numbered from 1 and start seven days apart from ``opens``; each has a title
    and one or two questions in every language.
    """
    folder = content / "discussions" / slug
    folder.mkdir(parents=True, exist_ok=True)
    if title is None:
        title = {lang: TITLES.get(lang, f"Discussion ({lang})") for lang in languages}
    start = dt.date.fromisoformat(opens)
    lines = [
        f"title: {yaml_value(title)}",
        f"languages: {yaml_value(list(languages))}",
        f"opens: {opens}",
        f"closes: {closes}",
        "weeks:",
    ]
    for number in range(1, weeks + 1):
        week_title = {lang: f"{WEEK_WORDS.get(lang, 'Week')} {number}" for lang in languages}
        questions = {
            lang: list(QUESTIONS.get(lang, ("Question?", "Other question?"))[: 1 + number % 2])
            for lang in languages
        }
        lines += [
            f"  - number: {number}",
            f"    starts: {start + dt.timedelta(days=7 * (number - 1))}",
            f"    title: {yaml_value(week_title)}",
            f"    questions: {yaml_value(questions)}",
        ]
    text = "\n".join(lines) + "\n" + extra_yaml
    _write(folder / "discussion.yml", text)
    if calls:
        for lang in languages:
            _write(folder / f"call.{lang}.md", f"# {TITLES.get(lang, lang)}\n\nCall ({lang}).\n")
    return folder


def write_contribution(
    content: Path,
    discussion: str = "demo",
    week: int = 1,
    cid: str = "2013-07-10-aminata-traore",
    *,
    body: str = "Un texte.",
    front: Mapping[str, object] | None = None,
    raw_front: str | None = None,
    **fields: object,
) -> Path:
    """Write ``contributions/week-<week>/<cid>.md``; return its path.

    The default fields are valid for ``write_discussion``'s defaults. ``fields`` and then
    ``front`` (for keys that clash with this function's parameters, such as ``week``)
    override or add fields; ``None`` removes one. ``raw_front`` replaces the YAML between
    the two ``---`` lines with the given text, verbatim.
    """
    folder = content / "discussions" / discussion / "contributions" / f"week-{week}"
    folder.mkdir(parents=True, exist_ok=True)
    if raw_front is None:
        values: dict[str, object] = {
            "title": "Le jumelage comme cadre de coopération",
            "author": "Aminata Traoré",
            "week": week,
            "language": "fr",
            "date": dt.date.fromisoformat(DEFAULT_OPENS) + dt.timedelta(days=7 * (week - 1) + 2),
        }
        values.update(fields)
        values.update(front or {})
        raw_front = "".join(
            f"{name}: {yaml_value(value)}\n" for name, value in values.items() if value is not None
        )
    elif not raw_front.endswith("\n"):
        raw_front += "\n"
    path = folder / f"{cid}.md"
    _write(path, f"---\n{raw_front}---\n\n{body}\n")
    return path


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def write_summary(
    content: Path,
    discussion: str = "demo",
    language: str = "en",
    body: str = "## Week 1\n\nA synthesis.\n",
    *,
    title: str = "Consolidated reply",
    status: str = "final",
    date: str | None = "2013-08-10",
    raw_front: str | None = None,
) -> Path:
    """Write ``discussions/<discussion>/summary.<language>.md``; return its path.

    ``raw_front`` replaces the YAML between the two ``---`` lines, verbatim. With the
    default front matter, the first line of ``body`` is line 7 of the file.
    """
    if raw_front is None:
        values = {"title": title, "status": status, "date": date}
        raw_front = "".join(
            f"{name}: {yaml_value(value)}\n" for name, value in values.items() if value is not None
        )
    elif not raw_front.endswith("\n"):
        raw_front += "\n"
    path = content / "discussions" / discussion / f"summary.{language}.md"
    _write(path, f"---\n{raw_front}---\n\n{body}")
    return path
