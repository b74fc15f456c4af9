"""One broken contribution fails the whole build, loudly, with every problem listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from palabre.model import ContentError, SettingsError
from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import PALABRE_BUILD, PELICAN_COMMAND, build, run_pelican_cli


@pytest.mark.parametrize("command", [PELICAN_COMMAND, PALABRE_BUILD], ids=["pelican", "palabre"])
def test_the_build_commands_fail_and_list_every_problem(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=2)
    write_contribution(content, cid="2013-07-09-good", date="2013-07-09")
    write_contribution(content, cid="2013-07-10-bad", week=1, front={"week": 3}, language="de")
    write_contribution(
        content, cid="2013-07-11-worse", save_as="../../evil.html", date="2013-02-30"
    )

    result = run_pelican_cli(content, tmp_path / "output", command=command)

    assert result.returncode == 1
    log = result.stdout + result.stderr
    bad = "content/discussions/demo/contributions/week-1/2013-07-10-bad.md"
    worse = "content/discussions/demo/contributions/week-1/2013-07-11-worse.md"
    expected = [
        "4 problems in 2 files:",
        f'{bad}:5: language: expected one of the discussion\'s languages (fr, en, es), got "de"',
        f"{bad}:4: week: expected a week of the discussion (1, 2), got 3",
        f'{worse}:6: date: expected a real calendar date, got "2013-02-30"',
        f"{worse}:7: save_as: expected one of author, country, date, in_reply_to, language, "
        "organisation, title, translation, translation_of, week, got an unknown key",
    ]
    for line in expected:
        assert line in log, f"missing from the build's output: {line}\n--- output ---\n{log}"
    assert not (tmp_path / "output" / "demo" / "2013-07-09-good").exists()
    assert not (tmp_path / "evil.html").exists()


def test_the_in_process_build_raises_the_content_error(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=1)
    write_contribution(content, cid="2013-07-09-x", in_reply_to="2013-07-01-nobody")
    with pytest.raises(ContentError) as caught:
        build(content, tmp_path / "output")
    assert [str(p) for p in caught.value.problems] == [
        "content/discussions/demo/contributions/week-1/2013-07-09-x.md:7: in_reply_to: "
        'expected the id of a contribution of this discussion, got "2013-07-01-nobody"'
    ]


def test_pelican_never_reads_contributions_as_articles(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=1)
    write_contribution(content, cid="2013-07-09-x")
    # Even a site that forgets to keep Pelican's article reader away from discussions/.
    output = build(content, tmp_path / "output", ARTICLE_PATHS=[""], ARTICLE_SAVE_AS="{slug}.html")
    assert not list(output.glob("*.html"))[1:]  # only Palabre's index.html at the top
    assert (output / "demo" / "2013-07-09-x" / "index.html").is_file()


def test_a_misspelt_setting_stops_the_build(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    with pytest.raises(SettingsError, match="PALABRE_LANGAUGE: expected one of"):
        build(content, tmp_path / "output", PALABRE_LANGAUGE="fr")


def test_palabre_build_builds_and_leaves_with_its_output_flushed(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=2)
    write_contribution(content, cid="2013-07-09-good", date="2013-07-09")

    result = run_pelican_cli(content, tmp_path / "output", "-v", command=PALABRE_BUILD)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "demo" / "2013-07-09-good" / "index.html").is_file()
    # Written just before the fast exit: lost if the streams were not flushed.
    assert "Done: Processed" in result.stdout
    assert "Palabre: search index of" in result.stdout + result.stderr
