"""Each language's lunr index split by term range into shards, plus a manifest. Pure.

Why a partial index scores exactly like the whole one: in lunr 2.x a document's score is
the dot product of the query vector with the document's field vectors, divided by the
query vector's norm, and only the query's own terms take part. The browser loads the
shards that hold a query's terms (every term of a prefix's range), rebuilds an index from
them (postings merged, field-vector entries merged in term order, token set from the loaded
terms) and lets lunr.js run the query: same terms, same vectors where it matters, same
order of additions, so the same scores.

Files, under ``search/`` in the built site (all JSON; refs are numbers, see searchindex):

``manifest.json``
    ``fields``, ``discussions`` (slugs; a group's first number points here), ``chunk``
    (documents per details file) and, per language: ``code``, ``pipeline`` (lunr function
    names), ``documents`` and ``terms`` (counts), ``groups`` (runs of refs as
    ``[discussion, week, count]``) and ``shards`` (``[first term, its number]`` each).
``<lang>/shard-NNN.json``
    ``{"terms": [...], "postings": [...]}`` for one term range: per term, per field, a flat
    list ``[ref, score, ref, score, ...]``, refs as gaps from the previous one and scores
    as thousandths (lunr rounds them to three decimals; ``k / 1000`` is the same float).
``<lang>/terms-NNN.json`` and ``<lang>/<discussion>/shard-NNN.json``
    the same range split in two for a search within one discussion: the terms (all of
    them: a term's presence anywhere changes the query's norm), and the postings of that
    discussion's documents only (``0`` for a term it lacks).
``<lang>/docs-NNN.json``
    what results show, ``chunk`` documents a file: ``[kind, url, title, author,
    organisation, country, date, excerpt]``, and for a translation of a contribution a
    ninth item naming its original: ``[language, url, title, 1 if machine-translated]``.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .searchindex import FIELD_NAMES, LanguageIndex

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SHARD_BYTES = 24_000  # target size of a shard's JSON before compression
DOCUMENTS_PER_CHUNK = 6
LUNR_VERSION = "2.3.9"

Entry = list[list[tuple[int, int]]]  # per field, (ref, score in thousandths), by ref


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def thousandths(score: float) -> int:
    value = round(score * 1000)
    if value / 1000 != score:
        raise ValueError(f"score {score!r} is not rounded to three decimals")
    return value


def term_table(entry: LanguageIndex) -> tuple[list[str], list[Entry]]:
    """Sorted terms, and for each its (ref, score in thousandths) pairs per field."""
    table = [
        [[(ref, thousandths(score)) for ref, score in pairs] for pairs in posting]
        for posting in entry.postings
    ]
    return entry.terms, table


def encode(row: Entry) -> list[list[int]]:
    """One term's postings: per field a flat list, refs as gaps from the previous one."""
    fields = []
    for pairs in row:
        flat, previous = [], 0
        for ref, score in pairs:
            flat += [ref - previous, score]
            previous = ref
        fields.append(flat)
    return fields


def within(row: Entry, low: int, high: int) -> Entry | None:
    """The postings of refs ``low`` to ``high - 1`` only; None when there are none."""
    kept = [pairs[bisect_left(pairs, (low,)) : bisect_left(pairs, (high,))] for pairs in row]
    return kept if any(kept) else None


def boundaries(sizes: Sequence[int], target: int) -> list[int]:
    """Start of each shard: consecutive terms until their JSON reaches ``target`` bytes."""
    starts, size = [0], 0
    for n, term_size in enumerate(sizes):
        if size >= target:
            starts.append(n)
            size = 0
        size += term_size
    return starts if sizes else []


def groups(entry: LanguageIndex, discussions: Sequence[str]) -> list[list[int]]:
    """Runs of refs in one discussion and week: ``[discussion number, week, count]``."""
    position = {slug: n for n, slug in enumerate(discussions)}
    runs: list[list[int]] = []
    for doc in entry.documents:
        key = [position[doc.discussion], doc.week]
        if runs and runs[-1][:2] == key:
            runs[-1][2] += 1
        else:
            runs.append([*key, 1])
    return runs


