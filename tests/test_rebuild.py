"""Rebuilds: only what changed is written, removed content disappears, and the result is
byte-for-byte what a full build of the same content gives; workers change nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import write_contribution
from tests.sites import SAMPLE_CONTENT, build

DISCUSSION = "territorial-approach-2013"
LANGUAGES = {"PALABRE_LANGUAGES": ["en", "fr", "es"]}


def snapshot(output: Path) -> dict[str, bytes]:
    return {
        p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()
    }


def modification_times(output: Path) -> dict[str, int]:
    return {
        p.relative_to(output).as_posix(): p.stat().st_mtime_ns
        for p in output.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, copy)
    return copy


def full_build(content: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    output = tmp_path / name
    build(
        content, output, CACHE_PATH=str(tmp_path / f"cache-{name}"), PALABRE_WORKERS=1, **LANGUAGES
    )
    return snapshot(output)


def test_workers_give_the_same_site_as_a_single_process(content: Path, tmp_path: Path) -> None:
    serial = full_build(content, tmp_path, "serial")
    output = tmp_path / "parallel"
    build(content, output, CACHE_PATH=str(tmp_path / "cache-p"), PALABRE_WORKERS=2, **LANGUAGES)
    assert len(serial) > 100  # enough pages for the workers to start
    assert snapshot(output) == serial


def test_a_rebuild_after_no_change_writes_nothing(content: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    settings = {"CACHE_PATH": str(tmp_path / "cache"), **LANGUAGES}
    build(content, output, **settings)
    before = modification_times(output)
    build(content, output, **settings)
    assert modification_times(output) == before


def test_a_rebuild_equals_a_full_build_after_add_edit_rename_delete(
    content: Path, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    settings = {"CACHE_PATH": str(tmp_path / "cache"), **LANGUAGES}
    build(content, output, **settings)
    week_1 = content / "discussions" / DISCUSSION / "contributions" / "week-1"

    for cid in ("2013-07-13-new-voice", "2013-07-14-short-lived"):
        write_contribution(
            content, DISCUSSION, 1, cid, title="A new voice", language="en", date=cid[:10],
            author="New Voice", in_reply_to="2013-07-09-aminata-traore",
        )  # fmt: skip
    edited = week_1 / "2013-07-11-elena-marchetti.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    before = modification_times(output)
    build(content, output, **settings)
    after = modification_times(output)
    rewritten = {name for name in after if before.get(name) != after[name]}
    assert f"en/{DISCUSSION}/2013-07-13-new-voice/index.html" in rewritten
    assert f"en/{DISCUSSION}/2013-07-11-elena-marchetti/index.html" in rewritten
    assert "en/youth-employment-2024/index.html" not in rewritten
    assert "theme/css/palabre.css" not in rewritten
    rebuilt = snapshot(output)
    assert rebuilt == full_build(content, tmp_path, "full-1")
    # The search index is part of it: the shards, whose weights depend on every text.
    assert sum(name.startswith("search/") and name.endswith(".json") for name in rebuilt) > 20
    assert "search/manifest.json" in rewritten

    # A rename and a deletion: the old pages go away.
    (week_1 / "2013-07-13-new-voice.md").rename(week_1 / "2013-07-13-renamed-voice.md")
    (week_1 / "2013-07-14-short-lived.md").unlink()
    build(content, output, **settings)
    files = snapshot(output)
    assert f"fr/{DISCUSSION}/2013-07-13-new-voice/index.html" not in files
    assert f"fr/{DISCUSSION}/2013-07-13-renamed-voice/index.html" in files
    assert f"es/{DISCUSSION}/2013-07-14-short-lived/index.html" not in files
    assert files == full_build(content, tmp_path, "full-2")
    assert b"renamed-voice" in files["search/manifest.json"] + b"".join(
        data for name, data in files.items() if name.startswith("search/en/docs-")
    )
    assert not any(b"2013-07-14-short-lived" in data for name, data in files.items()
                   if name.startswith("search/"))  # fmt: skip


def test_a_template_change_reaches_every_page(content: Path, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(Path(__file__).resolve().parent.parent / "theme", theme)
    output = tmp_path / "output"
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "THEME": str(theme), **LANGUAGES}
    build(content, output, **settings)
    base = theme / "templates" / "base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("<body>", "<body data-edited>"), "utf-8"
    )
    build(content, output, **settings)
    pages = [p for p in output.rglob("index.html") if "data-redirect" not in p.read_text()]
    assert pages
    assert all("<body data-edited>" in p.read_text(encoding="utf-8") for p in pages)


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} lacks {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edits(content: Path) -> list[tuple[str, Callable[[], None]]]:
    """Edits that each reach pages other than the edited contribution's own, named."""
    folder = content / "discussions" / DISCUSSION
    weeks = folder / "contributions"
    aminata = weeks / "week-1" / "2013-07-09-aminata-traore.md"
    ousmane = weeks / "week-3" / "2013-07-24-ousmane-sy.md"

    def add_reply_in_another_week() -> None:
        write_contribution(
            content, DISCUSSION, 4, "2013-08-01-late-reply", title="A late reply",
            language="en", date="2013-08-01", author="Late Reply",
            in_reply_to="2013-07-16-jose-antonio-nunez",
        )  # fmt: skip

    def add_original_between_two() -> None:
        write_contribution(
            content, DISCUSSION, 2, "2013-07-16-inserted", title="Inserted between two",
            language="es", date="2013-07-16", author="Elena Marchetti",
        )  # fmt: skip

    def move_to_week_4() -> None:
        moved = (weeks / "week-3" / "2013-07-25-hannah-vogel.md").rename(
            weeks / "week-4" / "2013-07-25-hannah-vogel.md"
        )
        _replace_in(moved, "week: 3", "week: 4")

    return [
        ("title of a translated original with a reply",
         lambda: _replace_in(aminata, "Le jumelage comme cadre", "Le jumelage, cadre")),
        ("a reply in another week", add_reply_in_another_week),
        ("an original between two others, by a known author", add_original_between_two),
        ("the author of a reply", lambda: _replace_in(ousmane, "author: Ousmane Sy",
                                                      "author: Ousmane Sy Junior")),
        ("a translation becomes a machine one",
         lambda: _replace_in(weeks / "week-1" / "2013-07-10-aminata-traore-en.md",
                             "translation_of:", "translation: machine\ntranslation_of:")),
        ("a contribution moves to another week", move_to_week_4),
        ("the reply cites another contribution",
         lambda: _replace_in(folder / "summary.en.md", "[@2013-07-11-elena-marchetti]",
                             "[@2013-07-25-hannah-vogel]")),
        ("a week's title", lambda: _replace_in(folder / "discussion.yml",
                                               "Decentralised cooperation", "Cooperation")),
        ("the discussion's title", lambda: _replace_in(folder / "discussion.yml",
                                                       "Towards a", "Toward a")),
        ("a reply is deleted", (weeks / "week-4" / "2013-08-01-late-reply.md").unlink),
        ("a body only", lambda: _replace_in(ousmane, "\n---\n", "\n---\n\nA first line.\n")),
    ]  # fmt: skip


def test_a_rebuild_equals_a_full_build_edit_after_edit(content: Path, tmp_path: Path) -> None:
    """Each edit reaches pages other than its own (neighbours, pager, author, reply,
    week): a rebuild that skipped one of them would differ from the full build."""
    output = tmp_path / "output"
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "PALABRE_LANGUAGES": ["en", "fr"]}
    build(content, output, **settings)
    for number, (name, edit) in enumerate(_edits(content)):
        before = snapshot(output)
        edit()
        build(content, output, **settings)
        rebuilt = snapshot(output)
        assert rebuilt != before, f"{name}: the rebuild changed nothing"
        full = tmp_path / f"full-{number}"
        build(content, full, CACHE_PATH=str(tmp_path / f"cache-full-{number}"),
              PALABRE_WORKERS=1, PALABRE_LANGUAGES=["en", "fr"])  # fmt: skip
        expected = snapshot(full)
        wrong = sorted(k for k in expected.keys() | rebuilt.keys()
                       if expected.get(k) != rebuilt.get(k))  # fmt: skip
        assert not wrong, f"{name}: the rebuild differs from a full build in {wrong[:5]}"
