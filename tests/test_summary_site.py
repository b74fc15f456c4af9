"""Tiny sites built with Pelican: the summary page, its citations, figures and charts, the
contribution pages that point back to it, the proceedings and the open data files."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from tests.factories import content_tree, write_contribution, write_discussion, write_summary
from tests.sites import build, page, run_pelican_cli, target

SVG = "{http://www.w3.org/2000/svg}"
# Every contribution of the tiny site, as the test writes it: the figures below are
# counted from this list, independently of Palabre.
CONTRIBUTIONS = [
    {"cid": "2013-07-09-a", "week": 1, "author": "Aminata Traoré", "language": "fr",
     "organisation": "Commune de Bafindé", "country": "Mali"},
    {"cid": "2013-07-10-b", "week": 1, "author": "Bob Martin", "language": "en",
     "country": "Ghana", "in_reply_to": "2013-07-09-a"},
    {"cid": "2013-07-10-a-en", "week": 1, "author": "Aminata Traoré", "language": "en",
     "organisation": "Commune de Bafindé", "country": "Mali",
     "translation_of": "2013-07-09-a", "translation": "machine"},
    {"cid": "2013-07-11-c", "week": 1, "author": "Lucía Fernández", "language": "es",
     "organisation": "Ayuntamiento de Vigo"},
    {"cid": "2013-07-16-d", "week": 2, "author": "Bob Martin", "language": "en",
     "country": "Ghana"},
    {"cid": "2013-07-17-e", "week": 2, "author": "Zoë <b>Bold</b>", "language": "fr",
     "organisation": "<i>Org</i>", "country": "Mali"},
]  # fmt: skip
REPLY = """\
## Week 1: first lessons

The twinning worked [@2013-07-09-a].

Two voices [@2013-07-10-b; @2013-07-11-c], and the first again [@2013-07-09-a].

## Week 2

