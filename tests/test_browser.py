"""What a reader's browser does with the sample site: phones, keyboards, no JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sites import SAMPLE_CONTENT, build

PAGES = [
    "",
    "territorial-approach-2013/",
    "territorial-approach-2013/week-1/",
    "territorial-approach-2013/2013-07-30-ines-carvalho/",
    "authors/",
]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory, serve) -> str:
    output = tmp_path_factory.mktemp("browser") / "output"
    build(SAMPLE_CONTENT, output)
    return serve(output)


@pytest.mark.parametrize("url", PAGES)
def test_pages_fit_a_phone_without_javascript(browser, site_url: str, url: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    response = page.goto(site_url + url)
    assert response is not None and response.ok
    context.close()
    # Measuring needs JavaScript in the test itself; the page was first loaded without it.
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site_url + url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a 320px phone"
    assert page.locator("h1").count() == 1
    context.close()


def test_keyboard_reaches_the_skip_link_first_and_it_moves_focus(browser, site_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + "territorial-approach-2013/week-1/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["width"] > 1, "skip link stays hidden"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


def test_print_hides_navigation(browser, site_url: str) -> None:
    page = browser.new_page()
    page.goto(site_url + "territorial-approach-2013/week-1/")
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert page.locator("main h1").is_visible()
    page.close()


def test_screenshots_for_review(browser, site_url: str, tmp_path: Path) -> None:
    """Renders the key pages at phone and desktop width; the images are there to look at."""
    for width, height in ((390, 844), (1280, 900)):
        page = browser.new_page(viewport={"width": width, "height": height})
        for url in PAGES[:4]:
            page.goto(site_url + url)
            shot = tmp_path / f"{url.strip('/').replace('/', '_') or 'home'}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000
        page.close()
