"""A tiny site built with Pelican: the pages, threads, counts and links a reader sees."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import fields
from pathlib import Path

import pytest

from palabre.model import Contribution
from palabre.views import ContributionView
from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import build, html_files, page, target

ATOM = "{http://www.w3.org/2005/Atom}"
TRICKY_TITLE = "{{ 7*7 }} <b>&"


def write_tiny_site(tmp_path: Path) -> Path:
    """Two weeks; a three-deep thread, a cross-week reply, a translation, a tricky title."""
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=2)
    write_contribution(content, cid="2013-07-09-a", date="2013-07-09", title="Racine")
    write_contribution(
        content,
        cid="2013-07-10-b",
        date="2013-07-10",
        language="en",
        title="First reply",
        author="Bob Martin",
        in_reply_to="2013-07-09-a",
    )
    write_contribution(
        content,
        cid="2013-07-11-c",
        date="2013-07-11",
        language="es",
        title="Respuesta",
        author="Lucía Fernández",
        organisation="Ayuntamiento de Vigo",
        country="Spain",
        in_reply_to="2013-07-10-b",
    )
    write_contribution(
        content,
        cid="2013-07-10-a-en",
        date="2013-07-10",
        language="en",
        title="Root (translated)",
        translation_of="2013-07-09-a",
    )
    write_contribution(
        content,
        week=2,
        cid="2013-07-16-d",
        date="2013-07-16",
        language="en",
        title="Later reply",
        author="Bob Martin",
        in_reply_to="2013-07-09-a",
    )
    write_contribution(
        content,
        week=2,
        cid="2013-07-17-e",
        date="2013-07-17",
        title=TRICKY_TITLE,
        author="سارة بنعلي",
        organisation="<i>Org</i>",
        body="Texte avec note[^1].\n\n[^1]: La note.",
    )
    return content


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    return build(write_tiny_site(root), root / "output")


def test_every_page_is_written(tiny: Path) -> None:
    written = {p.relative_to(tiny).as_posix() for p in html_files(tiny)}
    expected = {
        "index.html",
        "authors/index.html",
        "demo/index.html",
        "demo/week-1/index.html",
        "demo/week-2/index.html",
        "demo/2013-07-09-a/index.html",
        "demo/2013-07-10-b/index.html",
        "demo/2013-07-11-c/index.html",
        "demo/2013-07-10-a-en/index.html",
        "demo/2013-07-16-d/index.html",
        "demo/2013-07-17-e/index.html",
        "authors/aminata-traore/index.html",
        "authors/bob-martin/index.html",
        "authors/lucia-fernandez/index.html",
    }
    assert expected <= written
    assert any(p.startswith("authors/") and p.endswith("/index.html") for p in written - expected)
    assert (tiny / "feeds" / "all.atom.xml").is_file()
    assert (tiny / "feeds" / "demo.atom.xml").is_file()


def test_week_page_nests_replies_oldest_first_and_lists_translations_once(tiny: Path) -> None:
    week = page(tiny, "demo/week-1/")
    top = week.select_one("main ol.thread")
    roots = top.find_all("li", class_="thread__item", recursive=False)
    assert [li.article["id"] for li in roots] == ["c-2013-07-09-a"]
    first_level = roots[0].select_one("ol.thread--replies").find_all("li", recursive=False)
    assert [li.article["id"] if li.article else "elsewhere" for li in first_level] == [
        "c-2013-07-10-b",
        "elsewhere",  # the week-2 reply is a link here, not a copy
    ]
    second_level = first_level[0].select_one("ol.thread--replies").find_all("li", recursive=False)
    assert [li.article["id"] for li in second_level] == ["c-2013-07-11-c"]
    article_ids = [a["id"] for a in week.select("main article")]
    assert "c-2013-07-10-a-en" not in article_ids  # the translation is a link on its original
    links = [a["href"] for a in week.select("#c-2013-07-09-a .translations a")]
    assert [target("demo/week-1/", href) for href in links] == ["demo/2013-07-10-a-en/"]


def test_a_reply_from_another_week_starts_a_thread_and_points_back(tiny: Path) -> None:
    week = page(tiny, "demo/week-2/")
    roots = week.select_one("main ol.thread").find_all("li", recursive=False)
    assert [li.article["id"] for li in roots] == ["c-2013-07-16-d", "c-2013-07-17-e"]
    reply_to = roots[0].select_one(".in-reply-to a")
    assert target("demo/week-2/", reply_to["href"]) == "demo/2013-07-09-a/"
    assert reply_to.get_text() == "Racine"


def test_discussion_page_counts_contributions_per_week(tiny: Path) -> None:
    discussion = page(tiny, "demo/")
    summaries = discussion.select(".week-summary")
    assert len(summaries) == 2
    metas = [s.select_one(".meta").get_text(" ", strip=True) for s in summaries]
    # Week 1 has three contributions plus a translation, which is not counted twice.
    assert metas[0].endswith("3 contributions")
    assert metas[1].endswith("2 contributions")
    assert discussion.select_one("h1").get_text() == "Migration and development"


def test_contribution_page_shows_author_parent_replies_and_translation(tiny: Path) -> None:
    c = page(tiny, "demo/2013-07-11-c/")
    article = c.select_one("article.contribution")
    assert article["lang"] == "es"
    assert c.select_one("h1").get_text() == "Respuesta"
    byline = c.select_one(".byline").get_text(" ", strip=True)
    assert "Lucía Fernández" in byline
    assert "Ayuntamiento de Vigo" in byline
    assert "Spain" in byline
    assert c.select_one(".byline bdi").get_text() == "Lucía Fernández"
    here = "demo/2013-07-11-c/"
    assert target(here, c.select_one(".in-reply-to a")["href"]) == "demo/2013-07-10-b/"
    assert c.select_one("time")["datetime"] == "2013-07-11"

    root = page(tiny, "demo/2013-07-09-a/")
    here = "demo/2013-07-09-a/"
    replies = [target(here, a["href"]) for a in root.select(".replies a")]
    assert replies == ["demo/2013-07-10-b/", "demo/2013-07-16-d/"]
    translation = root.select_one(".translations a")
    assert translation["hreflang"] == "en"
    assert target(here, translation["href"]) == "demo/2013-07-10-a-en/"

    translated = page(tiny, "demo/2013-07-10-a-en/")
    assert translated.select_one("article.contribution")["lang"] == "en"
    note_link = translated.select_one(".note a")["href"]
    assert target("demo/2013-07-10-a-en/", note_link) == "demo/2013-07-09-a/"


def test_titles_and_names_are_escaped_everywhere(tiny: Path) -> None:
    for url in ("demo/week-2/", "demo/2013-07-17-e/", "authors/"):
        soup = page(tiny, url)
        assert soup.find("b") is None, url
        assert soup.find("i") is None, url
        text = soup.get_text()
        assert TRICKY_TITLE in text or url == "authors/", url
        assert "<i>Org</i>" in text, url
    raw = (tiny / "demo" / "2013-07-17-e" / "index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }} &lt;b&gt;&amp;" in raw
    assert "49" not in page(tiny, "demo/2013-07-17-e/").select_one("h1").get_text()


def test_right_to_left_names_are_isolated(tiny: Path) -> None:
    soup = page(tiny, "demo/2013-07-17-e/")
    assert soup.select_one(".byline__author bdi").get_text() == "سارة بنعلي"
    authors = page(tiny, "authors/")
    assert "سارة بنعلي" in [b.get_text() for b in authors.select("bdi")]


def test_footnote_ids_are_unique_on_a_page_with_several_contributions(tiny: Path) -> None:
    week = page(tiny, "demo/week-2/")
    ids = [tag["id"] for tag in week.select("[id]")]
    assert len(ids) == len(set(ids))
    assert "2013-07-17-e-fn-1" in ids
    assert week.select_one("sup.footnote-ref a")["href"] == "#2013-07-17-e-fn-1"
    assert week.select_one("section.footnotes li")["id"] == "2013-07-17-e-fn-1"


def test_home_groups_discussions_by_status_on_the_build_day(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "past-one", opens="2012-01-02", closes="2012-01-20", weeks=1)
    write_discussion(content, "open-one", opens="2013-07-08", closes="2013-08-04", weeks=1)
    write_discussion(content, "next-one", opens="2014-03-03", closes="2014-03-20", weeks=1)
    output = build(content, tmp_path / "output", PALABRE_TODAY="2013-07-20")
    home = page(output, "")
    groups = {
        section["class"][1].removeprefix("discussion-group--"): [
            target("", a["href"]) for a in section.select(".discussion-summary__title a")
        ]
        for section in home.select("section.discussion-group")
    }
    assert groups == {"open": ["open-one/"], "upcoming": ["next-one/"], "past": ["past-one/"]}


def test_feeds_are_atom_with_every_contribution(tiny: Path) -> None:
    tree = ET.parse(tiny / "feeds" / "demo.atom.xml")
    entries = tree.getroot().findall(f"{ATOM}entry")
    assert len(entries) == 6
    titles = {e.findtext(f"{ATOM}title") for e in entries}
    assert TRICKY_TITLE in titles
    newest = entries[0]
    assert newest.findtext(f"{ATOM}title") == TRICKY_TITLE
    assert newest.find(f"{ATOM}author").findtext(f"{ATOM}name") == "سارة بنعلي"
    assert newest.find(f"{ATOM}link").get("href").endswith("/demo/2013-07-17-e/")


def test_interface_language_is_a_setting(tmp_path: Path) -> None:
    content = write_tiny_site(tmp_path)
    output = build(content, tmp_path / "output", PALABRE_LANGUAGE="fr")
    week = page(output, "demo/week-1/")
    assert week.html["lang"] == "fr"
    assert week.select_one("h1").get_text(" ", strip=True).startswith("Semaine 1")
    assert week.select_one(".skip-link").get_text() != "Skip to main content"


def test_a_contribution_view_hides_none_of_its_contribution_fields() -> None:
    """Views copy the contribution's fields beside their own: no name may be in both."""
    own = {f.name for f in fields(ContributionView)}
    assert own and not own & {f.name for f in fields(Contribution)}
