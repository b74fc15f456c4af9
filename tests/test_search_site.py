"""Search on built sites: the files, parity with lunr.js, and the page in Chromium.

Parity is proven three ways on the indexes the build wrote: the Python side (the ``lunr``
package), the whole index loaded by the real lunr.js and lunr-languages (the copies the
build put in the site), and the shards loaded as the search page loads them. All three
must return the same documents in the same order with the same scores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from palabre import searchindex, shards, stemming
from palabre.loader import load_archive
from palabre.search import node_modules
from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import ROOT, SAMPLE_CONTENT, build, page
from tests.test_hostile import HOSTILE_TITLE
from tests.test_search_text import HOSTILE_QUERIES

NODE_SCRIPT = ROOT / "tests" / "js" / "search-node.js"
TERRITORIAL = "territorial-approach-2013"

QUERIES: list[tuple[str, dict[str, Any]]] = [
    (text, {})
    for text in [
        # French
        "jumelage", "coopération décentralisée", "cooperation decentralisee",
        "developpement local", "ressortissants", "l'eau", "le la les", "diaspora",
        "author:traore", "author:Traoré", "title:jumelage", "+diaspora -mali",
        "commune^3 diaspora", "jumelgae~1", "migr*", "dévelop*",
        # English
        "remittances", "local development", "twinning", "migrat*", "author:vogel",
        "title:migration", "+integration -budget", "council^2 participation", "the and of",
        "remitances~1", "author:سارة", "-twinning",
        # Spanish
        "migración", "migracion", "desarrollo local", "remesas", "municip*",
        "author:fernández", "author:fernandez", "title:desarrollo", "+diáspora -mali",
        "mancomunidades", "los las",
    ]
] + [  # filters, alone and together
    ("migration", {"discussion": TERRITORIAL}),
    ("développement", {"discussion": TERRITORIAL, "week": 2}),
    ("integration", {"week": 2}),
    ("desarrollo", {"language": "es"}),
    ("diaspora", {"discussion": TERRITORIAL, "week": 1, "language": "fr"}),
    ("-diaspora", {"discussion": TERRITORIAL, "week": 3}),
    ("migr*", {"discussion": "youth-employment-2024"}),
    ("migration", {"discussion": "no-such-discussion"}),
] + [(text, {}) for text in HOSTILE_QUERIES]  # fmt: skip


def require_node() -> str:
    node = shutil.which("node")
    if node is None:
        reason = "Node.js is not installed (apt-get install nodejs npm)"
        if os.environ.get("PALABRE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PALABRE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return node


def run_node(request: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [require_node(), str(NODE_SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@cache
def support() -> stemming.LanguageSupport:
    return stemming.LanguageSupport(node_modules() / "lunr-languages")


def python_indexes(content: Path) -> dict[str, searchindex.LanguageIndex]:
    archive = load_archive(content, 1 << 20)
    docs = searchindex.documents(archive)
    return searchindex.build_indexes(docs, support(), [d.slug for d in archive.discussions])


def python_outcome(
    indexes: dict[str, searchindex.LanguageIndex], text: str, filters: dict[str, Any]
) -> dict[str, Any]:
    outcome = searchindex.search(
        indexes,
        text,
        discussion=filters.get("discussion") or None,
        week=filters.get("week") or None,
        languages=[filters["language"]] if filters.get("language") else None,
    )
    hits = [[h.language, h.ref, h.score, list(h.terms)] for h in outcome.hits]
    return {"message": outcome.message, "hits": hits}


def compare(site: Path, content: Path, tmp: Path, queries: list[tuple[str, dict]]) -> dict:
    """Run ``queries`` on all three sides; return Node's answer after checking parity."""
    read = lambda name: (site / "search" / name).read_text(encoding="utf-8")  # noqa: E731
    indexes = python_indexes(content)
    unsplit = {}
    for language, entry in indexes.items():
        whole = shards.reassemble(read, language)
        # The build wrote exactly the index Python searches.
        assert whole == json.loads(json.dumps(entry.index.serialize())), language
        unsplit[language] = str(tmp / f"{language}.json")
        Path(unsplit[language]).write_text(json.dumps(whole), encoding="utf-8")
    answer = run_node(
        {
            "site": str(site),
            "unsplit": unsplit,
            "queries": [{"text": text, "filters": filters} for text, filters in queries],
        }
    )
    for n, (text, filters) in enumerate(queries):
        expected = python_outcome(indexes, text, filters)
        assert answer["unsplit"][n] == expected, (text, filters)
        sharded = {key: answer["sharded"][n].get(key) for key in ("message", "hits", "error")}
        assert sharded == {**expected, "error": None}, (text, filters)
    return answer


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(SAMPLE_CONTENT, tmp_path_factory.mktemp("search-sample") / "output")


