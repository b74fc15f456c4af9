"""`palabre import-mail`, run in-process on the messages in tests/fixtures/mail/.

The fixtures are messages written for these tests in the shapes real mail takes:
quoted-printable and base64 bodies, ISO-8859-1 and Windows-1252 text, RFC 2047 subjects
and names, an HTML-only message, attachments, replies with quotes and signatures, an mbox
with a malformed message, a bounce and an automatic reply, and a Maildir.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from palabre.cli import main
from palabre.loader import load_archive
from palabre.mailimport import message_key
from tests.factories import content_tree, write_contribution, write_discussion
from tests.sites import build, page

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
DEMO = Path("content/discussions/demo")
WEEK_1 = DEMO / "contributions" / "week-1"
WEEK_2 = DEMO / "contributions" / "week-2"
WEEK_3 = (DEMO / "contributions" / "week-3").as_posix()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=3)
    monkeypatch.chdir(tmp_path)
    return content


def run(*args: str | Path) -> int:
    return main(["import-mail", "--discussion", "demo", *map(str, args)])


def front(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    head = text.split("---\n")[1]
    return dict(line.split(": ", 1) for line in head.splitlines())


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


def test_quoted_printable_latin1_with_encoded_subject_and_signature(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "qp-latin1.eml") == 0
    path = WEEK_1 / "2013-07-10-francois-ndiaye.md"
    assert capsys.readouterr().out == (
        f"imported: {FIXTURES.as_posix()}/qp-latin1.eml -> {path.as_posix()}\n"
        "    note: removed the signature (4 lines)\n"
        "1 imported.\n"
    )
    assert front(path) == {
        "title": '"Le jumelage, un cadre de coopération pour les communes"',
        "author": '"François Ndiaye"',
        "week": "1",
        "language": '"fr"',
        "date": "2013-07-10",
    }
    text = body(path)
    assert text.startswith("\nBonjour à toutes et à tous,\n\nDans notre commune,")
    assert "1. le comité de jumelage" in text
    assert text.endswith("Bien cordialement,\n")
    assert "Kanel" not in text  # the signature


def test_base64_utf8_reply_finds_its_parent_and_drops_the_quote(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "qp-latin1.eml", FIXTURES / "base64-utf8.eml") == 0
    path = WEEK_1 / "2013-07-11-lucia-fernandez.md"
    values = front(path)
    assert values["title"] == '"Le jumelage, un cadre de coopération pour les communes"'
    assert values["author"] == '"Lucía Fernández"'
    assert values["language"] == '"es"'
    assert values["in_reply_to"] == '"2013-07-10-francois-ndiaye"'
    text = body(path)
    assert "escribió" not in text and ">" not in text and "Red de Municipios" not in text
    assert text.rstrip().endswith("Saludos cordiales,\nLucía")
    out = capsys.readouterr().out
    assert "note: in reply to 2013-07-10-francois-ndiaye (from In-Reply-To/References)" in out


def test_a_reply_imported_later_finds_its_parent_through_the_index(tree: Path) -> None:
    assert run(FIXTURES / "qp-latin1.eml") == 0
    index = json.loads((tree / "discussions" / "demo" / ".mail-index.json").read_text())
    assert index["messages"] == {
        message_key("51dd2a1c.4f2a@mail.example.org"): "2013-07-10-francois-ndiaye"
    }
    assert "@" not in json.dumps(index["messages"])  # hashes only: no address is published
    assert run(FIXTURES / "reply-quotes.eml") == 0
    path = WEEK_1 / "2013-07-12-aminata-traore.md"
    assert front(path)["in_reply_to"] == '"2013-07-10-francois-ndiaye"'
    assert body(path) == (
        "\nC'est aussi notre histoire à Yélimané : le jumelage est né d'une amitié,\n"
        "puis les ressortissants de la commune en France ont pris le relais.\n\n"
        "J'ajouterais une quatrième leçon : associer les femmes, qui gèrent\n"
        "souvent les caisses villageoises et savent ce qui marche.\n\n"
        "Aminata\n"
    )


def test_a_reply_whose_parent_was_not_imported_has_no_in_reply_to(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "reply-quotes.eml") == 0
    assert "in_reply_to" not in front(WEEK_1 / "2013-07-12-aminata-traore.md")
    assert "answers a message that was not imported" in capsys.readouterr().out


def test_importing_the_same_message_twice_skips_it(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "qp-latin1.eml") == 0
    capsys.readouterr()
    assert run(FIXTURES / "qp-latin1.eml") == 0
    assert capsys.readouterr().out == (
        f"skipped: {FIXTURES.as_posix()}/qp-latin1.eml: "
        "already imported as 2013-07-10-francois-ndiaye\n"
        "1 skipped.\n"
    )
    assert sorted(p.name for p in WEEK_1.iterdir()) == ["2013-07-10-francois-ndiaye.md"]


def test_windows_1252_keeps_its_typography_and_drops_the_outlook_quote(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "windows-1252.eml") == 0
    path = WEEK_2 / "2013-07-16-siobhan-obrien.md"
    values = front(path)
    assert values["author"] == '"Siobhán O’Brien"'
    assert values["title"] == '"Week 2: what role for local authorities?"'
    assert "organisation" not in values  # the Organization header is only a hint
    text = body(path)
    assert "“partners, not donors” – a" in text and "council’s" in text
    assert "Original Message" not in text and "questions of week 2" not in text
    out = capsys.readouterr().out
    assert "removed the quoted earlier message (below the reply header)" in out
    assert 'the Organization header says "Cork County Council"' in out


def test_a_mislabelled_charset_is_read_right_and_reported(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "mislabelled-latin1.eml") == 0
    path = WEEK_2 / "2013-07-17-marie-dubois.md"
    assert front(path)["title"] == '"Un fonds communal…"'
    assert "L’expérience de notre région" in body(path)
    assert "associations… et avec" in body(path)
    out = capsys.readouterr().out
    assert "note: subject: declared iso-8859-1 but the bytes are windows-1252" in out
    assert "note: body: declared iso-8859-1 but the bytes are windows-1252" in out


def test_html_only_mail_becomes_markdown_without_scripts_or_quotes(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "html-only.eml") == 0
    assert body(WEEK_2 / "2013-07-18-kwame-mensah.md") == (
        "\nHello everyone,\n\n"
        "In **Accra**, the municipal assembly set up a *diaspora desk* in 2011. "
        "It does three things:\n\n"
        "- it answers questions from migrants who want to invest at home;\n"
        "- it keeps a list of projects that need funding;\n"
        "- it reports every year to the assembly.\n\n"
        "See [the desk's page](https://example.org/diaspora-desk), or click here.\n\n"
        "Kwame\n"
    )
    out = capsys.readouterr().out
    assert "HTML-only message: converted to Markdown" in out
    assert "removed the quoted earlier message from the HTML" in out


def test_attachments_are_listed_never_published_and_the_list_footer_goes(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "attachments.eml") == 0
    path = WEEK_2 / "2013-07-19-jose-antonio-nunez.md"
    assert front(path)["title"] == '"Informe de evaluación"'  # "[Consultation]" removed
    text = body(path)
    assert "mailing list" not in text and "PDF" not in text and "____" not in text
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    out = capsys.readouterr().out
    assert "note: attachment not published: informe evaluación 2012.pdf (application/pdf" in out
    assert "note: attachment not published: logo.png (image/png, 70 bytes)" in out
    assert "note: removed the mailing-list footer" in out


def test_an_mbox_with_a_broken_message_imports_the_rest(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox = (FIXTURES / "mailbox.mbox").as_posix()
    assert run(FIXTURES / "mailbox.mbox") == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("    ")]
    assert lines == [
        f"imported: {mbox}#1 -> {WEEK_3}/2013-07-22-camila-rojas.md",
        f"failed: {mbox}#2: no headers: not an e-mail message",
        f"skipped: {mbox}#3: a delivery report (bounce), not a contribution",
        f"skipped: {mbox}#4: an automatic message (Auto-Submitted: auto-replied)",
        f"imported: {mbox}#5 -> {WEEK_3}/2013-07-23-ines-carvalho.md",
        f"failed: {mbox}#6: body: cannot be decoded cleanly (declared utf-8, and neither "
        "UTF-8 nor Windows-1252 fits); convert it by hand",
        "2 imported, 2 skipped, 2 failed.",
    ]
    reply = front(Path(WEEK_3) / "2013-07-23-ines-carvalho.md")
    assert reply["in_reply_to"] == '"2013-07-22-camila-rojas"'
    assert reply["author"] == '"Inês Carvalho"'
    assert reply["language"] == '"en"'
    assert front(Path(WEEK_3) / "2013-07-22-camila-rojas.md")["language"] == '"es"'


def test_a_maildir_is_read_in_delivery_order(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "Maildir") == 0
    out = [line for line in capsys.readouterr().out.splitlines() if line.startswith("imported")]
    assert [line.rsplit("/", 1)[1] for line in out] == [
        "2013-07-22-mensah-kwame.md",
        "2013-07-23-youssef-amrani.md",
    ]
    assert front(Path(WEEK_3) / "2013-07-22-mensah-kwame.md")["title"] == (
        '"District assemblies and hometown associations"'  # "Fwd:" removed
    )
    assert front(Path(WEEK_3) / "2013-07-23-youssef-amrani.md")["language"] == '"fr"'


def test_a_message_without_a_date_needs_one_from_the_moderator(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "no-date.eml") == 1
    assert capsys.readouterr().out == (
        f"failed: {FIXTURES.as_posix()}/no-date.eml: no readable date (Date, Resent-Date, "
        "Received): give one with --date\n"
        "1 failed.\n"
    )
    assert run(FIXTURES / "no-date.eml", "--date", "2013-07-09") == 0
    assert front(WEEK_1 / "2013-07-09-hannah-vogel.md")["date"] == "2013-07-09"


def test_a_message_outside_the_calendar_is_refused_unless_a_week_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", opens="2014-01-06", closes="2014-01-19")
    monkeypatch.chdir(tmp_path)
    assert run(FIXTURES / "qp-latin1.eml") == 1
    assert "dated 2013-07-10, before week 1 starts (2014-01-06); give --week" in (
        capsys.readouterr().out
    )
    assert run(FIXTURES / "qp-latin1.eml", "--week", "2", "--language", "en") == 0
    values = front(DEMO / "contributions/week-2/2013-07-10-francois-ndiaye.md")
    assert (values["week"], values["language"]) == ("2", '"en"')


def test_dry_run_shows_the_files_and_writes_nothing(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "qp-latin1.eml", "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"would import: {FIXTURES.as_posix()}/qp-latin1.eml -> {WEEK_1.as_posix()}/" in out
    assert f"--- {WEEK_1.as_posix()}/2013-07-10-francois-ndiaye.md (not written)\n---\n" in out
    assert 'author: "François Ndiaye"\n' in out
    assert out.endswith("1 would import. (dry run: nothing written)\n")
    assert not (tree / "discussions" / "demo" / "contributions").exists()
    assert not (tree / "discussions" / "demo" / ".mail-index.json").exists()


def test_existing_files_are_never_overwritten(tree: Path) -> None:
    existing = write_contribution(tree, cid="2013-07-10-francois-ndiaye", body="Déjà là.")
    assert run(FIXTURES / "qp-latin1.eml") == 0
    assert body(existing) == "\nDéjà là.\n"
    assert (WEEK_1 / "2013-07-10-francois-ndiaye-2.md").is_file()


def test_a_file_that_would_fail_check_is_not_written(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "qp-latin1.eml", "--language", "de") == 1
    out = capsys.readouterr().out
    assert "failed: " in out and "the file would not pass check:" in out
    assert f"{WEEK_1.as_posix()}/2013-07-10-francois-ndiaye.md:5: language: expected one of" in (
        out
    )
    assert not WEEK_1.exists()


def test_usage_errors_exit_two(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("missing.eml") == 2
    assert main(["import-mail", "--discussion", "nope", str(FIXTURES / "qp-latin1.eml")]) == 2
    assert main(["import-mail", str(FIXTURES / "qp-latin1.eml")]) == 2  # no --discussion
    empty = Path("empty")
    empty.mkdir()
    assert run(empty) == 2  # a folder that is no Maildir
    err = capsys.readouterr().err
    assert "no such file or folder: missing.eml" in err
    assert "a folder must be a Maildir" in err


def test_every_fixture_imports_into_a_tree_that_checks_and_builds(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [*sorted(FIXTURES.glob("*.eml")), FIXTURES / "mailbox.mbox", FIXTURES / "Maildir"]
    assert run(*sources, "--date", "2013-07-09") == 1  # the mbox's two broken messages
    out = capsys.readouterr().out
    assert out.rstrip().endswith("12 imported, 2 skipped, 2 failed.")
    assert main(["check"]) == 0
    archive = load_archive(tree)
    assert len(archive.contributions()) == 12
    output = build(tree, tmp_path / "output")
    html = page(output, "demo/2013-07-18-kwame-mensah/")
    article = str(html)
    assert "alert" not in article and "javascript:" not in article
    link = html.find("a", href="https://example.org/diaspora-desk")
    assert link is not None and link.get_text() == "the desk's page"
    reply = page(output, "demo/2013-07-12-aminata-traore/")
    assert reply.find("a", href=lambda h: h and "2013-07-10-francois-ndiaye" in h) is not None


def test_the_fixtures_are_kept_byte_for_byte() -> None:
    # CRLF line ends and raw 8-bit bytes are part of what is tested.
    assert b"\r\n" in (FIXTURES / "qp-latin1.eml").read_bytes()
    assert b"\x92" in (FIXTURES / "windows-1252.eml").read_bytes()
