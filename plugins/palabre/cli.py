"""The moderators' command line: check, new, import-mail, import-issue.

Thin on purpose: each command parses its arguments, calls the pure modules (``loader``,
``newfile``, ``mailimport``, ``issueform``, ``importer``) and prints what they return.
Exit codes: 0 all is well, 1 content is invalid (or a message could not be imported),
2 the command was used wrongly (no such file, discussion or option).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .importer import (
    Options,
    Outcome,
    draft_from_issue,
    import_issue,
    import_mails,
    report_lines,
    summary,
)
from .loader import load_archive
from .mailimport import SourceError, read_sources
from .model import ContentError, Problem
from .newfile import (
    Draft,
    DraftError,
    UsageError,
    make_id,
    open_discussion,
    parse_date,
    relative,
    validate_draft,
    verify_written,
    week_for,
    write_new,
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _github(problem: Problem) -> str:
    """A GitHub Actions annotation, so the problem shows on the line of the pull request."""

    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(text: str) -> str:
        return escape(text).replace(":", "%3A").replace(",", "%2C")

    return (
        f"::error file={escape_property(problem.path)},line={problem.line},"
        f"title={escape_property(problem.field)}::{escape(problem.message)}"
    )


def check(args: argparse.Namespace) -> int:
    content = Path(args.content)
    if not content.is_dir():
        print(f"palabre check: no content folder at {content}", file=sys.stderr)
        return EXIT_USAGE
    try:
        archive = load_archive(content)
    except ContentError as error:
        wanted = [Path(p).resolve() for p in args.paths]
        problems = [
            p
            for p in error.problems
            if not wanted or any(_within(content.resolve().parent / p.path, w) for w in wanted)
        ]
        for problem in problems:
            print(_github(problem) if args.format == "github" else str(problem))
        if problems:
            print(f"{len(problems)} problem(s) found.", file=sys.stderr)
            return EXIT_INVALID
        return EXIT_OK
    count = sum(len(d.contributions) for d in archive.discussions)
    print(f"{len(archive.discussions)} discussions, {count} contributions: all valid.")
    return EXIT_OK


def _within(path: Path, wanted: Path) -> bool:
    path = path.resolve()
    return path == wanted or wanted in path.parents


def new(args: argparse.Namespace) -> int:
    place = open_discussion(Path(args.content), args.discussion)
    date = args.date or dt.date.today()  # a command run by hand: today is what is meant
    week = args.week
    if week is None:
        week, note = week_for(place.discussion, date)
        if week is None:
            return _usage("new", f"{note}")
        if note:
            print(f"note: {note}", file=sys.stderr)
    body = _read_text(args.body_file) if args.body_file else ""
    draft = Draft(
        discussion=args.discussion,
        title=args.title,
        author=args.author,
        week=week,
        language=args.language,
        date=date,
        body=body,
        organisation=args.organisation,
        country=args.country,
        in_reply_to=args.in_reply_to,
        translation_of=args.translation_of,
    )
    existing = place.existing_ids()
    cid = make_id(date, args.author, existing)
    problems = validate_draft(place, draft, cid, existing, body_required=False)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s): nothing written.", file=sys.stderr)
        return EXIT_INVALID
    path = place.path_for(week, cid)
    write_new(path, draft.text())
    if body.strip():
        found = verify_written(place.content, [path])
        if found:
            path.unlink()
            for problem in found[path]:
                print(problem)
            print("the file did not pass check: nothing written.", file=sys.stderr)
            return EXIT_INVALID
    print(relative(path))
    if not body.strip():
        print(
            "The text is still to write below the front matter; "
            "'palabre check' reports the file until it is there.",
            file=sys.stderr,
        )
    return EXIT_OK


def import_mail(args: argparse.Namespace) -> int:
    place = open_discussion(Path(args.content), args.discussion)
    options = _options(args)
    paths = [Path(p) for p in args.sources]
    for path in paths:
        if not path.exists():
            return _usage("import-mail", f"no such file or folder: {path}")
    outcomes = import_mails(place, read_sources(paths), options)
    _print_outcomes(outcomes, options.dry_run)
    return EXIT_INVALID if any(o.status == "failed" for o in outcomes) else EXIT_OK


def import_issue_command(args: argparse.Namespace) -> int:
    body = _read_text(args.body)
    options = _options(args)
    content = Path(args.content)
    place, draft, problems = draft_from_issue(
        lambda slug: open_discussion(content, slug), body, args.date, options
    )
    source = args.source or ("standard input" if args.body == "-" else args.body)
    if draft is None:
        outcome = Outcome(source, "failed", "the issue cannot be imported:\n" + "\n".join(problems))
    else:
        outcome = import_issue(place, draft, source, options)
    _print_outcomes([outcome], options.dry_run)
    if args.report:
        Path(args.report).write_text("\n".join(report_lines([outcome])) + "\n", encoding="utf-8")
    return EXIT_OK if outcome.status in ("imported", "would import") else EXIT_INVALID


def _options(args: argparse.Namespace) -> Options:
    date = getattr(args, "fallback_date", None)
    return Options(week=args.week, language=args.language, dry_run=args.dry_run, date=date)


def _print_outcomes(outcomes: list[Outcome], dry_run: bool) -> None:
    for line in report_lines(outcomes):
        print(line)
    if dry_run:
        for outcome in outcomes:
            if outcome.text is not None:
                print(f"\n--- {outcome.detail} (not written)")
                print(outcome.text, end="")
        print()
    print(summary(outcomes) + (" (dry run: nothing written)" if dry_run else ""))


def _read_text(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {name}: {error}") from error


def _usage(command: str, message: str) -> int:
    print(f"palabre {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def _date_argument(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _week_argument(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 999:
        raise argparse.ArgumentTypeError(f"expected a week number, got {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="palabre",
        description="Tools for the moderators of a Palabre archive. "
        "Run 'palabre <command> --help' for the options of each command.",
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser(
        "check",
        help="validate contributions and discussions with the build's rules",
        description="Validate the content tree (or only report on the given files and "
        "folders) and list every problem as path:line: field: message.",
    )
    check_parser.add_argument(
        "paths", nargs="*", help="files or folders to report on (default: everything)"
    )
    _content_option(check_parser)
    check_parser.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="'github' prints GitHub Actions annotations",
    )
    check_parser.set_defaults(run=check)

    new_parser = commands.add_parser(
        "new",
        help="write a new contribution file with the right name and front matter",
        description="Write contributions/week-<n>/<date>-<author>.md (with -2, -3... when "
        "the name is taken; never over an existing file) and print its path. Without "
        "--body-file the text is left for you to write, and check reports the file until "
        "it is there.",
    )
    _content_option(new_parser)
    new_parser.add_argument("--discussion", required=True, help="the discussion's folder name")
    new_parser.add_argument("--author", required=True, help="the author's name, as shown")
    new_parser.add_argument("--title", required=True, help="the contribution's title")
    new_parser.add_argument(
        "--language", required=True, help="the language code, one of the discussion's"
    )
    new_parser.add_argument(
        "--week", type=_week_argument, help="the week (default: the week of --date)"
    )
    new_parser.add_argument(
        "--date", type=_date_argument, help="the day it was received, YYYY-MM-DD (default: today)"
    )
    new_parser.add_argument("--organisation", help="the author's organisation")
    new_parser.add_argument("--country", help="the author's country")
    new_parser.add_argument("--in-reply-to", metavar="ID", help="id of the contribution answered")
    new_parser.add_argument(
        "--translation-of", metavar="ID", help="id of the original this file translates"
    )
    new_parser.add_argument(
        "--body-file", metavar="FILE", help="Markdown file with the text ('-' reads stdin)"
    )
    new_parser.set_defaults(run=new)

    mail_parser = commands.add_parser(
        "import-mail",
        help="turn e-mails (.eml files, mbox files, Maildir folders) into contributions",
        description="Write one contribution per message: author from the sender's name, "
        "title from the subject, date from the message, week from the discussion's "
        "calendar, language detected among the discussion's, in_reply_to from "
        "In-Reply-To/References when the parent was imported. Quotes, signatures and list "
        "footers are removed; attachments are listed, never published; bounces and "
        "automatic replies are skipped. Every file written passes check; nothing is "
        "overwritten. Exit 1 when a message needs a moderator.",
    )
    mail_parser.add_argument(
        "sources", nargs="+", metavar="FILE", help=".eml file, mbox file or Maildir folder"
    )
    _import_options(mail_parser)
    mail_parser.add_argument("--discussion", required=True, help="the discussion's folder name")
    mail_parser.add_argument(
        "--date",
        dest="fallback_date",
        metavar="DATE",
        type=_date_argument,
        help="the date (YYYY-MM-DD) of messages that carry no readable one",
    )
    mail_parser.set_defaults(run=import_mail)

    issue_parser = commands.add_parser(
        "import-issue",
        help="turn the body of a contribution-form issue into a contribution",
        description="Read the body of a GitHub issue written with the contribution form "
        "(.github/ISSUE_TEMPLATE/contribution.yml) and write its contribution file, with the "
        "same checks as import-mail.",
    )
    issue_parser.add_argument("body", metavar="FILE", help="the issue's body ('-' reads stdin)")
    issue_parser.add_argument(
        "--date",
        type=_date_argument,
        required=True,
        help="the day the issue was opened (YYYY-MM-DD or an ISO timestamp)",
    )
    issue_parser.add_argument("--source", help="how to name the issue in the report")
    issue_parser.add_argument("--report", metavar="FILE", help="also write the report to FILE")
    _import_options(issue_parser)
    issue_parser.set_defaults(run=import_issue_command)

    build_parser = commands.add_parser(
        "build",
        help="build the site with Pelican (what `make html` and `make publish` run)",
        description="Run Pelican with the given arguments (e.g. content -s pelicanconf.py "
        "-o output), then leave at once: a large archive's objects are not freed one by "
        "one when the process ends anyway.",
    )
    build_parser.add_argument("pelican", nargs=argparse.REMAINDER, help="Pelican's arguments")
    build_parser.set_defaults(run=build)
    return main_parser


def _content_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--content", default="content", help="the content folder (default: content)"
    )


def _import_options(command: argparse.ArgumentParser) -> None:
    _content_option(command)
    command.add_argument("--week", type=_week_argument, help="put every contribution in this week")
    command.add_argument("--language", help="give every contribution this language")
    command.add_argument(
        "--dry-run", action="store_true", help="show what would be written; write nothing"
    )


def build(args: argparse.Namespace) -> int:
    """Pelican's own command, in this process; its exit status."""
    from pelican import main as pelican  # noqa: PLC0415 - only this command needs Pelican

    try:
        pelican(args.pelican)
    except SystemExit as exit_:
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
            return 1
        return exit_.code or EXIT_OK
    return EXIT_OK


def run() -> None:
    """The ``palabre`` command: ``main``, then an exit that skips tearing the heap down.

    Freeing a build's objects one by one at exit took a third of a second at 5,000
    contributions, a sixth of a rebuild. The output is flushed and the log closed first;
    tests call ``main``, which returns as usual.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["build"]:  # everything after it is Pelican's, options included
        return build(argparse.Namespace(pelican=arguments[1:]))
    try:
        args = parser().parse_args(arguments)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    try:
        return args.run(args)
    except UsageError as error:
        print(f"palabre {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as error:
        print(f"palabre {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DraftError as error:
        for problem in error.problems:
            print(problem)
        return EXIT_INVALID


if __name__ == "__main__":
    raise SystemExit(main())
