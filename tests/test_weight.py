"""Page weight: a contribution page, with everything it loads (HTML, CSS, fonts, scripts,
images), weighs under 50 kB gzipped, and loads nothing from another site.

Measured in Chromium by recording every request of the page load; each body is gzipped as a
static host would serve it (GitHub Pages compresses text with gzip).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.quality import (
    RICH_BODY,
    contribution_pages,
    key_pages,
    quality_sites,
)

BUDGET = 50_000  # bytes, gzipped, for the page and all it loads


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, serve) -> dict[str, tuple[Path, str]]:
    return quality_sites(tmp_path_factory.mktemp("weight"), serve)


def load(browser, url: str) -> list[tuple[str, int]]:
    """Every resource the page at ``url`` asks for, with its gzipped size (0 if it failed)."""
    context = browser.new_context()
    context.route(lambda url: url.startswith("https:"), lambda route: route.abort())  # offline
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request))  # noqa: PLW0108 (Playwright refuses a bound builtin)
    response = page.goto(url)
    assert response is not None and response.ok, url  # after "load": deferred scripts ran
    loaded = []
    for request in requested:
        if request.url.startswith("data:"):
            continue
        answer = request.response() if request.failure is None else None
        body = answer.body() if answer is not None else b""
        loaded.append((request.url, len(gzip.compress(body, compresslevel=6, mtime=0))))
    context.close()
    return loaded


def test_every_contribution_page_is_under_budget_and_loads_only_its_own_site(
    browser, sites
) -> None:
    output, base = sites["sample"]
    every = contribution_pages(output)
    assert len(every) >= 12
    # Each kind of contribution page (table, footnotes, translation, reply) and the largest.
    largest = max(every, key=lambda url: (output / url / "index.html").stat().st_size)
    kinds = {url for kind, url in key_pages(output).items() if kind.startswith("contribution")}
    urls = sorted(kinds | {largest})
    weights = {}
    foreign = []
    for url in urls:
        loaded = load(browser, base + url)
        foreign += [f"{url}: {resource}" for resource, _ in loaded if not resource.startswith(base)]
        weights[url] = sum(size for _, size in loaded)
        assert any(resource.endswith(".css") for resource, _ in loaded), "no stylesheet loaded"
    assert foreign == []
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < BUDGET, f"{heaviest}: {weights[heaviest]} bytes gzipped"


def test_hostile_contributions_load_nothing_from_elsewhere(browser, sites) -> None:
    """Hostile text tries scripts, styles, frames and images from elsewhere: none loads.

    The week page shows every contribution of the hostile site at once. Only the images that
    the rich contribution links over https load from their own site, by design.
    """
    output, base = sites["hostile"]
    week = key_pages(output)["week"]
    loaded = load(browser, base + week)
    assert len(loaded) >= 2
    foreign = {resource for resource, _ in loaded if not resource.startswith(base)}
    assert foreign == set(re.findall(r"\((https://[^) ]+\.png)", RICH_BODY))
