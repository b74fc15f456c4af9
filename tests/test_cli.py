"""`palabre check`, run in-process on real files: messages and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from palabre.cli import main
from tests.factories import content_tree, write_contribution, write_discussion


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=1)
    write_contribution(content, cid="2013-07-09-good", date="2013-07-09")
    monkeypatch.chdir(tmp_path)
    return content


def test_a_valid_tree_exits_zero(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "1 discussions, 1 contributions: all valid.\n"


def test_problems_are_listed_and_exit_one(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_contribution(tree, cid="2013-07-10-bad", language="de")
    assert main(["check"]) == 1
    assert capsys.readouterr().out == (
        "content/discussions/demo/contributions/week-1/2013-07-10-bad.md:5: language: "
        'expected one of the discussion\'s languages (fr, en, es), got "de"\n'
    )


def test_github_annotations_escape_their_properties(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_contribution(tree, cid="2013-07-10-bad", date="2013-02-30")
    assert main(["check", "--format", "github"]) == 1
    assert capsys.readouterr().out == (
        "::error file=content/discussions/demo/contributions/week-1/2013-07-10-bad.md,"
        'line=6,title=date::expected a real calendar date, got "2013-02-30"\n'
    )


def test_paths_limit_the_report_to_those_files(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_contribution(tree, cid="2013-07-10-bad", language="de")
    assert main(["check", str(tree / "discussions" / "demo" / "discussion.yml")]) == 0
    capsys.readouterr()
    assert main(["check", str(bad)]) == 1


def test_usage_errors_exit_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["nonsense"]) == 2
    assert main(["check", "--content", str(tmp_path / "missing")]) == 2
