"""Whole content trees, written with the factories, read into an Archive or a ContentError."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from pathlib import Path

import pytest

from palabre import loader
from palabre.loader import load_archive
from palabre.model import Archive, ContentError, Problem
from tests.factories import content_tree, write_contribution, write_discussion

WEEK_1 = "content/discussions/demo/contributions/week-1"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return content_tree(tmp_path)


def load_problems(content: Path, **options: int) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_archive(content, **options)
    return [str(problem) for problem in caught.value.problems]


def single(content: Path) -> list[str]:
    """The problems of a tree expected to hold one file's problems, without the header."""
    found = load_problems(content)
    assert len({line.split(":")[0] for line in found}) == 1
    return found


# A valid tree


def test_valid_tree(content: Path) -> None:
    write_discussion(content)
    write_discussion(
        content, "youth-2024", languages=("en",), weeks=1, opens="2024-03-04", closes="2024-03-10"
    )
    write_discussion(content, "rural-2011", opens="2011-01-03", closes="2011-01-30", calls=False)
    write_contribution(content, cid="2013-07-11-b", date="2013-07-11")
    write_contribution(content, cid="2013-07-09-a", date="2013-07-09", title="Racine")
    write_contribution(content, cid="2013-07-10-c", date="2013-07-09", in_reply_to="2013-07-09-a")
    write_contribution(
        content,
        cid="2013-07-12-a-en",
        language="en",
        date="2013-07-12",
        translation_of="2013-07-09-a",
    )
    write_contribution(content, week=2, cid="2013-07-16-d", in_reply_to="2013-07-11-b")
    write_contribution(
        content, "youth-2024", cid="2024-03-05-kofi", language="en", date="2024-03-05"
    )

    archive = load_archive(content)

    assert isinstance(archive, Archive)
    assert [d.slug for d in archive.discussions] == ["youth-2024", "demo", "rural-2011"]
    demo = archive.discussion("demo")
    assert demo is not None
    assert [c.id for c in demo.contributions] == [
        "2013-07-09-a",
        "2013-07-10-c",
        "2013-07-11-b",
        "2013-07-12-a-en",
        "2013-07-16-d",
    ]
    assert [c.id for c in demo.in_week(1)] == ["2013-07-09-a", "2013-07-10-c", "2013-07-11-b"]
    assert [c.id for c in demo.in_week(2)] == ["2013-07-16-d"]
    root = demo.contribution("2013-07-09-a")
    assert root is not None
    assert (root.title, root.week, root.date) == ("Racine", 1, dt.date(2013, 7, 9))
    assert root.source_path == f"{WEEK_1}/2013-07-09-a.md"
    assert sorted(demo.calls) == ["en", "es", "fr"]
    assert demo.calls["es"] == "# Migración y desarrollo\n\nCall (es).\n"
    assert len(archive.contributions()) == 6
    rural = archive.discussion("rural-2011")
    assert rural is not None
    assert (rural.calls, rural.contributions) == ({}, ())
    assert archive.discussion("missing") is None


def test_tree_without_discussions(content: Path) -> None:
    assert load_archive(content) == Archive(())