- A list item [@2013-07-16-d]
- Another item
"""
UNCITED = ["2013-07-17-e"]


def write_site(tmp_path: Path, *, reply: bool = True) -> Path:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=2)
    for spec in CONTRIBUTIONS:
        fields = dict(spec)
        cid, week = fields.pop("cid"), fields.pop("week")
        date = cid[:10]
        write_contribution(content, cid=cid, date=date, week=week,
                           body=f"Opening sentence of {cid}. A second sentence.",
                           **fields)  # fmt: skip
    if reply:
        write_summary(content, "demo", "en", REPLY, title="What we learned")
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("summary")
    return build(write_site(root), root / "output")


def originals() -> list[dict]:
    return [c for c in CONTRIBUTIONS if "translation_of" not in c]


# Citations


def test_citations_link_to_the_right_contributions_with_names(site: Path) -> None:
    summary = page(site, "demo/summary/")
    reply = summary.select_one(".reply")
    assert reply["lang"] == "en"
    citations = [
        [(target("demo/summary/", a["href"]), a.get_text()) for a in span.select("a")]
        for span in reply.select(".citation")
    ]
    assert citations == [
        [("demo/2013-07-09-a/", "Aminata Traoré, Mali")],
        [("demo/2013-07-10-b/", "Bob Martin, Ghana"),
         ("demo/2013-07-11-c/", "Lucía Fernández, Ayuntamiento de Vigo")],
        [("demo/2013-07-09-a/", "Aminata Traoré, Mali")],
        [("demo/2013-07-16-d/", "Bob Martin, Ghana")],
    ]  # fmt: skip
    assert reply.select_one(".citation").get_text() == "(Aminata Traoré, Mali)"
    assert "[@" not in reply.get_text()


def test_each_citing_paragraph_has_an_anchor_that_the_contribution_links_back_to(
    site: Path,
) -> None:
    summary = page(site, "demo/summary/")
    anchors = [p["id"] for p in summary.select(".reply [id]") if p.select(".citation")]
    assert anchors == ["reply-week-1-first-lessons-1", "reply-week-1-first-lessons-2",
                       "reply-week-2-1"]  # fmt: skip
    for cid, places in {
        "2013-07-09-a": ["reply-week-1-first-lessons-1", "reply-week-1-first-lessons-2"],
        "2013-07-10-a-en": ["reply-week-1-first-lessons-1", "reply-week-1-first-lessons-2"],
        "2013-07-16-d": ["reply-week-2-1"],
        "2013-07-17-e": [],
    }.items():
        here = f"demo/{cid}/"
        links = page(site, here).select(".cited-in a")
        assert [target(here, a["href"]) for a in links] == [
            f"demo/summary/#{anchor}" for anchor in places
        ]
        original = "2013-07-09-a" if cid == "2013-07-10-a-en" else cid
        for anchor in places:
            paragraph = summary.find(id=anchor)
            cited = [target("demo/summary/", a["href"]) for a in paragraph.select(".citation a")]
            assert f"demo/{original}/" in cited
    heading = page(site, "demo/2013-07-16-d/").select_one(".cited-in a").get_text()
    assert heading == "Week 2"


def test_an_unknown_id_fails_the_build_with_its_file_and_line(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    write_summary(content, "demo", "fr", "Une idée.\n\nVoir [@2013-07-09-a; @2013-07-01-gone].\n")
    result = run_pelican_cli(content, tmp_path / "output")
    assert result.returncode != 0
    assert (
        "content/discussions/demo/summary.fr.md:9: citation: expected the id of a contribution "
        'of this discussion, got "2013-07-01-gone"'
    ) in result.stderr


def test_the_build_logs_the_contributions_not_cited_yet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="palabre.pages"):
        build(write_site(tmp_path), tmp_path / "output")
    reports = [r.getMessage() for r in caplog.records if " cites " in r.getMessage()]
    assert reports == [
        "Palabre: content/discussions/demo/summary.en.md cites 4 of 5 contributions; "
        f"not cited: {', '.join(UNCITED)}"
    ]


# Generated sections


def table(soup, caption: str) -> dict[str, list[str]]:
    figure = next(f for f in soup.select("figure.figure") if f.figcaption.get_text() == caption)
    return {
        row.th.get_text(): [td.get_text() for td in row.select("td")]
        for row in figure.select("tbody tr, tfoot tr")
    }


def test_figures_equal_counts_made_independently(site: Path) -> None:
    summary = page(site, "demo/summary/")
    mine = originals()
    people = {c["author"] for c in CONTRIBUTIONS}
    key = {
        dd.find_previous_sibling("dt").get_text(): dd.get_text()
        for dd in summary.select(".key-figures dd")
    }
    assert key == {
        "contributions": str(len(mine)),
        "contributors": str(len(people)),
        "organisations": str(len({c["organisation"] for c in mine if "organisation" in c})),
        "countries": str(len({c["country"] for c in mine if "country" in c})),
        "weeks": "2",
    }
    weeks = Counter(c["week"] for c in mine)
    week_people = {w: len({c["author"] for c in mine if c["week"] == w}) for w in weeks}
    assert table(summary, "Contributions per week") == {
        **{f"Week {w}": [str(weeks[w]), str(week_people[w])] for w in (1, 2)},
        "Total": [str(len(mine)), str(len(people))],
    }
    languages = Counter(c["language"] for c in mine)
    translated = Counter(c["language"] for c in CONTRIBUTIONS if "translation_of" in c)
    rows = table(summary, "Contributions per language")
    names = {"fr": "French", "en": "English", "es": "Spanish"}
    for code, name in names.items():
        assert rows[name][:2] == [str(languages[code]), str(translated[code])]
    countries = Counter(c.get("country", "Not stated") for c in mine)
    rows = table(summary, "Contributions per country")
    assert {name: int(values[0]) for name, values in rows.items() if name != "Total"} == countries
    assert list(rows)[:2] == ["Ghana", "Mali"]  # most first, then by name
    assert list(rows)[-2:] == ["Not stated", "Total"]


def test_each_chart_is_valid_svg_holding_the_numbers_of_its_table(site: Path) -> None:
    text = (site / "demo" / "summary" / "index.html").read_text(encoding="utf-8")
    charts = re.findall(r"<svg\b.*?</svg>", text, flags=re.DOTALL)
    assert len(charts) == 3
    summary = page(site, "demo/summary/")
    for svg_text, figure in zip(charts, summary.select("figure.figure"), strict=True):
        svg = ET.fromstring(svg_text)
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id
        assert svg.find(f"{SVG}title").text == figure.figcaption.get_text()
        assert svg.find(f"{SVG}desc").get("id") == desc_id
        values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__value"]
        first_column = [row.select("td")[0].get_text() for row in figure.select("tbody tr")]
        assert values == first_column
        for label, value in zip(
            [row.th.get_text() for row in figure.select("tbody tr")], values, strict=True
        ):
            assert f"{label}: {value}" in svg.find(f"{SVG}desc").text
        assert "style=" not in svg_text


def test_contributors_are_numbered_with_their_contributions(site: Path) -> None:
    summary = page(site, "demo/summary/")
    people = summary.select(".contributor")
    names = [p.select_one(".contributor__name").get_text() for p in people]
    assert names == sorted({c["author"] for c in originals()}, key=str.casefold)
    bob = people[names.index("Bob Martin")]
    works = [target("demo/summary/", a["href"]) for a in bob.select(".contributor__works a")]
    assert works == ["demo/2013-07-10-b/", "demo/2013-07-16-d/"]
    assert [t.get_text() for t in bob.select(".number-tag")] == ["No. 2", "No. 4"]
    assert "Ghana" in bob.select_one(".contributor__where").get_text()
    assert summary.find("b") is None and summary.find("i") is None  # names stay text


def test_the_digest_gives_each_contribution_its_opening_and_a_link(site: Path) -> None:
    summary = page(site, "demo/summary/")
    items = summary.select(".digest__item")
    assert [target("demo/summary/", i.select_one(".digest__title a")["href"]) for i in items] == [
        f"demo/{c['cid']}/" for c in originals()
    ]
    assert items[0].select_one(".digest__text").get_text() == (
        "Opening sentence of 2013-07-09-a. A second sentence."
    )
    questions = summary.select("#questions .questions")
    assert [len(q.select("li")) for q in questions] == [2, 1]  # the factory's questions


def test_without_a_reply_the_page_says_the_synthesis_is_coming(tmp_path: Path) -> None:
    output = build(write_site(tmp_path, reply=False), tmp_path / "output")
    summary = page(output, "demo/summary/")
    assert summary.select_one(".reply") is None
    assert summary.select_one(".coming__title").get_text() == "The synthesis is coming."
    assert len(summary.select("figure.figure")) == 3
    assert len(summary.select(".digest__item")) == len(originals())
    assert summary.select_one("h1").get_text() == "Migration and development"
    discussion = page(output, "demo/")
    link = discussion.select_one(".reply-callout a")
    assert target("demo/", link["href"]) == "demo/summary/"
    assert page(output, "demo/2013-07-09-a/").select_one(".cited-in") is None


def test_the_discussion_and_home_pages_link_to_the_reply(site: Path) -> None:
    discussion = page(site, "demo/")
    links = [target("demo/", a["href"]) for a in discussion.select(".reply-callout a")]
    assert links == ["demo/summary/", "demo/proceedings/"]
    assert discussion.select_one(".reply-callout a").get_text() == "What we learned"
    home = page(site, "")
    assert [target("", a["href"]) for a in home.select(".discussion-summary__reply a")] == [
        "demo/summary/"
    ]


# Languages


def test_each_language_reads_its_reply_or_the_default_one_with_a_note(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    write_summary(content, "demo", "fr", "## Semaine 1\n\nLe jumelage [@2013-07-09-a].\n",
                  title="Ce que nous avons appris")  # fmt: skip
    output = build(content, tmp_path / "output", PALABRE_LANGUAGES=["en", "fr", "es"])
    english = page(output, "en/demo/summary/")
    assert english.select_one("h1").get_text() == "What we learned"
    assert english.select(".note") == []
    spanish = page(output, "es/demo/summary/")  # no Spanish reply: the default language's
    assert spanish.select_one("h1").get_text() == "Ce que nous avons appris"
    assert spanish.select_one(".reply")["lang"] == "fr"
    assert spanish.select_one(".report-header h1 + .note") is not None
    here = "es/demo/summary/"
    cited = spanish.select_one(".reply .citation a")
    assert target(here, cited["href"]) == "es/demo/2013-07-09-a/"
    back = page(output, "es/demo/2013-07-09-a/").select(".cited-in a")
    assert [target("es/demo/2013-07-09-a/", a["href"]) for a in back] == [
        "es/demo/summary/#reply-semaine-1-1"
    ]
    assert [a["hreflang"] for a in english.select(".language-switcher a")] == ["en", "fr", "es"]
    assert page(output, "demo/summary/").body["data-redirect"].endswith("en/demo/summary/")


def test_the_missing_text_report_names_the_reply(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="palabre.pages"):
        build(write_site(tmp_path), tmp_path / "output", PALABRE_LANGUAGES=["en", "fr"])
    lacks = [r.getMessage() for r in caplog.records if " lacks " in r.getMessage()]
    assert lacks == ["Palabre: in fr, demo lacks summary"]


# Proceedings and open data


def test_the_proceedings_number_every_contribution_and_mark_threads_and_translations(
    site: Path,
) -> None:
    proceedings = page(site, "demo/proceedings/")
    articles = proceedings.select("article.proc")
    assert [a["id"] for a in articles] == [
        "c-2013-07-09-a", "c-2013-07-10-a-en", "c-2013-07-10-b", "c-2013-07-11-c",
        "c-2013-07-16-d", "c-2013-07-17-e",
    ]  # fmt: skip
    numbers = [a.select_one(".proc__number").get_text(" ", strip=True) for a in articles]
    assert numbers == [
        "No. 1", "No. 1 · machine translation into English", "No. 2", "No. 3", "No. 4", "No. 5",
    ]  # fmt: skip
    translation = articles[1]
    assert "proc--translation" in translation["class"]
    assert translation.select_one(".in-reply-to a")["href"] == "#c-2013-07-09-a"
    reply = articles[2].select_one(".in-reply-to")
    assert reply.get_text(" ", strip=True).startswith("In reply to No. 1:")
    assert reply.select_one("a")["href"] == "#c-2013-07-09-a"
    assert [a["href"] for a in articles[0].select(".in-reply-to a")] == ["#c-2013-07-10-b"]
    assert articles[0].select_one(".prose").get_text(strip=True).startswith("Opening sentence")
    assert len(proceedings.select("section.proceedings-week")) == 2


def test_open_data_is_written_once_and_holds_every_contribution(tmp_path: Path) -> None:
    output = build(write_site(tmp_path), tmp_path / "output", PALABRE_LANGUAGES=["en", "fr"])
    found = [*output.rglob("demo.json"), *output.rglob("demo.csv")]
    assert sorted(p.relative_to(output).as_posix() for p in found) == [
        "data/demo.csv",
        "data/demo.json",
    ]
    data = json.loads((output / "data" / "demo.json").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in data["contributions"]}
    assert sorted(by_id) == sorted(c["cid"] for c in CONTRIBUTIONS)
    first = by_id["2013-07-09-a"]
    assert first["url"] == "en/demo/2013-07-09-a/"
    assert first["text_markdown"] == "Opening sentence of 2013-07-09-a. A second sentence."
    assert first["text_plain"] == first["text_markdown"]
    assert by_id["2013-07-17-e"]["author"] == "Zoë <b>Bold</b>"
    rows = list(csv.DictReader(io.StringIO((output / "data" / "demo.csv").read_text("utf-8"))))
    assert [r["id"] for r in rows] == [c["id"] for c in data["contributions"]]
    assert {r["id"]: r["country"] for r in rows}["2013-07-11-c"] == ""
    summary = page(output, "en/demo/summary/")
    links = summary.select("a[href$='.json'], a[href$='.csv']")
    assert {target("en/demo/summary/", a["href"]) for a in links} == {
        "data/demo.json",
        "data/demo.csv",
    }
