"""Shared pieces of the quality gates: the sites they check, the pages that stand for each
kind, and the external checkers (the Nu HTML Checker, axe-core) found or required.

The gates run over two sites: the repository's sample site, and a tiny site whose
contributions are hostile (scripts, handlers, dangerous URLs from ``tests/test_hostile.py``)
or merely demanding (tables, footnotes, images, deep lists, right-to-left text), so that
what a contributor may write is checked too, not only what the sample happens to hold.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import ROOT, SAMPLE_CONTENT, build
from tests.test_hostile import write_hostile_contributions

# Pages of a discussion folder that are not contributions (reserved ids, frontmatter.py).
REPORT_PAGES = frozenset({"summary", "proceedings"})
NODE_MODULES = ROOT / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"

# Markdown a contributor may legitimately write, every construct the sanitiser lets through.
RICH_BODY = """\
Sample text with **every** construct a contribution may use.[^1] Cited twice.[^1] Another.[^2]

# A heading written as level one

## Level two

### Level three

| Country | Contributions | Share |
| :------ | ------------: | :---: |
| Mali    | 12            | 30 %  |
| Senegal | 8             | 20 %  |

1. first
   - nested *emphasis*
     > quoted `code` and a [link](https://example.org "with a title")
2. second

```
preformatted      text that is long enough to need a horizontal scroll bar on a phone: ----------
```

![A chart of contributions](https://example.org/chart.png) ![](https://example.org/x.png)

<abbr title="Non-governmental organisation">NGO</abbr> <q cite="https://example.org">quoted</q>
<kbd>Ctrl</kbd> <mark>marked</mark> <del>old</del> <ins>new</ins> <sub>2</sub> <sup>3</sup>

<dl><dt>Term</dt><dd>Definition</dd></dl>

<table><caption>Raw table</caption><thead><tr><th scope="col">A</th><th>B</th></tr></thead>
<tbody><tr><td colspan="2">both</td></tr></tbody></table>

<p lang="ar" dir="rtl">نص باللغة العربية</p>

<ol start="7"><li>seven</li></ol>

Averyveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwordwithoutanybreak.

---

[^1]: The first note.
[^2]: The second note, with a [link](https://example.org).
"""


def build_sample_site(output: Path, **overrides: object) -> Path:
    return build(SAMPLE_CONTENT, output, **overrides)


def build_hostile_site(root: Path, **overrides: object) -> Path:
    """A discussion whose contributions are every hostile body, a rich one, a reply and a
    translation, with hostile names; built into ``root/output``."""
    content = content_tree(root)
    write_discussion(content, "demo", weeks=2)
    hostile = {
        "organisation": '<img src=x onerror="alert(1)">',
        "country": "</bdi><script>alert(1)</script>",
    }
    write_hostile_contributions(content, **hostile)
    write_contribution(
        content,
        cid="2013-07-10-rich",
        date="2013-07-10",
        title="Every construct",
        author="Mariam Al-Hassan مريم",
        body=RICH_BODY,
        language="en",
    )
    write_contribution(
        content,
        cid="2013-07-11-rich-fr",
        date="2013-07-11",
        title="Toutes les constructions",
        author="Mariam Al-Hassan مريم",
        body=RICH_BODY,
        translation_of="2013-07-10-rich",
    )
    write_contribution(
        content,
        week=2,
        cid="2013-07-16-reply",
        date="2013-07-16",
        title="A reply across weeks",
        author="Jean Dupont",
        language="es",
        in_reply_to="2013-07-10-rich",
        body="Texto de ejemplo.[^a]\n\n[^a]: Una nota.",
    )
    return build(content, root / "output", **overrides)


def url_of(output: Path, path: Path) -> str:
    """The site URL (``a/b/``) of the built file ``path``."""
    return path.relative_to(output).as_posix().removesuffix("index.html")


def home_folder(output: Path) -> Path:
    """Where the default interface language's pages are: the site root, or ``<lang>/``
    when the root holds only pages that redirect to the reader's language."""
    languages = sorted(p.parent for p in output.glob("*/index.html") if len(p.parent.name) <= 3)
    for candidate in [output, *languages]:
        page = candidate / "index.html"
        if page.is_file() and "data-redirect" not in page.read_text("utf-8"):
            return candidate
    return output


def key_pages(output: Path) -> dict[str, str]:
    """One page of each kind the site has, by kind; found in the output, so that kinds that
    land later (summary, search) are picked up without changing the tests.

    Contribution pages are the ones that hold the most varied content: a table, footnotes,
    a translation and a reply.
    """
    base = home_folder(output)
    found: dict[str, str] = {"home": url_of(output, base / "index.html")}
    discussions = sorted(
        {p.parent.parent for p in base.glob("*/week-*/index.html")},
        key=lambda d: (-len(list(d.glob("*/index.html"))), d.name),
    )
    if discussions:
        discussion = discussions[0]
        found["discussion"] = url_of(output, discussion / "index.html")
        weeks = sorted(discussion.glob("week-*/index.html"), key=lambda p: p.stat().st_size)
        found["week"] = url_of(output, weeks[-1])  # the busiest week
        contributions = sorted(
            p
            for d in discussions
            for p in d.glob("*/index.html")
            if not p.parent.name.startswith("week-") and p.parent.name not in REPORT_PAGES
        )
        wanted = {
            "contribution-table": "<table",
            "contribution-footnotes": 'class="footnotes"',
            "contribution-translation": 'class="note"',
            "contribution-reply": 'class="in-reply-to"',
        }
        for kind, marker in wanted.items():
            page = next((p for p in contributions if marker in p.read_text("utf-8")), None)
            if page is not None:
                found[kind] = url_of(output, page)
        if contributions and not any(kind.startswith("contribution") for kind in found):
            found["contribution"] = url_of(output, contributions[0])
        for kind in sorted(REPORT_PAGES):
            reports = sorted(base.glob(f"*/{kind}/index.html"), key=lambda p: -p.stat().st_size)
            if reports:
                found[kind] = url_of(output, reports[0])  # the fullest: a written reply
    authors = sorted(base.glob("authors/*/index.html"), key=lambda p: (-p.stat().st_size, p))
    if authors:
        found["author"] = url_of(output, authors[0])
    if (base / "authors" / "index.html").is_file():
        found["authors"] = url_of(output, base / "authors" / "index.html")
    if (base / "search" / "index.html").is_file():
        found["search"] = url_of(output, base / "search" / "index.html")
    return found


def contribution_pages(output: Path) -> list[str]:
    """Every contribution page of the default interface language."""
    base = home_folder(output)
    return sorted(
        url_of(output, p)
        for d in {w.parent.parent for w in base.glob("*/week-*/index.html")}
        for p in d.glob("*/index.html")
        if not p.parent.name.startswith("week-") and p.parent.name not in REPORT_PAGES
    )


def require_tool(name: str, found: bool, how: str) -> None:
    """Skip a test whose external tool is missing, or fail when CI requires every tool."""
    if found:
        return
    reason = f"{name} is not available ({how})"
    if os.environ.get("PALABRE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"PALABRE_REQUIRE_TOOLS=1 but {reason}")
    pytest.skip(reason)


def java() -> str:
    executable = shutil.which("java")
    require_tool("java", executable is not None, "apt-get install default-jre-headless")
    return executable or "java"


def axe_source() -> str:
    require_tool("axe-core", AXE_SCRIPT.is_file(), "npm ci at the repository root")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def quality_sites(root: Path, serve: Callable[[Path], str]) -> dict[str, tuple[Path, str]]:
    """The sample site and the hostile one, built under ``root``: each site's output
    folder and the URL ``serve`` gives it."""
    outputs = {
        "sample": build_sample_site(root / "sample" / "output"),
        "hostile": build_hostile_site(root / "hostile"),
    }
    return {name: (output, serve(output)) for name, output in outputs.items()}
