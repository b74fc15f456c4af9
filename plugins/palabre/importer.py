"""Mail and issue-form imports: drafts, names, checks, writing, and what to tell the moderator.

``palabre.cli`` only parses arguments and prints what this module returns. Every file goes
through the same steps: a draft, an id that is free, the build's per-file rules on the exact
text (:func:`newfile.validate_draft`), the write (never over an existing file), then the
whole loader on the content tree (:func:`newfile.verify_written`); a file that fails the
last step is removed again and reported, so that a success always means "passes check".
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .issueform import language_code, parse_issue_body
from .language import detect
from .mailimport import (
    Mail,
    RawMessage,
    Rejected,
    load_index,
    message_key,
    read_mail,
    save_index,
    title_from_subject,
)
from .model import Problem
from .newfile import (
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_TITLE,
    Draft,
    Place,
    id_from_reference,
    make_id,
    relative,
    shorten,
    validate_draft,
    verify_written,
    visible_line,
    week_for,
    write_new,
)
from .yamltree import quote

logger = logging.getLogger(__name__)

Status = Literal["imported", "would import", "skipped", "failed"]


@dataclass
class Outcome:
    """What happened to one message or issue."""

    source: str
    status: Status
    detail: str  # the file written, or why not
    notes: list[str] = field(default_factory=list)
    text: str | None = None  # the file's text, shown by --dry-run
    path: Path | None = None


@dataclass(frozen=True)
class Options:
    week: int | None = None
    language: str | None = None
    dry_run: bool = False
    date: dt.date | None = None  # for messages without a readable date


@dataclass
class _Planned:
    outcome: Outcome
    path: Path
    text: str
    key: str | None = None


# --- mail --------------------------------------------------------------------------------


def import_mails(place: Place, raws: Iterable[RawMessage], options: Options) -> list[Outcome]:
    """Import every message; one Outcome per message, in the order they were read."""
    outcomes: list[Outcome] = []
    mails: list[tuple[int, Mail]] = []
    for order, raw in enumerate(raws):
        outcome = Outcome(raw.source, "failed", "")
        outcomes.append(outcome)
        try:
            mails.append((order, read_mail(raw, options.date)))
        except Rejected as rejected:
            outcome.status, outcome.detail = rejected.kind, rejected.reason  # type: ignore[assignment]
        except Exception as error:
            outcome.detail = f"cannot be read as e-mail ({type(error).__name__})"
            logger.debug("Palabre: %s: %s", raw.source, error, exc_info=True)
    index = load_index(place.folder)
    existing = place.existing_ids()
    taken = set(existing)
    new_keys: dict[str, str] = {}
    planned: list[_Planned] = []
    # Oldest first, so that a parent has its id before its replies are drafted.
    for order, mail in sorted(mails, key=lambda item: (item[1].date, item[0])):
        outcome = outcomes[order]
        key = message_key(mail.message_id) if mail.message_id else None
        if key and (key in index or key in new_keys):
            outcome.status = "skipped"
            outcome.detail = f"already imported as {index.get(key) or new_keys[key]}"
            continue
        try:
            draft = _draft_from_mail(place, mail, options, index | new_keys, taken)
        except Rejected as rejected:
            outcome.status, outcome.detail = rejected.kind, rejected.reason  # type: ignore[assignment]
            outcome.notes = mail.notes
            continue
        plan = _plan(place, draft, taken, outcome)
        if plan is None:
            continue
        plan.key = key
        if key:
            new_keys[key] = plan.path.stem
        planned.append(plan)
    kept = _commit(place, planned, options.dry_run)
    if not options.dry_run:
        additions = {p.key: p.path.stem for p in kept if p.key}
        if additions:
            save_index(place.folder, index | additions)
    return outcomes


def _draft_from_mail(
    place: Place,
    mail: Mail,
    options: Options,
    index: dict[str, str],
    taken: set[str],
) -> Draft:
    notes = list(mail.notes)
    discussion = place.discussion
    if options.week is not None:
        week = options.week
    else:
        week, note = week_for(discussion, mail.date)
        if week is None:
            raise Rejected(note or "no week for this date")
        if note:
            notes.append(note)
    if options.language:
        language = options.language
    else:
        guess = detect(f"{mail.subject}\n{mail.body}", discussion.languages)
        language = guess.language
        if not guess.certain:
            notes.append(f"language {language} is a guess ({guess.reason}): check it")
    title = title_from_subject(mail.subject)
    if not title:
        first = next((line for line in mail.body.split("\n") if line.strip()), "")
        title = shorten(visible_line(re.sub(r"[#*_`>\[\]]", "", first)), 80)
        notes.append("no subject: title made from the first line; edit it")
    if len(title) > MAX_TITLE:
        title = shorten(title, MAX_TITLE)
        notes.append(f"subject shortened to {MAX_TITLE} characters")
    in_reply_to = _parent(mail, index, taken, notes)
    for attachment in mail.attachments:
        notes.append(f"attachment not published: {attachment}")
    return Draft(
        discussion=discussion.slug,
        title=title,
        author=shorten(mail.author, MAX_NAME),
        week=week,
        language=language,
        date=mail.date,
        body=mail.body,
        in_reply_to=in_reply_to,
        notes=notes,
    )


def _parent(mail: Mail, index: dict[str, str], taken: set[str], notes: list[str]) -> str | None:
    for message_id in mail.parents:
        cid = index.get(message_key(message_id))
        if cid is None:
            continue
        if cid in taken:
            notes.append(f"in reply to {cid} (from In-Reply-To/References)")
            return cid
        notes.append(f"its parent was imported as {cid}, which is no longer in the discussion")
        return None
    if mail.parents:
        notes.append("answers a message that was not imported: no in_reply_to")
    return None


# --- issue form ----------------------------------------------------------------------------


def draft_from_issue(
    place_for: Callable[[str], Place], body: str, date: dt.date, options: Options
) -> tuple[Place | None, Draft | None, list[str]]:
    """``place_for(slug) -> Place`` opens the discussion the form names."""
    form = parse_issue_body(body)
    if form.problems:
        return None, None, form.problems
    place: Place = place_for(form.get("discussion").strip())
    discussion = place.discussion
    problems: list[str] = []
    notes: list[str] = []
    week = options.week
    if week is None and form.get("week"):
        answer = form.get("week").strip()
        match = re.fullmatch(r"(?:week|semaine|semana)?\s*(\d{1,3})", answer, re.IGNORECASE)
        if match:
            week = int(match.group(1))
        else:
            problems.append(f"week: expected a week number, got {quote(answer)}")
    if week is None and not problems:
        week, note = week_for(discussion, date)
        if week is None:
            problems.append(f"week: {note}")
        elif note:
            notes.append(note)
    language = options.language or language_code(form.get("language"))
    in_reply_to = None
    if form.get("in_reply_to"):
        in_reply_to = id_from_reference(form.get("in_reply_to"))
    if problems:
        return place, None, problems
    text = form.get("body")
    draft = Draft(
        discussion=discussion.slug,
        title=shorten(visible_line(form.get("title")), MAX_TITLE),
        author=shorten(visible_line(form.get("author")), MAX_NAME),
        week=week,
        language=language,
        date=date,
        body=text,
        organisation=_optional(form.get("organisation"), MAX_ORGANISATION),
        country=_optional(form.get("country"), MAX_ORGANISATION),
        in_reply_to=in_reply_to,
        notes=notes,
    )
    guess = detect(f"{draft.title}\n{text}", discussion.languages)
    if guess.certain and guess.language != language:
        notes.append(f"the form says {language} but the text reads like {guess.language}: check it")
    return place, draft, []


def import_issue(place: Place, draft: Draft, source: str, options: Options) -> Outcome:
    outcome = Outcome(source, "failed", "")
    plan = _plan(place, draft, place.existing_ids(), outcome)
    if plan is not None:
        _commit(place, [plan], options.dry_run)
    return outcome


def _optional(value: str | None, limit: int) -> str | None:
    if not value:
        return None
    return shorten(visible_line(value), limit) or None


# --- shared ------------------------------------------------------------------------------


def _plan(place: Place, draft: Draft, taken: set[str], outcome: Outcome) -> _Planned | None:
    """Name ``draft`` and check it with the build's rules; None (and a failure) if invalid."""
    cid = make_id(draft.date, draft.author, taken)
    problems = validate_draft(place, draft, cid, taken)
    outcome.notes = draft.notes
    if problems:
        outcome.status = "failed"
        outcome.detail = "the file would not pass check:\n" + "\n".join(map(str, problems))
        return None
    taken.add(cid)
    path = place.path_for(draft.week, cid)
    outcome.path = path
    return _Planned(outcome, path, draft.text())


