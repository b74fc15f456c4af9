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

The postings of a language are written with numpy, all at once: every number's digits
and every bracket go to their place in one byte array, which is then cut into files. The
files are the bytes ``json.dumps`` would write (tests/test_search_build.py compares them
with a plain encoder's).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .searchindex import FIELD_NAMES, Columns, LanguageIndex, dumps, numpy, result_row

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SHARD_BYTES = 24_000  # target size of a shard's JSON before compression
DOCUMENTS_PER_CHUNK = 6
LUNR_VERSION = "2.3.9"


@dataclass(eq=False)
class LanguageTable:
    """What one language's files are made of: its postings and its documents."""

    code: str
    pipeline: list[str]  # lunr function names
    columns: Columns
    scores: np.ndarray  # each posting's score, in thousandths
    places: Sequence[tuple[str, int]]  # per ref: (discussion, week)
    rows: Sequence[str]  # per ref: what a result shows, as JSON (searchindex.result_row)


def table(entry: LanguageIndex) -> LanguageTable:
    return LanguageTable(
        entry.language,
        entry.pipeline.serialize(),
        entry.columns,
        entry.thousandths,
        [(doc.discussion, doc.week) for doc in entry.documents],
        [dumps(result_row(doc)) for doc in entry.documents],
    )


def boundaries(sizes: Sequence[int] | np.ndarray, target: int) -> list[int]:
    """Start of each shard: consecutive terms until their JSON reaches ``target`` bytes."""
    np = numpy()
    if target <= 0:
        raise ValueError(f"expected a positive shard size, got {target}")
    total = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(np.asarray(sizes, dtype=np.int64), out=total[1:])
    starts = [0] if len(sizes) else []
    while starts:
        following = int(np.searchsorted(total, total[starts[-1]] + target, side="left"))
        if following >= len(sizes):
            break
        starts.append(following)
    return starts


def groups(places: Sequence[tuple[str, int]], discussions: Sequence[str]) -> list[list[int]]:
    """Runs of refs in one discussion and week: ``[discussion number, week, count]``."""
    position = {slug: n for n, slug in enumerate(discussions)}
    runs: list[list[int]] = []
    for discussion, week in places:
        key = [position[discussion], week]
        if runs and runs[-1][:2] == key:
            runs[-1][2] += 1
        else:
            runs.append([*key, 1])
    return runs


def language_files(
    language: LanguageTable,
    discussions: Sequence[str],
    *,
    shard_bytes: int = SHARD_BYTES,
    chunk: int = DOCUMENTS_PER_CHUNK,
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every file of one language (path under ``search/`` -> bytes) and its manifest entry."""
    np = numpy()
    code, columns, terms = language.code, language.columns, language.columns.terms
    files: dict[str, bytes] = {}
    runs = groups(language.places, discussions)
    ranges = _discussion_ranges(runs, discussions)
    rows = len(terms)
    whole = _Postings(columns.term, columns.field, columns.ref, language.scores, rows)
    # A shard's size counts each term as dumps(term) + dumps(postings) + 2.
    starts = boundaries(_json_lengths(terms) + whole.lengths() + 2, shard_bytes)
    first = np.zeros(rows, dtype=bool)
    first[starts] = True
    text, offsets = whole.render(first)
    # The same postings, discussion by discussion: one row per term in each.
    documents = language.rows
    owner = np.zeros(len(documents), dtype=np.int64)  # each ref's discussion, in ``ranges``
    for n, (low, high) in enumerate(ranges.values()):
        owner[low:high] = n
    of_posting = owner[columns.ref] if len(columns.ref) else np.zeros(0, dtype=np.int64)
    order = np.argsort(of_posting, kind="stable")
    parts = _Postings(
        of_posting[order] * rows + columns.term[order], columns.field[order],
        columns.ref[order], language.scores[order], rows * len(ranges), empty_as_zero=True,
    )  # fmt: skip
    part_text, part_offsets = parts.render(np.tile(first, len(ranges)))
    bounds = np.array([*starts, rows], dtype=np.int64)
    cuts = offsets[bounds].tolist()
    # Where each discussion's part of each shard starts and ends: [discussion][shard].
    part_cuts = part_offsets[np.arange(len(ranges))[:, None] * rows + bounds].tolist()
    for number, start in enumerate(starts):
        name = f"shard-{number:03d}.json"
        names = dumps(terms[start : bounds[number + 1]]).encode("utf-8")
        postings = text[cuts[number] : cuts[number + 1]]
        files[f"{code}/{name}"] = b'{"postings":[' + postings + b'],"terms":' + names + b"}"
        files[f"{code}/terms-{number:03d}.json"] = names
        for slug, places in zip(ranges, part_cuts, strict=True):
            part = part_text[places[number] : places[number + 1]]
            files[f"{code}/{slug}/{name}"] = b'{"postings":[' + part + b"]}"
    for number in range(0, len(documents), chunk):
        details = ",".join(documents[number : number + chunk])
        files[f"{code}/docs-{number // chunk:03d}.json"] = f"[{details}]".encode()
    entry = {
        "code": code,
        "pipeline": language.pipeline,
        "documents": len(documents),
        "terms": len(terms),
        "groups": runs,
        "shards": [[terms[start], start] for start in starts],
    }
    return files, entry


def manifest(
    languages: Sequence[Mapping[str, Any]],
    discussions: Sequence[str],
    chunk: int = DOCUMENTS_PER_CHUNK,
) -> str:
    """``manifest.json``, from each language's entry (``language_files``)."""
    return dumps(
        {
            "version": FORMAT_VERSION,
            "lunr": LUNR_VERSION,
            "fields": list(FIELD_NAMES),
            "discussions": list(discussions),
            "chunk": chunk,
            "languages": list(languages),
        }
    )


def search_files(
    indexes: Mapping[str, LanguageIndex],
    discussions: Sequence[str],
    *,
    shard_bytes: int = SHARD_BYTES,
    chunk: int = DOCUMENTS_PER_CHUNK,
) -> dict[str, str]:
    """Every file of ``search/``: relative path -> JSON text."""
    files: dict[str, str] = {}
    entries = []
    for entry in indexes.values():
        found, info = language_files(
            table(entry), discussions, shard_bytes=shard_bytes, chunk=chunk
        )
        files.update((name, data.decode("utf-8")) for name, data in found.items())
        entries.append(info)
    files[MANIFEST] = manifest(entries, discussions, chunk)
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


_JSON_ESCAPED = re.compile(r'[\x00-\x1f"\\]')  # what json.dumps escapes with ensure_ascii off


def _json_lengths(terms: Sequence[str]) -> np.ndarray:
    """``len(dumps(term))`` of each term."""
    np = numpy()
    if _JSON_ESCAPED.search("".join(terms)):
        return np.array([len(json.dumps(term, ensure_ascii=False)) for term in terms], np.int64)
    return np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)) + 2


