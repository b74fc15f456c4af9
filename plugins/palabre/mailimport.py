"""E-mail -> contribution drafts: reading mailboxes, decoding honestly, cleaning the text.

Pure apart from reading the given files: no Pelican, no network. The steps are

1. :func:`read_sources` turns ``.eml`` files, mbox files and Maildir folders into raw
   messages (bytes), one at a time, so that one broken message never stops the others;
2. :func:`read_mail` parses one message into a :class:`Mail` (author, subject, date,
   thread ids, text, attachments) or raises :class:`Rejected` with the reason;
3. the command (``palabre.cli``) turns each ``Mail`` into a ``newfile.Draft``, checks it with
   the build's rules and writes it.

Decoding is honest: a text is decoded with its declared charset when the bytes really are
in that charset. When they are not (a Windows-1252 apostrophe in "ISO-8859-1" text, UTF-8
labelled "us-ascii", an unknown label), the charset that does decode them cleanly is used
and a note says so, so the moderator can check the accents; when no charset decodes them
cleanly the message is rejected rather than published with replacement characters.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
import email
import email.utils
import hashlib
import json
import mailbox
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from pathlib import Path

from .htmltext import html_to_markdown
from .newfile import MAX_ORGANISATION, visible_line
from .yamltree import quote

# Single-byte labels under which other encodings often hide.
SINGLE_BYTE = re.compile(r"(us-)?ascii|iso[-_]?8859[-_]?\d+|latin[-_]?\d|windows-125\d|cp125\d")
LATIN1_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "iso_8859-1"})
FALLBACKS = ("utf-8", "windows-1252")
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
SUBJECT_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{1,60}\]\s*|(?:re|fwd?|tr|rv|réf|ref|aw|wg|sv|vs|antw|enc|res|r)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
AUTO_SUBJECT = re.compile(
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|"
    r"réponse automatique|absence du bureau|respuesta automática|fuera de la oficina|"
    r"abwesenheitsnotiz|undeliver|delivery status notification|delivery failure|"
    r"mail delivery failed|failure notice|returned mail|non remis|impossible de remettre|"
    r"no se puede entregar|mensaje no entregado",
    re.IGNORECASE,
)
NEXT_PART = re.compile(r"^-{5,} ?next part ?-{5,}$", re.IGNORECASE)
LIST_RULE = re.compile(r"^_{20,}$")
REPLY_HEADER = re.compile(
    r"^-{2,} ?(original message|message d'origine|mensaje original|message original|"
    r"ursprüngliche nachricht|mensagem original|messaggio originale) ?-{2,}$",
    re.IGNORECASE,
)
OUTLOOK_FROM = re.compile(r"^\*?(from|de|von|da|van)\s?\*?\s?:", re.IGNORECASE)
OUTLOOK_SENT = re.compile(
    r"^\*?(sent|envoyé|enviado|gesendet|inviato|date|fecha|datum|data)\s?\*?\s?:", re.IGNORECASE
)
ATTRIBUTION = re.compile(
    r"(wrote|writes|a écrit|ecrit|écrit|escribió|escribio|schrieb|napsal\(a\)|napsal|píše|"
    r"scrisse|ha scritto|escreveu|skrev|kirjoitti|schreef)\s*:?\s*$",
    re.IGNORECASE,
)
MOBILE_FOOTER = re.compile(
    r"^(sent from my|envoyé de mon|enviado desde mi|von meinem|inviato da|get outlook for)",
    re.IGNORECASE,
)
MESSAGE_ID = re.compile(r"<([^<>\s]+)>?")


class Rejected(Exception):
    """A message that is not imported; ``kind`` tells a deliberate skip from a failure."""

    def __init__(self, reason: str, kind: str = "failed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # "skipped" (not a contribution) or "failed" (needs a moderator)


class SourceError(Exception):
    """A file or folder given to the command cannot be read as mail."""


@dataclass(frozen=True)
class RawMessage:
    source: str  # where the message comes from, as shown to the moderator
    data: bytes
    unix_from: str | None = None  # an mbox "From " line, the last resort for a date


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int

    def __str__(self) -> str:
        return f"{self.name} ({self.content_type}, {_size(self.size)})"


@dataclass
class Mail:
    """What one message says, decoded and cleaned; ``notes`` are for the moderator."""

    source: str
    author: str
    subject: str
    date: dt.date
    body: str
    message_id: str | None = None
    parents: list[str] = field(default_factory=list)  # nearest first
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- sources ---------------------------------------------------------------------------


def read_sources(paths: Iterable[Path]) -> Iterator[RawMessage]:
    """Every message of every file or Maildir folder, in a stable order."""
    for path in paths:
        yield from read_source(path)


def read_source(path: Path) -> Iterator[RawMessage]:
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new")):
            raise SourceError(f"{path}: a folder must be a Maildir (with cur/ and new/)")
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.keys(), key=lambda k: _maildir_name(box, k)):
            yield RawMessage(f"{path.as_posix()}/{_maildir_name(box, key)}", box.get_bytes(key))
        return
    if not path.is_file():
        raise SourceError(f"{path}: no such file or folder")
    with path.open("rb") as handle:
        start = handle.read(5)
    if start != b"From ":
        yield RawMessage(path.as_posix(), path.read_bytes())
        return
    box = mailbox.mbox(path, factory=None, create=False)
    keys = list(box.keys())
    for index, key in enumerate(keys, start=1):
        label = path.as_posix() if len(keys) == 1 else f"{path.as_posix()}#{index}"
        data = box.get_bytes(key, from_=True)
        first, _, rest = data.partition(b"\n")
        unix_from = first.decode("ascii", "replace").removeprefix("From ").strip()
        yield RawMessage(label, rest, unix_from)


def _maildir_name(box: mailbox.Maildir, key: str) -> str:
    return Path(box._lookup(key)).as_posix()


# --- decoding --------------------------------------------------------------------------


def charset_codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when Python does not know it."""
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, declared: str | None, what: str) -> tuple[str, list[str]]:
    """``data`` as text, and notes when the declared charset was wrong or missing.

    Raise Rejected when no charset decodes the bytes cleanly.
    """
    notes: list[str] = []
    raw_label = (declared or "").strip()
    label = re.match(r"[A-Za-z0-9_.:+-]*", raw_label).group(0).lower()
    codec = charset_codec(label)
    ascii_only = all(b < 0x80 for b in data)
    if codec is not None:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None:
            better = _better_than_declared(data, label, text, ascii_only)
            if better is None:
                return _checked_text(text, what), notes
            text, name = better
            notes.append(f"{what}: declared {label} but the bytes are {name}; read as {name}")
            return _checked_text(text, what), notes
    if ascii_only:
        if raw_label and codec is None:
            notes.append(f"{what}: unknown charset {quote(raw_label)}; the text is plain ASCII")
        return _checked_text(data.decode("ascii"), what), notes
    for fallback in FALLBACKS:
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        if not raw_label:
            notes.append(f"{what}: no charset declared; read as {fallback}")
        elif codec is None:
            notes.append(f"{what}: unknown charset {quote(raw_label)}; read as {fallback}")
        else:
            notes.append(
                f"{what}: declared {label} but the bytes are not {label}; read as {fallback}"
            )
        return _checked_text(text, what), notes
    raise Rejected(
        f"{what}: cannot be decoded cleanly (declared {raw_label or 'no charset'}, "
        "and neither UTF-8 nor Windows-1252 fits); convert it by hand"
    )


