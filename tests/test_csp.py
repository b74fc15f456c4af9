"""The Content Security Policy: every page carries it, it allows only the site's own scripts
and styles, and the site works under it in a real browser (no violation, CSS applied).

The policy is a ``<meta>`` (a static host such as GitHub Pages sends no custom header), so
it cannot say ``frame-ancestors``: browsers ignore that directive in a ``<meta>``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.quality import build_hostile_site, build_sample_site, key_pages, url_of
from tests.sites import html_files

POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "https:", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "manifest-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
}
SITES = ("sample", "hostile")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("csp")
    return {
        "sample": build_sample_site(root / "sample" / "output"),
        "hostile": build_hostile_site(root / "hostile"),
    }


def parse_policy(text: str) -> dict[str, list[str]]:
    directives = [part.split() for part in text.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


@pytest.mark.parametrize("site", SITES)
def test_every_page_carries_the_policy_before_anything_it_governs(sites, site: str) -> None:
    wrong = {}
    pages = html_files(sites[site])
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        metas = soup.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
        head = [e for e in soup.head.find_all(True, recursive=False)] if soup.head else []
        problems = []
        if len(metas) != 1:
            problems.append(f"{len(metas)} policies")
        elif head[:2] != [soup.head.find("meta", charset=True), metas[0]]:
            problems.append("the policy is not first after the charset")
        elif parse_policy(metas[0]["content"]) != POLICY:
            problems.append(f"policy {metas[0]['content']!r}")
        # What the policy would block anyway must not be there at all.
        if soup.find("script", src=False) or soup.find("style"):
            problems.append("inline <script> or <style>")
        if soup.find(style=True):
            problems.append("style attribute")
        if any(a.startswith("on") for e in soup.find_all(True) for a in e.attrs):
            problems.append("event handler attribute")
        if problems:
            wrong[path.relative_to(sites[site]).as_posix()] = problems
    assert len(pages) >= 10
    assert wrong == {}


def test_the_policy_allows_nothing_inline_and_nothing_foreign() -> None:
    values = [value for values in POLICY.values() for value in values]
    assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
    assert all(value in ("'self'", "'none'", "https:", "data:") for value in values)
    assert "frame-ancestors" not in POLICY  # ignored in a <meta>: say it with a header


# Every violation reported in the page, and every console message about the policy.
LISTEN = """document.addEventListener("securitypolicyviolation", (event) => {
  window.__palabreViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${document.URL}`
  );
});"""


@pytest.mark.parametrize("site", SITES)
def test_pages_work_under_the_policy(browser, serve, sites, site: str) -> None:
    output = sites[site]
    base = serve(output)
    violations: list[str] = []
    errors: list[str] = []
    context = browser.new_context()
    context.expose_binding("__palabreViolation", lambda _source, text: violations.append(text))
    context.add_init_script(LISTEN)
    # Contributors' images over https are allowed; the test machine has no network.
    context.route(lambda url: url.startswith("https:"), lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    pages = dict(key_pages(output))
    root = output / "index.html"
    pages.setdefault("root", url_of(output, root))
    unstyled = []
    for kind, url in sorted(pages.items()):
        page.goto(base + url + ("?q=migration" if kind == "search" else ""))
        page.wait_for_load_state("networkidle")
        styled = page.evaluate(
            """() => document.styleSheets.length > 0
              && getComputedStyle(document.body).marginTop === "0px"
              && [...document.styleSheets].every((sheet) => sheet.cssRules.length > 0)"""
        )
        if not styled:
            unstyled.append(f"{kind} /{url}")
    assert violations == []
    assert errors == []  # no console error or warning, CSP's or a script's
    assert unstyled == []
    # The policy is in force: an inline script added now is refused and reported.
    page.goto(base + pages["home"])
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.head.append(script);
        }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.ran === undefined")
    assert any(v.startswith("script-src") for v in violations), violations
    context.close()
