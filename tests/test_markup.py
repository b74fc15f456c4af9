"""Contributor Markdown -> safe HTML.

Simple cases compare the whole output, as Python-Markdown's ``assertMarkdownRenders``
does. Hostile input is checked by parsing the output as a browser would and looking at
every element and attribute, not by searching the text.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from palabre.markup import (
    ALLOWED_TAGS,
    MAX_RAW_HTML_TAGS,
    excerpt,
    plain_text,
    render,
    sanitize,
)

REL = 'rel="nofollow noopener noreferrer"'


def assert_renders(source: str, expected: str, id_prefix: str = "") -> None:
    assert render(source, id_prefix) == expected


# Markdown


def test_emphasis_and_inline_code() -> None:
    assert_renders(
        "*em* **strong** ~~gone~~ `a < b`",
        "<p><em>em</em> <strong>strong</strong> <s>gone</s> <code>a &lt; b</code></p>\n",
    )


def test_headings_are_shifted_by_two() -> None:
    assert_renders(
        "# Un\n\n## Deux\n\n### Trois\n\n#### Quatre\n\n##### Cinq",
        "<h3>Un</h3>\n<h4>Deux</h4>\n<h5>Trois</h5>\n<h6>Quatre</h6>\n<h6>Cinq</h6>\n",
    )


def test_setext_headings_are_shifted_too() -> None:
    assert_renders("Titre\n=====\n\nSous-titre\n---", "<h3>Titre</h3>\n<h4>Sous-titre</h4>\n")


def test_heading_shift_can_be_chosen() -> None:
    assert render("# Appel", heading_shift=1) == "<h2>Appel</h2>\n"


def test_table() -> None:
    # Tables and preformatted text scroll sideways when too wide: tabindex lets a keyboard
    # scroll them.
    assert_renders(
        "| Pays | Part |\n|:-----|-----:|\n| Mali | 12 % |",
        '<table tabindex="0">\n<thead>\n<tr>\n<th>Pays</th>\n<th>Part</th>\n</tr>\n</thead>\n'
        "<tbody>\n<tr>\n<td>Mali</td>\n<td>12 %</td>\n</tr>\n</tbody>\n</table>\n",
    )


def test_fenced_code_is_escaped_text() -> None:
    assert_renders(
        "```python\nif a < b and c > d:\n    pass\n```",
        '<pre tabindex="0"><code>if a &lt; b and c &gt; d:\n    pass\n</code></pre>\n',
    )
    assert_renders(
        "~~~\n<script>alert(1)</script>\n~~~",
        '<pre tabindex="0"><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n',
    )


def test_lists() -> None:
    assert_renders(
        "- un\n- deux\n    - trois",
        "<ul>\n<li>un</li>\n<li>deux\n<ul>\n<li>trois</li>\n</ul>\n</li>\n</ul>\n",
    )
    assert_renders("1. un\n1. deux", "<ol>\n<li>un</li>\n<li>deux</li>\n</ol>\n")
    assert_renders(
        "3. trois\n4. quatre", '<ol start="3">\n<li>trois</li>\n<li>quatre</li>\n</ol>\n'
    )


def test_quote_line_break_and_rule() -> None:
    assert_renders("> Citation\n> suite", "<blockquote>\n<p>Citation\nsuite</p>\n</blockquote>\n")
    assert_renders("a  \nb", "<p>a<br>\nb</p>\n")
    assert_renders("---", "<hr>\n")


def test_footnote_ids_take_the_prefix() -> None:
    html = render("Texte[^1].\n\n[^1]: La note.", "c1-")
    assert 'id="c1-fn-1"' in html
    assert 'href="#c1-fn-1"' in html
    assert 'id="c1-fnref-1"' in html
    assert 'href="#c1-fnref-1"' in html
    elements = collect(html)
    ids = [attrs["id"] for _, attrs in elements if "id" in attrs]
    links = [attrs["href"] for tag, attrs in elements if tag == "a"]
    assert ids == ["c1-fnref-1", "c1-fn-1"]
    assert links == ["#c1-fn-1", "#c1-fnref-1"]


def test_named_and_repeated_footnotes_link_both_ways() -> None:
    html = render("Un[^a] deux[^note] trois[^a].\n\n[^a]: A.\n[^note]: B.", "c2-")
    elements = collect(html)
    ids = {attrs["id"] for _, attrs in elements if "id" in attrs}
    hrefs = {attrs["href"] for tag, attrs in elements if tag == "a"}
    assert all(identifier.startswith("c2-") for identifier in ids)
    # Every footnote link lands on an id, and every id is reached by a link.
    assert hrefs == {f"#{identifier}" for identifier in ids}
    assert len(ids) == 5  # two notes, three references


def test_two_contributions_on_one_page_have_distinct_footnote_ids() -> None:
    first = collect(render("A[^1]\n\n[^1]: N.", "c1-"))
    second = collect(render("A[^1]\n\n[^1]: N.", "c2-"))
    ids = [attrs["id"] for _, attrs in first + second if "id" in attrs]
    assert len(ids) == len(set(ids)) == 4


def test_external_links_get_rel() -> None:
    assert_renders(
        '[site](https://example.org/a?b=1&c=2 "Titre") <mailto:team@example.org>',
        f'<p><a href="https://example.org/a?b=1&amp;c=2" title="Titre" {REL}>site</a> '
        f'<a href="mailto:team@example.org" {REL}>mailto:team@example.org</a></p>\n',
    )
    assert_renders(
        "<https://example.org>",
        f'<p><a href="https://example.org" {REL}>https://example.org</a></p>\n',
    )


def test_relative_links_become_their_text() -> None:
    # A link without an address is not valid with rel, and leads nowhere: its text stays.
    assert_renders(
        "[page](/about/) [ici](#top) [x](page.html) [y](//evil.example) <a title=t>z</a>",
        "<p>page ici x y z</p>\n",
    )


def test_images_keep_http_sources_only() -> None:
    assert_renders(
        '![Logo](https://example.org/logo.png "Le logo") ![Carte](http://example.org/c.png)',
        '<p><img src="https://example.org/logo.png" alt="Logo" title="Le logo"> '
        '<img src="http://example.org/c.png" alt="Carte"></p>\n',
    )
    # An image without a source is not valid HTML: its text alternative stays, as text.
    assert_renders("![Logo](logo.png)", "<p>Logo</p>\n")
    assert_renders("![x](data:image/png;base64,AAAA)", "<p>x</p>\n")
    assert_renders('<img alt="a &lt;b&gt; &amp; c" src=x onerror=alert(1)>', "a &lt;b&gt; &amp; c")
    # The standard requires alt: an image given none is taken as decorative.
    assert_renders(
        '<img src="https://example.org/a.png" title="x">',
        '<img src="https://example.org/a.png" title="x" alt="">',
    )


def test_allowed_inline_html_is_kept_with_checked_attributes() -> None:
    assert_renders(
        '<abbr title="Organisation des Nations unies">ONU</abbr> <span lang="en">hi</span> '
        '<span lang="x y" dir="sideways">z</span>',
        '<p><abbr title="Organisation des Nations unies">ONU</abbr> <span lang="en">hi</span> '
        "<span>z</span></p>\n",
    )
    assert_renders(
        '<table tabindex="-1"><tr><td colspan="2" rowspan="x">a</td></tr></table>',
        '<table tabindex="0"><tbody><tr><td colspan="2">a</td></tr></tbody></table>',
    )


def test_cite_keeps_http_addresses_only() -> None:
    assert_renders(
        '<q cite="https://example.org/a">x</q> <q cite="javascript:alert(1)">y</q>',
        '<p><q cite="https://example.org/a">x</q> <q>y</q></p>\n',
    )


def test_other_ids_are_dropped() -> None:
    assert_renders('<p id="main">a</p>\n\n<h2 id="top">b</h2>', "<p>a</p>\n<h2>b</h2>")


def test_sanitize_is_the_same_filter() -> None:
    assert sanitize('<p onclick="x()" id="fn-1">a<script>b</script></p>', "c9-") == (
        '<p id="c9-fn-1">a</p>'
    )


# Hostile input

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "script in text": "Bonjour <script src=https://evil.example/x.js></script> !",
    "script split": "<scr<script>ipt>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "img onerror quoted": '<img src="https://example.org/a.png" onerror="alert(1)">',
    "img slash onerror": '<img src="https://example.org/x.png"/onerror=alert(1)>',
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "math": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction>'
    "</math>",
    "form": '<form action="https://evil.example"><input name=a><button>Go</button></form>',
    "button formaction": '<button formaction="javascript:alert(1)">x</button>',
    "style element": "<style>body { display: none }</style>",
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "template": "<template><script>alert(1)</script></template>",
    "noscript breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "textarea": "<textarea><script>alert(1)</script></textarea>",
    "comment": "<!-- <script>alert(1)</script> --> texte",
    "conditional comment": "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "base": '<base href="https://evil.example/">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "body onload": "<body onload=alert(1)>x",
    "a onclick": '<a href="x" onclick="alert(1)">x</a>',
    "a onclick bare": "<a href=https://example.org onclick>x</a>",
    "a onmouseover": '<a href="https://example.org" onmouseover="alert(1)">x</a>',
    "a target": '<a href="https://example.org" target="_blank" rel="opener">x</a>',
    "a xlink": '<a href="https://example.org" xlink:href="javascript:alert(1)">x</a>',
    "id attribute": '<div id="content">x</div> <a id="login" href="https://example.org">y</a>',
    "class attribute": '<div class="footnote hidden">x</div> <a class="btn" href="#">y</a>',
    "javascript": '<a href="javascript:alert(1)">x</a>',
    "javascript mixed case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "javascript decimal entity": '<a href="&#106;avascript:alert(1)">x</a>',
    "javascript hex entity": '<a href="&#x6A;avascript:alert(1)">x</a>',
    "javascript padded entity": '<a href="&#0000106;avascript:alert(1)">x</a>',
    "javascript tab entity": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "javascript newline entity": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "javascript raw tab": '<a href="jav\tascript:alert(1)">x</a>',
    "javascript raw newline": '<a href="jav\nascript:alert(1)">x</a>',
    "javascript colon entity": '<a href="javascript&colon;alert(1)">x</a>',
    "javascript leading spaces": '<a href="   javascript:alert(1)">x</a>',
    "javascript leading control": '<a href="\x01javascript:alert(1)">x</a>',
    "data html": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "data base64": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "img javascript src": '<img src="javascript:alert(1)">',
    "img srcset": '<img src="https://example.org/a.png" srcset="javascript:alert(1) 1x">',
    "q cite": '<q cite="javascript:alert(1)">x</q>',
    "blockquote cite": '<blockquote cite="  JAVASCRIPT:alert(1)">x</blockquote>',
    "md link javascript": "[x](javascript:alert(1))",
    "md link mixed case": "[x](JaVaScRiPt:alert(1))",
    "md link entity": "[x](&#106;avascript:alert(1))",
    "md link percent": "[x](javascript%3Aalert(1))",
    "md link angle": "[x](<javascript:alert(1)>)",
    "md link spaces": "[x](  javascript:alert(1)  )",
    "md link data": "[x](data:text/html,<script>alert(1)</script>)",
    "md link vbscript": "[x](vbscript:msgbox(1))",
    "md link title breakout": '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "md image javascript": "![x](javascript:alert(1))",
    "md image data svg": "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "md image onerror alt": '![x" onerror="alert(1)](https://example.org/a.png)',
    "autolink javascript": "<javascript:alert(1)>",
    "autolink vbscript": "<vbscript:msgbox(1)>",
    "autolink data": "<data:text/html,alert(1)>",
    "reference link": "[x][r]\n\n[r]: javascript:alert(1)",
    "reference link entity": '[x][r]\n\n[r]: &#x6A;avascript:alert(1) "t"',
    "reference image": "![x][r]\n\n[r]: javascript:alert(1)",
    "footnote spoof": '<a href="#fn-1" onclick="alert(1)">x</a><p id="fn-1" style="x">y</p>',
    "html in table": "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "html in footnote": "x[^1]\n\n[^1]: <script>alert(1)</script> <a href=javascript:x()>y</a>",
    "html in list": "- <iframe src=https://evil.example></iframe>\n- <svg/onload=alert(1)>",
    "unclosed tag": '<a href="javascript:alert(1)',
    "nested quotes": "<a href='javascript:alert(\"1\")'>x</a>",
}

FORBIDDEN_TAGS = {"script", "style", "iframe", "svg", "math", "form", "object", "embed"}
SAFE_URL = re.compile(r"(?:https?://|mailto:|#)", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "data", "srcset", "poster"}


class _Collector(HTMLParser):
    """Every element with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.others: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_comment(self, data: str) -> None:
        self.others.append(f"comment {data}")

    def handle_decl(self, decl: str) -> None:
        self.others.append(f"declaration {decl}")

    def handle_pi(self, data: str) -> None:
        self.others.append(f"processing instruction {data}")

    def unknown_decl(self, data: str) -> None:
        self.others.append(f"declaration {data}")


def collect(html: str) -> list[tuple[str, dict[str, str]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    assert collector.others == []
    return collector.elements


def browser_url(value: str) -> str:
    """A URL as a browser reads it: tabs and newlines removed, leading controls stripped."""
    return re.sub(r"[\t\n\r]", "", value).lstrip("\x00\x01\x02\x03\x04\x05 \x0c")


def assert_safe(html: str) -> None:
    for tag, attrs in collect(html):
        assert tag not in FORBIDDEN_TAGS, html
        assert tag in ALLOWED_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in URL_ATTRIBUTES:
                assert SAFE_URL.match(browser_url(value)), html
            if name == "id":
                assert value.startswith("c1-"), html
        if tag == "a":
            assert attrs.get("rel") == "nofollow noopener noreferrer", html


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_made_harmless(source: str) -> None:
    assert_safe(render(source, "c1-"))


def test_hostile_corpus_at_once() -> None:
    # Pieces that are harmless alone must stay harmless when Markdown joins them.
    html = render("\n\n".join(HOSTILE.values()), "c1-")
    assert_safe(html)


def test_raw_html_past_the_bound_shows_as_text() -> None:
    nested = "<div>" * MAX_RAW_HTML_TAGS + "</div>" * MAX_RAW_HTML_TAGS
    assert render(nested).count("<div>") == MAX_RAW_HTML_TAGS
    html = render(nested + "\n\n<div>one more</div>\n\n*still Markdown*")
    assert html.count("<div>") == MAX_RAW_HTML_TAGS
    assert "&lt;div&gt;one more&lt;/div&gt;" in html
    assert "<em>still Markdown</em>" in html


def test_comments_leave_the_text_around_them() -> None:
    assert render("<!-- note de modération --> texte").strip() == "texte"


@pytest.mark.parametrize(
    "source",
    [
        "[" * 5000 + "x" + "]" * 5000,
        "[a](" * 2000,
        "> " * 2000 + "x",
        "".join("  " * level + "- x\n" for level in range(300)),
        "*" * 5000 + "a" + "*" * 5000,
        "<div>" * 2000,
        "&#" * 5000,
        "<div>" * 50_000,  # took 27 s in the HTML parser before raw HTML was bounded
        '<blockquote title="</blockquote>">' * 20_000,
        "<span>" * 30_000 + "\n\n" + "para\n\n" * 2000,
    ],
    ids=[
        "brackets", "open links", "quotes", "nested lists", "stars", "divs", "entities",
        "many divs", "closing tags in attributes", "deep spans then paragraphs",
    ],
)  # fmt: skip
def test_pathological_input_renders_fast(source: str) -> None:
    started = time.perf_counter()
    html = render(source)
    assert time.perf_counter() - started < 1
    assert_safe(html.replace("c1-", ""))


# Text for excerpts, feeds and search


def test_plain_text_is_the_visible_text_on_one_line() -> None:
    html = render("# Titre\n\nUn *texte* &amp; une [suite](https://example.org).\n\n- a\n- b")
    assert plain_text(html) == "Titre Un texte & une suite. a b"


def test_plain_text_separates_blocks_and_breaks() -> None:
    assert plain_text("<p>un</p><p>deux<br>trois</p><ul><li>quatre</li></ul>") == (
        "un deux trois quatre"
    )


def test_excerpt_leaves_footnotes_out() -> None:
    html = render("Un texte avec une note[^1].\n\n- point\n- autre\n\n[^1]: La note.", "c1-")
    assert excerpt(html) == "Un texte avec une note. point autre"


def test_excerpt_cuts_at_a_word() -> None:
    html = render("Migration et développement local. " * 20)
    text = excerpt(html, limit=50)
    assert text == "Migration et développement local. Migration et…"
    assert len(text) <= 51


def test_short_excerpt_is_the_whole_text() -> None:
    assert excerpt(render("Court.")) == "Court."
