"""The moderators' command line: ``palabre check`` validates content with the build's rules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .loader import load_archive
from .model import ContentError, Problem

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


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="palabre", description="Tools for the moderators of a Palabre archive."
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
    check_parser.add_argument(
        "--content", default="content", help="the content folder (default: content)"
    )
    check_parser.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="'github' prints GitHub Actions annotations",
    )
    check_parser.set_defaults(run=check)
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
