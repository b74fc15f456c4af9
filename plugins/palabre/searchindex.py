"""The search index: archive -> one lunr index per language, and the query rules. Pure.

Every contribution, discussion call and consolidated reply becomes a ``SearchDocument`` in
its own language; each language gets one lunr index with that language's pipeline
(``stemming``). Document refs are numbers, in the order (discussion, week, kind, date,
id), so that a discussion's documents are contiguous and one week's too: the browser
tells them apart from a few ranges instead of a list.

Terms are numbered in sorted order (lunr numbers them as it meets them): a shard then
needs only the number of its first term, and any partial index built from shards sums a
document's score in the same order as the whole index does.

A build keeps each language's postings as flat columns (``Columns``) between builds: a
rebuild reads again only the texts that changed (``Source.key`` tells which) and computes
every weight again with numpy, with the float operations of lunr's builder in its order.
numpy is imported only then, so that a rebuild with nothing to index does not pay for it.

``search`` is the reference for what the browser does (``theme/static/js/search``): same
query clean-up (``canonical_query``), same clauses dropped, same merge of languages.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Literal

from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.query_parser import QueryParser
from lunr.token_set import TokenSet
from lunr.vector import Vector

from . import markup, stemming
from .model import Archive, Contribution, Discussion, Summary
from .report import summary_url
from .summary import fill_citations, render_summary
from .views import contribution_url, discussion_url, render_contribution

if TYPE_CHECKING:
    import numpy as np

Kind = Literal["call", "summary", "contribution"]
KIND_ORDER: dict[Kind, int] = {"call": 0, "summary": 1, "contribution": 2}
# (field, boost): a word in a title counts more than the same word in the text.
FIELDS: tuple[tuple[str, int], ...] = (
    ("title", 10),
    ("author", 5),
    ("organisation", 2),
    ("country", 2),
    ("body", 1),
)
FIELD_NAMES: tuple[str, ...] = tuple(name for name, _ in FIELDS)
EXCERPT_CHARACTERS = 200
MAX_CLAUSES = 24  # a pasted paragraph is not a query (same limit in text.js)
CALL_HEADING_SHIFT = 1
SYNTAX = "*:^~+-"

Message = Literal["", "empty", "stopwords"]


@dataclass(frozen=True)
class Original:
    """What a translation's result says of its original, so that no other file is needed."""

    language: str
    url: str  # as SearchDocument.url
    title: str
    machine: bool  # the translation is a machine translation


@dataclass(frozen=True)
class SearchDocument:
    """One searchable text and what a result shows of it. ``week`` is 0 for none."""

    kind: Kind
    discussion: str
    week: int
    language: str
    id: str
    url: str  # without any interface-language prefix: "demo/2013-07-09-aminata-traore/"
    date: str  # ISO date, or ""
    title: str
    author: str
    organisation: str
    country: str
    text: str
    excerpt: str
    original: Original | None = None  # for a translation of a contribution


Posting = list[list[tuple[int, float]]]  # per field, (ref, score) in ref order


@dataclass(eq=False)
class LanguageIndex:
    """One language's index: its documents (ref n is ``documents[n]``) and its postings.

    ``columns`` holds what lunr's builder keeps of the documents and ``thousandths`` the
    score of each of its postings. ``postings[n]`` holds, for the term ``terms[n]`` and
    each field, the documents that have the term there with the term's score in that
    field: lunr's inverted index and field vectors in one table. ``index`` is the same as
    a ``lunr.Index``, made on demand.
    """

    language: str
    documents: list[SearchDocument]
    columns: Columns
    pipeline: Pipeline

    @property
    def terms(self) -> list[str]:
        return self.columns.terms  # sorted; a term's number in lunr is its position here

    @cached_property
    def thousandths(self) -> np.ndarray:
        return thousandths(self.columns)

    @cached_property
    def postings(self) -> list[Posting]:
        return postings(self.columns, self.thousandths)

    @cached_property
    def index(self) -> Index:
        return lunr_index(self.terms, self.postings, len(self.documents), self.pipeline)


@dataclass(frozen=True)
class Hit:
    language: str
    ref: int
    score: float
    terms: tuple[str, ...]  # index terms matched, for highlighting


