"""Search across languages: the reader's language by default, the others on request.

A tiny site in three interface languages, with a French original, its English translation
and a Spanish machine translation of it: a search runs by default on the texts in the
reader's language (originals and translations into it), a translation found names its
original, and "All languages" (``language=all`` in the address) adds the others.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import build, page
from tests.test_search_site import compare

LANGUAGES = {"PALABRE_LANGUAGES": ["en", "fr", "es"], "PALABRE_LANGUAGE": "en"}
ORIGINAL = "2013-07-10-jumelage"
ORIGINAL_TITLE = "Le jumelage des communes"
ENGLISH_TITLE = "Twinning of municipalities"
SPANISH_TITLE = "Hermanamiento de municipios"


@pytest.fixture(scope="module")
def trilingual(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("search-languages")
    content = content_tree(root)
    write_discussion(content, "demo", languages=("fr", "en", "es"), weeks=1)
    write_contribution(
        content,
        cid=ORIGINAL,
        title=ORIGINAL_TITLE,
        body="Le jumelage entre les communes du Sahel et de Bretagne renforce la coopération.",
    )
    write_contribution(
        content,
        cid="2013-07-10-twinning",
        language="en",
        title=ENGLISH_TITLE,
        body="Twinning between towns of the Sahel and Brittany strengthens cooperation.",
        translation_of=ORIGINAL,
        translation="human",
    )
    write_contribution(
        content,
        cid="2013-07-10-hermanamiento",
        language="es",
        title=SPANISH_TITLE,
        body="El hermanamiento entre municipios del Sahel y de Bretaña refuerza la cooperación.",
        translation_of=ORIGINAL,
        translation="machine",
    )
    return content, build(content, root / "output", **LANGUAGES)


def _details(site: Path, language: str) -> list[list]:
    rows = []
    for path in sorted((site / "search" / language).glob("docs-*.json")):
        rows += json.loads(path.read_text("utf-8"))
    return rows


def test_a_translation_names_its_original_in_the_index(trilingual: tuple[Path, Path]) -> None:
    _, site = trilingual
    english = {row[2]: row for row in _details(site, "en")}
    spanish = {row[2]: row for row in _details(site, "es")}
    french = {row[2]: row for row in _details(site, "fr")}
    original = ["fr", f"demo/{ORIGINAL}/", ORIGINAL_TITLE]
    assert english[ENGLISH_TITLE][8] == [*original, 0]
    assert spanish[SPANISH_TITLE][8] == [*original, 1]  # machine-translated
    assert len(french[ORIGINAL_TITLE]) == 8  # an original carries nothing more


def test_the_language_filter_starts_at_the_readers_language(
    trilingual: tuple[Path, Path],
) -> None:
    _, site = trilingual
    for code, name in (("en", "English"), ("fr", "français"), ("es", "español")):
        select = page(site, f"{code}/search/").select_one("select#search-language")
        options = select.find_all("option")
        assert select["data-default"] == code
        first = [(o["value"], o.get("data-code")) for o in options[:2]]
        assert first == [("", code), ("all", None)]
        assert options[0].get_text(strip=True) == name
        assert sorted(o["value"] for o in options[2:]) == sorted({"en", "fr", "es"} - {code})
        assert select["aria-describedby"] == "search-language-note"
    note = page(site, "en/search/").select_one("#search-language-note").get_text(" ", strip=True)
    assert "translations into English" in note and "All languages" in note
    note = page(site, "fr/search/").select_one("#search-language-note").get_text(" ", strip=True)
    assert "traductions en anglais" not in note and "traductions en français" in note


def test_the_filters_agree_in_python_and_lunr_js(
    trilingual: tuple[Path, Path], tmp_path: Path
) -> None:
    content, site = trilingual
    queries = [
        ("twinning", {"language": "en"}),
        ("jumelage", {"language": "en"}),
        ("jumelage", {"language": "fr"}),
        ("jumelage", {}),
        ("hermanamiento", {"language": "es"}),
        ("sahel", {}),
    ]
    answer = compare(site, content, tmp_path, queries)
    found = [len(result["hits"]) for result in answer["unsplit"]]
    assert found[:5] == [1, 0, 1, 1, 1]
    assert found[5] == 3  # the original and its two translations


def _status(page_, text: str) -> None:
    expect(page_.locator("[data-search-status]")).to_have_text(text)


def test_a_translation_found_leads_to_its_original(
    browser, serve, trilingual: tuple[Path, Path]
) -> None:
    _, site = trilingual
    base = serve(site)
    page_ = browser.new_page()
    errors: list[str] = []
    page_.on("pageerror", lambda error: errors.append(str(error)))
    page_.goto(base + "en/search/?q=twinning")
    _status(page_, "1 result")
    result = page_.locator(".search-result")
    expect(result.locator(".search-result__title a")).to_have_text(ENGLISH_TITLE)
    expect(result.locator(".search-result__title a")).to_have_attribute(
        "href", base + "en/demo/2013-07-10-twinning/"
    )
    note = result.locator(".search-result__original")
    expect(note).to_have_text(f"Translation; original in French: {ORIGINAL_TITLE}")
    link = note.locator("a")
    expect(link).to_have_attribute("href", base + f"en/demo/{ORIGINAL}/")
    expect(link).to_have_attribute("hreflang", "fr")
    expect(link).to_have_attribute("lang", "fr")

    page_.goto(base + "es/search/?q=hermanamiento")
    _status(page_, "1 resultado")
    expect(page_.locator(".search-result__original")).to_have_text(
        f"Traducción automática; original en francés: {ORIGINAL_TITLE}"
    )
    assert errors == []
    page_.close()


def test_other_languages_only_on_request_and_in_the_address(
    browser, serve, trilingual: tuple[Path, Path]
) -> None:
    _, site = trilingual
    base = serve(site)
    page_ = browser.new_page()
    page_.goto(base + "en/search/")
    page_.locator("#search-q").press_sequentially("jumelage", delay=20)
    expect(page_).to_have_url(re.compile(r"\?q=jumelage$"))
    _status(page_, "No results.")

    # Keyboard only: from the box to the language filter, then "All languages".
    page_.locator("#search-language").focus()
    page_.keyboard.press("ArrowDown")
    expect(page_).to_have_url(re.compile(r"\?q=jumelage&language=all$"))
    _status(page_, "1 result")
    expect(page_.locator(".search-result__title a")).to_have_text(ORIGINAL_TITLE)
    expect(page_.locator(".search-result")).to_have_attribute("lang", "fr")
    expect(page_.locator(".search-result__original")).to_have_count(0)

    page_.reload()
    expect(page_.locator("#search-language")).to_have_value("all")
    _status(page_, "1 result")

    page_.go_back()
    expect(page_).to_have_url(re.compile(r"\?q=jumelage$"))
    expect(page_.locator("#search-language")).to_have_value("")
    _status(page_, "No results.")

    # On the French page the same word finds the original by default.
    page_.goto(base + "fr/search/?q=jumelage")
    _status(page_, "1 résultat")
    expect(page_.locator(".search-result__title a")).to_have_text(ORIGINAL_TITLE)
    page_.close()


def test_with_nothing_in_the_readers_language_every_language_is_searched(
    tmp_path: Path,
) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", languages=("fr",), weeks=1)
    write_contribution(content, cid=ORIGINAL, title=ORIGINAL_TITLE)
    site = build(content, tmp_path / "output", **LANGUAGES)
    soup = page(site, "en/search/")
    select = soup.select_one("select#search-language")
    assert select["data-default"] == ""
    assert [o["value"] for o in select.find_all("option")] == ["", "fr"]
    assert select.find("option").get_text(strip=True) == "All languages"
    assert soup.select_one("#search-language-note") is None
