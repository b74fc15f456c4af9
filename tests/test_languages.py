"""A tiny site in three interface languages: pages, lang, hreflang, switcher, fallbacks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from palabre.model import SettingsError
from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import build, html_files, page, target

LANGUAGES = ["en", "fr", "es"]
TRILINGUAL = {"PALABRE_LANGUAGES": LANGUAGES, "PALABRE_LANGUAGE": "en"}


def write_trilingual_site(tmp_path: Path) -> Path:
    content = content_tree(tmp_path)
    # "demo" has every text in French and English only: Spanish readers get fallbacks.
    write_discussion(content, "demo", languages=("fr", "en"), weeks=1)
    write_discussion(content, "arabe", languages=("ar", "fr"), weeks=1, title={"ar": "نقاش"})
    write_contribution(content, cid="2013-07-09-original", date="2013-07-09", title="Original")
    write_contribution(
        content,
        cid="2013-07-10-original-en",
        date="2013-07-10",
        language="en",
        title="Original (machine translated)",
        translation_of="2013-07-09-original",
        translation="machine",
    )
    write_contribution(
        content,
        "arabe",
        cid="2013-07-09-salam",
        date="2013-07-09",
        language="ar",
        title="مرحبا",
        author="سارة بنعلي",
    )
    pages = content / "pages"
    pages.mkdir()
    (pages / "about.md").write_text("Title: About\nSlug: about\nLang: en\n\nHello.\n")
    (pages / "about.fr.md").write_text("Title: À propos\nSlug: about\nLang: fr\n\nBonjour.\n")
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trilingual")
    return build(write_trilingual_site(root), root / "output", **TRILINGUAL)


def test_every_page_exists_in_every_language_with_its_lang(site: Path) -> None:
    english = {p.relative_to(site / "en").as_posix() for p in (site / "en").rglob("index.html")}
    assert len(english) >= 10
    for language in LANGUAGES:
        for path in english:
            soup = page(site, f"{language}/{path.removesuffix('index.html')}")
            assert soup.html["lang"] == language, (language, path)


def test_switcher_and_hreflang_lead_to_the_same_page_in_each_language(site: Path) -> None:
    here = "fr/demo/week-1/"
    soup = page(site, here)
    switcher = {a["hreflang"]: target(here, a["href"]) for a in soup.select(".language-switcher a")}
    assert switcher == {code: f"{code}/demo/week-1/" for code in LANGUAGES}
    assert soup.select_one('.language-switcher a[aria-current="true"]')["hreflang"] == "fr"
    alternates = {
        link["hreflang"]: target(here, link["href"])
        for link in soup.select('link[rel="alternate"][hreflang]')
    }
    assert alternates == {
        "en": "en/demo/week-1/",
        "fr": "fr/demo/week-1/",
        "es": "es/demo/week-1/",
        "x-default": "demo/week-1/",
    }
    names = [a.get_text() for a in soup.select(".language-switcher a")]
    assert names == ["English", "français", "español"]  # each in its own language


def test_the_root_redirects_to_the_default_language(site: Path) -> None:
    soup = page(site, "demo/week-1/")
    assert soup.body["data-redirect"].endswith("en/demo/week-1/")
    refresh = soup.select_one('noscript meta[http-equiv="refresh"]')
    assert refresh["content"].endswith("url=../../en/demo/week-1/")
    assert [a["hreflang"] for a in soup.select(".language-choice a")] == LANGUAGES


def test_interface_text_follows_the_language_and_content_keeps_its_own(site: Path) -> None:
    french = page(site, "fr/demo/2013-07-09-original/")
    spanish = page(site, "es/demo/2013-07-09-original/")
    assert french.select_one(".skip-link").get_text() != spanish.select_one(".skip-link").get_text()
    for soup in (french, spanish):
        assert soup.select_one("article.contribution")["lang"] == "fr"
        assert soup.select_one("h1").get_text() == "Original"
    assert "juillet" in french.select_one("time").get_text()
    assert "julio" in spanish.select_one("time").get_text()


def test_missing_texts_fall_back_with_a_visible_note(site: Path) -> None:
    spanish = page(site, "es/demo/")
    heading = spanish.select_one("h1")
    assert heading["lang"] == "fr"  # the discussion's default language
    notes = [note.get_text(" ", strip=True) for note in spanish.select(".note")]
    assert len(notes) >= 2  # the title and the call
    english = page(site, "en/demo/")
    assert english.select_one("h1")["lang"] == "en"
    assert english.select(".note") == []


def test_static_pages_use_their_translation_when_there_is_one(site: Path) -> None:
    assert page(site, "fr/about/").select_one("h1").get_text() == "À propos"
    spanish = page(site, "es/about/")
    assert spanish.select_one("h1").get_text() == "About"
    assert spanish.select_one("article.static-page")["lang"] == "en"
    assert spanish.select_one(".note") is not None


def test_a_translation_is_listed_once_and_marked_as_machine_made(site: Path) -> None:
    week = page(site, "en/demo/week-1/")
    assert [a["id"] for a in week.select("main article.card")] == ["c-2013-07-09-original"]
    link = week.select_one(".translations a")
    assert target("en/demo/week-1/", link["href"]) == "en/demo/2013-07-10-original-en/"
    translated = page(site, "en/demo/2013-07-10-original-en/")
    note = translated.select_one(".note").get_text(" ", strip=True)
    assert note.startswith("This is a machine translation.")
    original = target("en/demo/2013-07-10-original-en/", translated.select_one(".note a")["href"])
    assert original == "en/demo/2013-07-09-original/"


def test_right_to_left_contributions_render_right_to_left(site: Path) -> None:
    soup = page(site, "en/arabe/2013-07-09-salam/")
    article = soup.select_one("article.contribution")
    assert (article["lang"], article["dir"]) == ("ar", "rtl")
    assert soup.html["dir"] == "ltr"
    assert soup.select_one(".byline__author bdi").get_text() == "سارة بنعلي"


def test_the_build_reports_missing_texts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    content = write_trilingual_site(tmp_path)
    with caplog.at_level(logging.INFO, logger="palabre.pages"):
        build(content, tmp_path / "output", **TRILINGUAL)
    reports = sorted(r.getMessage() for r in caplog.records if "lacks" in r.getMessage())
    assert "Palabre: in es, demo lacks title, call, week 1 title, week 1 questions" in reports
    assert "Palabre: in en, arabe lacks title, call, week 1 title, week 1 questions" in reports
    assert not any(message.startswith("Palabre: in fr, demo") for message in reports)


def test_a_copy_at_the_root_points_to_its_canonical_page(tmp_path: Path) -> None:
    content = write_trilingual_site(tmp_path)
    output = build(content, tmp_path / "output", PALABRE_ROOT="copy", **TRILINGUAL)
    root = page(output, "demo/week-1/")
    assert root.html["lang"] == "en"
    assert target("demo/week-1/", root.select_one('link[rel="canonical"]')["href"]) == (
        "en/demo/week-1/"
    )
    assert len(html_files(output)) == 4 * len(html_files(output / "en"))


def test_interface_languages_must_include_the_default(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    with pytest.raises(SettingsError, match="PALABRE_LANGUAGES: expected to include"):
        build(content, tmp_path / "output", PALABRE_LANGUAGES=["fr", "es"])