@dataclass(frozen=True)
class Outcome:
    hits: list[Hit]
    message: Message = ""  # why there is nothing to search: no word, or only common ones


def numpy() -> Any:
    """numpy, imported on first use: only a build with texts to index needs it."""
    import numpy  # noqa: PLC0415 - about a fifth of a second: not for rebuilds that skip it

    return numpy


# --- Documents -------------------------------------------------------------------------------


TextOf = Callable[[str], tuple[str, str]]
HtmlOf = Callable[[Contribution], "str | None"]
TextDigest = Callable[[Discussion, Contribution], str]


def plain_and_excerpt(html: str) -> tuple[str, str]:
    """The indexed text of some HTML and the excerpt shown in results."""
    return markup.plain_text(html), markup.excerpt(html, EXCERPT_CHARACTERS)


class Source:
    """One searchable text as the archive holds it, before any work on it.

    ``key`` holds, by value, everything its ``SearchDocument`` is made from (a digest
    stands for a contribution's text, see ``Discussion.source_digest``): a build that kept the index
    of an earlier one reads again only the texts whose key it does not find there. The
    key starts with the document's place, ``(discussion, week, kind, date, id)``;
    ``order`` is where it goes in its language's index (see the module's docstring).
    """

    __slots__ = ("key", "language", "make", "order")

    def __init__(
        self,
        language: str,
        key: tuple[Any, ...],
        make: Callable[[], SearchDocument],
        position: int,
    ) -> None:
        self.language = language
        self.key = key
        self.make = make
        self.order = (position, key[1], KIND_ORDER[key[2]], key[3], key[4])