def search_files(
    indexes: Mapping[str, LanguageIndex],
    discussions: Sequence[str],
    *,
    shard_bytes: int = SHARD_BYTES,
    chunk: int = DOCUMENTS_PER_CHUNK,
) -> dict[str, str]:
    """Every file of ``search/``: relative path -> JSON text."""
    files: dict[str, str] = {}
    languages = []
    for language, entry in indexes.items():
        terms, table = term_table(entry)
        rows = [dumps(encode(row)) for row in table]
        starts = boundaries(
            [len(dumps(t)) + len(r) + 2 for t, r in zip(terms, rows, strict=True)], shard_bytes
        )
        runs = groups(entry, discussions)
        ranges = _discussion_ranges(runs, discussions)
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(terms)
            name = f"shard-{number:03d}.json"
            names = dumps(terms[start:end])
            # As dumps({"terms": ..., "postings": ...}) writes it, without encoding twice.
            files[f"{language}/{name}"] = (
                f'{{"postings":[{",".join(rows[start:end])}],"terms":{names}}}'
            )
            files[f"{language}/terms-{number:03d}.json"] = names
            for slug, (low, high) in ranges.items():
                part = [within(row, low, high) for row in table[start:end]]
                files[f"{language}/{slug}/{name}"] = dumps(
                    {"postings": [encode(row) if row else 0 for row in part]}
                )
        for number in range(0, len(entry.documents), chunk):
            files[f"{language}/docs-{number // chunk:03d}.json"] = dumps(
                [_details(doc) for doc in entry.documents[number : number + chunk]]
            )
        languages.append(
            {
                "code": language,
                "pipeline": entry.pipeline.serialize(),
                "documents": len(entry.documents),
                "terms": len(terms),
                "groups": runs,
                "shards": [[terms[start], start] for start in starts],
            }
        )
    files[MANIFEST] = dumps(
        {
            "version": FORMAT_VERSION,
            "lunr": LUNR_VERSION,
            "fields": list(FIELD_NAMES),
            "discussions": list(discussions),
            "chunk": chunk,
            "languages": languages,
        }
    )
    return files


def _discussion_ranges(
    runs: Sequence[Sequence[int]], discussions: Sequence[str]
) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {}
    ref = 0
    for number, _week, count in runs:
        slug = discussions[number]
        low, _ = ranges.get(slug, (ref, ref))
        ranges[slug] = (low, ref + count)
        ref += count
    return ranges


def _details(doc: Any) -> list[Any]:
    row: list[Any] = [
        doc.kind, doc.url, doc.title, doc.author, doc.organisation, doc.country, doc.date,
        doc.excerpt,
    ]  # fmt: skip
    original = getattr(doc, "original", None)
    if original is not None:
        row.append([original.language, original.url, original.title, int(original.machine)])
    return row


def reassemble(read: Callable[[str], str], language: str) -> dict[str, Any]:
    """The whole index of ``language`` in lunr's serialised form, from the shards alone."""
    manifest = json.loads(read(MANIFEST))
    info = next(entry for entry in manifest["languages"] if entry["code"] == language)
    fields = manifest["fields"]
    inverted, vectors = [], {}
    for number, (_, offset) in enumerate(info["shards"]):
        shard = json.loads(read(f"{language}/shard-{number:03d}.json"))
        for n, (term, row) in enumerate(zip(shard["terms"], shard["postings"], strict=True)):
            posting: dict[str, Any] = {}
            for field, flat in zip(fields, row, strict=True):
                posting[field] = {}
                ref = 0
                for i in range(0, len(flat), 2):
                    ref += flat[i]
                    posting[field][str(ref)] = {}
                    vectors.setdefault(f"{field}/{ref}", []).extend(
                        [offset + n, flat[i + 1] / 1000]
                    )
            posting["_index"] = offset + n
            inverted.append([term, posting])
    field_vectors = [
        [f"{field}/{ref}", vectors.get(f"{field}/{ref}", [])]
        for ref in range(info["documents"])
        for field in fields
    ]
    return {
        "version": manifest["lunr"],
        "fields": fields,
        "fieldVectors": field_vectors,
        "invertedIndex": inverted,
        "pipeline": info["pipeline"],
    }
