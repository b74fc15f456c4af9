"""`palabre import-mail` on third-party messy mail (HyperKitty's and Mailman's test data).

The corpus lives in ``shared/fixtures/mail/`` beside the repository (CI has it); it is read
in place and never copied into the project (see its README for sources and licences). When
it is absent the test is skipped with the reason printed. Each file is imported on its own
into a fresh tree (several upstream fixtures share a Message-ID): every message is either
imported into a file that passes the build's checks, or reported with a reason; nothing
crashes, and bounces are rejected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from palabre.importer import Options, import_mails
from palabre.loader import load_archive
from palabre.mailimport import read_source
from palabre.newfile import open_discussion
from tests.factories import content_tree, write_discussion

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "mail"
FILES = (
    sorted(
        p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".eml") and "LICENSES" not in p.parts
    )
    if CORPUS.is_dir()
    else []
)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str, str]]]:
    if not FILES:
        reason = f"the third-party mail corpus is absent ({CORPUS})"
        print(f"skipping: {reason}")
        pytest.skip(reason)
    found: dict[str, list[tuple[str, str, str]]] = {}
    options = Options(week=1, date=None)
    for path in FILES:
        name = path.relative_to(CORPUS).as_posix()
        root = tmp_path_factory.mktemp("corpus")
        content = content_tree(root)
        write_discussion(content, "demo", weeks=2)
        place = open_discussion(content, "demo")
        outcomes = import_mails(place, read_source(path), options)
        found[name] = [(o.status, o.detail, "\n".join(o.notes)) for o in outcomes]
        load_archive(content)  # every file written passes the build's checks
        written = sorted((content / "discussions" / "demo").rglob("*.md"))
        assert len(written) - 3 == sum(o.status == "imported" for o in outcomes), name
    statuses = [status for outcomes in found.values() for status, _, _ in outcomes]
    print(
        f"\ncorpus: {len(statuses)} messages in {len(found)} files: "
        + ", ".join(f"{statuses.count(s)} {s}" for s in ("imported", "skipped", "failed"))
    )
    return found


def test_every_message_is_imported_or_reported_with_a_reason(
    results: dict[str, list[tuple[str, str, str]]],
) -> None:
    for name, outcomes in results.items():
        for status, detail, _ in outcomes:
            assert status in ("imported", "skipped", "failed"), name
            assert detail, f"{name}: {status} without a reason"
            assert "cannot be read as e-mail" not in detail, f"{name}: crashed: {detail}"


def test_bounces_are_rejected(results: dict[str, list[tuple[str, str, str]]]) -> None:
    assert results["mailman2/dsn_01.txt"] == [
        ("skipped", "a delivery report (bounce), not a contribution", "")
    ]
    assert results["mailman2/sina_01.txt"] == [
        ("skipped", "sent by a mail server (bounce), not a contribution", "")
    ]


def test_mislabelled_charsets_are_reported(results: dict[str, list[tuple[str, str, str]]]) -> None:
    status, _, notes = results["hyperkitty/another-wrong-encoding.txt"][0]
    assert status == "imported"
    assert "declared gb2312 but the bytes are not gb2312; read as windows-1252" in notes
    status, _, notes = results["hyperkitty/bad-subject-header.txt"][0]
    assert "subject: declared iso-8859-1 but the bytes are windows-1252" in notes
    status, detail, _ = results["hyperkitty/payload-utf8-wrong.txt"][0]
    assert (status, detail.split(":")[0]) == ("failed", "body")


def test_threads_in_an_mbox_are_linked(results: dict[str, list[tuple[str, str, str]]]) -> None:
    outcomes = results["hyperkitty/non-ascii-headers.txt"]
    assert [status for status, _, _ in outcomes] == ["imported"] * 6
    first = Path(outcomes[0][1]).stem
    assert f"in reply to {first}" in outcomes[1][2]
    assert f"in reply to {first}" in outcomes[3][2]


def test_html_only_mail_is_converted(results: dict[str, list[tuple[str, str, str]]]) -> None:
    status, _, notes = results["hyperkitty-1.0.1/html-email-2.txt"][0]
    assert status == "imported"
    assert "HTML-only message: converted to Markdown" in notes


def test_messages_without_a_date_ask_for_one(
    results: dict[str, list[tuple[str, str, str]]],
) -> None:
    assert results["mailman3/issue144.eml"] == [
        ("failed", "no readable date (Date, Resent-Date, Received): give one with --date", "")
    ]
