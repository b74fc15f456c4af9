"""How the search index is built: fast, and the same as the plain way, bit for bit.

The build computes lunr's weights with numpy, writes the index files with numpy, keeps
each language's postings between builds and, on a rebuild, reads again only the texts
that changed. Each of these is checked here against a plain reference: a loop over
lunr's formula (test_search_weights.py checks it against lunr's own builder), a JSON
encoder of the postings one term at a time (what Palabre did before), and an index built
from nothing. Whole builds through Pelican are in test_search_rebuild.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
import re
import sys
import unicodedata
from bisect import bisect_left
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from palabre import searchindex, shards, stemming
from palabre.loader import load_archive
from palabre.search import node_modules
from tests.factories import content_tree, write_contribution, write_discussion, write_summary
from tests.sites import SAMPLE_CONTENT

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from synthetic import write_archive

np = searchindex.numpy()


@cache
def support() -> stemming.LanguageSupport:
    return stemming.LanguageSupport(node_modules() / "lunr-languages")


# --- Plain references ------------------------------------------------------------------------


def loop_weights(
    counts: list[searchindex.FieldCounts], boosts: tuple[int, ...] = searchindex.BOOSTS
) -> dict[tuple[str, int, int], float]:
    """lunr.Builder's scores, one posting at a time: (term, field, ref) -> round(score, 3)."""
    count = len(counts)
    lengths = [0] * len(boosts)
    with_term: Counter[str] = Counter()
    for per_field in counts:
        for f, (terms, frequencies) in enumerate(per_field):
            lengths[f] += sum(frequencies)
            with_term.update(terms)
    average = [length / count for length in lengths]
    idf = {t: math.log(1 + abs((count - n + 0.5) / (n + 0.5))) for t, n in with_term.items()}
    scores = {}
    for ref, per_field in enumerate(counts):
        for f, (terms, frequencies) in enumerate(per_field):
            length = sum(frequencies)
            for term, tf in zip(terms, frequencies, strict=True):
                norm = searchindex.K1 * (1 - searchindex.B + searchindex.B * (length / average[f]))
                score = idf[term] * ((searchindex.K1 + 1) * tf) / (norm + tf)
                score *= boosts[f]
                scores[(term, f, ref)] = round(score, 3)
    return scores


def plain_files(
    indexes: dict[str, searchindex.LanguageIndex],
    discussions: list[str],
    shard_bytes: int = shards.SHARD_BYTES,
    chunk: int = shards.DOCUMENTS_PER_CHUNK,
) -> dict[str, str]:
    """The files of ``search/`` written one term at a time with ``json.dumps``."""

    def encode(row: list[list[tuple[int, int]]]) -> list[list[int]]:
        fields = []
        for pairs in row:
            flat, previous = [], 0
            for ref, score in pairs:
                flat += [ref - previous, score]
                previous = ref
            fields.append(flat)
        return fields

    dumps = searchindex.dumps
    files: dict[str, str] = {}
    languages = []
    for language, entry in indexes.items():
        table = [
            [[(ref, round(score * 1000)) for ref, score in pairs] for pairs in posting]
            for posting in entry.postings
        ]
        rows = [dumps(encode(row)) for row in table]
        starts, size = [0], 0
        for n, (term, row) in enumerate(zip(entry.terms, rows, strict=True)):
            if size >= shard_bytes:
                starts.append(n)
                size = 0
            size += len(dumps(term)) + len(row) + 2
        starts = starts if rows else []
        places = [(doc.discussion, doc.week) for doc in entry.documents]
        runs = shards.groups(places, discussions)
        ranges: dict[str, tuple[int, int]] = {}
        ref = 0
        for number, _week, count in runs:
            low, _ = ranges.get(discussions[number], (ref, ref))
            ranges[discussions[number]] = (low, ref + count)
            ref += count
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(rows)
            name = f"shard-{number:03d}.json"
            terms = entry.terms[start:end]
            postings = json.loads(f"[{','.join(rows[start:end])}]")
            files[f"{language}/{name}"] = dumps({"postings": postings, "terms": terms})
            files[f"{language}/terms-{number:03d}.json"] = dumps(terms)
            for slug, (low, high) in ranges.items():
                part = []
                for row in table[start:end]:
                    kept = [[(r, s) for r, s in pairs if low <= r < high] for pairs in row]
                    part.append(encode(kept) if any(kept) else 0)
                files[f"{language}/{slug}/{name}"] = dumps({"postings": part})
        for number in range(0, len(entry.documents), chunk):
            files[f"{language}/docs-{number // chunk:03d}.json"] = dumps(
                [searchindex.result_row(doc) for doc in entry.documents[number : number + chunk]]
            )
        languages.append(
            {
                "code": language, "pipeline": entry.pipeline.serialize(),
                "documents": len(entry.documents), "terms": len(entry.terms), "groups": runs,
                "shards": [[entry.terms[start], start] for start in starts],
            }
        )  # fmt: skip
    files[shards.MANIFEST] = shards.manifest(languages, discussions, chunk)
    return files


