"""Which texts of a discussion exist in which language: the build's missing-text report."""

from __future__ import annotations

from .model import Archive, Discussion


def missing_in(discussion: Discussion, language: str) -> list[str]:
    """Names of the texts of ``discussion`` that have no version in ``language``."""
    missing = []
    if language not in discussion.title:
        missing.append("title")
    if discussion.description and language not in discussion.description:
        missing.append("description")
    if language not in discussion.calls:
        missing.append("call")
    # Before any reply is written there is nothing to translate; after, each language wants one.
    if discussion.summaries and language not in discussion.summaries:
        missing.append("summary")
    for week in discussion.weeks:
        if language not in week.title:
            missing.append(f"week {week.number} title")
        if week.questions and language not in week.questions:
            missing.append(f"week {week.number} questions")
    return missing


def missing_texts(archive: Archive, language: str) -> list[tuple[str, list[str]]]:
    """(discussion slug, missing texts) for every discussion lacking something in ``language``."""
    report = []
    for discussion in sorted(archive.discussions, key=lambda d: d.slug):
        missing = missing_in(discussion, language)
        if missing:
            report.append((discussion.slug, missing))
    return report