def _commit(place: Place, planned: list[_Planned], dry_run: bool) -> list[_Planned]:
    """Write the planned files, verify the tree, remove and report any that fail."""
    if dry_run:
        for plan in planned:
            plan.outcome.status = "would import"
            plan.outcome.detail = relative(plan.path)
            plan.outcome.text = plan.text
        return planned
    written: list[_Planned] = []
    for plan in planned:
        try:
            write_new(plan.path, plan.text)
        except FileExistsError:
            plan.outcome.status = "failed"
            plan.outcome.detail = f"{relative(plan.path)} exists already: nothing overwritten"
            continue
        written.append(plan)
    problems = verify_written(place.content, [p.path for p in written])
    kept = []
    for plan in written:
        found: list[Problem] = problems.get(plan.path, [])
        if found:
            plan.path.unlink()
            plan.outcome.status = "failed"
            plan.outcome.detail = "the file did not pass check and was removed:\n" + "\n".join(
                map(str, found)
            )
            plan.outcome.path = None
            continue
        plan.outcome.status = "imported"
        plan.outcome.detail = relative(plan.path)
        kept.append(plan)
    return kept


def summary(outcomes: list[Outcome]) -> str:
    counts = {status: 0 for status in ("imported", "would import", "skipped", "failed")}
    for outcome in outcomes:
        counts[outcome.status] += 1
    parts = [f"{count} {status}" for status, count in counts.items() if count]
    return (", ".join(parts) or "nothing to import") + "."


def report_lines(outcomes: list[Outcome]) -> list[str]:
    """What the moderator reads: one block per message, notes indented under it."""
    lines: list[str] = []
    for outcome in outcomes:
        first, *rest = outcome.detail.split("\n")
        separator = " -> " if outcome.status in ("imported", "would import") else ": "
        lines.append(f"{outcome.status}: {outcome.source}{separator}{first}")
        lines.extend(f"    {line}" for line in rest)
        lines.extend(f"    note: {note}" for note in outcome.notes)
    return lines
