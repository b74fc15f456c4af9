"""The repository's sample site: builds cleanly and every link resolves in every URL mode."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from bs4 import BeautifulSoup

from palabre.loader import load_archive
from tests.sites import PELICANCONF, ROOT, SAMPLE_CONTENT, build, html_files

PROJECT_SITE = "https://example.github.io/palabre"
MODES = {
    "relative": {"SITEURL": "", "RELATIVE_URLS": True},
    "root": {"SITEURL": "", "RELATIVE_URLS": False},
    "project-path": {"SITEURL": PROJECT_SITE, "RELATIVE_URLS": False, "FEED_DOMAIN": PROJECT_SITE},
}


@pytest.fixture(scope="module", params=sorted(MODES))
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    output = tmp_path_factory.mktemp(f"sample-{request.param}") / "output"
    build(SAMPLE_CONTENT, output, **MODES[request.param])
    return request.param, output


def _site_path(mode: str, page_url: str, reference: str) -> str | None:
    """The output-relative file a reference on the page at ``page_url`` points to."""
    if mode == "project-path":
        base = f"{PROJECT_SITE}/{page_url}"
        prefix = PROJECT_SITE + "/"
    else:
        base = f"http://localhost/{page_url}"
        prefix = "http://localhost/"
    absolute = urldefrag(urljoin(base, reference)).url
    if not absolute.startswith(prefix):
        return None  # an external link, or mailto:
    path = absolute.removeprefix(prefix)
    return path + "index.html" if path.endswith("/") or not path else path


def _references(soup: BeautifulSoup) -> list[str]:
    found = []
    for tag, attribute in (
        ("a", "href"),
        ("link", "href"),
        ("img", "src"),
        ("script", "src"),
        ("form", "action"),
    ):
        found += [element[attribute] for element in soup.find_all(tag) if element.get(attribute)]
    return found


# What stylesheets and scripts load by address: url() and @import, relative ES module imports.
ASSET_REFERENCES = {
    ".css": re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)"""),
    ".js": re.compile(r"""(?:\bfrom|\bimport\s*\(?)\s*['"](\.{1,2}/[^'"]+)['"]"""),
}
# Files nothing links to on purpose: search index files, which the search script fetches by
# names it reads from the index's manifest, and the licences shipped beside vendored code.
UNLINKED = re.compile(r"(?:.*/)?search/.*\.json|.*LICEN[CS]E.*")
ATOM = "{http://www.w3.org/2005/Atom}"


def _asset_references(path: Path) -> list[str]:
    pattern = ASSET_REFERENCES.get(path.suffix)
    if pattern is None:
        return []
    text = path.read_text(encoding="utf-8")
    return [next(g for g in match.groups() if g) for match in pattern.finditer(text)]


def _feed_references(path: Path) -> list[str]:
    if path.suffix != ".xml":
        return []
    root = ET.parse(path).getroot()
    return [link.get("href", "") for link in root.iter(f"{ATOM}link") if link.get("href")]


def test_every_internal_link_and_asset_resolves(sample: tuple[str, Path]) -> None:
    mode, output = sample
    broken = []
    linked: set[str] = set()
    for path in html_files(output):
        page_url = path.relative_to(output).as_posix().removesuffix("index.html")
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        ids = {element["id"] for element in soup.find_all(id=True)}
        for reference in _references(soup):
            if reference.startswith("#"):
                if reference[1:] not in ids:
                    broken.append(f"{page_url}: {reference}")
                continue
            target = _site_path(mode, page_url, reference)
            if target is None:
                continue
            linked.add(target)
            if not (output / target).is_file():
                broken.append(f"{page_url}: {reference}")
    # Stylesheets, scripts and feeds: what they point to exists, and counts as linked.
    for path in sorted(p for p in output.rglob("*") if p.suffix in (".css", ".js", ".xml")):
        file_url = path.relative_to(output).as_posix()
        for reference in _asset_references(path) + _feed_references(path):
            target = _site_path(mode, file_url, reference)
            if target is None or reference.startswith("data:"):
                continue
            linked.add(target)
            if not (output / target).is_file():
                broken.append(f"{file_url}: {reference}")
    assert broken == []
    # Every page, feed, stylesheet, script, font, image and download is linked from somewhere.
    files = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    orphans = sorted(f for f in files - linked - {"index.html"} if not UNLINKED.fullmatch(f))
    assert orphans == []


