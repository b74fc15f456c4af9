"""`palabre new`, run in-process on real files: names, collisions, never overwriting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from palabre.cli import main
from palabre.newfile import author_slug, make_id
from tests.factories import content_tree, write_contribution, write_discussion

WEEK_1 = Path("content/discussions/demo/contributions/week-1")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=2)
    monkeypatch.chdir(tmp_path)
    return content


def new(*extra: str) -> int:
    return main(
        [
            "new",
            "--discussion",
            "demo",
            "--author",
            "Aminata Traoré",
            "--title",
            "Le jumelage",
            "--language",
            "fr",
            *extra,
        ]
    )


def test_new_writes_the_file_with_the_right_name_and_front_matter(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "body.md"
    body.write_text("Un texte.\n", encoding="utf-8")
    assert new("--date", "2013-07-10", "--body-file", str(body), "--country", "Mali") == 0
    path = WEEK_1 / "2013-07-10-aminata-traore.md"
    assert capsys.readouterr().out == f"{path.as_posix()}\n"
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        'title: "Le jumelage"\n'
        'author: "Aminata Traoré"\n'
        "week: 1\n"
        'language: "fr"\n'
        "date: 2013-07-10\n"
        'country: "Mali"\n'
        "---\n"
        "\n"
        "Un texte.\n"
    )
    assert main(["check"]) == 0


def test_the_week_comes_from_the_date_when_not_given(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new("--date", "2013-07-16") == 0
    assert capsys.readouterr().out.startswith("content/discussions/demo/contributions/week-2/")


def test_a_taken_name_gets_a_suffix_and_nothing_is_overwritten(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_contribution(tree, cid="2013-07-10-aminata-traore", body="Premier.")
    before = first.read_bytes()
    assert new("--date", "2013-07-10") == 0
    assert new("--date", "2013-07-10") == 0
    assert capsys.readouterr().out.split() == [
        (WEEK_1 / "2013-07-10-aminata-traore-2.md").as_posix(),
        (WEEK_1 / "2013-07-10-aminata-traore-3.md").as_posix(),
    ]
    assert first.read_bytes() == before


def test_a_name_taken_in_another_week_counts_too(tree: Path) -> None:
    write_contribution(tree, week=2, cid="2013-07-10-aminata-traore", front={"week": 2})
    assert new("--date", "2013-07-10", "--week", "1") == 0
    assert (WEEK_1 / "2013-07-10-aminata-traore-2.md").is_file()


def test_without_a_body_the_file_waits_for_its_text(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new("--date", "2013-07-10") == 0
    captured = capsys.readouterr()
    assert "still to write" in captured.err
    assert main(["check"]) == 1
    assert capsys.readouterr().out == (
        f"{WEEK_1.as_posix()}/2013-07-10-aminata-traore.md:8: body: "
        "expected the contribution's text, got nothing\n"
    )


def test_invalid_values_are_reported_with_the_builds_messages(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new("--date", "2013-07-10", "--language", "de", "--in-reply-to", "nobody") == 1
    out = capsys.readouterr().out
    assert out == (
        f"{WEEK_1.as_posix()}/2013-07-10-aminata-traore.md:5: language: expected one of the "
        'discussion\'s languages (fr, en, es), got "de"\n'
        f"{WEEK_1.as_posix()}/2013-07-10-aminata-traore.md:7: in_reply_to: expected the id of "
        'a contribution of this discussion, got "nobody"\n'
    )
    assert not WEEK_1.exists()


def test_usage_errors_exit_two(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--discussion", "demo"]) == 2
    assert new("--week", "0") == 2
    assert new("--date", "10/07/2013") == 2
    assert main(["new", "--discussion", "nope", "--author", "A", "--title", "T",
                 "--language", "fr"]) == 2  # fmt: skip
    assert 'no discussion "nope"' in capsys.readouterr().err
    assert new("--date", "2013-07-01") == 2  # before week 1 starts


def test_help_is_there_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ([], ["check"], ["new"], ["import-mail"], ["import-issue"]):
        assert main([*command, "--help"]) == 0
        assert "usage: palabre" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("author", "slug"),
    [
        ("Aminata Traoré", "aminata-traore"),
        ("José Antonio Núñez", "jose-antonio-nunez"),
        ("Siobhán O’Brien", "siobhan-obrien"),
        ("Рекреативное агентство", "rekreativnoe-agentstvo"),
        ("李明", "li-ming"),
        ("...", "anonymous"),
    ],
)
def test_author_slugs_are_ascii(author: str, slug: str) -> None:
    assert author_slug(author) == slug


def test_ids_stay_within_the_length_limit() -> None:
    cid = make_id(dt.date(2013, 7, 10), "A" * 40 + " " + "B" * 40, set())
    assert len(cid) <= 120 and cid.startswith("2013-07-10-")