def unicodedata_word_ranges() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Runs of letters, marks and digits, code point by code point (Palabre's first way)."""
    bmp: list[tuple[int, int]] = []
    astral: list[tuple[int, int]] = []
    start = previous = None
    codes = itertools.chain(range(0x40000), range(0xE0000, 0xF0000), [sys.maxunicode + 1])
    for code in codes:
        word = (
            code <= sys.maxunicode
            and not stemming.BMP_EXCLUDED[0] <= code <= stemming.BMP_EXCLUDED[1]
            and not 0xD800 <= code <= 0xDFFF
            and unicodedata.category(chr(code))[0] in "LMN"
        )
        if start is not None and (not word or code in (0x10000, 0xE0000)):
            (bmp if start < 0x10000 else astral).append((start, previous))
            start = None
        if word and start is None:
            start = code
        previous = code
    return bmp, astral


# --- Words, weights, rounding ----------------------------------------------------------------


@cache
def one_regex() -> re.Pattern[str]:
    """Every letter, mark and digit in one character class (Palabre's first way to cut)."""
    bmp, astral = unicodedata_word_ranges()
    classes = stemming._ranges_class
    return re.compile(f"[{classes(bmp)}]+|[{classes(astral)}]")


def cut_by_one_regex(text: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", text).lower()
    found: list[str] = []
    for run in one_regex().findall(normal):
        if len(run) == 1:
            found.append(run)
            continue
        for pairs, plain in stemming._unsegmented().findall(run):
            if plain:
                found.append(plain)
            elif len(pairs) == 1:
                found.append(pairs)
            else:
                found.extend(pairs[i : i + 2] for i in range(len(pairs) - 1))
    return found


def test_words_are_cut_where_one_regex_of_unicodedata_cuts() -> None:
    bmp, astral = unicodedata_word_ranges()
    expected = bytearray(sys.maxunicode + 1)
    for first, last in bmp + astral:
        expected[first : last + 1] = b"\x01" * (last - first + 1)
    found = bytes(map(stemming.is_word_character, map(chr, range(sys.maxunicode + 1))))
    assert found == bytes(expected)
    rng = random.Random(11)
    # Every kind of character a text may hold, the odd ones often.
    pool = [chr(code) for first, last in bmp[:40] + astral[:10] for code in (first, last)]
    pool += [*" \t\n-'.,;:!?", *"éèàçœßıİǅ", "\u0301", "\u064b", "\ue000", "\uffff"]
    pool += [*"地方发展ไทยカタカナ한국어", "𠀀", "🙂", "𝐦", "\U000e0100", "\U000f0000", "٣", "Ⅻ"]
    texts = ["", "Développement 地方发展 ٣ x\ue000y", "a𠀀b 𝐦𝐢𝐠 🙂 e\u0301", "ＭＩＧＲ Ⅻ ﬁne"]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randrange(1, 30))) for _ in range(3000)]
    for text in texts:
        assert stemming.words(text) == cut_by_one_regex(text), text


def test_rounding_is_pythons() -> None:
    rng = random.Random(7)
    scores = [rng.uniform(0, 50) for _ in range(20_000)]
    for k in range(0, 200_000, 997):  # a hair either side of every kind of half
        half = (k + 0.5) / 1000
        scores += [half, math.nextafter(half, 0), math.nextafter(half, math.inf)]
    scores += [n / 16 for n in range(1, 400, 2)]  # exactly halfway in thousandths
    found = searchindex.round_thousandths(np.array(scores, dtype=np.float64))
    assert found.tolist() == [round(round(score, 3) * 1000) for score in scores]


def synthetic_counts(seed: int, documents: int) -> list[searchindex.FieldCounts]:
    """Term counts with the shapes real ones have: empty fields, shared and rare terms."""
    rng = random.Random(seed)
    vocabulary = [f"t{n:03d}{'é' if n % 7 == 0 else ''}" for n in range(300)]
    counts = []
    for _ in range(documents):
        per_field = []
        for f in range(searchindex.FIELD_COUNT):
            size = rng.choice([0, 1, 3]) if f < 4 else rng.choice([0, 5, 40, 120])
            drawn = Counter(vocabulary[int(rng.paretovariate(1.2)) % 300] for _ in range(size))
            per_field.append((tuple(drawn), tuple(drawn.values())))
        counts.append(tuple(per_field))
    return counts