class KnownSource:
    """A source an earlier build indexed, known by its key alone (``index_language``)."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key

    def make(self) -> SearchDocument:
        raise LookupError(f"expected {self.key[:5]} in the kept index, got nothing")


def sources(
    archive: Archive,
    html_of: HtmlOf | None = None,
    text_of: TextOf = plain_and_excerpt,
    digest_of: TextDigest = Discussion.source_digest,
    only: Container[str] | None = None,
) -> list[Source]:
    """Every searchable text of ``archive``, in the order ``documents`` gives them.

    ``html_of`` gives a contribution's HTML when the pages already rendered it (else it
    is rendered here); ``text_of`` turns HTML into text and excerpt. ``Source.order``
    numbers discussions in the archive's order. ``only``: those of these discussions.
    """
    found: list[Source] = []
    for position, discussion in enumerate(archive.discussions):
        slug = discussion.slug
        if only is not None and slug not in only:
            continue
        opens = discussion.opens.isoformat()
        for language, text in sorted(discussion.calls.items()):
            key = (slug, 0, "call", opens, "call", discussion.title_in(language), text)
            make = partial(_call, discussion, language, text)
            found.append(Source(language, key, make, position))
        for language, summary in sorted(discussion.summaries.items()):
            date = summary.date.isoformat() if summary.date else ""
            key = (slug, 0, "summary", date, "summary", summary.title, summary.body)
            make = partial(_summary, discussion, language, summary)
            found.append(Source(language, key, make, position))
        by_id = {c.id: c for c in discussion.contributions}
        for c in discussion.contributions:
            original = by_id.get(c.translation_of) if c.translation_of else None
            of = None if original is None else (original.language, original.id, original.title)
            key = (
                c.discussion, c.week, "contribution", c.date.isoformat(), c.id, c.language,
                c.title, c.author, c.organisation, c.country, c.translation,
                digest_of(discussion, c), of,
            )  # fmt: skip
            make = partial(_contribution, c, original, html_of, text_of)
            found.append(Source(c.language, key, make, position))
    return found


def documents(
    archive: Archive,
    rendered: Mapping[str, str] | None = None,
    text_of: TextOf = plain_and_excerpt,
) -> list[SearchDocument]:
    """Every searchable text of ``archive``; ``rendered`` maps ``discussion/id`` to HTML.

    ``text_of`` turns a contribution's HTML into its text and excerpt.
    """
    known = rendered or {}

    def html_of(contribution: Contribution) -> str | None:
        return known.get(f"{contribution.discussion}/{contribution.id}")

    found = sources(archive, html_of, text_of, digest_of=lambda _d, _c: "")
    return [source.make() for source in found]


def _document(
    kind: Kind, html: str, text_of: TextOf = plain_and_excerpt, **values: object
) -> SearchDocument:
    text, excerpt = text_of(html)
    return SearchDocument(
        kind=kind,
        text=text,
        excerpt=excerpt,
        **values,  # type: ignore[arg-type]
    )


def _call(discussion: Discussion, language: str, source: str) -> SearchDocument:
    html = markup.render(source, "call-", CALL_HEADING_SHIFT)
    return _document(
        "call", html, discussion=discussion.slug, week=0, language=language,
        id="call", url=discussion_url(discussion.slug), date=discussion.opens.isoformat(),
        title=discussion.title_in(language), author="", organisation="", country="",
    )  # fmt: skip


def _summary(discussion: Discussion, language: str, summary: Summary) -> SearchDocument:
    # Citations point to contributions, which are indexed themselves: left out of the text.
    html = fill_citations(render_summary(summary), lambda _ids: "")
    return _document(
        "summary", html, discussion=discussion.slug, week=0, language=language,
        id="summary", url=summary_url(discussion.slug),
        date=summary.date.isoformat() if summary.date else "", title=summary.title,
        author="", organisation="", country="",
    )  # fmt: skip


def _contribution(
    c: Contribution, original: Contribution | None, html_of: HtmlOf | None, text_of: TextOf
) -> SearchDocument:
    html = (html_of(c) if html_of is not None else None) or render_contribution(c)
    return _document(
        "contribution", html, text_of, discussion=c.discussion, week=c.week, language=c.language,
        id=c.id, url=contribution_url(c.discussion, c.id), date=c.date.isoformat(),
        title=c.title, author=c.author, organisation=c.organisation or "",
        country=c.country or "",
        original=None if original is None else _original(c, original),
    )  # fmt: skip


def _original(translation: Contribution, original: Contribution) -> Original:
    return Original(
        language=original.language,
        url=contribution_url(original.discussion, original.id),
        title=original.title,
        machine=translation.translation == "machine",
    )


def dumps(value: Any) -> str:
    """JSON as the index files hold it: compact, sorted keys, any character as itself."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def result_row(doc: SearchDocument) -> list[Any]:
    """What a result shows of ``doc``, as the ``docs-NNN.json`` files hold it (see shards)."""
    row: list[Any] = [
        doc.kind, doc.url, doc.title, doc.author, doc.organisation, doc.country, doc.date,
        doc.excerpt,
    ]  # fmt: skip
    original = doc.original
    if original is not None:
        row.append([original.language, original.url, original.title, int(original.machine)])
    return row


# --- Indexes ---------------------------------------------------------------------------------


def build_indexes(
    docs: Iterable[SearchDocument],
    support: stemming.LanguageSupport,
    discussion_order: Sequence[str],
    counts: Callable[[SearchDocument], FieldCounts] | None = None,
) -> dict[str, LanguageIndex]:
    """One index per language, languages in order of their first document.

    ``counts`` gives a document's terms (``document_terms`` by default).
    """
    position = {slug: n for n, slug in enumerate(discussion_order)}
    by_language: dict[str, list[SearchDocument]] = {}
    for doc in docs:
        by_language.setdefault(doc.language, []).append(doc)
    terms_of = counts or (lambda doc: document_terms(doc, support))
    indexes = {}
    for language, group in by_language.items():
        group.sort(key=lambda d: (position[d.discussion], d.week, KIND_ORDER[d.kind], d.date, d.id))
        columns = Columns.build([terms_of(doc) for doc in group])
        indexes[language] = LanguageIndex(language, group, columns, support.pipeline(language))
    return indexes


# One document's terms: per field, (terms in the order lunr meets them, how often each).
FieldCounts = tuple[tuple[tuple[str, ...], tuple[int, ...]], ...]


def field_values(doc: SearchDocument) -> tuple[str, ...]:
    """What each field of ``FIELDS`` indexes, in that order."""
    return (doc.title, doc.author, doc.organisation, doc.country, doc.text)


