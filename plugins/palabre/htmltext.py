"""HTML e-mail -> Markdown, on the standard library's ``html.parser``.

Only the structure a reader needs survives: paragraphs, line breaks, headings, emphasis,
lists, links (http, https and mailto only), preformatted text and table rows. Everything
else (styles, scripts, Office markup, images, the quoted earlier message of a reply) is
dropped. The result is still untrusted Markdown: it is rendered and sanitised at build time
by ``palabre.markup`` like any contribution; this module only has to keep the text readable.

Why not ``html2text``: it is GPL-3.0 while Palabre is MIT, and it keeps much more than a
contribution should (images, inline styles as text, every link scheme).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "address", "center", "form",
     "fieldset", "main", "aside", "nav", "figure", "figcaption", "dl", "dt", "dd", "table",
     "thead", "tbody", "tfoot", "caption", "hr", "body", "html"}
)  # fmt: skip
# Removed with everything inside them.
SKIPPED = frozenset(
    {"head", "style", "script", "title", "template", "noscript", "iframe", "object", "embed",
     "svg", "math", "select", "textarea", "button", "xml", "o:smarttagtype"}
)  # fmt: skip
VOID = frozenset(
    {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "wbr", "source"}
)
# Markers of the quoted earlier message in the HTML of common mail clients.
QUOTE_CLASSES = frozenset(
    {"gmail_quote", "gmail_extra", "yahoo_quoted", "moz-cite-prefix", "OutlookMessageHeader",
     "divRplyFwdMsg", "protonmail_quote", "zmail_extra", "ms-outlook-mobile-reference-message"}
)  # fmt: skip
QUOTE_IDS = frozenset(
    {"divRplyFwdMsg", "appendonsend", "x_divRplyFwdMsg", "mail-editor-reference-message-container"}
)
INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`", "tt": "`", "kbd": "`"}
# Spaces that must survive the stripping of each line (list indentation, preformatted text).
_KEPT_SPACE = "\x00"
SAFE_LINK = re.compile(r"(?:https?://|mailto:)[^\s<>\"'`]+", re.IGNORECASE)
_ESCAPED = re.compile(r"([\\`*_\[\]<>#])")


def escape_markdown(text: str) -> str:
    """Keep text that looks like Markdown markup from being read as markup."""
    return _ESCAPED.sub(r"\\\1", text)


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping: list[str] = []  # open elements of a SKIPPED element or a quote
        self.pre = 0
        self.lists: list[list[int | None]] = []  # per open list: [counter or None]
        self.links: list[str | None] = []
        self.link_text_start: list[int] = []
        self.dropped_quote = False

    # --- output helpers -------------------------------------------------------------
    def text(self, data: str) -> None:
        self.out.append(data)

    def newline(self, count: int = 1) -> None:
        self.out.append("\n" * count)

    # --- parser events --------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if self.skipping:
            if tag not in VOID:
                self.skipping.append(tag)
            return
        attributes = {k.lower(): (v or "") for k, v in attrs}
        quote = self._is_quote(tag, attributes)
        if quote or tag in SKIPPED or (":" in tag and tag != "o:p"):
            self.dropped_quote = self.dropped_quote or quote
            if tag not in VOID:
                self.skipping.append(tag)
            return
        self._open(tag, attributes)

    def _is_quote(self, tag: str, attributes: dict[str, str]) -> bool:
        if tag == "blockquote" and attributes.get("type", "").lower() == "cite":
            return True
        classes = set(attributes.get("class", "").split())
        return bool(classes & QUOTE_CLASSES) or attributes.get("id", "") in QUOTE_IDS

    def _open(self, tag: str, attributes: dict[str, str]) -> None:  # noqa: PLR0912 - one branch per tag reads best
        if tag in BLOCKS or tag == "blockquote":
            self.newline(2)
            if tag == "hr":
                self.text("* * *")
                self.newline(2)
        elif tag == "br":
            self.text("  \n" if not self.pre else "\n")
        elif re.fullmatch(r"h[1-6]", tag):
            self.newline(2)
            self.text("#" * max(2, int(tag[1])) + " ")
        elif tag in INLINE:
            if not self.pre:
                self.text(INLINE[tag])
        elif tag == "pre":
            self.newline(2)
            self.text("```\n")
            self.pre += 1
        elif tag in ("ul", "ol"):
            if not self.lists:
                self.newline(2)
            self.lists.append([1 if tag == "ol" else None])
        elif tag == "li":
            self._list_item()
        elif tag == "tr":
            self.newline()
        elif tag in ("td", "th"):
            self.text(" ")
        elif tag == "a":
            href = attributes.get("href", "").strip()
            self.links.append(href if SAFE_LINK.fullmatch(href) else None)
            self.link_text_start.append(len(self.out))
        elif tag == "img":
            alt = attributes.get("alt", "").strip()
            if alt:
                self.text(escape_markdown(alt))

    def _list_item(self) -> None:
        self.newline()
        depth = max(len(self.lists) - 1, 0)
        counter = self.lists[-1] if self.lists else [None]
        if counter[0] is None:
            marker = "- "
        else:
            marker = f"{counter[0]}. "
            counter[0] += 1
        self.text(_KEPT_SPACE * 3 * depth + marker)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if self.skipping:
            if tag in self.skipping:
                while self.skipping.pop() != tag:
                    pass
            return
        if tag in BLOCKS or tag == "blockquote" or re.fullmatch(r"h[1-6]", tag):
            self.newline(2)
        elif tag in INLINE:
            if not self.pre:
                self.text(INLINE[tag])
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.text("\n```")
            self.newline(2)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self.newline(2)
        elif tag == "a" and self.links:
            self._close_link()

    def _close_link(self) -> None:
        href = self.links.pop()
        start = self.link_text_start.pop()
        label = "".join(self.out[start:]).strip()
        del self.out[start:]
        if href and label and label.replace("\\", "") != href:
            self.text(f"[{label}]({href})")
        elif href:
            self.text(f"<{href}>")
        else:
            self.text(label)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            self.text(data.replace("```", "'''").replace(" ", _KEPT_SPACE))
            return
        collapsed = re.sub(r"[ \t\r\n\f]+", " ", data)
        self.text(escape_markdown(collapsed))


def html_to_markdown(html: str) -> tuple[str, bool]:
    """Markdown for ``html``, and whether a quoted earlier message was dropped."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out)
    lines = []
    for raw in text.split("\n"):
        line = raw.strip(" \t")
        if not line.replace("\xa0", "").strip():
            line = ""
        lines.append(line + ("  " if raw.endswith("  ") and line else ""))
    result = "\n".join(lines).replace(_KEPT_SPACE, " ")
    result = re.sub(r"\n{3,}", "\n\n", result).strip()
    # A hard break at the end of a paragraph means nothing; drop it.
    result = re.sub(r" {2}\n(?=\n|$)", "\n", result)
    result = re.sub(r" {2}$", "", result)
    return result, converter.dropped_quote