class _Postings:
    """Rows of postings as JSON, each ``[[ref,score,...],[...],...]``: one list per field.

    Postings come sorted by row, field and ref; a posting's ref is written as the gap from
    the previous one in its row and field (the first as itself). A row without postings is
    ``0`` when ``empty_as_zero``. Every byte's place is computed first (``lengths`` needs
    only that), then brackets, commas and digits are written at once (``render``).
    """

    def __init__(
        self,
        row: np.ndarray,
        field: np.ndarray,
        ref: np.ndarray,
        score: np.ndarray,
        rows: int,
        *,
        empty_as_zero: bool = False,
    ) -> None:
        np = numpy()
        fields = len(FIELD_NAMES)
        row, field, ref = row.astype(np.int64), field.astype(np.int64), ref.astype(np.int64)
        self.rows, self.fields, self.row = rows, fields, row
        count = np.bincount(row, minlength=rows)
        self.empty = (count == 0) & empty_as_zero
        self.full = np.flatnonzero(~self.empty)  # rows written as lists
        # A posting is "gap,score", after a comma unless it opens its field's list.
        self.follows = np.zeros(len(row), dtype=bool)
        self.follows[1:] = (row[1:] == row[:-1]) & (field[1:] == field[:-1])
        self.gap = ref.copy()
        self.gap[1:] -= ref[:-1]
        self.gap[~self.follows] = ref[~self.follows]
        self.score = score.astype(np.int64)
        if len(row) and (int(self.gap.min()) < 0 or int(self.score.min()) < 0):
            raise ValueError("expected postings sorted by ref, with scores of 0 or more")
        self.gap_digits, self.score_digits = _digits(self.gap), _digits(self.score)
        size = self.follows + self.gap_digits + 1 + self.score_digits
        # Bytes of each listed row's fields before each bracket: "[[" F0 "],[" ... F4 "]]".
        place = np.zeros(rows, dtype=np.int64)
        place[self.full] = np.arange(len(self.full))
        per_field = np.bincount(
            place[row] * fields + field, weights=size, minlength=len(self.full) * fields
        ).astype(np.int64)
        self.before = np.zeros((len(self.full), fields + 1), dtype=np.int64)
        np.cumsum(per_field.reshape(-1, fields), axis=1, out=self.before[:, 1:])
        self.row_length = np.ones(rows, dtype=np.int64)
        self.row_length[self.full] = 2 + 3 * (fields - 1) + 2 + self.before[:, fields]
        # Where each posting starts in its row.
        total = np.zeros(len(row) + 1, dtype=np.int64)
        np.cumsum(size, out=total[1:])
        first_of_row = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(count, out=first_of_row[1:])
        self.in_row = 2 + 3 * field + total[:-1] - total[first_of_row[row]]

    def lengths(self) -> np.ndarray:
        """Each row's length in bytes, without a comma before it."""
        return self.row_length

    def render(self, first: np.ndarray) -> tuple[bytes, np.ndarray]:
        """The rows' text, a comma before each but the ``first`` ones, and where each row
        starts in it (and where the last ends)."""
        np = numpy()
        lead = ~first
        start = np.zeros(self.rows + 1, dtype=np.int64)
        np.cumsum(self.row_length + lead, out=start[1:])
        text = np.empty(int(start[-1]), dtype=np.uint8)
        text[start[:-1][lead]] = ord(",")
        body = start[:-1] + lead  # where each row's own text starts
        at = body[self.full]
        text[at], text[at + 1] = ord("["), ord("[")
        for bracket in range(1, self.fields):
            between = at + 2 + 3 * (bracket - 1) + self.before[:, bracket]
            text[between], text[between + 1], text[between + 2] = ord("]"), ord(","), ord("[")
        end = at + 2 + 3 * (self.fields - 1) + self.before[:, self.fields]
        text[end], text[end + 1] = ord("]"), ord("]")
        text[body[self.empty]] = ord("0")
        at = body[self.row] + self.in_row
        text[at[self.follows]] = ord(",")
        at = at + self.follows
        _write_digits(text, at + self.gap_digits, self.gap, self.gap_digits)
        at = at + self.gap_digits
        text[at] = ord(",")
        _write_digits(text, at + 1 + self.score_digits, self.score, self.score_digits)
        return text.tobytes(), start