def test_hidden_files_and_folders_are_ignored(content: Path) -> None:
    folder = write_discussion(content)
    write_contribution(content)
    week = folder / "contributions" / "week-1"
    (week / ".draft.md").write_text("not even front matter", encoding="utf-8")
    (week / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "contributions" / ".git").mkdir()
    (folder / "contributions" / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    (folder / ".notes.md").write_text("x", encoding="utf-8")
    (content / "discussions" / ".trash").mkdir()
    (content / "discussions" / ".trash" / "old.md").write_text("x", encoding="utf-8")
    archive = load_archive(content)
    assert [c.id for c in archive.contributions()] == ["2013-07-10-aminata-traore"]


def test_summary_files_are_accepted(content: Path) -> None:
    folder = write_discussion(content)
    (folder / "summary.fr.md").write_text(
        "---\ntitle: Synthèse\nstatus: draft\n---\n\n# Synthèse\n", encoding="utf-8"
    )
    discussion = load_archive(content).discussions[0]
    assert discussion.slug == "demo"
    assert discussion.summaries["fr"].title == "Synthèse"


# ContentError


def test_every_problem_of_every_file_is_listed_sorted(content: Path) -> None:
    write_discussion(content)
    write_discussion(content, "Other", weeks=1)
    write_contribution(content, week=2, cid="2013-07-17-b", language="de", date="2013-02-30")
    write_contribution(content, cid="2013-07-10-a", save_as="x.html")
    # A reply to a file with problems of its own is not blamed; a reply to nothing is.
    write_contribution(content, cid="2013-07-11-ok", in_reply_to="2013-07-10-a")
    write_contribution(content, cid="2013-07-12-x", in_reply_to="2013-07-01-gone")

    with pytest.raises(ContentError) as caught:
        load_archive(content)

    week_2 = "content/discussions/demo/contributions/week-2"
    assert str(caught.value) == "\n".join(
        [
            "5 problems in 4 files:",
            "content/discussions/Other/discussion.yml:1: folder: expected a discussion folder "
            'named with lowercase ASCII letters, digits and hyphens, got "Other"',
            f"{WEEK_1}/2013-07-10-a.md:7: save_as: expected one of author, country, date, "
            "in_reply_to, language, organisation, title, translation, translation_of, week, "
            "got an unknown key",
            f"{WEEK_1}/2013-07-12-x.md:7: in_reply_to: expected the id of a contribution of this "
            'discussion, got "2013-07-01-gone"',
            f"{week_2}/2013-07-17-b.md:5: language: expected one of the discussion's languages "
            '(fr, en, es), got "de"',
            f'{week_2}/2013-07-17-b.md:6: date: expected a real calendar date, got "2013-02-30"',
        ]
    )


def test_problems_are_sorted_by_week_number_not_as_text(content: Path) -> None:
    write_discussion(content, weeks=10, closes="2013-09-30")
    for week in (10, 2):
        write_contribution(content, week=week, cid=f"2013-07-09-w{week}", language="de")
    with pytest.raises(ContentError) as caught:
        load_archive(content)
    assert [p.path.split("/")[-2] for p in caught.value.problems] == ["week-2", "week-10"]


def test_error_header_counts_problems_and_files() -> None:
    one = ContentError([Problem("a.md", 1, "file", "expected x, got y")])
    assert str(one) == "1 problem in 1 file:\na.md:1: file: expected x, got y"
    many = ContentError(
        [
            Problem("b.md", 2, "week", "expected 1, got 2"),
            Problem("a.md", 9, "date", "expected a date, got x"),
            Problem("a.md", 3, "title", "expected text, got nothing"),
            Problem("a.md", 3, "title", "expected text, got nothing"),
        ]
    )
    assert str(many).splitlines() == [
        "3 problems in 2 files:",
        "a.md:3: title: expected text, got nothing",
        "a.md:9: date: expected a date, got x",
        "b.md:2: week: expected 1, got 2",
    ]


# Relations between contributions


def test_duplicate_id_across_week_folders(content: Path) -> None:
    write_discussion(content)
    write_contribution(content, week=1, cid="2013-07-10-a")
    write_contribution(content, week=2, cid="2013-07-10-a")
    assert single(content) == [
        "content/discussions/demo/contributions/week-2/2013-07-10-a.md:1: file: expected an id "
        f"unique in the discussion, got one already used by {WEEK_1}/2013-07-10-a.md"
    ]


def test_same_id_in_two_discussions_is_fine(content: Path) -> None:
    write_discussion(content)
    write_discussion(content, "other")
    write_contribution(content, cid="2013-07-10-a")
    write_contribution(content, "other", cid="2013-07-10-a")
    assert len(load_archive(content).contributions()) == 2


def test_unknown_targets_point_to_their_lines(content: Path) -> None:
    write_discussion(content)
    write_contribution(
        content, cid="2013-07-10-a", country="Mali", in_reply_to="nobody", translation_of="nothing"
    )
    assert single(content) == [
        f"{WEEK_1}/2013-07-10-a.md:8: in_reply_to: expected the id of a contribution of this "
        'discussion, got "nobody"',
        f"{WEEK_1}/2013-07-10-a.md:9: translation_of: expected the id of a contribution of this "
        'discussion, got "nothing"',
    ]


def test_target_that_cannot_be_read_is_not_called_unknown(content: Path) -> None:
    write_discussion(content)
    broken = write_contribution(content, cid="2013-07-09-a")
    data = broken.read_bytes().replace("Traoré".encode(), b"Traor\xe9")
    broken.write_bytes(data)
    write_contribution(content, cid="2013-07-10-b", in_reply_to="2013-07-09-a")
    write_contribution(content, cid="2013-07-10-b-en", language="en", translation_of="2013-07-09-a")
    assert load_problems(content) == [
        f"{WEEK_1}/2013-07-09-a.md:3: file: expected UTF-8 text, got the byte 0xE9 "
        f"at offset {data.index(0xE9)}"
    ]


def test_target_in_another_discussion_is_unknown(content: Path) -> None:
    write_discussion(content)
    write_discussion(content, "other")
    write_contribution(content, "other", cid="2013-07-09-elsewhere")
    write_contribution(content, cid="2013-07-10-a", in_reply_to="2013-07-09-elsewhere")
    assert single(content) == [
        f"{WEEK_1}/2013-07-10-a.md:7: in_reply_to: expected the id of a contribution of this "
        'discussion, got "2013-07-09-elsewhere"'
    ]


def original_and_translation(content: Path) -> None:
    write_discussion(content)
    write_contribution(content, cid="a")
    write_contribution(content, cid="a-en", language="en", translation_of="a")


def test_reply_to_a_translation(content: Path) -> None:
    original_and_translation(content)
    write_contribution(content, cid="b", in_reply_to="a-en")
    assert single(content) == [
        f"{WEEK_1}/b.md:7: in_reply_to: expected the id of an original contribution, got a "
        "translation (reply to a instead)"
    ]


def test_translation_of_a_translation(content: Path) -> None:
    original_and_translation(content)
    write_contribution(content, cid="a-es", language="es", translation_of="a-en")
    assert single(content) == [
        f"{WEEK_1}/a-es.md:7: translation_of: expected the id of an original contribution, got a "
        "translation (use a instead)"
    ]


def test_translation_in_the_original_language(content: Path) -> None:
    original_and_translation(content)
    write_contribution(content, cid="a-fr", translation_of="a")
    assert single(content) == [
        f"{WEEK_1}/a-fr.md:5: language: expected a language other than the original's (fr), "
        "got the same"
    ]


def test_two_translations_in_one_language(content: Path) -> None:
    original_and_translation(content)
    write_contribution(content, cid="a-en-2", language="en", translation_of="a")
    assert single(content) == [
        f"{WEEK_1}/a-en-2.md:7: translation_of: expected one translation per language, got a "
        "second en translation (first: a-en)"
    ]


def test_translation_that_replies(content: Path) -> None:
    original_and_translation(content)
    write_contribution(content, cid="b")
    write_contribution(content, cid="a-es", language="es", translation_of="a", in_reply_to="b")
    assert single(content) == [
        f"{WEEK_1}/a-es.md:8: in_reply_to: expected no in_reply_to on a translation (it sits in "
        "its original's thread), got one"
    ]


def test_reply_cycle_of_two(content: Path) -> None:
    write_discussion(content)
    write_contribution(content, cid="a", in_reply_to="b")
    write_contribution(content, cid="b", in_reply_to="a")
    write_contribution(content, cid="c", in_reply_to="a")  # hangs from the loop, not in it
    loop = "in_reply_to: expected replies to form a thread, got a loop back to this contribution"
    assert load_problems(content) == [f"{WEEK_1}/a.md:7: {loop}", f"{WEEK_1}/b.md:7: {loop}"]


def test_reply_cycle_of_three_across_weeks(content: Path) -> None:
    write_discussion(content)
    write_contribution(content, cid="a", in_reply_to="c")
    write_contribution(content, cid="b", in_reply_to="a")
    write_contribution(content, week=2, cid="c", in_reply_to="b")
    loop = "in_reply_to: expected replies to form a thread, got a loop back to this contribution"
    assert load_problems(content) == [
        f"{WEEK_1}/a.md:7: {loop}",
        f"{WEEK_1}/b.md:7: {loop}",
        f"content/discussions/demo/contributions/week-2/c.md:7: {loop}",
    ]


# Files in the wrong place


def test_markdown_outside_week_folders(content: Path) -> None:
    folder = write_discussion(content)
    write_contribution(content)
    contributions = folder / "contributions"
    (contributions / "loose.md").write_text("x", encoding="utf-8")
    (contributions / "misc").mkdir()
    (contributions / "misc" / "a.md").write_text("x", encoding="utf-8")
    (contributions / "week-1" / "drafts").mkdir()
    (contributions / "week-1" / "drafts" / "b.md").write_text("x", encoding="utf-8")
    (contributions / "week-one").mkdir()
    (contributions / "week-one" / "c.md").write_text("x", encoding="utf-8")
    elsewhere = "file: expected contributions/week-<n>/<id>.md, got a file elsewhere"
    base = "content/discussions/demo/contributions"
    assert load_problems(content) == [
        f"{base}/loose.md:1: {elsewhere}",
        f"{base}/misc/a.md:1: {elsewhere}",
        f"{base}/week-1/drafts/b.md:1: {elsewhere}",
        f"{base}/week-one/c.md:1: {elsewhere}",
    ]


@pytest.mark.parametrize("name", ["photo.jpg", "2013-07-10-a.MD", "2013-07-10-a.txt", "README"])
def test_file_that_is_not_markdown_in_a_week_folder(content: Path, name: str) -> None:
    write_discussion(content)
    path = write_contribution(content)
    path.with_name(name).write_bytes(b"\xff\xd8")
    assert load_problems(content) == [
        f'{WEEK_1}/{name}:1: file: expected a Markdown file (.md), got "{name}"'
    ]


def test_folder_without_discussion_file(content: Path) -> None:
    (content / "discussions" / "lost" / "contributions" / "week-1").mkdir(parents=True)
    assert load_problems(content) == [
        "content/discussions/lost:1: discussion: expected a discussion.yml in the discussion "
        "folder, got none"
    ]


def test_call_in_a_language_the_discussion_does_not_have(content: Path) -> None:
    folder = write_discussion(content)
    (folder / "call.de.md").write_text("# Aufruf\n", encoding="utf-8")
    assert load_problems(content) == [
        "content/discussions/demo/call.de.md:1: file: expected a language of the discussion "
        '(fr, en, es), got "de"'
    ]


@pytest.mark.parametrize("name", ["notes.md", "call.md", "call.FR.md", "appel.fr.md"])
def test_other_markdown_in_the_discussion_folder(content: Path, name: str) -> None:
    folder = write_discussion(content)
    (folder / name).write_text("x", encoding="utf-8")
    assert load_problems(content) == [
        f"content/discussions/demo/{name}:1: file: expected call.<language>.md or "
        f'summary.<language>.md, got "{name}"'
    ]


# Bytes


def test_file_over_the_size_limit(content: Path) -> None:
    write_discussion(content)
    path = write_contribution(content, body="x" * 5000)
    size = path.stat().st_size
    assert load_problems(content, max_bytes=4000) == [
        f"{WEEK_1}/2013-07-10-aminata-traore.md:1: file: expected at most 4000 bytes, got {size}"
    ]


def test_discussion_file_over_the_size_limit(content: Path) -> None:
    folder = write_discussion(content, weeks=30)
    size = (folder / "discussion.yml").stat().st_size
    assert size > 4000
    assert load_problems(content, max_bytes=4000) == [
        f"content/discussions/demo/discussion.yml:1: file: expected at most 4000 bytes, got {size}"
    ]


def test_call_that_is_not_utf8(content: Path) -> None:
    folder = write_discussion(content)
    (folder / "call.fr.md").write_bytes("# Appel\n\nÉté".encode("latin-1"))
    assert load_problems(content) == [
        "content/discussions/demo/call.fr.md:3: file: expected UTF-8 text, got the byte 0xC9 "
        "at offset 9"
    ]


# Digests, and the caches kept between builds


def test_every_file_read_has_its_digest(content: Path) -> None:
    folder = write_discussion(content)
    path = write_contribution(content)
    discussion = load_archive(content).discussions[0]
    files = [folder / "discussion.yml", *sorted(folder.glob("call.*.md")), path]
    assert discussion.file_digests == {
        f"content/discussions/demo/{file.relative_to(folder).as_posix()}": hashlib.sha256(
            file.read_bytes()
        ).hexdigest()
        for file in files
    }
    contribution = discussion.contributions[0]
    assert len(discussion.file_digests[contribution.source_path]) == 64
    assert load_archive(content).file_digests() == discussion.file_digests


class Counting(dict):
    """A cache for the tests: a dictionary that counts what was put in it."""

    def __init__(self) -> None:
        super().__init__()
        self.puts = 0

    def put(self, key: object, value: object) -> None:
        self[key] = value
        self.puts += 1


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled, as if written long before the build."""
    monkeypatch.setattr(loader, "SETTLED_NS", -3_600_000_000_000)


def test_with_caches_the_archive_is_the_same(content: Path, settled: None) -> None:
    write_discussion(content)
    write_contribution(content, cid="a")
    write_contribution(content, week=2, cid="b", in_reply_to="a")
    parsed, digests = Counting(), Counting()
    first = load_archive(content, parsed_cache=parsed, digest_cache=digests)
    assert (parsed.puts, digests.puts) == (3, 2)  # two contributions and discussion.yml
    second = load_archive(content, parsed_cache=parsed, digest_cache=digests)
    assert (parsed.puts, digests.puts) == (3, 2)
    assert first == second == load_archive(content)
    assert first.file_digests() == second.file_digests() == load_archive(content).file_digests()


def test_files_whose_stat_is_known_are_not_read(
    content: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_discussion(content)
    write_contribution(content)
    parsed, digests = Counting(), Counting()
    archive = load_archive(content, parsed_cache=parsed, digest_cache=digests)

    def no_contribution(path: str, *args: object, **kwargs: object) -> object:
        assert "/contributions/" not in str(path), "a contribution was read again"
        return open(path, *args, **kwargs)

    monkeypatch.setattr(loader, "open", no_contribution, raising=False)
    assert load_archive(content, parsed_cache=parsed, digest_cache=digests) == archive


def test_files_changed_just_before_the_build_are_read_again(content: Path) -> None:
    """A second write in the same tick of the clock would leave the same stat."""
    write_discussion(content)
    write_contribution(content)
    parsed, digests = Counting(), Counting()
    load_archive(content, parsed_cache=parsed, digest_cache=digests)
    assert digests == {}
    assert parsed.puts == 2


def test_an_edit_that_keeps_size_and_mtime_is_seen(content: Path, settled: None) -> None:
    write_discussion(content)
    path = write_contribution(content, title="Premier")
    parsed, digests = Counting(), Counting()
    load_archive(content, parsed_cache=parsed, digest_cache=digests)
    before = path.stat()
    edited = path.read_bytes().replace(b"Premier", b"Dernier")
    while path.stat().st_ctime_ns == before.st_ctime_ns:  # a tick of the file system's clock
        time.sleep(0.01)
        path.write_bytes(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    archive = load_archive(content, parsed_cache=parsed, digest_cache=digests)
    assert archive.contributions()[0].title == "Dernier"


def test_a_file_written_again_with_the_same_bytes_is_not_parsed_again(
    content: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after a ``git checkout``: a new file, a new stat, the same bytes."""
    write_discussion(content)
    path = write_contribution(content)
    parsed, digests = Counting(), Counting()
    archive = load_archive(content, parsed_cache=parsed, digest_cache=digests)
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)

    def no_parsing(*args: object) -> object:
        raise AssertionError("a contribution was parsed again")

    monkeypatch.setattr(loader, "parse_contribution", no_parsing)
    assert load_archive(content, parsed_cache=parsed, digest_cache=digests) == archive


