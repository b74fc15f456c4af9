"""Search's pure parts: words, accents, stemming, query syntax, the index and its shards.

What the browser does with the same inputs is checked in test_search_site.py.
"""

from __future__ import annotations

import json
from functools import cache

import pytest
from lunr.builder import Builder

from palabre import searchindex, shards, stemming
from palabre.loader import load_archive
from palabre.search import node_modules
from palabre.searchindex import canonical_query, search
from tests.sites import SAMPLE_CONTENT

# Query texts that must never raise, anywhere: lunr syntax out of place, quotes, brackets,
# control characters, other scripts, very long input.
HOSTILE_QUERIES = [
    "~", ":", "^", '"', "(", ")", "((", "[", "]", "{}", "\\", "'", "*", "**", "+", "-", "--x",
    "+-", "title:", "author:", "title:~1", "foo^", "foo^x", "foo~", "foo~x", "a:b:c", ":::",
    "^^2", "~~1", "+title:*", "migr*~1", "*tion", "é*", '"migration development"',
    "(migration OR development)", "migration AND -", "\x00\x01", "\u2028", "\ufeff", "🙂",
    "—", "…", "  ", "\t", "x" * 500, "a " * 100, "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "title:<b>", "\ue000", "𝐦𝐢𝐠𝐫𝐚𝐭𝐢𝐨𝐧", "ＭＩＧＲＡＴＩＯＮ",
    "l'eau", "c'est-à-dire", "3x1", "2013-07-10", "mi-gra-tion", "-mali", "+",
]  # fmt: skip


@cache
def support() -> stemming.LanguageSupport:
    return stemming.LanguageSupport(node_modules() / "lunr-languages")


@cache
def sample_indexes() -> dict[str, searchindex.LanguageIndex]:
    archive = load_archive(SAMPLE_CONTENT, 1 << 20)
    docs = searchindex.documents(archive)
    return searchindex.build_indexes(docs, support(), [d.slug for d in archive.discussions])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'eau, le Développement", ["l", "eau", "le", "développement"]),
        ("socio-économique/local", ["socio", "économique", "local"]),
        ("ﬁne ＭＩＧＲ Ⅻ", ["fine", "migr", "xii"]),  # NFKC: ligature, full width, numeral
        ("地方发展", ["地方", "方发", "发展"]),  # Chinese: overlapping pairs
        ("水", ["水"]),
        ("مَرْحَبًا بكم", ["مَرْحَبًا", "بكم"]),  # Arabic kept as words
        ("a𠀀b", ["a", "𠀀", "b"]),  # beyond the BMP: a word of its own
        ("x\ue000y", ["x", "y"]),  # private use: never part of a word
        ("3x1 2013-07-10", ["3x1", "2013", "07", "10"]),
        ("<script>alert(1)</script>", ["script", "alert", "1", "script"]),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert stemming.words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Développement", "Developpement"),
        ("migración", "migracion"),
        ("allô cœur Œuvre", "allo coeur Œuvre"),  # only lower case: the pipeline lowers first
        ("straße", "strasse"),
        ("مَرْحَبًا", "مرحبا"),
        ("naïve", "naive"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert stemming.fold(text) == expected


@pytest.mark.parametrize(
    ("word", "stem"),
    # lunr.js's own results (lunr.stemmer, 2.3.9); the lunr package gives "boi" for "boy".
    [("boy", "boy"), ("boys", "boy"), ("cry", "cri"), ("generalizations", "gener"),
     ("oscillators", "oscil"), ("relational", "relat"), ("happiness", "happi"), ("sky", "ski"),
     ("yes", "ye"), ("agreed", "agre"), ("hopping", "hop"), ("running", "run")],
)  # fmt: skip
def test_english_stemmer_is_lunr_js(word: str, stem: str) -> None:
    assert stemming.porter_lunr(word) == stem


@pytest.mark.parametrize(
    ("language", "variants"),
    [
        ("fr", ["développement", "developpement", "DÉVELOPPEMENT", "Développements"]),
        ("es", ["migración", "migracion", "migraciones", "MIGRACIÓN"]),
        ("fr", ["allô", "allo"]),
        ("en", ["naïve", "naive"]),
        ("ar", ["مَرْحَبًا", "مرحبا"]),
    ],
)
def test_accents_do_not_matter(language: str, variants: list[str]) -> None:
    found = {support().word_terms(language, word.lower()) for word in variants}
    assert len(found) == 1, found


def test_stop_words_come_from_lunr_languages() -> None:
    assert support().word_terms("fr", "les") == ()
    assert support().word_terms("es", "los") == ()
    assert support().word_terms("en", "the") == ()
    assert support().word_terms("fr", "the") != ()  # each language its own list


def test_fast_terms_match_the_pipeline() -> None:
    """``word_terms`` (used to build) gives what lunr's ``Pipeline.run`` (queries) gives."""
    vocabulary: set[str] = set()
    for entry in sample_indexes().values():
        for doc in entry.documents:
            vocabulary.update(f"{doc.title} {doc.author} {doc.text}".lower().split())
    vocabulary.update(q.lower() for q in HOSTILE_QUERIES)
    assert len(vocabulary) > 3000
    for language in ("fr", "es", "en", "ar"):
        for word in sorted(vocabulary):
            expected = support().pipeline_terms(language, word)
            assert support().word_terms(language, word) == expected, (language, word)


def test_index_is_what_lunrs_own_builder_makes() -> None:
    """The fast builder gives lunr's postings and scores, to the last digit."""
    for language, entry in sample_indexes().items():
        builder = Builder()
        builder.ref("ref")
        for name, boost in searchindex.FIELDS:
            builder.field(name, boost=boost)
        builder.pipeline.add(*support().pipeline(language)._stack)
        for ref, doc in enumerate(entry.documents):
            builder.add(
                {"ref": str(ref), "title": doc.title, "author": doc.author,
                 "organisation": doc.organisation, "country": doc.country, "body": doc.text}
            )  # fmt: skip
        theirs = builder.build()
        names = {posting["_index"]: term for term, posting in theirs.inverted_index.items()}
        assert sorted(theirs.inverted_index) == entry.terms
        for field_ref, vector in theirs.field_vectors.items():
            elements = vector.elements
            scores = {names[elements[i]]: elements[i + 1] for i in range(0, len(elements), 2)}
            ours = entry.index.field_vectors[field_ref].elements
            assert scores == {entry.terms[ours[i]]: ours[i + 1] for i in range(0, len(ours), 2)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Migration  Développement", "migration développement"),
        ("migr*", "migr*"),
        ("Dévelop*", "develop*"),  # wildcards skip the pipeline: folded here
        ("author:Traoré", "author:traoré"),
        ("auteur:traore", "auteur traore"),  # not a field: two words
        ("+diaspora -mali", "+diaspora -mali"),
        ("socio-économique", "socio économique"),
        ("jumelage^3 diaspra~1 x~9 y^0", "jumelage^3 diaspra~1 x~2 y"),
        ("migr*~1", "migr*"),
        ('"exact phrase" (or) [not]', "exact phrase or not"),
        ("~ : ^ * + - ( ) \\", ""),
        ("title:~1", ""),
        ("a:b:c", "a b c"),
        ("l'eau", "l eau"),
        ("ＭＩＧＲＡＴＩＯＮ", "migration"),
    ],
)
def test_canonical_query(text: str, expected: str) -> None:
    assert canonical_query(text) == expected