@pytest.mark.parametrize(("seed", "documents"), [(1, 1), (2, 7), (3, 400)])
def test_weights_are_the_loops(seed: int, documents: int) -> None:
    counts = synthetic_counts(seed, documents)
    expected = loop_weights(counts)
    terms, postings = searchindex.build_from_counts(counts)
    assert terms == sorted({term for term, _, _ in expected})
    found = {
        (terms[n], f, ref): score
        for n, posting in enumerate(postings)
        for f, pairs in enumerate(posting)
        for ref, score in pairs
    }
    assert found == expected
    assert all(
        [ref for ref, _ in pairs] == sorted(ref for ref, _ in pairs)
        for posting in postings
        for pairs in posting
    )


# --- Columns kept between builds -------------------------------------------------------------


def assert_same_columns(found: searchindex.Columns, expected: searchindex.Columns) -> None:
    assert found.terms == expected.terms
    for name in ("term", "field", "ref", "tf", "lengths"):
        assert getattr(found, name).tolist() == getattr(expected, name).tolist(), name
        assert getattr(found, name).dtype == getattr(expected, name).dtype, name


@pytest.mark.parametrize("seed", range(12))
def test_updated_columns_are_columns_built_anew(seed: int) -> None:
    """Documents dropped, changed, added and moved: the columns a build from nothing makes."""
    rng = random.Random(seed)
    documents = synthetic_counts(seed, rng.choice([1, 5, 60]))
    columns = searchindex.Columns.build(documents)
    for _ in range(4):
        # Each document is kept (maybe moved), dropped or replaced; new ones come in.
        new = synthetic_counts(rng.randrange(1000), 30)
        kept = [(old, doc) for old, doc in enumerate(documents) if rng.random() < 0.8]
        if rng.random() < 0.3:
            rng.shuffle(kept)  # a reordering: discussions sorted anew
        order: list[tuple[int, Any]] = [
            (old, doc) if rng.random() < 0.9 else (-1, new.pop()) for old, doc in kept
        ]
        for _ in range(rng.choice([0, 1, 5])):
            order.insert(rng.randrange(len(order) + 1), (-1, new.pop()))
        if not order:
            order = [(-1, new.pop())]
        ref_map = [-1] * len(documents)
        added = {}
        for ref, (old, doc) in enumerate(order):
            if old >= 0:
                ref_map[old] = ref
            else:
                added[ref] = doc
        documents = [doc for _, doc in order]
        columns = columns.update(ref_map, added, len(documents))
        assert_same_columns(columns, searchindex.Columns.build(documents))
        state = searchindex.Columns.from_state(columns.state())
        assert_same_columns(state, columns)


def test_columns_from_a_damaged_state_are_refused() -> None:
    columns = searchindex.Columns.build(synthetic_counts(4, 20))
    state = columns.state()
    for damage in (
        {"term": state["term"][:-4]},
        {"ref": np.full(len(columns.ref), 10_000, dtype=np.int32).tobytes()},
        {"terms": state["terms"][:-1]},
        {"lengths": state["lengths"][:-8]},
    ):
        with pytest.raises(ValueError):
            searchindex.Columns.from_state({**state, **damage})


# --- Index files -----------------------------------------------------------------------------


def hostile_archive(tmp_path: Path) -> Path:
    """Three languages, a text with no term at all, odd titles, a translation, a reply."""
    content = content_tree(tmp_path)
    write_discussion(content, "demo", languages=("fr", "en", "es", "zh"), weeks=2)
    write_discussion(content, "other", languages=("fr", "en"), weeks=1, opens="2014-01-06",
                     closes="2014-02-01")  # fmt: skip
    write_contribution(content, cid="2013-07-10-a", title='"><b>\\ "quoted"', body="Les les.")
    write_contribution(
        content, cid="2013-07-11-b", language="en", title="Twinning", author="B",
        body="Twinning towns. " * 30, translation_of="2013-07-10-a", translation="machine",
    )  # fmt: skip
    write_contribution(content, cid="2013-07-12-c", language="zh", title="地方发展", author="王",
                       body="侨民通过汇款和共同项目参与地方发展。𠀀")  # fmt: skip
    write_contribution(content, "other", 1, "2014-01-08-d", title="Eau", author="D",
                       date=dt.date(2014, 1, 8), body="L'eau 3x1 2013-07-10 " * 5)  # fmt: skip
    write_summary(content, "demo", "en", "## Week 1\n\nA synthesis [@2013-07-11-b].\n")
    return content


@pytest.mark.parametrize("shard_bytes", [1, 300, 4000, shards.SHARD_BYTES])
def test_the_files_are_those_json_dumps_writes(shard_bytes: int, tmp_path: Path) -> None:
    for content in (SAMPLE_CONTENT, hostile_archive(tmp_path)):
        archive = load_archive(content, 1 << 20)
        slugs = [d.slug for d in archive.discussions]
        indexes = searchindex.build_indexes(searchindex.documents(archive), support(), slugs)
        expected = plain_files(indexes, slugs, shard_bytes)
        assert shards.search_files(indexes, slugs, shard_bytes=shard_bytes) == expected


