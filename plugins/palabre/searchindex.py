"""The search index: archive -> one lunr index per language, and the query rules. Pure.

Every contribution, discussion call and consolidated reply becomes a ``SearchDocument`` in
its own language; each language gets one lunr index with that language's pipeline
(``stemming``). Document refs are numbers, in the order (discussion, week, kind, date,
id), so that a discussion's documents are contiguous and one week's too: the browser
tells them apart from a few ranges instead of a list.

Terms are numbered in sorted order (lunr numbers them as it meets them): a shard then
needs only the number of its first term, and any partial index built from shards sums a
document's score in the same order as the whole index does.

``search`` is the reference for what the browser does (``theme/static/js/search``): same
query clean-up (``canonical_query``), same clauses dropped, same merge of languages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

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
    """One language's index: its documents (ref n is ``documents[n]``) and its terms.

    ``postings[n]`` holds, for the term ``terms[n]`` and each field, the documents that
    have the term there with the term's score in that field: lunr's inverted index and
    field vectors in one table. ``index`` is the same as a ``lunr.Index``, made on demand.
    """

    language: str
    documents: list[SearchDocument]
    terms: list[str]  # sorted; a term's number in lunr is its position here
    postings: list[Posting]
    pipeline: Pipeline

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


# --- Documents -------------------------------------------------------------------------------


TextOf = Callable[[str], tuple[str, str]]


def plain_and_excerpt(html: str) -> tuple[str, str]:
    """The indexed text of some HTML and the excerpt shown in results."""
    return markup.plain_text(html), markup.excerpt(html, EXCERPT_CHARACTERS)


def documents(
    archive: Archive,
    rendered: Mapping[str, str] | None = None,
    text_of: TextOf = plain_and_excerpt,
) -> list[SearchDocument]:
    """Every searchable text of ``archive``; ``rendered`` maps ``discussion/id`` to HTML.

    ``text_of`` turns a contribution's HTML into its text and excerpt; a build passes a
    cached version of ``plain_and_excerpt`` so that unchanged texts are not read again.
    """
    rendered = rendered or {}
    found: list[SearchDocument] = []
    for discussion in archive.discussions:
        for language, source in sorted(discussion.calls.items()):
            found.append(_call(discussion, language, source))
        for language, summary in sorted(discussion.summaries.items()):
            found.append(_summary(discussion, language, summary))
        by_id = {c.id: c for c in discussion.contributions}
        for contribution in discussion.contributions:
            html = rendered.get(f"{contribution.discussion}/{contribution.id}")
            doc = _contribution(contribution, html or render_contribution(contribution), text_of)
            original = by_id.get(contribution.translation_of or "")
            if original is not None:
                doc = replace(doc, original=_original(contribution, original))
            found.append(doc)
    return found


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


def _contribution(c: Contribution, html: str, text_of: TextOf) -> SearchDocument:
    return _document(
        "contribution", html, text_of, discussion=c.discussion, week=c.week, language=c.language,
        id=c.id, url=contribution_url(c.discussion, c.id), date=c.date.isoformat(),
        title=c.title, author=c.author, organisation=c.organisation or "",
        country=c.country or "",
    )  # fmt: skip


def _original(translation: Contribution, original: Contribution) -> Original:
    return Original(
        language=original.language,
        url=contribution_url(original.discussion, original.id),
        title=original.title,
        machine=translation.translation == "machine",
    )


# --- Indexes ---------------------------------------------------------------------------------


def build_indexes(
    docs: Iterable[SearchDocument],
    support: stemming.LanguageSupport,
    discussion_order: Sequence[str],
    counts: Callable[[SearchDocument], FieldCounts] | None = None,
) -> dict[str, LanguageIndex]:
    """One index per language, languages in order of their first document.

    ``counts`` gives a document's terms (``document_terms``); a caller that keeps them
    between builds passes its own, so that only the weights are computed again.
    """
    position = {slug: n for n, slug in enumerate(discussion_order)}
    by_language: dict[str, list[SearchDocument]] = {}
    for doc in docs:
        by_language.setdefault(doc.language, []).append(doc)
    terms_of = counts or (lambda doc: document_terms(doc, support))
    indexes = {}
    for language, group in by_language.items():
        group.sort(key=lambda d: (position[d.discussion], d.week, KIND_ORDER[d.kind], d.date, d.id))
        terms, postings = build_from_counts([terms_of(doc) for doc in group])
        indexes[language] = LanguageIndex(
            language, group, terms, postings, support.pipeline(language)
        )
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


# lunr's defaults (lunr.Builder): term-frequency saturation and field-length normalisation.
K1 = 1.2
B = 0.75


def build_from_counts(
    counts: Sequence[FieldCounts],
    boosts: Sequence[int] = tuple(boost for _, boost in FIELDS),
    *,
    numbering: Literal["sorted", "lunr"] = "sorted",
) -> tuple[list[str], list[Posting]]:
    """What ``lunr.Builder.build()`` makes of documents ``0..n-1`` with these term counts.

    Only this part depends on the whole corpus (document count, average field lengths,
    each term's idf); it follows lunr 0.8's ``Builder`` (``_calculate_average_field_lengths``,
    ``_create_field_vectors``, ``idf``) operation for operation, so the floats are the
    same to the last bit. Returns the terms, a term's number being its position, and per
    term and field the (ref, score) pairs in ref order. ``numbering="lunr"`` numbers terms
    as lunr's builder does (in the order first met); ``"sorted"`` (the index's) in sorted
    order, which changes no score. tests/test_search_text.py compares the serialised
    indexes with lunr's byte for byte.
    """
    count = len(counts)
    lengths = [0] * len(boosts)
    documents_with_term: Counter[str] = Counter()  # lunr counts a document once per field
    for per_field in counts:
        for f, (terms, frequencies) in enumerate(per_field):
            lengths[f] += sum(frequencies)
            documents_with_term.update(terms)
    average = [length / count for length in lengths]
    terms = sorted(documents_with_term) if numbering == "sorted" else list(documents_with_term)
    number = {term: n for n, term in enumerate(terms)}
    idf = {
        term: math.log(1 + abs((count - with_term + 0.5) / (with_term + 0.5)))
        for term, with_term in documents_with_term.items()
    }
    postings: list[Posting] = [[[] for _ in boosts] for _ in terms]
    for ref, per_field in enumerate(counts):
        for f, (terms_here, frequencies) in enumerate(per_field):
            if not terms_here:
                continue  # lunr divides by the average length only for terms it has
            length = sum(frequencies)
            norm = K1 * (1 - B + B * (length / average[f]))
            boost = boosts[f]
            for term, tf in zip(terms_here, frequencies, strict=True):
                score = idf[term] * ((K1 + 1) * tf) / (norm + tf)
                score *= boost
                postings[number[term]][f].append((ref, round(score, 3)))
    return terms, postings


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
    return bool(stemming._word_patterns()[0].fullmatch(character))


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