def _better_than_declared(
    data: bytes, label: str, text: str, ascii_only: bool
) -> tuple[str, str] | None:
    """A truer reading of bytes that decoded under a single-byte label, if there is one."""
    if ascii_only or not SINGLE_BYTE.fullmatch(label) or label.startswith("utf"):
        return None
    try:
        as_utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if as_utf8 is not None:  # random single-byte text is almost never valid UTF-8
        return as_utf8, "utf-8"
    if label in LATIN1_LABELS and re.search("[\x80-\x9f]", text):
        try:
            return data.decode("windows-1252"), "windows-1252"
        except UnicodeDecodeError:
            return None
    return None


def _checked_text(text: str, what: str) -> str:
    bad = [ch for ch in text if _is_binary_char(ch)]
    if bad:
        raise Rejected(
            f"{what}: holds {len(bad)} control or replacement characters (U+{ord(bad[0]):04X}...): "
            "binary data, not text"
        )
    return text


def _is_binary_char(ch: str) -> bool:
    code = ord(ch)
    return (code < 0x20 and ch not in "\t\n\r\f\v") or code == 0x7F or ch == "\ufffd"


def decode_header(raw: str | None, what: str) -> tuple[str, list[str]]:
    """An RFC 2047 header value (possibly with raw 8-bit bytes) as one line of text."""
    if raw is None:
        return "", []
    notes: list[str] = []
    value = re.sub(r"\r?\n(?=[ \t])", "", str(raw))
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        data = value.encode("ascii", "surrogateescape")
        value, found = decode_bytes(data, None, what)
        notes.extend(n.replace("no charset declared", "raw 8-bit text") for n in found)
    pieces: list[str] = []
    position = 0
    previous_encoded = False
    for match in ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if not (previous_encoded and not between.strip()):
            pieces.append(between)
        pieces.append(_decode_word(match, what, notes))
        position = match.end()
        previous_encoded = True
    pieces.append(value[position:])
    return "".join(pieces), notes


