"""Citations in a consolidated reply: ``[@id]`` and ``[@id1; @id2]``. Pure, no Pelican.

A markdown-it plugin reads a citation into a token of its own. A core rule then records,
for every citation, the ids it names, its line in the text and the block that holds it
(paragraph, list item or table cell), which receives a stable anchor id; headings receive
one too. Citations and anchor ids are rendered as *placeholders* made of two private-use
characters around an index: the sanitiser keeps them as they are, so the moderators' text
is cleaned like any other, and the links are put in afterwards by code that escapes all it
writes (``summary.fill_citations``). The source text is stripped of those two characters
first, so that only this module can make a placeholder.

Anchor ids are made from the heading a block sits under and the block's rank among the
blocks of that section that cite something: ``week-1-local-plans-2``. Adding a paragraph
to one section leaves the anchors of every other section as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from slugify import slugify

START, END = "\ue000", "\ue001"
ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
CITATION = re.compile(rf"\[@({ID}(?:\s*;\s*@{ID})*)\s*\]")
CITED_ID = re.compile(rf"@({ID})")
PLACEHOLDER = re.compile(f"{START}([ca])(\\d{{1,6}}){END}")
ANCHOR_PLACEHOLDER = re.compile(f"{START}a\\d{{1,6}}{END}")
ENV_KEY = "palabre_citations"
TOKEN = "palabre_citation"
SLUG_LENGTH = 48
# Blocks that receive the anchor of the citations they hold; a paragraph hidden inside a
# tight list item renders no tag, so its list item takes the anchor instead.
ANCHORED = ("paragraph_open", "list_item_open", "td_open", "th_open", "heading_open")
FOOTNOTE_LIKE = re.compile(r"(?:fn|fnref)-\d+")


@dataclass(frozen=True)
class Citation:
    """One ``[@...]`` of the text. ``ids`` is empty when the syntax was not understood."""

    ids: tuple[str, ...]
    line: int  # 1-based, in the text given to the parser
    anchor: int | None  # index in Structure.anchors of the block that holds it
    raw: str = ""  # the text as written, for messages
    in_link: bool = False


@dataclass(frozen=True)
class Anchor:
    """An id given to a heading, or to a block holding citations."""

    slug: str
    heading: bool
    level: int  # the heading's level in the page (h3 -> 3); 0 for a block
    section: str  # the text of the heading itself, or of the heading the block is under
    text: str  # the heading's or the block's visible text, citations left out


@dataclass
class Structure:
    """What the parser found; filled in ``env`` while parsing."""

    citations: list[Citation] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)


def clean_source(text: str) -> str:
    """The text without the placeholder characters, which only this module may write."""
    return text.replace(START, "\ufffd").replace(END, "\ufffd")


def citation_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", TOKEN, _citation_rule)
    md.core.ruler.push("palabre_citation_anchors", _anchor_rule)
    md.add_render_rule(TOKEN, _render_citation)


def structure(env: dict) -> Structure:
    return env.get(ENV_KEY) or Structure()


def placeholder(kind: str, index: int) -> str:
    return f"{START}{kind}{index}{END}"


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = CITATION.match(state.src, state.pos)
    end = match.end() if match else state.pos + 2  # an unreadable one: just "[@"
    if not silent:
        token = state.push(TOKEN, "", 0)
        token.meta = {
            "ids": tuple(dict.fromkeys(CITED_ID.findall(match.group(0)))) if match else (),
            "offset": state.pos,
            "raw": match.group(0) if match else _as_written(state.src, state.pos),
            "in_link": state.linkLevel > 0,
        }
    state.pos = end
    return True


def _as_written(text: str, start: int) -> str:
    """An unreadable citation as the moderator wrote it: up to its "]", on its line."""
    line_end = text.find("\n", start)
    line = text[start : line_end if line_end >= 0 else len(text)]
    close = line.find("]")
    return line[: close + 1] if close >= 0 else line


def _render_citation(self: object, tokens: list[Token], index: int, options: object, env: dict):
    meta = tokens[index].meta
    if "index" not in meta or not meta["ids"]:
        return "[@"  # the text as written; the loader reports it
    return placeholder("c", meta["index"])


def _plain(children: list[Token] | None) -> str:
    """Visible text of inline tokens, citations left out (with the space before them when
    punctuation follows: "of it [@id]." -> "of it.")."""
    parts: list[str] = []
    after_citation = False
    for child in children or []:
        if child.type in ("text", "code_inline"):
            if after_citation and child.content[:1] in (".", ",", ")"):
                parts[-1:] = [parts[-1].rstrip()] if parts else []
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        after_citation = child.type == TOKEN
    return " ".join("".join(parts).split())


class _Anchors:
    def __init__(self, found: Structure) -> None:
        self.found = found
        self.used: set[str] = set()
        self.section = ""
        self.section_slug = "introduction"
        self.rank: dict[str, int] = {}

    def unique(self, base: str) -> str:
        base = base or "section"
        if FOOTNOTE_LIKE.fullmatch(base):  # "reply-fn-1" belongs to the first footnote
            base = f"s-{base}"
        slug, n = base, 1
        while slug in self.used:
            n += 1
            slug = f"{base}-{n}"
        self.used.add(slug)
        return slug

    def heading(self, token: Token, inline: Token) -> None:
        text = _plain(inline.children)
        slug = self.unique(slugify(text, max_length=SLUG_LENGTH, word_boundary=True))
        self.section, self.section_slug = text, slug
        self.add(token, Anchor(slug, True, int(token.tag[1]), text, text))

    def block(self, token: Token, inline: Token) -> int:
        if token.attrGet("id") is not None:
            return int(PLACEHOLDER.fullmatch(str(token.attrGet("id"))).group(2))
        rank = self.rank[self.section_slug] = self.rank.get(self.section_slug, 0) + 1
        slug = self.unique(f"{self.section_slug}-{rank}")
        return self.add(token, Anchor(slug, False, 0, self.section, _plain(inline.children)))

    def add(self, token: Token, anchor: Anchor) -> int:
        index = len(self.found.anchors)
        self.found.anchors.append(anchor)
        token.attrSet("id", placeholder("a", index))
        return index


def _anchor_rule(state: StateCore) -> None:
    found = state.env[ENV_KEY] = Structure()
    anchors = _Anchors(found)
    stack: list[Token] = []
    for token in state.tokens:
        if token.nesting == -1 and stack:
            stack.pop()
        if token.type != "inline":
            if token.nesting == 1:
                stack.append(token)
            continue
        holder = next((t for t in reversed(stack) if t.type in ANCHORED and not t.hidden), None)
        if holder is not None and holder.type == "heading_open":
            anchors.heading(holder, token)
        citations = [c for c in token.children or [] if c.type == TOKEN]
        if not citations:
            continue
        anchor = anchors.block(holder, token) if holder is not None else None
        first_line = token.map[0] if token.map else 0
        for child in citations:
            line = first_line + token.content.count("\n", 0, child.meta["offset"]) + 1
            child.meta["index"] = len(found.citations)
            found.citations.append(
                Citation(
                    ids=child.meta["ids"],
                    line=line,
                    anchor=anchor,
                    raw=child.meta["raw"],
                    in_link=child.meta["in_link"],
                )
            )
