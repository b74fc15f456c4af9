"""A site made of malicious contributions: nothing executable reaches a page or a feed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import build, html_files

ATOM = "{http://www.w3.org/2005/Atom}"
FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "frame", "object", "embed", "svg", "math", "form", "input",
    "button", "textarea", "select", "link", "meta", "base", "template", "video", "audio",
}  # fmt: skip
SAFE_SCHEMES = ("http:", "https:", "mailto:", "#", "/", "../", "./")

HOSTILE_BODIES = {
    "scripts": "<script>alert(1)</script>\n\n<SCRIPT SRC=//evil.example/x.js></SCRIPT>\n\n"
    "<scr<script>ipt>alert(2)</script>",
    "handlers": '<img src=x onerror=alert(1)>\n\n<p onclick="alert(2)">click</p>\n\n'
    '<a href="https://ok.example" onmouseover=alert(3)>hover</a>\n\n<body onload=alert(4)>',
    "javascript-links": "[a](javascript:alert(1))\n\n[b](JaVaScRiPt:alert(2))\n\n"
    "[c](&#106;avascript:alert(3))\n\n[d](&#x6A;avascript:alert(4))\n\n"
    '<a href="jav&#x09;ascript:alert(5)">e</a>\n\n<a href="  javascript:alert(6)">f</a>\n\n'
    '<a href="java\nscript:alert(7)">g</a>\n\n<javascript:alert(8)>\n\n'
    "[h][ref]\n\n[ref]: javascript:alert(9)\n\n![i](javascript:alert(10))",
    "other-schemes": "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
    "[b](vbscript:msgbox(1))\n\n![c](data:image/svg+xml,<svg onload=alert(1)>)\n\n"
    '<img src="data:image/png;base64,AAAA">',
    "embedded": '<svg onload=alert(1)><circle r="1"/></svg>\n\n<iframe src="https://evil.example">'
    "</iframe>\n\n<math><mtext><script>alert(1)</script></mtext></math>\n\n"
    '<form action="https://evil.example"><input name=x><button>go</button></form>\n\n'
    "<object data=x></object><embed src=x>\n\n<style>body{display:none}</style>\n\n"
    '<link rel=stylesheet href="https://evil.example/x.css"><meta http-equiv=refresh content=0>',
    "comments-and-styles": "<!-- <script>alert(1)</script> -->\n\n"
    '<div style="background:url(javascript:alert(1))">styled</div>\n\n'
    '<p id="main">clobber</p> <a name="palabre">n</a>\n\n<base href="https://evil.example/">',
    "breakout": '"><img src=x onerror=alert(1)>\n\n</script><script>alert(1)</script>\n\n'
    "</textarea></title><script>alert(1)</script>",
}
HOSTILE_TITLE = '"><img src=x onerror=alert(1)></script><script>alert(2)</script>'


def write_hostile_contributions(content: Path, **fields: object) -> None:
    """One contribution per hostile body in week 1 of "demo", under hostile names."""
    for index, (name, body) in enumerate(sorted(HOSTILE_BODIES.items())):
        write_contribution(
            content,
            cid=f"2013-07-09-{name}",
            date="2013-07-09",
            title=HOSTILE_TITLE if index == 0 else f"Hostile {name}",
            author="<script>alert('author')</script>",
            body=body,
            **fields,
        )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    content = content_tree(root)
    write_discussion(content, "demo", weeks=1)
    write_hostile_contributions(content, organisation='<img src=x onerror="alert(1)">')
    return build(content, root / "output")


def problems_in_html(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for element in soup.find_all(True):
        if _is_site_chrome(element):
            continue
        if element.name in FORBIDDEN_ELEMENTS and not _is_theme_chart(element):
            problems.append(f"element <{element.name}>")
        for attribute, value in element.attrs.items():
            if attribute.lower().startswith("on"):
                problems.append(f"handler {attribute} on <{element.name}>")
            if attribute.lower() == "style":
                problems.append(f"style attribute on <{element.name}>")
            if attribute.lower() in ("href", "src", "action", "formaction", "xlink:href"):
                url = re.sub(r"[\x00-\x20]", "", str(value)).lower()
                if url and not url.startswith(SAFE_SCHEMES) and ":" in url.split("/")[0]:
                    problems.append(f"{attribute}={value!r} on <{element.name}>")
    return problems


CHART_ELEMENTS = {"title", "desc", "g", "text", "rect", "line"}


def _is_theme_chart(element: object) -> bool:
    """The summary page's charts: inline SVG made by the theme (charts.py), drawn only with
    shapes and text; contributor SVG never gets this far (the sanitiser drops it)."""
    return (
        element.name == "svg"
        and "chart" in element.get("class", [])
        and all(child.name in CHART_ELEMENTS for child in element.find_all(True))
    )


# The theme's search box in the header and its search page's controls; the sanitiser drops
# any contributor <form>, and keeps no class outside its short allowlist: not forgeable.
THEME_SEARCH = {"site-search", "search"}


def _is_site_chrome(element: object) -> bool:
    """The theme's own <meta>, <link> and external scripts in <head> are not contributor text,
    nor are its search forms."""
    name = getattr(element, "name", "")
    if any(THEME_SEARCH & set(e.get("class", [])) for e in [element, *element.parents]):
        return True
    if not element.find_parent("head"):
        return False
    if name == "script":
        return "/theme/js/" in element.get("src", "") and not element.get_text(strip=True)
    return name in ("meta", "link")


def test_no_page_carries_anything_executable(hostile_site: Path) -> None:
    pages = html_files(hostile_site)
    assert len(pages) >= 10
    found = {}
    for path in pages:
        problems = problems_in_html(path.read_text(encoding="utf-8"))
        if problems:
            found[path.relative_to(hostile_site).as_posix()] = problems
    assert found == {}


def test_the_only_scripts_are_the_sites_own_files(hostile_site: Path) -> None:
    for path in html_files(hostile_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script"):
            assert script.get("src", "").startswith(("/theme/js/", "../")), path
            assert "/theme/js/" in script["src"], path
            assert not script.get_text(strip=True), path


def test_hostile_titles_and_names_show_as_text(hostile_site: Path) -> None:
    week = BeautifulSoup(
        (hostile_site / "demo" / "week-1" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    titles = [a.get_text() for a in week.select(".card__title a")]
    assert HOSTILE_TITLE in titles
    authors = {b.get_text() for b in week.select(".byline__author bdi")}
    assert authors == {"<script>alert('author')</script>"}


def test_no_feed_carries_anything_executable(hostile_site: Path) -> None:
    feeds = sorted((hostile_site / "feeds").glob("*.xml"))
    assert feeds
    for feed in feeds:
        root = ET.parse(feed).getroot()  # well-formed XML, or this raises
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == len(HOSTILE_BODIES)
        for entry in entries:
            for tag in ("content", "summary"):
                html = entry.findtext(f"{ATOM}{tag}") or ""
                assert problems_in_html(html) == [], (feed.name, entry.findtext(f"{ATOM}id"))
            assert entry.findtext(f"{ATOM}title") in {HOSTILE_TITLE} | {
                f"Hostile {name}" for name in HOSTILE_BODIES
            }