def document_terms(doc: SearchDocument, support: stemming.LanguageSupport) -> FieldCounts:
    """What lunr's builder keeps of a document: per field, each term and its frequency.

    Depends only on the document's fields, its language and the pipeline (the code and
    lunr-languages), not on the other documents: a build may keep it by content.
    Each distinct word goes through the pipeline once (``LanguageSupport.terms``), and the
    terms keep the order lunr's pipeline gives them (first met first).
    """
    found = []
    for value in field_values(doc):
        counted = support.terms(doc.language, value)
        found.append((tuple(counted), tuple(counted.values())))
    return tuple(found)


FIELD_COUNT = len(FIELDS)
BOOSTS: tuple[int, ...] = tuple(boost for _, boost in FIELDS)


@dataclass(eq=False)
class Columns:
    """What lunr's builder keeps of one language's documents, as flat columns.

    Posting n says that the term ``terms[term[n]]`` occurs ``tf[n]`` times in field
    ``field[n]`` of document ``ref[n]``. Postings are sorted by term number, field and
    ref, the order of the index files, and terms are sorted (``build`` can number them as
    lunr's builder does instead, for tests). ``lengths[ref * fields + field]`` is how many
    terms that field of that document has: lunr's field length.
    """

    terms: list[str]
    term: np.ndarray  # int32
    field: np.ndarray  # int8
    ref: np.ndarray  # int32
    tf: np.ndarray  # int32
    lengths: np.ndarray  # int64
    fields: int = FIELD_COUNT

    @property
    def count(self) -> int:
        """How many documents."""
        return len(self.lengths) // self.fields

    @classmethod
    def build(
        cls,
        counts: Sequence[FieldCounts],
        *,
        fields: int = FIELD_COUNT,
        numbering: Literal["sorted", "lunr"] = "sorted",
    ) -> Columns:
        """The columns of documents ``0..n-1`` with these term counts."""
        np = numpy()
        number: dict[str, int] = {}  # in the order lunr meets the terms
        term: list[int] = []
        field: list[int] = []
        ref: list[int] = []
        tf: list[int] = []
        lengths: list[int] = []
        for r, per_field in enumerate(counts):
            if len(per_field) != fields:
                raise ValueError(f"expected {fields} fields per document, got {len(per_field)}")
            for f, (terms, frequencies) in enumerate(per_field):
                lengths.append(sum(frequencies))
                term += [number.setdefault(t, len(number)) for t in terms]
                field += [f] * len(terms)
                ref += [r] * len(terms)
                tf += frequencies
        met = list(number)
        term_array = np.array(term, dtype=np.int64)
        if numbering == "sorted":
            order = sorted(range(len(met)), key=met.__getitem__)
            rank = np.empty(len(met), dtype=np.int64)
            rank[np.array(order, dtype=np.int64)] = np.arange(len(met))
            term_array = rank[term_array] if met else term_array
            met = [met[n] for n in order]
        columns = cls(
            met,
            term_array.astype(np.int32),
            np.array(field, dtype=np.int8),
            np.array(ref, dtype=np.int32),
            np.array(tf, dtype=np.int32),
            np.array(lengths, dtype=np.int64),
            fields,
        )
        return columns.sorted(np.argsort(columns.keys(), kind="stable"))

    def keys(self) -> np.ndarray:
        """Each posting's place in the sort order, as one number."""
        np = numpy()
        count = max(self.count, 1)
        return (self.term.astype(np.int64) * self.fields + self.field) * count + self.ref

    def sorted(self, order: np.ndarray) -> Columns:
        return Columns(
            self.terms, self.term[order], self.field[order], self.ref[order], self.tf[order],
            self.lengths, self.fields,
        )  # fmt: skip

    def update(
        self, ref_map: Sequence[int], added: Mapping[int, FieldCounts], count: int
    ) -> Columns:
        """The columns once documents are moved, dropped and added; what ``build`` gives.

        ``ref_map[old ref]`` is the document's new ref, or -1 for one dropped; ``added``
        gives the counts of the other new refs, and ``count`` is the number of documents.
        """
        np = numpy()
        moves = np.asarray(ref_map, dtype=np.int64).reshape(-1)
        if len(moves) != self.count:
            raise ValueError(f"expected {self.count} refs to move, got {len(moves)}")
        kept = self._moved(moves, count)
        words, new = _new_postings(added, kept.lengths, self.fields)
        terms, renumber = _vocabulary(self.terms, kept.term, words)
        kept.terms = new.terms = terms
        if renumber is not None:
            kept.term = renumber[kept.term]
        new.term = np.array([bisect_left(terms, word) for word in words], dtype=np.int64)
        new = new.sorted(np.argsort(new.keys(), kind="stable"))
        still = moves[moves >= 0]
        if bool(np.all(np.diff(still) > 0)):
            # The kept documents keep their order, so do their postings: insert the others.
            at = np.searchsorted(kept.keys(), new.keys())
            merged = Columns(
                terms, *(np.insert(getattr(kept, name), at, getattr(new, name))
                         for name in ("term", "field", "ref", "tf")),
                kept.lengths, self.fields,
            )  # fmt: skip
        else:
            joined = Columns(
                terms, *(np.concatenate([getattr(kept, name), getattr(new, name)])
                         for name in ("term", "field", "ref", "tf")),
                kept.lengths, self.fields,
            )  # fmt: skip
            merged = joined.sorted(np.argsort(joined.keys(), kind="stable"))
        return merged.compact()

    def _moved(self, moves: np.ndarray, count: int) -> Columns:
        """The postings of the documents kept, at their new refs (old term numbers)."""
        np = numpy()
        fields = self.fields
        to = moves[self.ref]
        keep = to >= 0
        lengths = np.zeros(count * fields, dtype=np.int64)
        old = np.flatnonzero(moves >= 0)
        lengths.reshape(count, fields)[moves[old]] = self.lengths.reshape(-1, fields)[old]
        return Columns(
            self.terms, self.term[keep].astype(np.int64), self.field[keep], to[keep],
            self.tf[keep], lengths, fields,
        )  # fmt: skip

    def compact(self) -> Columns:
        """The same columns in the types a cache keeps."""
        np = numpy()
        return Columns(
            self.terms, self.term.astype(np.int32), self.field.astype(np.int8),
            self.ref.astype(np.int32), self.tf.astype(np.int32), self.lengths, self.fields,
        )  # fmt: skip

    def state(self) -> dict[str, Any]:
        """The columns as plain values, for a cache file (see ``from_state``)."""
        return {
            "terms": self.terms,
            "fields": self.fields,
            **{
                name: getattr(self, name).tobytes()
                for name in ("term", "field", "ref", "tf", "lengths")
            },
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Columns:
        """The columns ``state`` describes; ValueError if its parts do not fit together."""
        np = numpy()
        arrays = {
            name: np.frombuffer(state[name], dtype=dtype)
            for name, dtype in (
                ("term", np.int32), ("field", np.int8), ("ref", np.int32), ("tf", np.int32),
                ("lengths", np.int64),
            )
        }  # fmt: skip
        columns = cls(list(state["terms"]), **arrays, fields=int(state["fields"]))
        size = len(columns.term)
        if (
            columns.fields != FIELD_COUNT
            or any(len(arrays[name]) != size for name in ("field", "ref", "tf"))
            or len(columns.lengths) % columns.fields
            or (size and (columns.term.max() >= len(columns.terms) or columns.term.min() < 0))
            or (size and (columns.ref.max() >= columns.count or columns.ref.min() < 0))
            or (size and (columns.field.max() >= columns.fields or columns.field.min() < 0))
        ):
            raise ValueError("search index columns that do not fit together")
        return columns


def _new_postings(
    added: Mapping[int, FieldCounts], lengths: np.ndarray, fields: int
) -> tuple[list[str], Columns]:
    """The postings of the documents in ``added`` (terms as words, still to number), and
    their field lengths written into ``lengths``."""
    np = numpy()
    words: list[str] = []
    field: list[int] = []
    ref: list[int] = []
    tf: list[int] = []
    for r, per_field in sorted(added.items()):
        if len(per_field) != fields:
            raise ValueError(f"expected {fields} fields per document, got {len(per_field)}")
        for f, (terms, frequencies) in enumerate(per_field):
            lengths[r * fields + f] = sum(frequencies)
            words += terms
            field += [f] * len(terms)
            ref += [r] * len(terms)
            tf += frequencies
    postings = Columns(
        [], np.zeros(len(words), dtype=np.int64), np.array(field, dtype=np.int8),
        np.array(ref, dtype=np.int64), np.array(tf, dtype=np.int32), lengths, fields,
    )  # fmt: skip
    return words, postings


def _vocabulary(
    old_terms: list[str], term: np.ndarray, words: Iterable[str]
) -> tuple[list[str], np.ndarray | None]:
    """The sorted terms of kept postings (``term``, numbers in ``old_terms``) and ``words``,
    and the new number of each old one (-1 for a term gone), or None when none moves."""
    np = numpy()
    used = np.bincount(term, minlength=len(old_terms)) > 0
    missing = []
    for word in sorted(set(words)):
        n = bisect_left(old_terms, word)
        if n < len(old_terms) and old_terms[n] == word:
            used[n] = True
        else:
            missing.append(word)
    if bool(used.all()) and not missing:
        return old_terms, None
    kept = np.flatnonzero(used)
    kept_terms = [old_terms[n] for n in kept.tolist()]
    places = [bisect_left(kept_terms, word) for word in missing]
    renumber = np.full(len(old_terms), -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept)) + np.searchsorted(
        np.array(places, dtype=np.int64), np.arange(len(kept)), side="right"
    )
    terms: list[str] = []
    start = 0
    for word, place in zip(missing, places, strict=True):
        terms += kept_terms[start:place]
        terms.append(word)
        start = place
    terms += kept_terms[start:]
    return terms, renumber