def test_cached_contributions_are_checked_against_the_discussion_again(
    content: Path, settled: None
) -> None:
    write_discussion(content)
    write_contribution(content, week=2, cid="2013-07-17-b")
    parsed, digests = Counting(), Counting()
    load_archive(content, parsed_cache=parsed, digest_cache=digests)
    write_discussion(content, weeks=1)
    with pytest.raises(ContentError) as caught:
        load_archive(content, parsed_cache=parsed, digest_cache=digests)
    assert [str(problem) for problem in caught.value.problems] == [
        "content/discussions/demo/contributions/week-2/2013-07-17-b.md:4: week: expected a "
        "week of the discussion (1), got 2"
    ]


def test_files_are_found_in_the_order_of_their_paths(content: Path) -> None:
    """``week-1`` before ``week-1-x`` (compared as paths, not as text), hidden ones left out."""
    write_discussion(content)
    write_contribution(content, cid="2013-07-10-a")
    folder = content / "discussions" / "demo" / "contributions"
    (folder / "week-1-x").mkdir()
    (folder / "week-1-x" / "2013-07-10-a.md").write_text("x", encoding="utf-8")
    (folder / "week-1" / ".hidden").mkdir()
    (folder / "week-1" / ".hidden" / "c.md").write_text("x", encoding="utf-8")
    (folder / "week-1" / "linked").symlink_to(folder / "week-1-x")
    found = ["/".join(parts) for parts, _ in loader._files(str(folder))]
    assert found == ["week-1/2013-07-10-a.md", "week-1-x/2013-07-10-a.md"]
    assert found == [
        path.relative_to(folder).as_posix()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") for part in path.parts)
        and "linked" not in path.parts
    ]
