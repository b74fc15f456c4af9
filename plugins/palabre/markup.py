"""Contributor Markdown -> safe HTML. The one place where that happens; never imports Pelican.

Markdown is rendered first (CommonMark with tables, strikethrough and footnotes), then
the HTML is cleaned with an allowlist by nh3, so that raw HTML written by a contributor
goes through the same filter as the HTML Markdown made. Nothing that can run code
survives: no script, style, iframe, svg, math or form element, no event handler, and only
http, https and mailto URLs.

markdown-it-py rather than Python-Markdown: contributions are untrusted, and
Python-Markdown takes minutes on some short inputs (thousands of nested brackets) and
overflows the stack on deeply nested lists, while markdown-it bounds nesting and stays
close to linear time.
"""

from __future__ import annotations

import html
import re
from functools import partial

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.footnote import footnote_plugin

from . import citations

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
        "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
# Removed together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript",
     "textarea", "select", "title", "frame", "frameset", "noembed", "xmp"}
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "*": {"id", "lang", "dir"},
}
ALLOWED_CLASSES = {
    "a": {"footnote-backref"},
    "hr": {"footnotes-sep"},
    "li": {"footnote-item"},
    "ol": {"footnotes-list"},
    "section": {"footnotes"},
    "sup": {"footnote-ref"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Elements that scroll sideways when wider than the page (see palabre.css): focusable, so that
# a keyboard can scroll them too (WCAG 2.1.1).
SCROLLING_TAGS = ("pre", "table")
LINK_REL = "nofollow noopener noreferrer"
# Footnotes are numbered in order (fn-1); a footnote cited twice has back-references
# fnref-1 and fnref-1:1.
FOOTNOTE_ID = re.compile(r"(?:fn|fnref)-\d{1,6}(?::\d{1,6})?")
CONTRIBUTION_HEADING_SHIFT = 2  # a contributor's "# Title" becomes <h3>: pages own h1, h2
MAX_NESTING = 20  # lists in quotes in lists...: deeper input is rendered as text


def _shift_headings(state: StateCore) -> None:
    shift = state.env.get("heading_shift", CONTRIBUTION_HEADING_SHIFT)
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"


def _footnote_anchor_name(
    self: object, tokens: list, index: int, options: object, env: dict
) -> str:
    # Ids become "fn-1" and "fnref-1"; sanitising then adds the page's prefix.
    return f"-{tokens[index].meta['id'] + 1}"


# Raw HTML start tags that may open an element other elements nest in. Void elements and
# those whose next sibling closes them (li, p, td...) only nest through these.
_RAW_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)")
_FLAT_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "li", "p", "dt", "dd", "tr", "td", "th", "tbody", "thead",
     "tfoot", "option", "optgroup", "rb", "rt", "rp", "rtc", "colgroup", "caption", "html",
     "head", "body"}
)  # fmt: skip
# The HTML parser behind nh3 spends, on each tag, time in proportion to how deeply it is
# nested: 50,000 unclosed <div> (250 kB) took 27 s. markdown-it bounds Markdown's nesting;
# raw HTML is bounded here by its count of start tags, which can only overestimate depth.
MAX_RAW_HTML_TAGS = 1000


def _bound_raw_html(state: StateCore) -> None:
    """Past MAX_RAW_HTML_TAGS nestable start tags, the rest of the raw HTML shows as text."""
    budget = MAX_RAW_HTML_TAGS
    for block in state.tokens:
        for token in (block, *(block.children or ())):
            if token.type not in ("html_block", "html_inline"):
                continue
            if budget >= 0:
                budget -= sum(
                    1
                    for match in _RAW_START_TAG.finditer(token.content)
                    if match.group(1).lower() not in _FLAT_ELEMENTS
                )
            if budget < 0:
                token.type = "text"  # rendered escaped


def _new_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    parser.enable(["table", "strikethrough"])
    parser.use(footnote_plugin)
    parser.add_render_rule("footnote_anchor_name", _footnote_anchor_name)
    parser.core.ruler.push("palabre_shift_headings", _shift_headings)
    parser.core.ruler.push("palabre_bound_raw_html", _bound_raw_html)
    # Every link is made a link, so that one place decides which URLs survive: nh3 below.
    # (markdown-it would otherwise print a refused link as its Markdown source.)
    parser.validateLink = lambda url: True
    return parser


_PARSER = _new_parser()


# Attributes whose values must match a pattern to survive (others are kept as nh3 left them).
ATTRIBUTE_VALUES = {
    "id": FOOTNOTE_ID,
    "title": re.compile(r".*\S.*", re.DOTALL),
    # cite is a URL, but nh3 checks the scheme of href and src only.
    "cite": re.compile(r"\s*https?://.*", re.IGNORECASE | re.DOTALL),
    "dir": re.compile(r"ltr|rtl|auto"),
    "lang": re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"),
    **{name: re.compile(r"\d{1,4}") for name in ("width", "height", "colspan", "rowspan", "start")},
}


def _keep_attribute(
    prefix: str, placeholders: bool, tag: str, attribute: str, value: str
) -> str | None:
    if placeholders and attribute == "id" and citations.ANCHOR_PLACEHOLDER.fullmatch(value):
        return prefix + value  # an anchor made by the citation plugin, filled in later
    pattern = ATTRIBUTE_VALUES.get(attribute)
    if pattern is not None and not pattern.fullmatch(value):
        return None
    return prefix + value if attribute == "id" else value