# lunr's defaults (lunr.Builder): term-frequency saturation and field-length normalisation.
K1 = 1.2
B = 0.75
# Below this distance from a half, a score times 1000 might round the other way than the
# score itself rounds to three decimals: such scores are rounded one by one, as lunr does.
NEAR_HALF = 0.4999


def thousandths(columns: Columns, boosts: Sequence[int] = BOOSTS) -> np.ndarray:
    """Each posting's score in thousandths, as ``lunr.Builder.build()`` computes it.

    Only this part depends on the whole corpus (document count, average field lengths,
    each term's idf); it follows lunr 0.8's ``Builder`` (``_calculate_average_field_lengths``,
    ``_create_field_vectors``, ``idf``) operation for operation, on numpy's float64 arrays,
    whose operations round as Python's floats do, so the floats are the same to the last
    bit; logarithms are Python's. lunr rounds each score to three decimals (``round(score,
    3)``); ``k / 1000`` is that float. tests/test_search_weights.py compares the indexes
    with lunr's own, byte for byte.
    """
    np = numpy()
    fields = len(boosts)
    count = columns.count
    if fields != columns.fields:
        raise ValueError(f"expected {columns.fields} boosts, got {fields}")
    if not len(columns.term):
        return np.zeros(0, dtype=np.int64)
    totals = columns.lengths.reshape(count, fields).sum(axis=0).tolist()
    average = np.array([total / count for total in totals], dtype=np.float64)
    # lunr counts a document once per field that has the term.
    with_term, inverse = np.unique(
        np.bincount(columns.term, minlength=len(columns.terms)), return_inverse=True
    )
    idf = np.array(
        [math.log(1 + abs((count - n + 0.5) / (n + 0.5))) for n in with_term.tolist()],
        dtype=np.float64,
    )[inverse.reshape(-1)]
    field = columns.field.astype(np.int64)
    length = columns.lengths[columns.ref.astype(np.int64) * fields + field].astype(np.float64)
    norm = K1 * ((1 - B) + B * (length / average[field]))
    tf = columns.tf.astype(np.float64)
    score = idf[columns.term] * ((K1 + 1) * tf) / (norm + tf)
    score = score * np.array(boosts, dtype=np.float64)[field]
    return round_thousandths(score)