def test_the_files_of_a_larger_archive_are_those_json_dumps_writes(tmp_path: Path) -> None:
    write_archive(tmp_path, 240, seed=17, discussions=5)
    archive = load_archive(tmp_path, 1 << 20)
    slugs = [d.slug for d in archive.discussions]
    indexes = searchindex.build_indexes(searchindex.documents(archive), support(), slugs)
    for shard_bytes in (2000, shards.SHARD_BYTES):
        expected = plain_files(indexes, slugs, shard_bytes)
        assert shards.search_files(indexes, slugs, shard_bytes=shard_bytes) == expected


# --- Reading again only what changed ---------------------------------------------------------


def indexed(content: Path, previous: dict[str, searchindex.KeptIndex]) -> tuple[dict, int]:
    archive = load_archive(content, 1 << 20)
    by_language: dict[str, list[searchindex.Source]] = {}
    for source in searchindex.sources(archive):
        by_language.setdefault(source.language, []).append(source)
    kept, read = {}, 0
    for language, group in by_language.items():
        group.sort(key=lambda source: source.order)
        kept[language], count = searchindex.index_language(previous.get(language), group, support())
        read += count
    return kept, read


def assert_same_index(found: searchindex.KeptIndex, expected: searchindex.KeptIndex) -> None:
    assert found.keys == expected.keys
    assert found.rows == expected.rows
    assert_same_columns(found.columns(), expected.columns())


def test_a_rebuild_reads_only_the_texts_that_changed(tmp_path: Path) -> None:
    content = hostile_archive(tmp_path)
    kept, read = indexed(content, {})
    assert read == 11  # 6 calls, a reply and 4 contributions
    again, read = indexed(content, kept)
    assert read == 0
    assert all(again[language] is kept[language] for language in kept)

    week_1 = content / "discussions" / "demo" / "contributions" / "week-1"
    edited = week_1 / "2013-07-11-b.md"
    edited.write_text(edited.read_text("utf-8") + "\nAnd rivers.\n", "utf-8")
    write_contribution(content, cid="2013-07-09-e", language="en", title="First", author="E",
                       body="An earlier text, in English, about rivers.")  # fmt: skip
    (week_1 / "2013-07-12-c.md").unlink()  # the only contribution in Chinese
    moved = week_1 / "2013-07-10-a.md"  # its translation names it: read again too
    text = moved.read_text("utf-8")
    moved.write_text(text.replace('language: "fr"', 'language: "es"'), "utf-8")
    after, read = indexed(content, kept)
    assert read == 3  # the one edited, the one added, the one now in Spanish
    moves = {code: len(after[code].keys) - len(kept[code].keys) for code in after}
    assert moves == {"fr": -1, "en": 1, "es": 1, "zh": -1}
    fresh, _ = indexed(content, {})
    for language in fresh:
        assert_same_index(after[language], fresh[language])


def test_a_damaged_kept_index_is_read_again(tmp_path: Path) -> None:
    content = hostile_archive(tmp_path)
    kept, _ = indexed(content, {})
    damaged = {
        language: searchindex.KeptIndex(
            [*index.keys[:-1], ("nothing",)], index.rows, {**index.columns_state, "term": b"x"}
        )
        for language, index in kept.items()
    }
    again, read = indexed(content, damaged)
    assert read == sum(len(index.keys) for index in kept.values())
    for language in kept:
        assert_same_index(again[language], kept[language])


def test_texts_are_known_by_their_file() -> None:
    archive = load_archive(SAMPLE_CONTENT, 1 << 20)
    found = searchindex.sources(archive)
    contributions = [s for s in found if s.key[2] == "contribution"]
    assert contributions
    for source in contributions:  # a digest of its text stands for it
        assert any(str(part).startswith(("file:", "latin-1:", "utf-8:")) for part in source.key)
    assert len({s.key for s in found}) == len(found)
    assert [s.make() for s in found] == searchindex.documents(archive)


def test_the_vocabulary_stays_sorted_as_python_sorts() -> None:
    """New terms go where ``sorted`` puts them (code points, not lunr.js's UTF-16 order)."""
    old = [{"ab": 1}, {"é": 2}]
    counts = [((tuple(d), tuple(d.values())),) * 5 for d in old]
    columns = searchindex.Columns.build(counts)
    new = ((("\U0001f600", "z", "ab"), (1, 1, 1)),) * 5
    updated = columns.update([0, 1], {2: new}, 3)
    assert updated.terms == sorted({"ab", "é", "z", "\U0001f600"})
    assert bisect_left(updated.terms, "z") == updated.terms.index("z")
