"""The pieces of the mail importer: charsets, headers, HTML, quotes, language, subjects."""

from __future__ import annotations

import pytest

from palabre.htmltext import html_to_markdown
from palabre.language import detect
from palabre.mailimport import (
    RawMessage,
    Rejected,
    clean_text,
    decode_bytes,
    decode_header,
    read_mail,
    title_from_subject,
)


def test_a_declared_charset_that_fits_is_used_silently() -> None:
    assert decode_bytes("déjà".encode("iso-8859-1"), "ISO-8859-1", "body") == ("déjà", [])
    assert decode_bytes("déjà".encode(), "utf-8", "body") == ("déjà", [])


@pytest.mark.parametrize(
    ("data", "declared", "text", "note"),
    [
        (
            "l’été…".encode("cp1252"),
            "iso-8859-1",
            "l’été…",
            "body: declared iso-8859-1 but the bytes are windows-1252; read as windows-1252",
        ),
        (
            "café".encode(),
            "us-ascii",
            "café",
            "body: declared us-ascii but the bytes are not us-ascii; read as utf-8",
        ),
        (
            "café".encode(),
            "iso-8859-1",
            "café",
            "body: declared iso-8859-1 but the bytes are utf-8; read as utf-8",
        ),
        (
            "it’s".encode("cp1252"),
            "gb2312",
            "it’s",
            "body: declared gb2312 but the bytes are not gb2312; read as windows-1252",
        ),
        ("café".encode(), None, "café", "body: no charset declared; read as utf-8"),
        (
            "café".encode("cp1252"),
            "x-unknown",
            "café",
            'body: unknown charset "x-unknown"; read as windows-1252',
        ),
    ],
)
def test_a_wrong_or_missing_charset_is_reported_not_hidden(
    data: bytes, declared: str | None, text: str, note: str
) -> None:
    assert decode_bytes(data, declared, "body") == (text, [note])


def test_bytes_that_no_charset_fits_are_refused() -> None:
    with pytest.raises(Rejected, match="cannot be decoded cleanly"):
        decode_bytes(b"\x89PNG\x81\x8d\x8f\x90\x9d", "utf-8", "body")
    with pytest.raises(Rejected, match="control or replacement characters"):
        decode_bytes(b"text\x00\x01", "utf-8", "body")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("=?ISO-8859-1?Q?Fran=E7ois_Ndiaye?=", "François Ndiaye"),
        ("=?UTF-8?B?THVjw61hIEZlcm7DoW5kZXo=?=", "Lucía Fernández"),
        ("=?utf-8?q?Caf=C3=A9?= =?utf-8?q?_cr=C3=A8me?=", "Café crème"),  # space dropped
        ("Re: =?utf-8?q?Caf=C3=A9?= et th\u00e9", "Re: Café et thé"),
        ("=?utf-8*fr?q?Caf=C3=A9?=", "Café"),  # RFC 2231 language
        ("=?utf-8?b?Q2Fm?=", "Caf"),  # missing padding
        ("plain\r\n folded", "plain folded"),
    ],
)
def test_encoded_headers(raw: str, text: str) -> None:
    assert decode_header(raw, "subject") == (text, [])


def test_raw_8bit_headers_are_decoded_and_reported() -> None:
    raw = "café".encode().decode("ascii", "surrogateescape")
    assert decode_header(raw, "subject") == ("café", ["subject: raw 8-bit text; read as utf-8"])


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Re: RE: Fwd: TR: RV: Le jumelage", "Le jumelage"),
        ("[Consultation] Re: [Consultation] Informe", "Informe"),
        ("AW: Re[2]: Sicherheit", "Sicherheit"),
        ("Re : La place des femmes", "La place des femmes"),
        ("Réflexions sur la semaine 2", "Réflexions sur la semaine 2"),
        ("Subject\r with a\tcarriage return", "Subject with a carriage return"),
    ],
)
def test_titles_lose_reply_and_list_prefixes(subject: str, title: str) -> None:
    assert title_from_subject(subject) == title


def test_quotes_attributions_signatures_and_footers_are_removed() -> None:
    notes: list[str] = []
    text = (
        "My answer.\n\n"
        "On Tue, 9 Jul 2013 at 10:00, Someone <s@example.org> wrote:\n"
        "> the question\n"
        ">> older\n\n"
        "Second point.\n\n"
        "-- \nA. Person\nSomewhere\n\n"
        "_______________________________________________\n"
        "List mailing list\n"
    )
    assert clean_text(text, notes) == "My answer.\n\nSecond point."
    assert notes == [
        "removed the mailing-list footer",
        "removed the signature (3 lines)",
        "removed 2 quoted lines",
    ]


def test_a_message_that_is_only_a_quote_is_kept_for_the_moderator() -> None:
    notes: list[str] = []
    assert clean_text("> only\n> quoted", notes) == "> only\n> quoted"
    assert notes == []


def test_mailman_next_part_notice_is_removed() -> None:
    notes: list[str] = []
    text = "Text.\n-------------- next part --------------\nName: a.pdf\nURL: http://x/\n"
    assert clean_text(text, notes) == "Text."


def test_a_forward_is_not_cut_at_its_header() -> None:
    notes: list[str] = []
    text = "-----Original Message-----\nFrom: A\nSent: today\n\nThe forwarded text."
    assert clean_text(text, notes) == text