def round_thousandths(scores: np.ndarray) -> np.ndarray:
    """``round(score, 3) * 1000`` of each score, as an integer: Python's rounding (lunr's).

    A score times 1000 rounds to the same integer unless it lies within a rounding error
    of a half: those few are rounded by Python itself.
    """
    np = numpy()
    scaled = scores * 1000
    rounded = np.rint(scaled)
    for n in np.flatnonzero(np.abs(scaled - rounded) > NEAR_HALF).tolist():
        rounded[n] = round(round(float(scores[n]), 3) * 1000)
    return rounded.astype(np.int64)


def postings(columns: Columns, scores: np.ndarray) -> list[Posting]:
    """Per term and field, the (ref, score) pairs in ref order; scores as lunr's floats."""
    found: list[Posting] = [[[] for _ in range(columns.fields)] for _ in columns.terms]
    rows = zip(
        columns.term.tolist(), columns.field.tolist(), columns.ref.tolist(), scores.tolist(),
        strict=True,
    )  # fmt: skip
    for term, field, ref, score in rows:
        found[term][field].append((ref, score / 1000))
    return found


def build_from_counts(
    counts: Sequence[FieldCounts],
    boosts: Sequence[int] = BOOSTS,
    *,
    numbering: Literal["sorted", "lunr"] = "sorted",
) -> tuple[list[str], list[Posting]]:
    """What ``lunr.Builder.build()`` makes of documents ``0..n-1`` with these term counts.

    Returns the terms, a term's number being its position, and per term and field the
    (ref, score) pairs in ref order. ``numbering="lunr"`` numbers terms as lunr's builder
    does (in the order first met); ``"sorted"`` (the index's) in sorted order, which
    changes no score. tests/test_search_weights.py compares the serialised indexes with
    lunr's byte for byte.
    """
    columns = Columns.build(counts, fields=len(boosts), numbering=numbering)
    return columns.terms, postings(columns, thousandths(columns, boosts))


