"""The index from cached term counts is lunr's own, byte for byte.

``searchindex.build_from_counts`` recomputes only what depends on the whole corpus (lunr's
BM25 weights); here lunr's ``Builder`` indexes the same documents from their text, and
the serialised indexes must be the same JSON bytes: with lunr's own term numbering, and,
renumbered in sorted order, the index the site ships.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pytest
from lunr.builder import Builder
from lunr.index import Index

from palabre import searchindex, stemming
from palabre.loader import load_archive
from palabre.search import node_modules
from tests.sites import SAMPLE_CONTENT

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from synthetic import write_archive

Document = searchindex.SearchDocument


@cache
def support() -> stemming.LanguageSupport:
    return stemming.LanguageSupport(node_modules() / "lunr-languages")


def serialised(index: Index) -> bytes:
    return json.dumps(index.serialize(), ensure_ascii=False, sort_keys=False).encode("utf-8")


def lunrs_own(docs: list[searchindex.SearchDocument], language: str) -> Index:
    builder = Builder()
    builder.ref("ref")
    for name, boost in searchindex.FIELDS:
        builder.field(name, boost=boost)
    builder.pipeline.add(*support().pipeline(language)._stack)
    builder.search_pipeline.add(*support().pipeline(language)._stack)
    for ref, doc in enumerate(docs):
        values = searchindex.field_values(doc)
        builder.add({"ref": str(ref), **dict(zip(searchindex.FIELD_NAMES, values, strict=True))})
    return builder.build()


def renumbered(index: Index) -> Index:
    """``index`` with its terms numbered in sorted order (what ``LanguageIndex`` ships)."""
    terms = sorted(index.inverted_index)
    number = {index.inverted_index[term]["_index"]: n for n, term in enumerate(terms)}
    for posting in index.inverted_index.values():
        posting["_index"] = number[posting["_index"]]
    for vector in index.field_vectors.values():
        pairs = sorted(
            (number[vector.elements[i]], vector.elements[i + 1])
            for i in range(0, len(vector.elements), 2)
        )
        vector.elements = [value for pair in pairs for value in pair]
    return index


def assert_same_as_lunr(docs: list[searchindex.SearchDocument]) -> int:
    indexes = searchindex.build_indexes(docs, support(), sorted({d.discussion for d in docs}))
    assert indexes
    for language, entry in indexes.items():
        counts = [searchindex.document_terms(doc, support()) for doc in entry.documents]
        theirs = lunrs_own(entry.documents, language)
        terms, postings = searchindex.build_from_counts(counts, numbering="lunr")
        ours = searchindex.lunr_index(terms, postings, len(counts), support().pipeline(language))
        assert serialised(ours) == serialised(theirs), language
        # serialize() rounds again: the values themselves, before it, are the same floats.
        assert {r: v.elements for r, v in ours.field_vectors.items()} == {
            r: v.elements for r, v in theirs.field_vectors.items()
        }
        assert {t: p["_index"] for t, p in ours.inverted_index.items()} == {
            t: p["_index"] for t, p in theirs.inverted_index.items()
        }
        assert serialised(entry.index) == serialised(renumbered(theirs)), language
    return len(indexes)


def test_the_sample_site_is_indexed_as_lunr_does() -> None:
    archive = load_archive(SAMPLE_CONTENT, 1 << 20)
    assert assert_same_as_lunr(searchindex.documents(archive)) >= 3


@pytest.mark.parametrize(("total", "seed"), [(1, 5), (13, 11), (90, 2013)])
def test_synthetic_archives_are_indexed_as_lunr_does(total: int, seed: int, tmp_path: Path) -> None:
    write_archive(tmp_path, total, seed=seed, discussions=min(total, 2))
    archive = load_archive(tmp_path, 1 << 20)
    assert assert_same_as_lunr(searchindex.documents(archive)) >= 1


def test_edge_cases_are_indexed_as_lunr_does() -> None:
    def doc(
        n: int, language: str, title: str, text: str, **extra: str
    ) -> searchindex.SearchDocument:
        values = {"author": "", "organisation": "", "country": "", **extra}
        return searchindex.SearchDocument(
            kind="contribution", discussion="demo", week=1, language=language, id=f"d{n:02d}",
            url=f"demo/d{n:02d}/", date="2013-07-10", title=title, text=text, excerpt="",
            **values,
        )  # fmt: skip

    docs = [
        doc(0, "fr", "", ""),  # nothing at all
        doc(1, "fr", "Les", "les la le"),  # only stop words
        doc(2, "fr", "Migration", "migration " * 40, author="Migration Migrante"),
        doc(3, "fr", "Développement", "developpement développement DÉVELOPPEMENT"),
        doc(4, "fr", "x", "x", organisation="x", country="x", author="x"),
        doc(5, "en", "Only one", "a lone English text, with a hyphen-ated word"),
        doc(6, "zh", "地方发展", "地方发展 水 水 水"),
        doc(7, "fr", "socio-économique", "l'eau, c'est-à-dire: 3x1 2013-07-10"),
    ]
    assert assert_same_as_lunr(docs) == 3