def _digits(numbers: np.ndarray) -> np.ndarray:
    """How many digits each number (0 or more) has."""
    np = numpy()
    largest = int(numbers.max()) if len(numbers) else 0
    powers = [10**n for n in range(1, len(str(largest)))]
    return np.searchsorted(np.array(powers, dtype=np.int64), numbers, side="right") + 1


def _write_digits(
    text: np.ndarray, ends: np.ndarray, numbers: np.ndarray, digits: np.ndarray
) -> None:
    """Write each number's ``digits`` digits into ``text``, the last one before ``ends``;
    two at a time, from a table of "00" to "99"."""
    np = numpy()
    pairs = np.array([[48 + n // 10, 48 + n % 10] for n in range(100)], dtype=np.uint8)
    # numpy divides unsigned 32-bit numbers by a constant many times faster than int64.
    small = not len(numbers) or int(numbers.max()) < 2**32
    at, value, left = ends - 1, numbers.astype(np.uint32 if small else np.int64), digits
    while len(value):
        quotient = value // 100
        pair = value - quotient * 100
        value = quotient
        text[at] = pairs[pair, 1]
        two = left >= 2
        text[at[two] - 1] = pairs[pair[two], 0]
        more = left > 2
        value, at, left = value[more], at[more] - 2, left[more] - 2


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
