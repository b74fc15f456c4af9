"""Rebuilds of the search index through Pelican: what a full build writes, for less work.

A rebuild reads again only the texts that changed and writes only the files whose bytes
changed; whatever it keeps between builds, missing or damaged, the files are those of a
build from nothing. (test_rebuild.py checks the whole site; this file, the search.)
"""

from __future__ import annotations

import json
import logging
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from pelican.log import LimitFilter

from palabre import searchindex
from palabre.search import KEPT_FILE
from tests.factories import write_contribution, write_discussion, write_summary
from tests.sites import build
from tests.test_search_build import hostile_archive

LANGUAGES = {"PALABRE_LANGUAGES": ["en", "fr", "es"]}


def search_outputs(output: Path) -> dict[str, bytes]:
    """The index files, lunr and the search pages."""
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in output.rglob("*")
        if p.is_file() and ("search" in p.relative_to(output).parts or "vendor" in p.parts)
    }


def times(files: dict[str, bytes], output: Path) -> dict[str, int]:
    return {name: (output / name).stat().st_mtime_ns for name in files}


class Builds:
    """One output folder rebuilt again and again, and full builds to compare it with."""

    def __init__(self, content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
        self.content, self.tmp_path, self.caplog = content, tmp_path, caplog
        self.output = tmp_path / "output"
        self.cache = tmp_path / "cache"
        self.fresh = 0

    def rebuild(self) -> tuple[int, int]:
        """Build into the same output; (texts read again, files changed) as logged."""
        self.caplog.clear()
        LimitFilter._raised_messages.clear()  # Pelican logs a message once per process
        with self.caplog.at_level(logging.INFO, logger="palabre.search"):
            build(self.content, self.output, CACHE_PATH=str(self.cache), **LANGUAGES)
        (record,) = [
            r for r in self.caplog.records if r.getMessage().startswith("Palabre: search index")
        ]
        assert isinstance(record.args, tuple)
        return record.args[2], record.args[4]

    def full(self) -> dict[str, bytes]:
        """A build from nothing of the same content."""
        self.fresh += 1
        output = self.tmp_path / f"full-{self.fresh}"
        build(self.content, output, CACHE_PATH=str(self.tmp_path / f"cache-{self.fresh}"),
              **LANGUAGES)  # fmt: skip
        return search_outputs(output)


@pytest.fixture
def builds(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Builds:
    return Builds(hostile_archive(tmp_path / "site"), tmp_path, caplog)


def test_a_rebuild_after_no_change_reads_and_writes_nothing(
    builds: Builds, monkeypatch: pytest.MonkeyPatch
) -> None:
    read, _ = builds.rebuild()
    assert read == 11
    files = search_outputs(builds.output)
    assert any(name.startswith("search/fr/") for name in files)
    assert "fr/search/index.html" in files and "search/index.html" in files
    before = times(files, builds.output)
    kept = (builds.cache / KEPT_FILE).stat().st_mtime_ns

    def untouched(*_: object) -> None:
        raise AssertionError("the texts were looked at: no file of the archive changed")

    monkeypatch.setattr(searchindex, "sources", untouched)
    assert builds.rebuild() == (0, 0)
    assert times(files, builds.output) == before
    assert (builds.cache / KEPT_FILE).stat().st_mtime_ns == kept


def looked_at(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The discussions each call of ``searchindex.sources`` looks at (None: every one)."""
    calls: list[object] = []
    sources = searchindex.sources

    def spy(*args: Any, **kwargs: Any) -> list[searchindex.Source]:
        calls.append(kwargs.get("only"))
        return sources(*args, **kwargs)

    monkeypatch.setattr(searchindex, "sources", spy)
    return calls


def test_a_rebuild_after_changes_is_a_full_build(
    builds: Builds, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds.rebuild()
    calls = looked_at(monkeypatch)
    content = builds.content
    week_1 = content / "discussions" / "demo" / "contributions" / "week-1"
    edited = week_1 / "2013-07-11-b.md"
    edited.write_text(edited.read_text("utf-8") + "\nAnd rivers, and water.\n", "utf-8")
    write_contribution(content, cid="2013-07-09-e", language="en", title="First", author="E",
                       body="An earlier text, in English, about rivers.")  # fmt: skip
    (week_1 / "2013-07-12-c.md").unlink()
    moved = week_1 / "2013-07-10-a.md"
    text = moved.read_text("utf-8")
    moved.write_text(text.replace('language: "fr"', 'language: "es"'), "utf-8")
    read, changed = builds.rebuild()
    assert read == 3
    assert changed > 0
    assert calls == [{"demo"}]  # the texts of the other discussion were not looked at
    assert search_outputs(builds.output) == builds.full()

    # Spanish comes first in the discussion that comes first: it moves up in the manifest.
    write_discussion(content, "other", languages=("fr", "en", "es"), weeks=1,
                     opens="2014-01-06", closes="2014-02-01")  # fmt: skip
    calls.clear()
    assert builds.rebuild()[0] == 1
    assert calls[-1] == {"other"}
    outputs = search_outputs(builds.output)
    assert outputs == builds.full()
    languages = json.loads(outputs["search/manifest.json"])["languages"]
    assert [language["code"] for language in languages] == ["en", "es", "fr", "zh"]

    # A new discussion renumbers the others; a call and a reply change.
    write_discussion(content, "newest", languages=("en",), weeks=1, opens="2020-01-06",
                     closes="2020-02-01")  # fmt: skip
    call = content / "discussions" / "demo" / "call.fr.md"
    call.write_text(call.read_text("utf-8") + "\nLa coopération.\n", "utf-8")
    write_summary(content, "demo", "en", "## Week 1\n\nA synthesis, rewritten.\n")
    calls.clear()
    read, _ = builds.rebuild()
    assert read == 3  # the new call, the call changed, the reply
    assert calls == [None]  # discussions numbered anew: every text is looked at
    assert search_outputs(builds.output) == builds.full()

    # Everything in one language goes: its files too.
    shutil.rmtree(content / "discussions" / "newest")
    builds.rebuild()
    outputs = search_outputs(builds.output)
    assert outputs == builds.full()
    assert not (builds.output / "search" / "en" / "newest").exists()


def test_damaged_caches_and_outputs_cost_time_only(builds: Builds) -> None:
    builds.rebuild()
    expected = builds.full()
    search = builds.output / "search"
    (search / "fr" / "shard-000.json").write_bytes(b"edited by hand")
    (search / "en" / "docs-000.json").unlink()
    shutil.rmtree(search / "es")
    (builds.output / "fr" / "search" / "index.html").unlink()
    (search / "stale.json").write_bytes(b"{}")  # left by someone: a full build has none
    assert builds.rebuild()[0] == 0
    assert search_outputs(builds.output) == {**expected, "search/stale.json": b"{}"}

    # The French index damaged, and a Chinese text gone: the French texts are read again.
    kept = pickle.loads((builds.cache / KEPT_FILE).read_bytes())
    kept["languages"]["fr"]["packed"] = b"damaged"
    (builds.cache / KEPT_FILE).write_bytes(pickle.dumps(kept))
    week_1 = builds.content / "discussions" / "demo" / "contributions" / "week-1"
    chinese = week_1 / "2013-07-12-c.md"
    text = chinese.read_bytes()
    chinese.unlink()
    assert builds.rebuild()[0] == 4  # two calls, two contributions
    assert search_outputs(builds.output) == {**builds.full(), "search/stale.json": b"{}"}
    chinese.write_bytes(text)
    builds.rebuild()

    for damage in (b"", b"not a pickle", (builds.cache / KEPT_FILE).read_bytes()[:-100]):
        (builds.cache / KEPT_FILE).write_bytes(damage)
        read, _ = builds.rebuild()
        assert read == 11
        assert search_outputs(builds.output) == expected  # the stray file is gone too