def test_canonical_query_is_bounded() -> None:
    assert len(canonical_query("word " * 100).split()) == searchindex.MAX_CLAUSES


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_any_query_text_is_answered(text: str) -> None:
    outcome = search(sample_indexes(), text)
    assert outcome.message in ("", "empty", "stopwords")
    assert all(hit.score >= 0 for hit in outcome.hits)


def test_searches_find_what_they_should() -> None:
    indexes = sample_indexes()

    def titles(text: str, **filters: object) -> list[str]:
        outcome = search(indexes, text, **filters)
        return [indexes[h.language].documents[h.ref].title for h in outcome.hits]

    assert titles("title:jumelage") == ["Le jumelage comme cadre de coopération"]
    assert "Le jumelage comme cadre de coopération" in titles("author:traore")
    assert titles("jumelage", languages=["es"]) == []
    assert titles("developpement") == titles("développement")
    assert search(indexes, "le la les", languages=["fr"]).message == "stopwords"
    assert search(indexes, "?!").message == "empty"
    everything = titles("développement")
    in_week = titles("développement", discussion="territorial-approach-2013", week=2)
    assert in_week and set(in_week) < set(everything)


def test_shards_hold_the_whole_index() -> None:
    indexes = sample_indexes()
    slugs = [d.slug for d in load_archive(SAMPLE_CONTENT, 1 << 20).discussions]
    files = shards.search_files(indexes, slugs, shard_bytes=4000)
    manifest = json.loads(files[shards.MANIFEST])
    for language, entry in indexes.items():
        whole = json.loads(json.dumps(entry.index.serialize()))
        assert shards.reassemble(files.__getitem__, language) == whole
        info = next(i for i in manifest["languages"] if i["code"] == language)
        assert len(info["shards"]) > 1
        # Each discussion's parts, together, are the whole postings.
        for number in range(len(info["shards"])):
            name = f"shard-{number:03d}.json"
            full = json.loads(files[f"{language}/{name}"])
            assert json.loads(files[f"{language}/terms-{number:03d}.json"]) == full["terms"]
            in_parts = sum(
                len(field)
                for slug in slugs
                if f"{language}/{slug}/{name}" in files
                for row in json.loads(files[f"{language}/{slug}/{name}"])["postings"]
                if row
                for field in row
            )
            assert in_parts == sum(len(field) for row in full["postings"] for field in row)


def test_index_files_are_plain_json_whatever_the_titles() -> None:
    doc = searchindex.SearchDocument(
        kind="contribution", discussion="demo", week=1, language="fr", id="x", url="demo/x/",
        date="2013-07-10", title='"><img src=x onerror=alert(1)></script>', author="</script>",
        organisation="", country="", text="texte", excerpt="</script><!--",
    )  # fmt: skip
    indexes = searchindex.build_indexes([doc], support(), ["demo"])
    files = shards.search_files(indexes, ["demo"])
    details = json.loads(files["fr/docs-000.json"])
    assert details[0][2] == '"><img src=x onerror=alert(1)></script>'