def test_html_to_markdown_keeps_structure_and_drops_danger() -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style></head><body>"
        "<h1>Title</h1><p>A <strong>bold</strong> and <em>light</em> word, "
        "a <a href='https://example.org/a?b=1'>link</a>, "
        "<a href='javascript:alert(1)'>no link</a>, <a href='mailto:a@example.org'>"
        "mail</a>, and <a href='https://example.org/'>https://example.org/</a>.</p>"
        "<p>Stars * and _underscores_ and [brackets] and <code>code</code>.</p>"
        "<ol><li>one</li><li>two</li></ol>"
        "<pre>  kept\n  as is</pre>"
        "<p onclick='x()'>line<br>break</p>"
        "<table><tr><td>a</td><td>b</td></tr></table>"
        "<blockquote type='cite'>quoted reply</blockquote>"
        "<script>alert('x')</script><img src='cid:1' alt='a chart'>"
        "</body></html>"
    )
    markdown, dropped = html_to_markdown(html)
    assert dropped
    assert markdown == (
        "## Title\n\n"
        "A **bold** and *light* word, a [link](https://example.org/a?b=1), no link, "
        "[mail](mailto:a@example.org), and <https://example.org/>.\n\n"
        "Stars \\* and \\_underscores\\_ and \\[brackets\\] and `code`.\n\n"
        "1. one\n2. two\n\n"
        "```\n  kept\n  as is\n```\n\n"
        "line  \nbreak\n\n"
        "a b\n\n"
        "a chart"
    )


def test_outlook_html_keeps_only_the_text() -> None:
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
        "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--></head>"
        "<body><div class=WordSection1><p class=MsoNormal>Bonjour,<o:p></o:p></p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Merci.<o:p></o:p></p>"
        '<div id="divRplyFwdMsg"><p>De : quelqu\'un</p></div></div></body></html>'
    )
    assert html_to_markdown(html) == ("Bonjour,\n\nMerci.", True)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Dans notre commune, le jumelage est une affaire de confiance entre les élus et "
         "les associations de migrants.", "fr"),
        ("In our municipality the twinning is a matter of trust between the council and "
         "the associations of migrants.", "en"),
        ("En nuestro municipio el hermanamiento es una cuestión de confianza entre los "
         "concejales y las asociaciones de migrantes.", "es"),
    ],
)  # fmt: skip
def test_language_is_detected_among_the_discussions(text: str, language: str) -> None:
    guess = detect(text, ("fr", "en", "es"))
    assert (guess.language, guess.certain) == (language, True)


def test_language_detection_admits_when_it_guesses() -> None:
    assert detect("OK", ("fr", "en")).certain is False
    assert detect("OK", ("fr", "en")).language == "fr"
    only = detect("anything", ("es",))
    assert (only.language, only.certain) == ("es", True)


def _raw(headers: str, body: str = "Text of the message, long enough.\n") -> RawMessage:
    return RawMessage("test", (headers + "\n" + body).encode())


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("From: MAILER-DAEMON@example.org\nDate: Mon, 8 Jul 2013 10:00:00 +0000\n",
         "sent by a mail server (bounce), not a contribution"),
        ("From: A <a@example.org>\nReturn-Path: <>\nDate: Mon, 8 Jul 2013 10:00:00 +0000\n",
         "sent with an empty return path (bounce or automatic reply)"),
        ("From: A <a@example.org>\nSubject: Out of Office: away\n"
         "Date: Mon, 8 Jul 2013 10:00:00 +0000\n",
         'an automatic reply or bounce (subject "Out of Office: away")'),
        ("From: A <a@example.org>\nX-Autoreply: yes\nDate: Mon, 8 Jul 2013 10:00:00 +0000\n",
         "an automatic reply (X-Autoreply)"),
        ("From: A <a@example.org>\nPrecedence: auto_reply\n"
         "Date: Mon, 8 Jul 2013 10:00:00 +0000\n",
         "an automatic reply (Precedence: auto_reply)"),
    ],
)  # fmt: skip
def test_bounces_and_automatic_replies_are_skipped(headers: str, reason: str) -> None:
    with pytest.raises(Rejected) as caught:
        read_mail(_raw(headers))
    assert (caught.value.kind, caught.value.reason) == ("skipped", reason)


def test_the_author_comes_from_pipermail_comments_or_the_address() -> None:
    mail = read_mail(
        _raw(
            "From: jdupont at example.org (=?utf-8?q?Jean_Dupr=C3=A9?=)\n"
            "Date: Mon, 8 Jul 2013 10:00:00 +0000\nSubject: x\n"
        )
    )
    assert mail.author == "Jean Dupré"
    mail = read_mail(
        _raw("From: <jean.dupont@example.org>\nDate: Mon, 8 Jul 2013 10:00:00 +0000\n")
    )
    assert mail.author == "Jean Dupont"
    assert 'no display name: author "Jean Dupont" made from the address; check it' in mail.notes


def test_dates_fall_back_to_other_headers_with_a_note() -> None:
    mail = read_mail(
        _raw(
            "From: A <a@example.org>\nDate: someday\n"
            "Received: from x by y; Tue, 9 Jul 2013 10:00:00 +0000\n"
        )
    )
    assert mail.date.isoformat() == "2013-07-09"
    assert mail.notes[:2] == [
        "date: the Date header cannot be read",
        "date taken from the Received: check it",
    ]
    unix = RawMessage(
        "test", b"From: A <a@example.org>\n\nText.\n", unix_from="a@b Wed Jul 10 02:03:34 2013"
    )
    assert read_mail(unix).date.isoformat() == "2013-07-10"


def test_thread_ids_come_from_in_reply_to_then_references() -> None:
    mail = read_mail(
        _raw(
            "From: A <a@example.org>\nDate: Mon, 8 Jul 2013 10:00:00 +0000\n"
            "Message-ID: <own@example.org>\n"
            "In-Reply-To: Your message of Monday <parent@example.org\n"
            "References: <root@example.org> <parent@example.org>\n"
        )
    )
    assert mail.message_id == "own@example.org"
    assert mail.parents == ["parent@example.org", "root@example.org"]
