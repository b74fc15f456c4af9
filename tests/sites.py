"""Build real Pelican sites into a temporary folder and read what they produce."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent
PELICANCONF = ROOT / "pelicanconf.py"
SAMPLE_CONTENT = ROOT / "content"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _warnings_collected() -> Iterator[list[logging.LogRecord]]:
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def settings_for(content: Path, output: Path, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "THEME": str(ROOT / "theme"),
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "PALABRE_TODAY": "2013-07-20",
        # Each output has caches of its own, beside it, so that tests never share them.
        "CACHE_PATH": str(output.parent / f"{output.name}-cache"),
    }
    if content != SAMPLE_CONTENT:
        # Tiny test sites have one interface language, with pages at the root, unless a
        # test asks for more; the sample site keeps the project's own settings.
        values["PALABRE_LANGUAGES"] = None
    values.update(overrides)
    return read_settings(str(PELICANCONF), override=values)


def build(content: Path, output: Path, **overrides: Any) -> Path:
    """Build ``content`` with the project's settings into ``output``; fail on any warning."""
    settings = settings_for(content, output, **overrides)
    with _warnings_collected() as records:
        Pelican(settings).run()
    messages = [f"{r.name}: {r.getMessage()}" for r in records]
    assert not messages, "the build logged warnings:\n" + "\n".join(messages)
    return output


# The two commands that build a site: Pelican's, and `palabre build` (what `make html` runs).
PELICAN_COMMAND = ("-m", "pelican")
PALABRE_BUILD = ("-c", "from palabre.cli import run; run()", "build")


def run_pelican_cli(
    content: Path, output: Path, *extra: str, command: tuple[str, ...] = PELICAN_COMMAND
) -> subprocess.CompletedProcess[str]:
    """Build with a real command, in fatal-errors mode, as ``make html`` does."""
    return subprocess.run(
        [
            sys.executable,
            *command,
            str(content),
            "-s",
            str(PELICANCONF),
            "-o",
            str(output),
            "--fatal",
            "errors",
            "-e",
            f'THEME="{ROOT / "theme"}"',
            'PALABRE_TODAY="2013-07-20"',
            *extra,
        ],
        cwd=content.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def page(output: Path, url: str) -> BeautifulSoup:
    """The parsed HTML of the page at ``url`` (``a/b/`` -> ``a/b/index.html``)."""
    path = output / (url + "index.html" if url.endswith("/") or not url else url)
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def target(page_url: str, href: str, site_root: str = "/") -> str:
    """The site URL (``demo/x/``) that ``href`` on the page at ``page_url`` leads to."""
    base = "http://site.invalid" + site_root + page_url
    joined = urljoin(base, href)
    prefix = "http://site.invalid" + site_root
    assert joined.startswith(prefix), f"{href} on {page_url} leaves the site"
    return joined.removeprefix(prefix)
