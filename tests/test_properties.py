"""Property-based tests: whatever a contributor sends, the parsers answer with the project's
own problems (a path, a line, a field, one line of message) or a value, never another
exception, never slowly; and the sanitiser never lets anything executable through.

Runs are deterministic (``derandomize``, no example database) so that CI is reproducible;
``PALABRE_PROPERTY_EXAMPLES`` raises the number of examples for a longer hunt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from palabre import markup, yamltree
from palabre.discussionfile import parse_discussion
from palabre.frontmatter import ALLOWED, DiscussionFacts, decode, parse_contribution
from palabre.loader import load_archive
from palabre.model import Archive, ContentError, Contribution, Discussion, Problem
from palabre.yamltree import YamlProblem, parse
from tests.test_hostile import HOSTILE_BODIES, problems_in_html

# Short generated fragments often look like a file name to Beautiful Soup, which says so.
pytestmark = pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")

EXAMPLES = int(os.environ.get("PALABRE_PROPERTY_EXAMPLES", "200"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=dt.timedelta(seconds=1),  # "never hang": each example well under a second
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
# Writing files is slower; fewer examples, the same bound per example.
TREE = settings(PROPERTY, max_examples=max(EXAMPLES // 2, 10), deadline=dt.timedelta(seconds=2))

PATH = "content/discussions/demo/contributions/week-1/2013-07-10-x.md"
FACTS = DiscussionFacts("demo", ("fr", "en"), frozenset({1, 2}))

# Pieces of YAML that reach the parser's corners: flow and block collections, anchors,
# aliases, tags, directives, document markers, quotes, odd line breaks and characters.
YAML_PIECES = [
    "\n", " ", "  ", "- ", ": ", ":", "[", "]", "{", "}", ", ", "? ", "&a ", "*a", "!tag ",
    "!!str ", "!!python/object:os.system ", "! ", '"', "'", "# ", "|", "|-\n", ">", "\\",
    "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "---\n", "---", "...\n", "<<: ", "\t", "\r",
    "\x85", "\u2028", "\ufeff", "\x00", "\x1b", "\u202e", "é", "😀", "title", "week",
    "language", "date", "1", "-1", "0x1F", "1e3", ".inf", "yes", "NO", "~", "null",
    "2013-07-10", "2013-02-30", "fr", "de",
]  # fmt: skip
yaml_text = st.one_of(
    st.text(max_size=120),
    st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=4)), max_size=50).map(
        "".join
    ),
)
VALUES = [
    "1", "2", "3", "0", "-1", "1.0", "99999999999999999999", "fr", "en", "de", "FR",
    "2013-07-10", "2013-02-30", "0000-01-01", "2013-7-10", "[]", "{}", "[1, 2]", "~", "",
    '""', "yes", "2013-07-09-jean-dupont", "2013-07-10-x", "Not An Id", "Aminata Traoré",
    '"a\\u202eb"', '"\\x00"', "&a x", "*a", "!!int 3", "|\n  block", ">-\n  folded",
    '"<script>alert(1)</script>"', "x" * 400,
]  # fmt: skip
value = st.one_of(st.sampled_from(VALUES), st.text(max_size=20))


@st.composite
def mutated(draw, valid: dict[str, str], key_names: list[str]) -> list[str]:
    """``key: value`` lines of a valid mapping, changed a few times: a key dropped, a value
    replaced, an unknown or repeated key added, two lines swapped."""
    items = list(valid.items())
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2, 3]))):
        change = draw(st.sampled_from(["drop", "replace", "replace", "add", "swap"]))
        if change == "drop" and items:
            items.pop(draw(st.integers(0, len(items) - 1)))
        elif change == "replace" and items:
            index = draw(st.integers(0, len(items) - 1))
            items[index] = (items[index][0], draw(value))
        elif change == "add":
            items.append((draw(st.sampled_from(key_names)), draw(value)))
        elif change == "swap" and len(items) > 1:
            first, second = draw(st.permutations(range(len(items))))[:2]
            items[first], items[second] = items[second], items[first]
    return [f"{key}: {text}" for key, text in items]


VALID_FRONT = {
    "title": "Le jumelage",
    "author": "Aminata Traoré",
    "week": "1",
    "language": "fr",
    "date": "2013-07-10",
    "organisation": "Commune de Yélimané",
    "country": "Mali",
}
valid_ish_front = mutated(VALID_FRONT, [*ALLOWED, "extra", "Title", "week ", "in_reply_to"])
front_matter = st.one_of(valid_ish_front.map("\n".join), yaml_text)
body = st.one_of(
    st.just("Un texte."),
    st.just(""),
    st.text(max_size=60),
    st.sampled_from(sorted(HOSTILE_BODIES.values())),
)
contribution_text = st.one_of(
    st.builds(lambda f, b: f"---\n{f}\n---\n{b}", valid_ish_front.map("\n".join), body),
    st.builds(lambda f, b: f"---\n{f}\n---\n{b}", front_matter, body),
    st.builds(lambda f, b: f"---\n{f}\n...\n{b}", front_matter, body),
    st.builds(lambda f: f"---\n{f}", front_matter),  # no closing fence
    st.text(max_size=100),
)
IDS = ["2013-07-10-x", "2013-07-10-x-2", "summary", "week-1", "X", "a--b", "", "é", "-a", "a" * 130]
contribution_id = st.sampled_from(["2013-07-10-x"] * len(IDS) + IDS)


def assert_problems(problems: list[Problem], path: str, text: str, first_line: int = 1) -> None:
    """Every problem names the file, a line of it, a field, and fits on one line."""
    assert problems
    lines = len(text.splitlines()) + first_line + 1
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path == path
        assert 1 <= problem.line <= lines, (problem, lines)
        assert problem.field and problem.message
        assert "\n" not in str(problem) and "\r" not in str(problem), str(problem)


# yamltree


LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@PROPERTY
@given(text=yaml_text, first_line=st.integers(1, 5))
def test_yaml_gives_nodes_or_a_yaml_problem(loader: type, text: str, first_line: int) -> None:
    previous, yamltree._Loader = yamltree._Loader, loader
    try:
        root = parse(text, first_line=first_line)
    except YamlProblem as error:
        event("refused")
        problem = yamltree.problem_at("f.yml", error)
        assert_problems([problem], "f.yml", text, first_line)
        assert problem.line >= first_line
    else:
        event("accepted")
        assert root is None or isinstance(
            root, yamltree.Scalar | yamltree.Sequence | yamltree.Mapping
        )
    finally:
        yamltree._Loader = previous


# Contribution files


@PROPERTY
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=100).map(lambda t: t.encode("utf-8")),
        st.builds(
            lambda prefix, t, suffix: prefix + t.encode("utf-8", "surrogatepass") + suffix,
            st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb", b"\xff\xfe"]),
            st.text(max_size=60),
            st.sampled_from([b"", b"\r\n", b"\r", b"\x00", b"\xc3", b"\xed\xa0\x80"]),
        ),
    ),
    max_bytes=st.sampled_from([10, 100, 1024]),
)
def test_decode_gives_clean_text_or_a_problem(data: bytes, max_bytes: int) -> None:
    text, problems = decode(PATH, data, max_bytes)
    if text is None:
        assert len(problems) == 1
        assert_problems(problems, PATH, data.decode("latin-1"))
    else:
        assert problems == []
        assert "\r" not in text and "\x00" not in text and not text.startswith("\ufeff")


@PROPERTY
@given(
    text=contribution_text,
    cid=contribution_id,
    folder_week=st.sampled_from([None, 1, 1, 2, 7]),
)
def test_contribution_gives_a_contribution_or_problems(
    text: str, cid: str, folder_week: int | None
) -> None:
    parsed, problems = parse_contribution(PATH, text, FACTS, cid, folder_week)
    event("accepted" if parsed else "refused")
    if parsed is None:
        assert_problems(problems, PATH, text)
        return
    assert problems == []
    contribution = parsed.contribution
    assert isinstance(contribution, Contribution)
    assert contribution.week in FACTS.weeks and contribution.language in FACTS.languages
    assert isinstance(contribution.date, dt.date)
    assert contribution.title.strip() and contribution.author.strip()


DISCUSSION_FIELDS = {
    "title": ["{fr: Titre, en: Title}", "Titre", "{de: x}", "[]", '""', "{fr: x, fr: y}"],
    "description": ["{fr: Une phrase., en: A sentence.}", "{en: A sentence.}", "[1]", "{en: [a]}"],
    "languages": ["[fr, en]", "[fr]", "[]", "[fr, fr]", "[xx-yy]", "fr", "[1]", "[[fr]]", "[FR]"],
    "opens": ["2013-07-08", "2013-08-04", "2013-02-30", "x", "[]", "2013-7-8"],
    "closes": ["2013-08-04", "2013-07-01", "2013-07-08", "", "{}"],
    "organisers": [
        '[{name: X, url: "https://example.org"}]', '[{name: X, url: "javascript:alert(1)"}]',
        "[x]", "{}", "[{name: ''}]", "[{name: X, extra: 1}]",
    ],
    "contact": ["a@example.org", "mailto:a@example.org", "x", "[a@b.c]"],
}  # fmt: skip
WEEK_FIELDS = {
    "number": ["1", "2", "0", "-1", "x", "1.5", "99"],
    "starts": ["2013-07-08", "2013-07-15", "2013-08-30", "2013-02-30", "x"],
    "title": ["{fr: Semaine, en: Week}", "Semaine", "{de: x}", "[]", "{fr: ''}"],
    "questions": ["{fr: [Q ?], en: [Q?]}", "[Q]", "Q", "{fr: []}", "{}", "[[x]]", "{de: [x]}"],
}


@st.composite
def discussion_texts(draw) -> str:
    """discussion.yml texts: valid ones changed a few times, so that every rule is reached."""
    if draw(st.integers(0, 9)) == 0:
        return draw(yaml_text)
    lines = [
        f"{key}: {draw(st.sampled_from(choices[:1] * 12 + choices))}"
        for key, choices in DISCUSSION_FIELDS.items()
        if key in ("title", "languages", "opens", "closes") or draw(st.booleans())
    ]
    if draw(st.integers(0, 9)) == 0:  # an unknown or repeated key
        lines.append(f"{draw(st.sampled_from(['extra', 'title', 'Weeks']))}: x")
    lines = list(draw(st.permutations(lines)))
    count = draw(st.integers(0, 3))
    lines.append("weeks:" if count else draw(st.sampled_from(["weeks: []", "weeks:", "weeks: x"])))
    for number in range(1, count + 1):
        week = {
            "number": str(number),
            "starts": (dt.date(2013, 7, 8) + dt.timedelta(days=7 * (number - 1))).isoformat(),
            "title": WEEK_FIELDS["title"][0],
            "questions": WEEK_FIELDS["questions"][0],
        }
        if draw(st.integers(0, 5)) == 0:
            key = draw(st.sampled_from([*WEEK_FIELDS, "extra"]))
            week[key] = draw(st.sampled_from([*WEEK_FIELDS.get(key, ["x"])[1:], "~"]))
        lines.append("  - {" + ", ".join(f"{k}: {v}" for k, v in week.items()) + "}")
    return "\n".join(lines)


@PROPERTY
@given(
    text=discussion_texts(),
    slug=st.one_of(st.just("demo"), st.sampled_from(["search", "fr", "Demo", "a--b"])),
)
def test_discussion_gives_a_discussion_or_problems(text: str, slug: str) -> None:
    path = f"content/discussions/{slug}/discussion.yml"
    discussion, problems = parse_discussion(path, text, slug)
    event("accepted" if discussion else "refused")
    if discussion is None:
        assert_problems(problems, path, text)
        return
    assert problems == []
    assert isinstance(discussion, Discussion)
    assert discussion.languages and discussion.opens <= discussion.closes
    assert set(discussion.title) <= set(discussion.languages)


# The loader: a whole tree of generated files

WELL_FORMED_DISCUSSION = """\
title: {fr: Titre, en: Title}
languages: [fr, en]
opens: 2013-07-08
closes: 2013-08-04
weeks:
  - {number: 1, starts: 2013-07-08, title: {fr: S1, en: W1}, questions: {fr: [Q ?], en: [Q?]}}
  - {number: 2, starts: 2013-07-15, title: {fr: S2, en: W2}, questions: {fr: [Q ?], en: [Q?]}}
"""
FILE_PLACES = [
    "contributions/week-1/2013-07-10-a.md",
    "contributions/week-1/2013-07-11-b.md",
    "contributions/week-2/2013-07-16-c.md",
    "contributions/week-2/2013-07-10-a.md",  # the same id in another week
    "contributions/week-9/2013-07-10-d.md",
    "contributions/week-1/Bad Name.md",
    "contributions/week-1/notes.txt",
    "contributions/2013-07-10-e.md",
    "contributions/week-1/deeper/2013-07-10-f.md",
    "contributions/week-1/.hidden.md",
    "call.fr.md",
    "call.de.md",
    "summary.en.md",
    "readme.md",
]
contribution_for_tree_valid_ish = st.builds(
    lambda title, week, language, date, extra, text: (
        f"---\ntitle: {title}\nauthor: A\nweek: {week}\nlanguage: {language}\ndate: {date}\n"
        f"{extra}---\n{text}\n"
    ),
    st.sampled_from(["T", "T", "T", '""', "[x]"]),
    st.sampled_from(["{week}", "{week}", "{week}", "1", "x"]),  # {week}: its folder's
    st.sampled_from(["fr", "en", "fr", "en", "de"]),
    st.sampled_from(["2013-07-10", "2013-07-10", "2013-02-30"]),
    st.sampled_from(
        [
            "",
            "",
            "in_reply_to: 2013-07-10-a\n",
            "in_reply_to: 2013-07-11-b\n",
            "in_reply_to: 2013-07-16-c\n",
            "translation_of: 2013-07-10-a\n",
            "translation_of: 2013-07-11-b\n",
            "in_reply_to: nowhere\n",
        ]
    ),
    st.sampled_from(["Un texte.", "Un texte.", ""]),
)
contribution_for_tree = st.one_of(
    contribution_for_tree_valid_ish, contribution_for_tree_valid_ish, contribution_text
)
file_bytes = st.one_of(contribution_for_tree, st.binary(max_size=40))


def _file_data(place: str, data: str | bytes) -> bytes:
    if isinstance(data, bytes):
        return data
    folder = re.search(r"week-(\d+)", place)
    data = data.replace("{week}", folder.group(1) if folder else "1")
    return data.encode("utf-8", "surrogatepass")


@TREE
@given(
    discussion=st.sampled_from([WELL_FORMED_DISCUSSION] * 3 + ["", "weeks: ["]),
    files=st.one_of(
        st.dictionaries(st.sampled_from(FILE_PLACES[:3]), contribution_for_tree, max_size=3),
        st.dictionaries(st.sampled_from(FILE_PLACES), file_bytes, max_size=6),
    ).map(lambda files: {place: _file_data(place, data) for place, data in files.items()}),
    slug=st.sampled_from(["demo", "demo", "search", "Demo"]),
)
def test_a_tree_gives_an_archive_or_a_content_error(
    discussion: str, files: dict[str, bytes], slug: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        root = content / "discussions" / slug
        root.mkdir(parents=True)
        (root / "discussion.yml").write_text(discussion, encoding="utf-8", errors="surrogatepass")
        for place, data in files.items():
            (root / place).parent.mkdir(parents=True, exist_ok=True)
            (root / place).write_bytes(data)
        try:
            archive = load_archive(content, max_bytes=4096)
        except ContentError as error:
            event("refused")
            assert error.problems
            for problem in error.problems:
                assert problem.path.startswith(f"content/discussions/{slug}"), problem
                assert problem.line >= 1 and problem.field and problem.message
                assert "\n" not in str(problem), str(problem)
            assert str(error).count("\n") == len(error.problems)  # a header, one line each
        else:
            event(f"accepted with {len(archive.contributions())} contributions")
            assert isinstance(archive, Archive)
            for contribution in archive.contributions():
                if contribution.in_reply_to:
                    assert contribution.in_reply_to in {c.id for c in archive.contributions()}


# Markup: whatever the Markdown or HTML, nothing executable comes out

MARKUP_PIECES = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "JaVaScRiPt:",
    "jav&#x09;ascript:", "&#106;", "data:text/html,", "vbscript:", "<a href=\"", "<a href=",
    "\"", "'", ">", "<", "/", "=", " on", "onload=", "<svg", "<math>", "<style>", "<iframe ",
    "<!--", "-->", "<![CDATA[", "]]>", "<div>", "</div>", "<p ", "<table>", "<td>", "<b>",
    "<q cite=\"", "<blockquote cite=", " id=\"fn-1\"", " id=\"main\"", " lang=\"", " dir=",
    " style=\"", " class=\"footnote-ref\"", "<base href=", "<form action=", "<input ",
    "[", "](", ")", "![", "[^1]", "[^1]: ", "\n[x]: ", "*", "**", "_", "`", "```", "~~", "#",
    "> ", "- ", "1. ", "|", "|-|", "\n", "\n\n", "    ", "\\", "&", ";", "&amp;", "&lt;",
    "https://example.org/", "mailto:", "#fn-1", "//evil.example", " ", "x", "é", "\u202e",
    "\x00", "\x0b",
]  # fmt: skip
markup_text = st.one_of(
    st.text(max_size=150),
    st.lists(st.one_of(st.sampled_from(MARKUP_PIECES), st.text(max_size=3)), max_size=60).map(
        "".join
    ),
    st.lists(st.sampled_from(sorted(HOSTILE_BODIES.values())), min_size=1, max_size=3).map(
        "\n\n".join
    ),
)
_TAG = re.compile(r"<([a-z][a-z0-9]*)([^>]*)>")


def assert_harmless(html: str, prefix: str) -> None:
    assert problems_in_html(html) == [], html
    for match in _TAG.finditer(html):
        tag, attributes = match.groups()
        assert tag in markup.ALLOWED_TAGS, html
        if tag == "a":
            assert "href=" in attributes, html  # a link without an address is just its text
        if tag == "img":
            assert "src=" in attributes and "alt=" in attributes, html
        for identifier in re.findall(r'\sid="([^"]*)"', attributes):
            assert identifier.startswith(prefix), html


@PROPERTY
@given(source=markup_text, prefix=st.sampled_from(["", "c1-"]))
def test_rendered_markdown_is_harmless(source: str, prefix: str) -> None:
    html = markup.render(source, id_prefix=prefix)
    assert_harmless(html, prefix)
    markup.excerpt(html)  # never raises either


@PROPERTY
@given(fragment=markup_text)
def test_sanitized_html_is_harmless_and_stable(fragment: str) -> None:
    once = markup.sanitize(fragment, "c1-")
    assert_harmless(once, "c1-")
    # Cleaning clean HTML changes nothing: no second pass could reveal something hidden.
    assert markup.sanitize(once, "c1-") == once


# Pathological inputs, kept as regression cases: each is answered in well under a second.

SLOW_YAML = {
    "open brackets": "[" * 100_000,
    "open braces": "{" * 100_000,
    "nested block lists": "".join("  " * i + "- \n" for i in range(2000)),
    "dash chain": "- " * 50_000 + "x",
    "question keys": "? " * 50_000,
    "anchors and aliases": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n",
    "many anchors": "&a " * 10_000,
    "many tags": "!a " * 10_000,
    "many documents": "---\n" * 10_000,
    "long key": "k" * 100_000 + ": v",
    "long escape run": '"' + "\\\\" * 50_000 + '"',
}
SLOW_MARKDOWN = {
    "unclosed divs": "<div>" * 50_000,
    "unclosed blockquotes": "<blockquote>" * 20_000,
    "brackets": "[" * 8_000 + "x" + "]" * 8_000,
    "images in links": "[![" * 4_000,
    "emphasis": "*a_" * 10_000,
    "backtick runs": "".join("`" * i + "a" for i in range(1, 400)),
    "footnote references": "[^a]" * 2_000 + "\n\n[^a]: n",
    "table columns": "|" + "a|" * 5_000 + "\n|" + "-|" * 5_000 + "\n",
    "link titles": '[a](b "' * 5_000,
    "less-than signs": "<" * 40_000,
    "deep quotes in lists": ("> - " * 50 + "x\n") * 100,
}


def _cpu_seconds(function, *args) -> float:
    """Processor time, not wall time: other work on a busy machine must not fail the test."""
    started = time.process_time()
    with contextlib.suppress(YamlProblem):
        function(*args)
    return time.process_time() - started


@pytest.mark.parametrize("text", SLOW_YAML.values(), ids=SLOW_YAML.keys())
def test_pathological_yaml_is_answered_fast(text: str) -> None:
    # With the parser yamltree uses here (libyaml's where PyYAML has it).
    assert _cpu_seconds(parse, text) < 1


@pytest.mark.parametrize("source", SLOW_MARKDOWN.values(), ids=SLOW_MARKDOWN.keys())
def test_pathological_markdown_is_answered_fast(source: str) -> None:
    assert _cpu_seconds(markup.render, source, "c1-") < 1
    assert_harmless(markup.render(source, "c1-"), "c1-")


def test_pathological_front_matter_is_answered_fast() -> None:
    text = "---\n" + "".join(f"k{i}: v\n" for i in range(5_000)) + "title: [" * 1000 + "\n---\nx"
    assert _cpu_seconds(parse_contribution, PATH, text, FACTS, "2013-07-10-x", 1) < 1
