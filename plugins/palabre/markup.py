"""Contributor Markdown -> safe HTML. The one place where that happens; never imports Pelican.

Markdown is rendered first (tables, fenced code, footnotes), then the HTML is cleaned
with an allowlist by nh3, so that raw HTML written by a contributor goes through the same
filter as the HTML Markdown made. Nothing that can run code survives: no script, style,
iframe, svg, math or form element, no event handler, and only http, https and mailto URLs.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from functools import partial

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
        "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
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
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
    "sup": {"footnote-ref"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
# Python-Markdown names footnotes after their label ("[^note]" -> fn-note) and numbers the
# back-references of a footnote cited twice (fnref2-note).
FOOTNOTE_ID = re.compile(r"(?:fn|fnref\d*)-[A-Za-z0-9_-]{1,80}")
CONTRIBUTION_HEADING_SHIFT = 2  # a contributor's "# Title" becomes <h3>: pages own h1, h2


class _ShiftHeadings(Treeprocessor):
    shift = CONTRIBUTION_HEADING_SHIFT

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(int(element.tag[1]) + self.shift, 6)}"


class ShiftHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ShiftHeadings(md), "palabre_shift_headings", 5)


def _new_markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "footnotes", "sane_lists", ShiftHeadingsExtension()],
        extension_configs={"footnotes": {"SEPARATOR": "-", "BACKLINK_TITLE": ""}},
        output_format="html",
    )
    return md


_MARKDOWN = _new_markdown()


def _keep_attribute(prefix: str, tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return prefix + value if FOOTNOTE_ID.fullmatch(value) else None
    if attribute == "title" and not value.strip():
        return None
    if attribute == "dir":
        return value if value in ("ltr", "rtl", "auto") else None
    if attribute == "lang":
        return value if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value) else None
    if attribute in ("width", "height", "colspan", "rowspan", "start"):
        return value if re.fullmatch(r"\d{1,4}", value) else None
    return value


def _relative_url(prefix: str, url: str) -> str | None:
    """Only in-page footnote links may be relative; they are renamed with the page prefix."""
    if url.startswith("#") and FOOTNOTE_ID.fullmatch(url[1:]):
        return f"#{prefix}{url[1:]}"
    return None


def sanitize(fragment: str, id_prefix: str = "") -> str:
    """Clean any HTML fragment with Palabre's allowlist."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=partial(_keep_attribute, id_prefix),
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        url_relative=partial(_relative_url, id_prefix),
    )


def render(
    source: str, id_prefix: str = "", heading_shift: int = CONTRIBUTION_HEADING_SHIFT
) -> str:
    """Markdown written by a contributor -> sanitised HTML.

    ``id_prefix`` makes footnote ids unique on pages that show several contributions;
    ``heading_shift`` pushes the text's headings below the page's own.
    """
    _MARKDOWN.reset()
    _MARKDOWN.treeprocessors["palabre_shift_headings"].shift = heading_shift
    return sanitize(_MARKDOWN.convert(source), id_prefix)


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


def _strip_footnotes(fragment: str) -> str:
    fragment = re.sub(r'<sup[^>]*><a class="footnote-ref"[^>]*>[^<]*</a></sup>', "", fragment)
    return re.sub(r'<div class="footnote">.*?</div>', "", fragment, flags=re.DOTALL)
