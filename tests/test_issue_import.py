"""`palabre import-issue`, run in-process on issue bodies as GitHub renders the form."""

from __future__ import annotations

from pathlib import Path

import pytest

from palabre.cli import main
from palabre.issueform import parse_issue_body
from palabre.newfile import id_from_reference
from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import build, page

FIXTURES = Path(__file__).parent / "fixtures" / "issues"
DEMO = Path("content/discussions/demo/contributions")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=2)
    write_contribution(content, cid="2013-07-10-francois-ndiaye", author="François Ndiaye")
    monkeypatch.chdir(tmp_path)
    return content


def run(name: str, *extra: str) -> int:
    return main(["import-issue", str(FIXTURES / name), "--date", "2013-07-16T09:30:00Z", *extra])


def test_an_issue_becomes_a_contribution_that_checks_and_builds(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("contribution.md", "--source", "issue #12", "--report", "report.txt") == 0
    path = DEMO / "week-2" / "2013-07-16-aminata-traore.md"
    out = capsys.readouterr().out
    assert out == f"imported: issue #12 -> {path.as_posix()}\n1 imported.\n"
    assert Path("report.txt").read_text(encoding="utf-8") == (
        f"imported: issue #12 -> {path.as_posix()}\n"
    )
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        'title: "Les femmes dans les comités de jumelage"\n'
        'author: "Aminata Traoré"\n'
        "week: 2\n"
        'language: "fr"\n'
        "date: 2013-07-16\n"
        'organisation: "Commune de Yélimané"\n'
        'country: "Mali"\n'
        'in_reply_to: "2013-07-10-francois-ndiaye"\n'
        "---\n"
        "\n"
        "Dans notre commune, les femmes gèrent les caisses villageoises.\n"
        "\n"
        "### Ce que nous avons appris\n"  # a heading inside the text stays text
        "\n"
        "- associer les femmes dès le début ;\n"
        "- publier les comptes du comité.\n"
        "\n"
        "Merci aux modérateurs.\n"
    )
    assert main(["check"]) == 0
    output = build(tree, tmp_path / "output")
    html = page(output, "demo/2013-07-16-aminata-traore/")
    heading = html.find(string="Ce que nous avons appris")
    assert heading is not None and heading.parent.name.startswith("h")  # a heading, shifted


def test_optional_answers_may_be_empty_and_the_week_comes_from_the_date(
    tree: Path,
) -> None:
    assert run("optional-empty-crlf.md") == 0
    text = (DEMO / "week-2" / "2013-07-16-kwame-mensah.md").read_text(encoding="utf-8")
    assert "organisation" not in text and "in_reply_to" not in text
    assert "week: 2\n" in text
    assert text.endswith("\nIn Accra the municipal assembly set up a diaspora desk.\n")


def test_an_unticked_consent_or_a_missing_text_is_refused(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("no-consent.md", "--source", "issue #3") == 1
    assert capsys.readouterr().out == (
        "failed: issue #3: the issue cannot be imported:\n"
        "    consent: expected the publication box to be ticked, got it unticked\n"
        "    body: expected an answer, got none (required)\n"
        "1 failed.\n"
    )
    assert not (DEMO / "week-1" / "2013-07-16-someone.md").exists()


def test_hostile_answers_stay_quoted_text(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("hostile.md", "--week", "1") == 0
    path = DEMO / "week-1" / "2013-07-16-eve-translation-of-evil.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "---\n"
        'title: "\\"Quoted\\" title\\\\ with: colons # and hashes"\n'
        'author: "Eve\\" translation_of: evil"\n'
        "week: 1\n"
        'language: "en"\n'
        "date: 2013-07-16\n"
        'organisation: "<script>alert(1)</script>"\n'
        "---\n"
    )
    assert main(["check"]) == 0
    output = build(tree, tmp_path / "output")
    article = str(page(output, "demo/2013-07-16-eve-translation-of-evil/"))
    assert "<script>alert" not in article and "javascript:" not in article


def test_a_form_that_names_no_known_discussion_is_a_usage_error(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (FIXTURES / "contribution.md").read_text(encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text(body.replace("\ndemo\n", "\nnope\n", 1), encoding="utf-8")
    assert main(["import-issue", str(other), "--date", "2013-07-16"]) == 2
    assert 'no discussion "nope"' in capsys.readouterr().err


def test_a_wrong_answer_is_reported_with_the_builds_message(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (FIXTURES / "contribution.md").read_text(encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text(body.replace("\nfr\n", "\nFrançais (de)\n", 1), encoding="utf-8")
    assert main(["import-issue", str(other), "--date", "2013-07-16", "--source", "#1"]) == 1
    out = capsys.readouterr().out
    assert (
        "    content/discussions/demo/contributions/week-2/2013-07-16-aminata-traore.md:5: "
        'language: expected one of the discussion\'s languages (fr, en, es), got "de"\n'
    ) in out


def test_dry_run_writes_nothing(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("contribution.md", "--dry-run") == 0
    assert "1 would import. (dry run: nothing written)" in capsys.readouterr().out
    assert not (DEMO / "week-2").exists()


def test_usage_errors_exit_two(tree: Path) -> None:
    assert main(["import-issue", str(FIXTURES / "contribution.md")]) == 2  # no --date
    assert main(["import-issue", "missing.md", "--date", "2013-07-16"]) == 2
    assert run("contribution.md", "--week", "x") == 2


def test_a_body_not_written_with_the_form_lists_what_is_missing() -> None:
    form = parse_issue_body("Hello, here is my contribution.")
    assert form.problems[0] == (
        "discussion: expected a '### Discussion' section, got none "
        "(was the issue written with the contribution form?)"
    )


@pytest.mark.parametrize(
    "answer",
    [
        "2013-07-10-francois-ndiaye",
        "https://example.github.io/archive/demo/2013-07-10-francois-ndiaye/",
        "https://example.github.io/archive/fr/demo/2013-07-10-francois-ndiaye/index.html#top",
    ],
)
def test_in_reply_to_takes_an_id_or_an_address(answer: str) -> None:
    assert id_from_reference(answer) == "2013-07-10-francois-ndiaye"