def _decode_word(match: re.Match[str], what: str, notes: list[str]) -> str:
    charset, encoding, payload = match.groups()
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix
    try:
        if encoding.lower() == "b":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            data = quopri.decodestring(payload.replace("_", " ").encode("ascii"), header=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        notes.append(f"{what}: an encoded word is broken; kept as written")
        return match.group(0)
    text, found = decode_bytes(data, charset, what)
    notes.extend(found)
    return text


def raw_header(message: Message, name: str) -> str | None:
    """The first ``name`` header as written (8-bit bytes kept as surrogate escapes)."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


# --- reading one message ---------------------------------------------------------------


def read_mail(raw: RawMessage, fallback_date: dt.date | None = None) -> Mail:
    """One message -> Mail, or Rejected with the reason.

    ``fallback_date`` is the moderator's date for a message that carries no readable one.
    """
    if not raw.data.strip():
        raise Rejected("empty message")
    message = email.message_from_bytes(raw.data, policy=compat32)
    if not message.keys():
        raise Rejected("no headers: not an e-mail message")
    notes: list[str] = []
    _reject_automatic(message)
    author = _author(message, notes)
    subject, found = decode_header(raw_header(message, "Subject"), "subject")
    notes.extend(found)
    date = _date(message, raw.unix_from, notes, fallback_date)
    body, attachments = _content(message, notes)
    text = clean_text(body, notes)
    if not text.strip():
        only = f" (attachments: {', '.join(a.name for a in attachments)})" if attachments else ""
        raise Rejected(f"no text left once quotes, signature and footers are removed{only}")
    # Mail programs and providers fill in "Organization" themselves: a hint, not a fact.
    organisation, _ = decode_header(raw_header(message, "Organization"), "organisation")
    organisation = visible_line(organisation)[:MAX_ORGANISATION]
    if organisation:
        notes.append(
            f"the Organization header says {quote(organisation)}: "
            "add it as organisation if the author speaks for it"
        )
    return Mail(
        source=raw.source,
        author=author,
        subject=subject,
        date=date,
        body=text,
        message_id=next(iter(_message_ids(raw_header(message, "Message-ID"))), None),
        parents=_parents(message),
        attachments=attachments,
        notes=notes,
    )


def _reject_automatic(message: Message) -> None:
    content_type = message.get_content_type()
    if content_type == "multipart/report" or any(
        part.get_content_type() in ("message/delivery-status", "message/disposition-notification")
        for part in message.walk()
    ):
        raise Rejected("a delivery report (bounce), not a contribution", "skipped")
    sender = (raw_header(message, "From") or "").lower()
    _, address = email.utils.parseaddr(sender)
    if address.split("@", 1)[0] in BOUNCE_SENDERS or "mail delivery" in sender:
        raise Rejected("sent by a mail server (bounce), not a contribution", "skipped")
    if (raw_header(message, "Return-Path") or "").strip() == "<>":
        raise Rejected("sent with an empty return path (bounce or automatic reply)", "skipped")
    auto = (raw_header(message, "Auto-Submitted") or "no").strip().lower()
    if not auto.startswith("no"):
        raise Rejected(f"an automatic message (Auto-Submitted: {auto})", "skipped")
    if raw_header(message, "X-Autoreply") or raw_header(message, "X-Autorespond"):
        raise Rejected("an automatic reply (X-Autoreply)", "skipped")
    if (raw_header(message, "Precedence") or "").strip().lower() == "auto_reply":
        raise Rejected("an automatic reply (Precedence: auto_reply)", "skipped")
    subject, _ = decode_header(raw_header(message, "Subject"), "subject")
    if AUTO_SUBJECT.search(subject):
        raise Rejected(f"an automatic reply or bounce (subject {quote(subject)})", "skipped")


def _author(message: Message, notes: list[str]) -> str:
    raw = raw_header(message, "From")
    if raw is None:
        raw = raw_header(message, "Sender")
    if raw is None:
        raise Rejected("no From header: who wrote it?")
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", raw)
    # Mailman 2's public archives write "user at example.org (Real Name)".
    unfolded = re.sub(r"^\s*([^\s@<>()]+) at ([^\s@<>()]+)", r"\1@\2", unfolded)
    name, address = email.utils.parseaddr(unfolded)
    if "@" not in address and not name:
        name, address = address, ""  # a display name alone, e.g. "=?koi8-r?B?...?="
    name, found = decode_header(name, "author")
    notes.extend(found)
    name = visible_line(name).strip("\"' ")
    if "@" in name:  # "jean@example.org" <jean@example.org>
        name = ""
    if not re.search(r"[^\W\d_]", name):
        local = address.split("@", 1)[0] if "@" in address else ""
        guessed = visible_line(re.sub(r"[._+-]+", " ", local)).title()
        if not re.search(r"[^\W\d_]", guessed):
            raise Rejected("no sender name and no usable address: who wrote it?")
        notes.append(f"no display name: author {quote(guessed)} made from the address; check it")
        name = guessed
    if re.fullmatch(r"[^,]+,\s*[^,]+", name):
        notes.append(f"author {quote(name)} may be written 'Last, First': check it")
    return name


def _date(
    message: Message, unix_from: str | None, notes: list[str], fallback: dt.date | None
) -> dt.date:
    candidates = [
        ("Date", raw_header(message, "Date")),
        ("Resent-Date", raw_header(message, "Resent-Date")),
        ("Received", (raw_header(message, "Received") or "").rpartition(";")[2] or None),
        ("mbox From line", _unix_from_date(unix_from)),
    ]
    for index, (name, value) in enumerate(candidates):
        if not value:
            continue
        text = value.encode("ascii", "surrogateescape").decode("ascii", "replace")
        parsed = email.utils.parsedate_tz(re.sub(r"\s+", " ", text).strip())
        if parsed is None:
            notes.append(f"date: the {name} header cannot be read")
            continue
        try:
            date = dt.date(*parsed[:3])
        except ValueError:
            notes.append(f"date: the {name} header is not a real date")
            continue
        if not 1970 <= date.year <= 2100:
            notes.append(f"date: the {name} header says {date.isoformat()}, which cannot be right")
            continue
        if index:
            notes.append(f"date taken from the {name}: check it")
        return date
    if fallback is not None:
        notes.append(f"no readable date in the message: {fallback.isoformat()} from --date")
        return fallback
    raise Rejected("no readable date (Date, Resent-Date, Received): give one with --date")


def _unix_from_date(unix_from: str | None) -> str | None:
    if not unix_from:
        return None
    match = re.search(r"\w{3} +\w{3} +\d{1,2} +\d{1,2}:\d{2}(?::\d{2})? +\d{4}", unix_from)
    return match.group(0) if match else None


def _message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    value = value.encode("ascii", "surrogateescape").decode("ascii", "replace")
    return [m for m in MESSAGE_ID.findall(value) if "@" in m]


def _parents(message: Message) -> list[str]:
    """Message-IDs this message answers, nearest first: In-Reply-To, then References."""
    parents = _message_ids(raw_header(message, "In-Reply-To"))
    for reference in reversed(_message_ids(raw_header(message, "References"))):
        if reference not in parents:
            parents.append(reference)
    return parents


def message_key(message_id: str) -> str:
    """What the index stores for a Message-ID: a hash, so no address is published."""
    return hashlib.sha256(message_id.strip().strip("<>").encode("utf-8")).hexdigest()[:32]


# --- MIME structure ----------------------------------------------------------------------


def _content(message: Message, notes: list[str]) -> tuple[str, list[Attachment]]:
    """The text of the message (several inline parts joined) and its attachments."""
    texts: list[tuple[str, str]] = []  # (subtype, text)
    attachments: list[Attachment] = []
    _collect(message, texts, attachments, notes)
    if not texts:
        names = ", ".join(a.name for a in attachments) or "none"
        raise Rejected(f"no text part to publish (attachments: {names})")
    bodies = []
    for index, (subtype, text) in enumerate(texts):
        if subtype != "html":
            bodies.append(text)
            continue
        markdown, dropped = html_to_markdown(text)
        if index == 0:
            notes.append("HTML-only message: converted to Markdown; check the layout")
        if dropped:
            notes.append("removed the quoted earlier message from the HTML")
        bodies.append(markdown)
    return "\n\n".join(bodies), attachments


def _collect(  # noqa: PLR0911 - one early return per kind of MIME part
    part: Message,
    texts: list[tuple[str, str]],
    attachments: list[Attachment],
    notes: list[str],
) -> None:
    content_type = part.get_content_type()
    if content_type.startswith("message/"):  # a forwarded message is an attachment
        attachments.append(_attachment(part, notes, "forwarded message"))
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list) or not children:
            return
        if content_type == "multipart/alternative":
            chosen = _choose_alternative(children)
            if chosen is not None:
                _collect(chosen, texts, attachments, notes)
            return
        if content_type == "multipart/signed":
            _collect(children[0], texts, attachments, notes)
            return
        for child in children:
            _collect(child, texts, attachments, notes)
        return
    if content_type.startswith("multipart/"):
        attachments.append(_attachment(part, notes, "a broken multipart part"))
        notes.append(f"a {content_type} part has no boundary: listed as an attachment")
        return
    if content_type == "application/pgp-signature":
        return
    is_attachment = (
        (part.get("Content-Disposition") or "").strip().lower().startswith("attachment")
        or part.get_filename() is not None
        or content_type not in ("text/plain", "text/html")
    )
    if is_attachment:
        attachments.append(_attachment(part, notes))
        return
    payload = part.get_payload(decode=True) or b""
    for defect in part.defects:
        notes.append(f"body: {type(defect).__name__} in the {content_type} part")
    text, found = decode_bytes(payload, _charset(part, notes), "body")
    notes.extend(found)
    texts.append((content_type.split("/", 1)[1], text))


def _choose_alternative(children: list[Message]) -> Message | None:
    """Plain text when it has words, else HTML, else the richest multipart part."""
    plain = [c for c in children if c.get_content_type() == "text/plain"]
    for child in plain:
        payload = child.get_payload(decode=True) or b""
        if payload.strip():
            return child
    for wanted in ("text/html",):
        found = [c for c in children if c.get_content_type() == wanted]
        if found:
            return found[-1]
    nested = [c for c in children if c.is_multipart()]
    return nested[-1] if nested else (children[0] if children else None)


def _charset(part: Message, notes: list[str]) -> str | None:
    try:
        charset = part.get_param("charset")
    except (LookupError, ValueError, TypeError, UnicodeError):
        notes.append("body: the charset parameter cannot be read")
        return None
    if isinstance(charset, tuple):  # RFC 2231 form (charset, language, value)
        charset = charset[2]
    return str(charset).strip().strip('"') if charset else None


def _attachment(part: Message, notes: list[str], default_name: str = "(no name)") -> Attachment:
    try:
        name = part.get_filename()
    except (LookupError, ValueError, TypeError, UnicodeError):
        name = None
    if name and "=?" in name:
        name, _ = decode_header(name, "attachment name")
    if part.get_content_type() == "message/rfc822" and not name:
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            subject, _ = decode_header(raw_header(inner[0], "Subject"), "attachment")
            default_name = f"forwarded message {quote(visible_line(subject))}"
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, UnicodeError):
        payload = None
    if payload is None:
        raw = part.get_payload()
        size = len(str(raw).encode("utf-8", "surrogateescape")) if raw is not None else 0
    else:
        size = len(payload)
    shown = visible_line(name.encode("utf-8", "replace").decode("utf-8")) if name else ""
    return Attachment(shown or default_name, part.get_content_type(), size)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size / 1024 / 1024:.1f} MB"


# --- the text ----------------------------------------------------------------------------


def clean_text(text: str, notes: list[str]) -> str:
    """The author's own words: no quoted messages, signature, list footer or mobile footer."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = _cut_at_footers(lines, notes)
    lines = _cut_at_signature(lines, notes)
    lines = _cut_at_reply_header(lines, notes)
    lines = _drop_quotes(lines, notes)
    while lines and (not lines[-1].strip() or MOBILE_FOOTER.match(lines[-1].strip())):
        lines.pop()
    result = "\n".join(lines)
    result = re.sub(r"\n{3,}", "\n\n", result).strip("\n")
    # Leading spaces would make an indented code block of an ordinary paragraph.
    result = re.sub(r"(?m)^[ \t]{4,}(?=\S)", "", result) if not _looks_like_code(result) else result
    return result


def _looks_like_code(text: str) -> bool:
    return "```" in text


def _cut_at_footers(lines: list[str], notes: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        stripped = line.strip()
        if NEXT_PART.match(stripped):
            notes.append("removed Mailman's notice of a scrubbed attachment ('next part')")
            return lines[:index]
        if LIST_RULE.match(stripped):
            after = " ".join(lines[index + 1 : index + 5]).lower()
            if any(word in after for word in ("mailing list", "list", "http", "@", "liste")):
                notes.append("removed the mailing-list footer")
                return lines[:index]
    return lines


def _cut_at_signature(lines: list[str], notes: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        delimiter = line == "-- " or (line.strip() == "--" and len(lines) - index <= 15)
        if delimiter and any(other.strip() for other in lines[:index]):
            notes.append(f"removed the signature ({len(lines) - index - 1} lines)")
            return lines[:index]
    return lines


def _cut_at_reply_header(lines: list[str], notes: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        stripped = line.strip().lstrip(">").strip()
        starts_quote = REPLY_HEADER.match(stripped) or (
            OUTLOOK_FROM.match(stripped)
            and any(OUTLOOK_SENT.match(other.strip()) for other in lines[index + 1 : index + 4])
        )
        if not starts_quote:
            continue
        if not any(other.strip() for other in lines[:index]):
            return lines  # the message is nothing but a forwarded one: keep it
        notes.append("removed the quoted earlier message (below the reply header)")
        return lines[:index]
    return lines


def _drop_quotes(lines: list[str], notes: list[str]) -> list[str]:
    quoted = [line.lstrip().startswith(">") for line in lines]
    if not any(quoted):
        return lines
    kept: list[str] = []
    for index, line in enumerate(lines):
        if quoted[index]:
            continue
        if line.strip() and _is_attribution(lines, quoted, index):
            continue
        kept.append(line)
    if any(line.strip() for line in kept):
        notes.append(f"removed {sum(quoted)} quoted lines")
        return kept
    return lines  # nothing but quotes: keep them, the moderator will decide


def _is_attribution(lines: list[str], quoted: list[bool], index: int) -> bool:
    """A line such as 'On ..., X wrote:' just above a quoted block (maybe wrapped in two)."""
    following = next((j for j in range(index + 1, len(lines)) if lines[j].strip()), None)
    if following is None:
        return False
    if not quoted[following]:
        # The first half of a wrapped attribution: the next line ends it, then the quote.
        if following == index + 1 and ATTRIBUTION.search(lines[following]):
            after = next((j for j in range(following + 1, len(lines)) if lines[j].strip()), None)
            return after is not None and quoted[after]
        return False
    line = lines[index].strip()
    return bool(ATTRIBUTION.search(line)) or (
        line.endswith(":") and bool(re.search(r"\d{1,2}[:h]\d{2}|@|\d{4}", line))
    )


# --- the Message-ID index ----------------------------------------------------------------

INDEX_NAME = ".mail-index.json"
INDEX_NOTE = (
    "Written by 'palabre import-mail': the SHA-256 (first 32 hex digits) of each imported "
    "message's Message-ID -> the id of its contribution, so that replies find their parent. "
    "Hashed so that no address is published."
)


def load_index(folder: Path) -> dict[str, str]:
    path = folder / INDEX_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceError(f"{path}: not a Palabre mail index ({error})") from error
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        raise SourceError(f"{path}: not a Palabre mail index (no 'messages' mapping)")
    return {str(k): str(v) for k, v in messages.items()}


def save_index(folder: Path, index: dict[str, str]) -> None:
    data = {"note": INDEX_NOTE, "messages": dict(sorted(index.items()))}
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (folder / INDEX_NAME).write_text(text, encoding="utf-8")


# --- subject -----------------------------------------------------------------------------


def title_from_subject(subject: str) -> str:
    """The subject without Re:, TR:, RV:, Fwd: and [list] prefixes, on one line."""
    title = visible_line(subject)
    previous = None
    while previous != title:
        previous = title
        title = SUBJECT_PREFIX.sub("", title, count=1).strip()
    return title