@dataclass(eq=False)
class KeptIndex:
    """What a build keeps of one language's index for the next one.

    Per ref, the key of the document's source (``Source.key``) and its result row as JSON
    (``result_row``); the columns, as plain values until a build needs them.
    """

    keys: list[tuple[Any, ...]]
    rows: list[str]
    columns_state: dict[str, Any]

    def columns(self) -> Columns:
        return Columns.from_state(self.columns_state)


def index_language(
    previous: KeptIndex | None,
    ordered: Sequence[Source | KnownSource],
    support: stemming.LanguageSupport,
) -> tuple[KeptIndex, int]:
    """The index of one language's sources, in index order, and how many texts were read.

    Only the texts whose key ``previous`` lacks are read and split into terms; the
    others' postings come from ``previous``. The result is what a build from nothing
    gives (tests/test_search_build.py). ``KnownSource``s must be in ``previous``, whose
    columns must then be sound.
    """
    keys = [source.key for source in ordered]
    if previous is not None and previous.keys == keys:
        return previous, 0
    try:
        columns = None if previous is None else previous.columns()
    except ValueError:  # a damaged cache: everything is read again
        previous = columns = None
    known = {} if previous is None else {key: ref for ref, key in enumerate(previous.keys)}
    ref_map = [-1] * len(known)
    added: dict[int, FieldCounts] = {}
    rows: list[str] = []
    for ref, source in enumerate(ordered):
        old = known.get(source.key)
        if old is None:
            doc = source.make()
            added[ref] = document_terms(doc, support)
            rows.append(dumps(result_row(doc)))
        else:
            ref_map[old] = ref
            rows.append(previous.rows[old])  # type: ignore[union-attr]
    if columns is None or len(added) == len(ordered):
        columns = Columns.build([added[ref] for ref in range(len(ordered))])
    else:
        columns = columns.update(ref_map, added, len(ordered))
    return KeptIndex(keys, rows, columns.state()), len(added)


def lunr_index(
    terms: Sequence[str], postings: Sequence[Posting], count: int, pipeline: Pipeline
) -> Index:
    """The ``lunr.Index`` of ``build_from_counts``'s result, as lunr's builder makes it."""
    fields = list(FIELD_NAMES)
    inverted: dict[str, dict[str, Any]] = {}
    elements: dict[str, list[float]] = {
        f"{field}/{ref}": [] for ref in range(count) for field in fields
    }
    for number, (term, posting) in enumerate(zip(terms, postings, strict=True)):
        entry: dict[str, Any] = {}
        for field, pairs in zip(fields, posting, strict=True):
            entry[field] = {str(ref): {} for ref, _ in pairs}
            for ref, score in pairs:
                elements[f"{field}/{ref}"] += [number, score]
        entry["_index"] = number
        inverted[term] = entry
    return Index(
        inverted_index=inverted,
        field_vectors={ref: Vector(values) for ref, values in elements.items()},
        token_set=TokenSet.from_list(sorted(terms)),
        fields=fields,
        pipeline=pipeline,
    )


