"""Participation figures of a discussion: plain counts from plain data. Pure, no Pelican.

A *contribution* is an original text: a translation is counted apart, as a translation,
never as a second contribution. A *contributor* is a distinct author, recognised by the
address of their page (so that "Aminata Traoré" and "Aminata  Traore" are one person, as
on the site). Organisations are told apart regardless of case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .model import Contribution, Discussion
from .views import author_slug


@dataclass(frozen=True)
class Row:
    """One line of a table of figures: a week, a language or a country."""

    key: str  # "1" for week 1, "fr", "Mali"; "" for contributions that do not say
    contributions: int
    contributors: int
    translations: int = 0


@dataclass(frozen=True)
class Figures:
    contributions: int
    translations: int
    contributors: int
    organisations: int
    countries: int
    weeks: tuple[Row, ...]  # every week of the discussion, in order, empty ones included
    languages: tuple[Row, ...]  # every language of the discussion, in its order
    by_country: tuple[Row, ...]  # most contributions first; "" (not stated) last

    @property
    def largest(self) -> int:
        """The largest count of any row: the scale every chart of the page shares."""
        rows = (*self.weeks, *self.languages, *self.by_country)
        return max((r.contributions for r in rows), default=0)


def _row(key: str, contributions: list[Contribution], translations: int = 0) -> Row:
    return Row(key, len(contributions), _people(contributions), translations)


# A name is turned into its page's address once, not once per table and language.
person_slug = lru_cache(maxsize=8192)(author_slug)


def _people(contributions: Iterable[Contribution]) -> int:
    return len({person_slug(c.author) for c in contributions})


def participation(discussion: Discussion) -> Figures:
    originals = discussion.originals()
    translations = [c for c in discussion.contributions if c.translation_of is not None]
    weeks = tuple(
        _row(str(w.number), [c for c in originals if c.week == w.number]) for w in discussion.weeks
    )
    languages = tuple(
        _row(
            code,
            [c for c in originals if c.language == code],
            sum(1 for t in translations if t.language == code),
        )
        for code in discussion.languages
    )
    countries: dict[str, list[Contribution]] = {}
    for c in originals:
        countries.setdefault(c.country or "", []).append(c)
    by_country = tuple(
        sorted(
            (_row(name, items) for name, items in countries.items()),
            key=lambda r: (r.key == "", -r.contributions, r.key.casefold(), r.key),
        )
    )
    return Figures(
        contributions=len(originals),
        translations=len(translations),
        contributors=_people(discussion.contributions),
        organisations=len({c.organisation.casefold() for c in originals if c.organisation}),
        countries=len({c.country for c in originals if c.country}),
        weeks=weeks,
        languages=languages,
        by_country=by_country,
    )