@pytest.fixture(scope="module")
def scripts_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A discussion in French, Arabic and Chinese, with a hostile title."""
    root = tmp_path_factory.mktemp("search-scripts")
    content = content_tree(root)
    write_discussion(content, "demo", languages=("fr", "ar", "zh"), weeks=1)
    write_contribution(
        content,
        cid="2013-07-10-hostile",
        title=HOSTILE_TITLE,
        author="<script>alert('author')</script>",
        body=f"{HOSTILE_TITLE}\n\nUn texte sur le jumelage et </script> la coopération.",
    )
    write_contribution(
        content,
        cid="2013-07-11-arabic",
        language="ar",
        title="التنمية المحلية والهجرة",
        author="سارة بنعلي",
        body="تُسهم الجاليةُ في التنميةِ المحلية من خلال التحويلات والمشاريع المشتركة.",
    )
    write_contribution(
        content,
        cid="2013-07-12-chinese",
        language="zh",
        title="地方发展与移民",
        author="王芳",
        body="侨民通过汇款和共同项目参与地方发展。",
    )
    return content, build(content, root / "output")


# --- Files -------------------------------------------------------------------------------------


def test_the_build_writes_the_index_and_lunr(sample_site: Path) -> None:
    manifest = json.loads((sample_site / "search" / "manifest.json").read_text("utf-8"))
    assert [language["code"] for language in manifest["languages"]] == ["en", "es", "fr"]
    assert manifest["discussions"][-1] == TERRITORIAL
    for name in ("lunr.min.js", "lunr.stemmer.support.min.js", "lunr.fr.min.js", "lunr.es.min.js"):
        assert (sample_site / "theme" / "js" / "vendor" / name).is_file()
    assert (sample_site / "theme" / "js" / "search" / "engine.js").is_file()
    details = json.loads((sample_site / "search" / "fr" / "docs-000.json").read_text("utf-8"))
    assert all(not doc[1].startswith(("fr/", "en/", "es/", "/")) for doc in details)


def test_one_search_page_per_interface_language(sample_site: Path) -> None:
    for language in ("en", "fr", "es"):
        soup = page(sample_site, f"{language}/search/")
        assert soup.html["lang"] == language
        root = soup.select_one("[data-search]")
        assert root["data-page-prefix"] == f"{language}/"
        assert root["data-site-root"] == "../../"
        assert root["data-index-root"] == "../../search/"
        for script in soup.find_all("script"):
            assert not script.get_text(strip=True), "no inline script"
            assert script["src"].startswith("../../theme/js/")
        assert soup.select_one("[data-search-nojs] a")["href"] == f"../../{language}/"
        assert soup.select_one("form[data-search-form]").has_attr("hidden")
    assert page(sample_site, "search/").select_one("[data-redirect]") is not None


def test_every_page_has_a_search_box_that_needs_no_script(sample_site: Path) -> None:
    soup = page(sample_site, "fr/territorial-approach-2013/week-1/")
    form = soup.select_one("header form[role=search]")
    assert form["method"] == "get"
    assert form["action"] == "../../../fr/search/"
    assert form.select_one("input[name=q]") is not None
    assert page(sample_site, "fr/search/").select_one("header form[role=search]") is None


# --- Parity ------------------------------------------------------------------------------------


def test_pipelines_agree_word_for_word(sample_site: Path, tmp_path: Path) -> None:
    """Every word of the sample site, and odd ones, becomes the same terms in lunr.js."""
    vocabulary: set[str] = set()
    for entry in python_indexes(SAMPLE_CONTENT).values():
        for doc in entry.documents:
            vocabulary.update(f"{doc.title} {doc.author} {doc.text}".split())
    vocabulary.update(HOSTILE_QUERIES)
    vocabulary.update(["Œuvre", "İstanbul", "ΣΟΦΟΣ", "straße", "ǅemal", "ﬁn", "Ⅻ", "١٢٣", "𠀀𠀁"])
    words = sorted(vocabulary)
    answer = run_node(
        {"site": str(sample_site), "queries": [], "words": dict.fromkeys(("en", "fr", "es"), words)}
    )
    for language, terms in answer["words"].items():
        expected = [list(support().pipeline_terms(language, word.lower())) for word in words]
        mismatches = [(w, e, t) for w, e, t in zip(words, expected, terms, strict=True) if e != t]
        assert mismatches == [], language


def test_query_syntax_is_cleaned_alike(sample_site: Path) -> None:
    texts = [text for text, _ in QUERIES]
    answer = run_node({"site": str(sample_site), "queries": [], "canonical": texts})
    assert answer["canonical"] == [searchindex.canonical_query(text) for text in texts]


def test_python_lunr_js_and_shards_return_the_same(sample_site: Path, tmp_path: Path) -> None:
    answer = compare(sample_site, SAMPLE_CONTENT, tmp_path, QUERIES)
    found = {
        text: len(result["hits"])
        for (text, filters), result in zip(QUERIES, answer["unsplit"], strict=True)
        if not filters
    }
    for text in ("jumelage", "migr*", "author:traore", "title:jumelage", "migración", "jumelgae~1"):
        assert found[text] > 0, text
    assert found["cooperation decentralisee"] == found["coopération décentralisée"] > 0
    assert found["author:fernandez"] == found["author:fernández"] > 0
    assert (
        answer["unsplit"][QUERIES.index(("le la les", {}))]["message"] == ""
    )  # stop words in fr only
    assert answer["unsplit"][QUERIES.index(("~", {}))]["message"] == "empty"


def test_shards_load_only_what_a_query_needs(sample_site: Path) -> None:
    queries = [("jumelage", {}), ("jumelage", {"discussion": TERRITORIAL}), ("*tion", {})]
    answer = run_node(
        {"site": str(sample_site), "queries": [{"text": t, "filters": f} for t, f in queries]}
    )
    one_word, within, everything = (result["fetched"] for result in answer["sharded"])
    manifest = json.loads((sample_site / "search" / "manifest.json").read_text("utf-8"))
    shard_count = sum(len(language["shards"]) for language in manifest["languages"])
    assert one_word[0] == "manifest.json"
    assert len([f for f in one_word if "/shard-" in f]) == 3  # one per language
    assert all(f"/{TERRITORIAL}/shard-" in f for f in within if "/shard-" in f)
    assert len([f for f in everything if "/shard-" in f]) == shard_count  # leading wildcard


def test_other_scripts_and_hostile_titles(scripts_site: tuple[Path, Path], tmp_path: Path) -> None:
    content, site = scripts_site
    queries = [
        ("التنمية", {}), ("التنميةِ", {}), ("author:سارة", {}), ("发展", {}), ("地方发展", {}),
        ("jumelage", {}), ("onerror", {}), ("script", {}), ("img", {}), ("title:alert", {}),
    ]  # fmt: skip
    answer = compare(site, content, tmp_path, queries)
    found = [len(result["hits"]) for result in answer["unsplit"]]
    assert all(found), dict(zip([q for q, _ in queries], found, strict=True))
    details = json.loads((site / "search" / "fr" / "docs-000.json").read_text("utf-8"))
    assert [doc[2] for doc in details if doc[0] == "contribution"] == [HOSTILE_TITLE]


# --- In the browser ----------------------------------------------------------------------------


# The pages carry a Content-Security-Policy without 'unsafe-eval': the tests wait through
# locators, never through JavaScript strings evaluated in the page.


def _status(page_: Any) -> str:
    status = page_.locator("[data-search-status]")
    expect(status).to_have_text(re.compile(r"\S"))
    return status.inner_text()


def _titles(page_: Any) -> list[str]:
    return page_.locator(".search-result__title").all_inner_texts()


def _expected_titles(content: Path, text: str, **filters: Any) -> list[str]:
    indexes = python_indexes(content)
    languages = [filters.pop("language")] if "language" in filters else None
    outcome = searchindex.search(indexes, text, languages=languages, **filters)
    return [indexes[hit.language].documents[hit.ref].title for hit in outcome.hits]


def test_search_as_you_type_filter_reload_and_go_back(browser, serve, sample_site: Path) -> None:
    everything = _expected_titles(SAMPLE_CONTENT, "twinning")
    in_week = _expected_titles(SAMPLE_CONTENT, "twinning", week=1)
    assert len(everything) > len(in_week) > 0
    base = serve(sample_site)
    page_ = browser.new_page()
    errors: list[str] = []
    page_.on("pageerror", lambda error: errors.append(str(error)))
    page_.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page_.goto(base + "en/search/")
    expect(page_.locator("[data-search-nojs]")).to_be_hidden()
    expect(page_.locator("#search-q")).to_be_focused()
    page_.locator("#search-q").press_sequentially("twinning", delay=20)
    expect(page_).to_have_url(re.compile(r"\?q=twinning$"))
    expect(page_.locator("[data-search-status]")).to_have_text(f"{len(everything)} results")
    expect(page_.locator(".search-result")).to_have_count(len(everything))
    assert _titles(page_) == everything
    expect(page_.locator(".search-result__title mark").first).to_have_text(
        re.compile("twinning", re.IGNORECASE)
    )

    page_.select_option("#search-week", "1")
    expect(page_).to_have_url(re.compile(r"\?q=twinning&week=1$"))
    expect(page_.locator(".search-result")).to_have_count(len(in_week))
    assert _titles(page_) == in_week
    for meta in page_.locator(".search-result__where").all_inner_texts():
        assert "Week 1" in meta

    page_.reload()
    expect(page_.locator("#search-q")).to_have_value("twinning")
    expect(page_.locator("#search-week")).to_have_value("1")
    expect(page_.locator(".search-result")).to_have_count(len(in_week))
    assert _titles(page_) == in_week

    page_.go_back()
    expect(page_).to_have_url(re.compile(r"\?q=twinning$"))
    expect(page_.locator("#search-week")).to_have_value("")
    expect(page_.locator(".search-result")).to_have_count(len(everything))
    assert errors == []
    page_.close()


def test_keyboard_and_links(browser, serve, sample_site: Path) -> None:
    base = serve(sample_site)
    page_ = browser.new_page()
    page_.goto(base + "fr/search/?q=jumelage")
    _status(page_)
    page_.locator("#search-q").focus()
    page_.keyboard.press("ArrowDown")
    first = page_.locator(".search-result__title a").first
    expect(first).to_be_focused()
    assert first.get_attribute("href").startswith(base + "fr/territorial-approach-2013/")
    page_.keyboard.press("Escape")
    expect(page_.locator("#search-q")).to_be_focused()
    page_.goto(base + "fr/search/?q=~~")
    empty = page_.locator("[data-search-text]").get_attribute("data-empty")
    expect(page_.locator("[data-search-status]")).to_have_text(empty)
    page_.close()


def test_without_javascript_the_box_leads_to_a_note(browser, serve, sample_site: Path) -> None:
    base = serve(sample_site)
    context = browser.new_context(java_script_enabled=False)
    page_ = context.new_page()
    page_.goto(base + "es/territorial-approach-2013/")
    page_.locator("header input[name=q]").fill("remesas")
    page_.locator("header input[name=q]").press("Enter")
    page_.wait_for_url("**/es/search/?q=remesas")
    expect(page_.locator("[data-search-nojs]")).to_be_visible()
    expect(page_.locator("form[data-search-form]")).to_be_hidden()
    context.close()


def test_hostile_titles_show_as_text(browser, serve, scripts_site: tuple[Path, Path]) -> None:
    _, site = scripts_site
    base = serve(site)
    page_ = browser.new_page()
    dialogs: list[str] = []
    page_.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    search_page = "en/search/" if (site / "en" / "search").is_dir() else "search/"
    page_.goto(f"{base}{search_page}?q=onerror")
    expect(page_.locator("[data-search-status]")).to_have_text("1 result")
    assert _titles(page_) == [HOSTILE_TITLE]
    expect(page_.locator(".search__results img, .search__results script")).to_have_count(0)
    who = page_.locator(".search-result__who").inner_text()
    assert "<script>alert('author')</script>" in who
    page_.goto(f"{base}{search_page}?q=地方发展")
    expect(page_.locator("[data-search-status]")).to_have_text("1 result")
    assert _titles(page_) == ["地方发展与移民"]
    assert page_.locator(".search-result").get_attribute("lang") == "zh"
    assert dialogs == []
    page_.close()
