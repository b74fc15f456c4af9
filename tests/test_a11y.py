"""Accessibility of the built sites, in a real browser: axe-core finds no WCAG 2.1 A/AA
violation on one page of each kind, in light and dark colour schemes; and the things axe
cannot judge alone are checked directly: skip link, landmarks, one h1, a visible focus on
every element the keyboard reaches, no motion when the reader asks for less.

The pages are found in each built site (``tests.quality.key_pages``), so the summary and
search pages are checked as soon as they exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.quality import axe_source, key_pages, quality_sites

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best practices worth holding to as well: every piece of content in a landmark, each
# landmark once or named apart, one main, one h1. (Not "heading-order": a contributor's own
# headings may skip a level under the page's.)
BEST_PRACTICES = [
    "region",
    "landmark-one-main",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "landmark-unique",
    "page-has-heading-one",
    "skip-link",
]
SCHEMES = ("light", "dark")
# Light on a desktop, dark on a phone: a table or code block that scrolls only on a narrow
# screen is checked too.
VIEWPORTS = {"light": {"width": 1280, "height": 900}, "dark": {"width": 360, "height": 740}}
SITES = ("sample", "hostile")
# Experimental rules (such as p-as-heading, a guess from font sizes) are left out, as axe
# itself does by default.
RUN_AXE = """async ([tags, extra]) => {
  const rules = axe.getRules(tags)
    .filter((rule) => !rule.tags.includes("experimental"))
    .map((rule) => rule.ruleId)
    .concat(extra);
  const results = await axe.run(document, {
    runOnly: {type: "rule", values: rules},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, serve) -> dict[str, tuple[Path, str]]:
    """Each site's output folder and the URL it is served at."""
    return quality_sites(tmp_path_factory.mktemp("a11y"), serve)


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def _violations_report(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in sorted(found.items()):
        for v in violations:
            lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {node}" for node in v["nodes"]]
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("site", SITES)
def test_axe_finds_no_wcag_violation(browser, sites, axe: str, site: str, scheme: str) -> None:
    output, base = sites[site]
    pages = key_pages(output)
    assert {"home", "discussion", "week", "author"} <= set(pages)
    assert any(kind.startswith("contribution") for kind in pages)
    # bypass_csp: axe is injected as a script of the test's own, which the page's CSP refuses.
    context = browser.new_context(color_scheme=scheme, viewport=VIEWPORTS[scheme], bypass_csp=True)
    context.add_init_script(axe)
    page = context.new_page()
    found = {}
    for kind, url in sorted(pages.items()):
        response = page.goto(base + url + ("?q=migration" if kind == "search" else ""))
        assert response is not None and response.ok, url
        if kind == "search":  # results shown: wait for the script to list them
            page.wait_for_load_state("networkidle")
        violations = page.evaluate(RUN_AXE, [WCAG_TAGS, BEST_PRACTICES])
        if violations:
            found[f"{kind} /{url}"] = violations
    context.close()
    assert not found, f"{site} site, {scheme} scheme:\n" + _violations_report(found)


FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"
PAGE_FACTS = """() => {
  const main = document.querySelectorAll("main");
  const first = document.querySelector("body a[href], body button, body input");
  const target = first && first.hash ? document.getElementById(first.hash.slice(1)) : null;
  const topLevel = (selector) => [...document.querySelectorAll(selector)]
    .filter((e) => !e.closest("article, aside, main, nav, section")).length;
  return {
    h1: document.querySelectorAll("h1").length,
    main: main.length,
    banner: topLevel("header"),
    contentinfo: topLevel("footer"),
    unnamedNavs: [...document.querySelectorAll("nav")]
      .filter((n) => !n.getAttribute("aria-label") && !n.getAttribute("aria-labelledby")).length,
    skipLink: first ? first.className : null,
    skipTarget: target ? target.tagName.toLowerCase() : null,
  };
}"""


@pytest.mark.parametrize("site", SITES)
def test_skip_link_landmarks_and_one_h1(browser, sites, site: str) -> None:
    output, base = sites[site]
    page = browser.new_page()
    wrong = {}
    for kind, url in sorted(key_pages(output).items()):
        page.goto(base + url)
        facts = page.evaluate(PAGE_FACTS)
        expected = {
            "h1": 1,
            "main": 1,
            "banner": 1,
            "contentinfo": 1,
            "unnamedNavs": 0,
            "skipLink": "skip-link",
            "skipTarget": "main",
        }
        if facts != expected:
            wrong[f"{kind} /{url}"] = {k: v for k, v in facts.items() if v != expected[k]}
    page.close()
    assert wrong == {}


# Focus each element the keyboard can reach, in turn, and read its style. Pressing Tab
# first puts the browser in keyboard mode, where focus() shows :focus-visible as Tab does.
FOCUS_STYLES = """(selector) => {
  const luminance = (color) => {
    const [r, g, b] = color.match(/[\\d.]+/g).slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const page = getComputedStyle(document.body).backgroundColor;
  const invisible = [];
  for (const e of document.querySelectorAll(selector)) {
    e.focus();
    if (document.activeElement !== e) continue;  // not rendered, or not focusable
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    // WCAG 1.4.11: a focus outline contrasts at least 3:1 with the page behind it.
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
      && contrast(style.outlineColor, page) >= 3;
    if (box.width === 0 || box.height === 0 || !(outline || style.boxShadow !== "none")) {
      invisible.push(e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
        + " " + (e.textContent || "").trim().slice(0, 30));
    }
  }
  return invisible;
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_element_the_keyboard_reaches_shows_focus(browser, sites, scheme: str) -> None:
    invisible = []
    for site in SITES:
        output, base = sites[site]
        page = browser.new_page(color_scheme=scheme)
        for kind, url in sorted(key_pages(output).items()):
            page.goto(base + url)
            page.keyboard.press("Tab")
            found = page.evaluate(FOCUS_STYLES, FOCUSABLE)
            invisible += [f"{site} {kind} /{url}: {what}" for what in found]
        page.close()
    assert invisible == []


MOTION = """() => {
  const moving = [];
  for (const e of [document.documentElement, ...document.querySelectorAll("body *")]) {
    const s = getComputedStyle(e);
    const seconds = (value) => Math.max(...value.split(",").map((v) => parseFloat(v) || 0));
    if (s.animationName !== "none" && seconds(s.animationDuration) > 0.01) moving.push(e.tagName);
    if (seconds(s.transitionDuration) > 0.01) moving.push(e.tagName + " transition");
    if (s.scrollBehavior === "smooth") moving.push(e.tagName + " smooth scrolling");
  }
  return moving;
}"""


def test_reduced_motion_is_respected(browser, sites) -> None:
    moving = {}
    for site in SITES:
        output, base = sites[site]
        page = browser.new_page(reduced_motion="reduce")
        for kind, url in sorted(key_pages(output).items()):
            page.goto(base + url)
            found = page.evaluate(MOTION)
            if found:
                moving[f"{site} {kind} /{url}"] = sorted(set(found))
        page.close()
    assert moving == {}


def test_dark_scheme_is_applied(browser, sites) -> None:
    """The dark scheme is a real one: the page's background turns dark."""
    _, base = sites["sample"]
    backgrounds = {}
    for scheme in SCHEMES:
        page = browser.new_page(color_scheme=scheme)
        page.goto(base)
        backgrounds[scheme] = page.evaluate(
            "() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3)"
            ".reduce((sum, c) => sum + Number(c), 0)"
        )
        page.close()
    assert backgrounds["dark"] < 200 < backgrounds["light"], backgrounds