def _relative_url(prefix: str, url: str) -> str | None:
    """Only in-page footnote links may be relative; they are renamed with the page prefix."""
    if url.startswith("#") and FOOTNOTE_ID.fullmatch(url[1:]):
        return f"#{prefix}{url[1:]}"
    return None


def sanitize(fragment: str, id_prefix: str = "", *, placeholders: bool = False) -> str:
    """Clean any HTML fragment with Palabre's allowlist.

    ``placeholders`` also lets through the anchor ids of the citation plugin (text that
    was given to it cannot forge one: ``citations.clean_source``).
    """
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=partial(_keep_attribute, id_prefix, placeholders),
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        url_relative=partial(_relative_url, id_prefix),
        set_tag_attribute_values={tag: {"tabindex": "0"} for tag in SCROLLING_TAGS},
    )
    return _tidy(cleaned)


# nh3's output is normalised: every "<" is a tag, every attribute value is double-quoted and
# escaped, and links never nest. So tags and their attributes can be read exactly here.
_TIDY = re.compile(
    r'<a((?:\s+[^\s=>]+(?:="[^"]*")?)*)>(.*?)</a>|<img((?:\s+[^\s=>]+(?:="[^"]*")?)*)>', re.DOTALL
)
_ATTRIBUTE = re.compile(r'([^\s=>]+)(?:="([^"]*)")?')


def _tidy(fragment: str) -> str:
    """Make what the allowlist left valid HTML: a link whose address was refused becomes
    its text; an image whose source was refused becomes its text alternative; an image
    without one gets an empty one (the HTML standard requires ``alt``)."""
    return _TIDY.sub(_tidy_element, fragment)


def _tidy_element(match: re.Match[str]) -> str:
    if match.group(3) is None:  # a link
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        return match.group(0) if "href" in attributes else match.group(2)
    attributes = dict(_ATTRIBUTE.findall(match.group(3)))
    if "src" not in attributes:
        return html.escape(html.unescape(attributes.get("alt", "")), quote=False)
    return match.group(0) if "alt" in attributes else match.group(0)[:-1] + ' alt="">'


def render(
    source: str, id_prefix: str = "", heading_shift: int = CONTRIBUTION_HEADING_SHIFT
) -> str:
    """Markdown written by a contributor -> sanitised HTML.

    ``id_prefix`` makes footnote ids unique on pages that show several contributions;
    ``heading_shift`` pushes the text's headings below the page's own.
    """
    rendered = _PARSER.render(source, {"heading_shift": heading_shift})
    return sanitize(rendered, id_prefix)


_REPLY_PARSER = _new_parser()
_REPLY_PARSER.use(citations.citation_plugin)
REPLY_HEADING_SHIFT = 1  # a reply's "## Week 1" becomes <h3> under the page's <h2>


def parse_reply(source: str) -> citations.Structure:
    """The citations and anchors of a consolidated reply, without rendering it."""
    env: dict = {"heading_shift": REPLY_HEADING_SHIFT}
    _REPLY_PARSER.parse(citations.clean_source(source), env)
    return citations.structure(env)


def render_reply(
    source: str, id_prefix: str = "reply-", heading_shift: int = REPLY_HEADING_SHIFT
) -> tuple[str, citations.Structure]:
    """A consolidated reply -> sanitised HTML holding citation and anchor placeholders.

    The moderators' text goes through the same parser and allowlist as a contribution;
    ``summary`` fills the placeholders in with links and ids it builds itself.
    """
    env: dict = {"heading_shift": heading_shift}
    rendered = _REPLY_PARSER.render(citations.clean_source(source), env)
    return sanitize(rendered, id_prefix, placeholders=True), citations.structure(env)


DIGEST_LENGTH = 320  # the digest of a contribution in the summary: its first sentences
# An opening paragraph wholly in italics is an editor's note (a translation, a sample):
# it says nothing of what the contribution says, so a digest skips it.
OPENING_NOTE = re.compile(r"\s*<p><em>[^<]*</em></p>\s*")
SENTENCE_END = re.compile(r"(?<=[.!?…])[»\"”)]?\s+")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|div|dd|dt)>|<br\s*/?>")


def plain_text(fragment: str) -> str:
    """Visible text of sanitised HTML, on one line (for excerpts, feeds and search)."""
    text = _BLOCK_END.sub(" ", fragment)
    text = html.unescape(_TAG.sub("", text))
    return " ".join(text.split())


def excerpt(fragment: str, limit: int = 280) -> str:
    """The first sentences of sanitised HTML, cut at a word boundary."""
    text = plain_text(_strip_footnotes(fragment))
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def first_sentences(fragment: str, limit: int = DIGEST_LENGTH) -> str:
    """The first whole sentences of sanitised HTML that fit in ``limit`` characters, at
    least one (cut at a word when a sentence alone is longer)."""
    opening = OPENING_NOTE.match(fragment)
    if opening and opening.end() < len(fragment):
        fragment = fragment[opening.end() :]
    text = excerpt(fragment, limit=2 * limit)  # enough to find where to cut
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    return kept or excerpt(fragment, limit)


def _strip_footnotes(fragment: str) -> str:
    fragment = re.sub(r'<sup class="footnote-ref">.*?</sup>', "", fragment, flags=re.DOTALL)
    return re.sub(r'<section class="footnotes">.*?</section>', "", fragment, flags=re.DOTALL)