# --- Queries ---------------------------------------------------------------------------------


def _is_word_char(character: str) -> bool:
    return stemming.is_word_character(character)


def _term_clause(segment: str, presence: str, field: str) -> str:
    pieces = re.split(r"([~^])", segment)
    body = re.sub(r"\*+", "*", pieces[0])
    edit = boost = 0
    for operator, rest in zip(pieces[1::2], pieces[2::2], strict=False):
        digits = re.match(r"[0-9]*", rest).group(0)  # type: ignore[union-attr]
        if not digits:
            continue
        value = int(digits[:3])
        if operator == "~":
            edit = min(value, 2)
        else:
            boost = value
    if not any(_is_word_char(character) for character in body):
        return ""
    if "*" in body:
        body = stemming.fold(body)
        edit = 0
    return (
        presence
        + (f"{field}:" if field else "")
        + body
        + (f"~{edit}" if edit else "")
        + (f"^{boost}" if boost > 1 else "")
    )


def canonical_query(text: str, fields: Sequence[str] = FIELD_NAMES) -> str:
    """What a reader typed, as lunr query syntax that always parses.

    Kept: words, ``field:word``, a leading ``+`` or ``-``, ``*`` wildcards (folded, since
    they skip the pipeline), ``~1``/``~2`` and ``^n``; anything else becomes a space.
    """
    normal = unicodedata.normalize("NFKC", text).lower()
    cleaned = "".join(c if _is_word_char(c) or c in SYNTAX else " " for c in normal)
    clauses: list[str] = []
    for raw_chunk in cleaned.split(" "):
        if not raw_chunk:
            continue
        presence = raw_chunk[0] if raw_chunk[0] in "+-" else ""
        chunk = raw_chunk.lstrip("+-")
        for n, part in enumerate(re.split(r"[+-]+", chunk)):
            segments = part.split(":")
            field = ""
            if len(segments) > 1 and segments[0] in fields:
                field = segments.pop(0)
            for m, segment in enumerate(segments):
                first = n == 0 and m == 0
                clause = _term_clause(segment, presence if first else "", field if m == 0 else "")
                if clause:
                    clauses.append(clause)
    return " ".join(clauses[:MAX_CLAUSES])


def search(
    indexes: Mapping[str, LanguageIndex],
    text: str,
    *,
    discussion: str | None = None,
    week: int | None = None,
    languages: Iterable[str] | None = None,
) -> Outcome:
    """Search every language's index; best first, ties by language order then ref."""
    canonical = canonical_query(text)
    if not canonical:
        return Outcome([], "empty")
    wanted = set(languages) if languages is not None else None
    order = {language: n for n, language in enumerate(indexes)}
    hits: list[Hit] = []
    searched = False
    for language, entry in indexes.items():
        if wanted is not None and language not in wanted:
            continue
        index = entry.index  # built once, on the first search
        query = index.create_query()
        QueryParser(canonical, query).parse()
        query.clauses = [
            clause
            for clause in query.clauses
            if not clause.use_pipeline
            or index.pipeline.run_string(clause.term, {"fields": clause.fields})
        ]
        if not query.clauses:
            continue  # only stop words in this language
        searched = True
        for result in index.query(query):
            ref = int(result["ref"])
            doc = entry.documents[ref]
            if discussion is not None and doc.discussion != discussion:
                continue
            if week is not None and doc.week != week:
                continue
            terms = tuple(sorted(result["match_data"].metadata))
            hits.append(Hit(language, ref, result["score"], terms))
    hits.sort(key=lambda hit: (-hit.score, order[hit.language], hit.ref))
    return Outcome(hits, "" if searched else "stopwords")
