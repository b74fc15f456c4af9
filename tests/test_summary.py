"""The consolidated reply's pure core: its file, its citations and anchors, coverage,
figures, charts and open data, without building a site."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from palabre import markup
from palabre.charts import bar_chart
from palabre.citations import END, START
from palabre.figures import participation
from palabre.loader import load_archive
from palabre.markup import first_sentences
from palabre.model import ContentError
from palabre.opendata import COLUMNS, discussion_csv, discussion_json, plain_text, records
from palabre.summary import coverage, render_summary
from tests.factories import content_tree, write_contribution, write_discussion, write_summary

SUMMARY = "content/discussions/demo/summary.en.md"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    content = content_tree(tmp_path)
    write_discussion(content)
    write_contribution(content, cid="2013-07-09-a", date="2013-07-09")
    write_contribution(
        content, cid="2013-07-10-b", date="2013-07-10", author="Bob Martin", language="en"
    )
    write_contribution(content, cid="2013-07-11-a-en", language="en", translation_of="2013-07-09-a")
    write_contribution(content, week=2, cid="2013-07-16-c", author="Lucía Fernández")
    return content


def problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_archive(content)
    return [str(p) for p in caught.value.problems]


# The file


def test_a_reply_is_read_with_its_front_matter_and_citations(content: Path) -> None:
    write_summary(content, body="Intro.\n\nA point [@2013-07-09-a; @2013-07-10-b].\n")
    summary = load_archive(content).discussions[0].summaries["en"]
    assert (summary.title, summary.status, summary.date.isoformat()) == (
        "Consolidated reply",
        "final",
        "2013-08-10",
    )
    assert summary.body_line == 6  # the blank line after the front matter
    assert summary.cited == (("2013-07-09-a", 9), ("2013-07-10-b", 9))


def test_an_unknown_id_is_reported_with_its_file_and_line(content: Path) -> None:
    write_summary(content, body="One.\n\nTwo [@2013-07-09-a],\nthree [@2013-07-01-gone].\n")
    assert problems(content) == [
        f"{SUMMARY}:10: citation: expected the id of a contribution of this discussion, "
        'got "2013-07-01-gone"'
    ]


def test_every_problem_of_the_front_matter_is_listed(content: Path) -> None:
    write_summary(content, raw_front="title: ''\nstatus: published\nauthor: Moderators")
    assert problems(content) == [
        f"{SUMMARY}:2: title: expected text, got nothing",
        f'{SUMMARY}:3: status: expected draft or final, got "published"',
        f"{SUMMARY}:4: author: expected one of date, status, title, got an unknown key",
    ]


def test_a_final_reply_needs_a_date_and_a_reply_needs_text(content: Path) -> None:
    write_summary(content, date=None, body="\n")
    assert problems(content) == [
        f"{SUMMARY}:2: date: expected a date for a final reply, got none",
        f"{SUMMARY}:5: body: expected the text of the reply, got nothing",
    ]
    write_summary(content, status="draft", date=None, body="Soon.\n")
    assert load_archive(content).discussions[0].summaries["en"].status == "draft"


def test_a_reply_without_front_matter_is_refused(content: Path) -> None:
    (content / "discussions" / "demo" / "summary.fr.md").write_text("# Synthèse\n", "utf-8")
    assert problems(content) == [
        "content/discussions/demo/summary.fr.md:1: front matter: expected the file to start "
        "with YAML between two '---' lines, got none"
    ]


def test_a_citation_that_cannot_be_read_is_reported(content: Path) -> None:
    write_summary(
        content,
        body='Bad [@Jean Dupont] and <a href="https://x.org">[@2013-07-09-a]</a>.\n\n'
        "Fine: \\[@not-a-citation] and `[@code]`.\n",
    )
    assert problems(content) == [
        f'{SUMMARY}:7: citation: expected a citation outside a link, got "[@2013-07-09-a]"',
        f"{SUMMARY}:7: citation: expected a citation such as [@2013-07-09-jean-dupont] or "
        '[@id1; @id2] (write \\[@ for the text itself), got "[@Jean Dupont]"',
    ]


def test_citations_and_anchors_are_found_where_they_are() -> None:
    source = (
        "Intro [@a].\n\n## Week 1: plans\n\nOne [@b; @c] and\nagain [@b].\n\n"
        "- item [@d]\n- other\n\n| x |\n|---|\n| [@e] |\n\n## Week 2\n\nTwo [@f].\n"
    )
    found = markup.parse_reply(source)
    assert [(c.ids, c.line) for c in found.citations] == [
        (("a",), 1),
        (("b", "c"), 5),
        (("b",), 6),
        (("d",), 8),
        (("e",), 13),
        (("f",), 17),
    ]
    slugs = [found.anchors[c.anchor].slug for c in found.citations]
    assert slugs == [
        "introduction-1",
        "week-1-plans-1",
        "week-1-plans-1",
        "week-1-plans-2",
        "week-1-plans-3",
        "week-2-1",
    ]
    assert [a.slug for a in found.anchors if a.heading] == ["week-1-plans", "week-2"]
    # What a contribution page quotes of the paragraph that cites it: citations left out.
    assert [a.text for a in found.anchors][:3] == ["Intro.", "Week 1: plans", "One and again."]


def test_anchors_of_a_section_stay_when_another_section_grows() -> None:
    before = markup.parse_reply("## A\n\nx [@a]\n\n## B\n\ny [@b]\n\nz [@c]\n")
    after = markup.parse_reply("## A\n\nnew [@n]\n\nx [@a]\n\n## B\n\ny [@b]\n\nz [@c]\n")

    def anchors(found) -> dict[str, str]:
        return {c.ids[0]: found.anchors[c.anchor].slug for c in found.citations}

    assert anchors(before)["b"] == anchors(after)["b"] == "b-1"
    assert anchors(before)["c"] == anchors(after)["c"] == "b-2"


def test_the_reply_is_sanitised_and_cannot_forge_a_citation(content: Path) -> None:
    forged = f"{START}c0{END}"
    write_summary(
        content,
        body=f'<script>alert(1)</script>\n\n<p id="reply-x" onclick="alert(2)">{forged} '
        f"[@2013-07-09-a]</p>\n\nText {forged} [@2013-07-10-b].\n",
    )
    summary = load_archive(content).discussions[0].summaries["en"]
    reply = render_summary(summary)
    assert "<script" not in reply.html and "onclick" not in reply.html
    assert 'id="reply-x"' not in reply.html
    assert reply.html.count(START) == 1  # the one real citation of the Markdown paragraph
    assert [c.ids for c in reply.citations] == [("2013-07-10-b",)]


# Coverage


def test_coverage_lists_exactly_the_contributions_not_cited(content: Path) -> None:
    write_summary(content, body="Via its translation [@2013-07-11-a-en].\n")
    everything = "Tout [@2013-07-09-a; @2013-07-10-b; @2013-07-16-c].\n"
    write_summary(content, language="fr", body=everything)
    discussion = load_archive(content).discussions[0]
    english, french = coverage(discussion)
    assert (english.language, english.cited, english.uncited) == (
        "en",
        ("2013-07-09-a",),
        ("2013-07-10-b", "2013-07-16-c"),
    )
    assert str(english) == (
        f"{SUMMARY} cites 1 of 3 contributions; not cited: 2013-07-10-b, 2013-07-16-c"
    )
    assert french.uncited == ()


def test_a_discussion_without_a_reply_has_no_coverage(content: Path) -> None:
    assert coverage(load_archive(content).discussions[0]) == []


# Figures, charts, open data


def test_figures_count_originals_people_organisations_and_countries(content: Path) -> None:
    write_contribution(
        content,
        week=2,
        cid="2013-07-17-d",
        author="Bob  Martin",  # the same person: one author page, one contributor
        organisation="City of Accra",
        country="Ghana",
        language="es",
    )
    write_contribution(content, week=2, cid="2013-07-18-e", organisation="city of accra")
    figures = participation(load_archive(content).discussions[0])
    assert (figures.contributions, figures.translations, figures.contributors) == (5, 1, 3)
    assert (figures.organisations, figures.countries) == (1, 1)
    assert [(r.key, r.contributions, r.contributors) for r in figures.weeks] == [
        ("1", 2, 2),
        ("2", 3, 3),
    ]
    assert [(r.key, r.contributions, r.translations) for r in figures.languages] == [
        ("fr", 3, 0),
        ("en", 1, 1),
        ("es", 1, 0),
    ]
    assert [(r.key, r.contributions) for r in figures.by_country] == [("Ghana", 1), ("", 4)]


def test_a_chart_is_valid_svg_with_its_numbers_and_escaped_labels() -> None:
    svg = bar_chart("chart-x", "Per country", "Bars.", [("Mali", 12), ("<b>&</b>", 3), ("None", 0)])
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert root.find(f"{SVG}title").get("id") == "chart-x-title"
    assert root.find(f"{SVG}desc").text == "Bars. Mali: 12; <b>&</b>: 3; None: 0."
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__value"]
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__label"]
    assert (labels, values) == (["Mali", "<b>&</b>", "None"], ["12", "3", "0"])
    assert "style=" not in svg
    widths = [r.get("width") for r in root.iter(f"{SVG}rect")]
    assert widths == ["54%", "13.5%", "0%"]


def test_open_data_holds_every_contribution_deterministically(content: Path) -> None:
    discussion = load_archive(content).discussions[0]
    items = records(
        discussion, plain=lambda c: plain_text(markup.render(c.body)), url=lambda c: c.id
    )
    text = discussion_json(discussion, items, "demo/")
    data = json.loads(text)
    ids = [c.id for c in sorted(discussion.contributions, key=lambda c: c.sort_key)]
    assert [c["id"] for c in data["contributions"]] == ids
    assert text == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    translation = next(c for c in data["contributions"] if c["id"] == "2013-07-11-a-en")
    assert (translation["number"], translation["translation_of"]) == (1, "2013-07-09-a")
    rows = list(csv.DictReader(io.StringIO(discussion_csv(items))))
    assert [r["id"] for r in rows] == ids
    assert rows[0]["text_markdown"] == "Un texte."
    assert rows[0]["organisation"] == ""


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "",
        "a, b",
        'say "hi"',
        "line\nbreak",
        "cr\rlf\r\n",
        ' "',
        ",",
        "\u00e9t\u00e9 \u2014 \u0627",
    ],
)
def test_the_csv_file_is_what_the_csv_module_writes(text: str) -> None:
    item = {column: text for column in COLUMNS} | {"number": 7, "translation": None}
    expected = io.StringIO()
    writer = csv.DictWriter(expected, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow({k: "" if v is None else v for k, v in item.items()})
    assert (
        discussion_csv([item, item])
        == expected.getvalue() + expected.getvalue().split("\r\n", 1)[1]
    )


def test_plain_text_keeps_paragraphs_and_drops_markup() -> None:
    html = markup.render("A *b*\nc.\n\n- one\n- two &amp; three\n\n| x | y |\n|---|---|\n| 1 | 2 |")
    assert plain_text(html) == "A b c.\n\none\n\ntwo & three\n\nx | y\n\n1 | 2"


def test_a_digest_keeps_whole_sentences_and_skips_an_opening_note() -> None:
    html = markup.render(
        "*Sample contribution.*\n\nFirst sentence here. Second one is longer than that. "
        + "Third. " * 80
    )
    assert first_sentences(html, limit=55) == "First sentence here. Second one is longer than that."
    assert first_sentences(markup.render("*Only a note.*")) == "Only a note."