def test_the_sample_site_has_every_kind_of_page(sample: tuple[str, Path]) -> None:
    _, output = sample
    archive = load_archive(SAMPLE_CONTENT)
    assert len(archive.discussions) >= 2
    contributions = archive.contributions()
    assert len(contributions) >= 12
    assert {c.language for c in contributions} >= {"fr", "en", "es"}
    assert any(c.in_reply_to for c in contributions)
    assert any(c.translation_of for c in contributions)
    for c in contributions:
        assert (output / c.discussion / c.id / "index.html").is_file()
    for d in archive.discussions:
        assert (output / d.slug / "index.html").is_file()
        assert (output / "feeds" / f"{d.slug}.atom.xml").is_file()
        for week in d.weeks:
            assert (output / d.slug / f"week-{week.number}" / "index.html").is_file()


def test_every_sample_contribution_says_it_is_sample_text() -> None:
    for c in load_archive(SAMPLE_CONTENT).contributions():
        first_line = c.body.strip().splitlines()[0].lower()
        assert any(word in first_line for word in ("sample", "exemple", "ejemplo")), c.id


def test_feed_links_follow_the_site_url(sample: tuple[str, Path]) -> None:
    mode, output = sample
    text = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    site = PROJECT_SITE if mode == "project-path" else ""
    assert f'href="{site}/en/territorial-approach-2013/' in text


# Runs the pelican command with the clock moved by a number of seconds (argv[1]): time.time
# and the date and datetime classes' "now" all answer from the moved clock.
SHIFTED_CLOCK = """\
import datetime, sys, time

shift = float(sys.argv.pop(1))
real_time = time.time
time.time = lambda: real_time() + shift
time.time_ns = lambda: int((real_time() + shift) * 1e9)


class Date(datetime.date):
    @classmethod
    def today(cls):
        return cls.fromtimestamp(time.time())


class DateTime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(time.time(), tz)

    @classmethod
    def utcnow(cls):
        return cls.utcfromtimestamp(time.time())

    @classmethod
    def today(cls):
        return cls.fromtimestamp(time.time())


datetime.date, datetime.datetime = Date, DateTime
from pelican import main

sys.exit(main())
"""


def test_dates_come_from_content_not_from_the_clock(tmp_path: Path) -> None:
    """Two builds of the same content, with PALABRE_TODAY set, years apart by the clock, the
    files' times, SOURCE_DATE_EPOCH and the time zone: the same bytes."""
    launcher = tmp_path / "shifted_clock.py"
    launcher.write_text(SHIFTED_CLOCK, encoding="utf-8")
    outputs = []
    for name, shift, epoch, zone in (
        ("now", 0, None, "UTC"),
        ("later", 12 * 365 * 86400, "1999999999", "Pacific/Kiritimati"),
    ):
        content = tmp_path / name / "content"
        shutil.copytree(SAMPLE_CONTENT, content)
        for path in content.rglob("*"):  # files written at another time
            os.utime(path, (1e9 + shift, 1e9 + shift))
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env["TZ"] = zone
        if epoch:
            env["SOURCE_DATE_EPOCH"] = epoch
        output = tmp_path / name / "output"
        result = subprocess.run(
            [
                *(sys.executable, str(launcher), str(shift), str(content), "-s", str(PELICANCONF)),
                *("-o", str(output), "--fatal", "errors", "-e", f'THEME="{ROOT / "theme"}"'),
                *('PALABRE_TODAY="2013-07-20"', "CACHE_CONTENT=false", "LOAD_CONTENT_CACHE=false"),
            ],
            cwd=tmp_path / name,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(output)
    first, second = outputs
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build(SAMPLE_CONTENT, tmp_path / "first")
    second = build(SAMPLE_CONTENT, tmp_path / "second")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []
