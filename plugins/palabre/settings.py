"""Palabre's settings: one table of defaults, validated once when Pelican starts."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from .frontmatter import DEFAULT_MAX_BYTES
from .model import SettingsError

ROOT_MODES = ("redirect", "copy")

DEFAULTS: dict[str, Any] = {
    # Default interface language of the pages (a catalogue must exist in theme/translations).
    "PALABRE_LANGUAGE": "en",
    # Every interface language; with more than one, each gets its pages under /<lang>/.
    # None means only PALABRE_LANGUAGE, with its pages at the site root.
    "PALABRE_LANGUAGES": None,
    # With several interface languages, what the site root holds: "redirect" pages that
    # send readers to the default language (or the one they chose before), or a "copy" of
    # the default language's pages.
    "PALABRE_ROOT": "redirect",
    # Largest contribution file accepted, in bytes; checked before the file is parsed.
    "PALABRE_MAX_FILE_BYTES": DEFAULT_MAX_BYTES,
    # The day that decides which discussions are open, upcoming or past. None means
    # SOURCE_DATE_EPOCH when set (reproducible builds), else the day of the build.
    "PALABRE_TODAY": None,
    # Entries per Atom feed, newest first.
    "PALABRE_FEED_ITEMS": 50,
    # A line under the site name in the header, per interface language.
    "PALABRE_TAGLINE": {},
    # Processes that render pages; None means one per core, 1 renders in the build itself.
    "PALABRE_WORKERS": None,
}
TYPES: dict[str, tuple[type, ...]] = {
    "PALABRE_LANGUAGE": (str,),
    "PALABRE_LANGUAGES": (type(None), list, tuple),
    "PALABRE_ROOT": (str,),
    "PALABRE_MAX_FILE_BYTES": (int,),
    "PALABRE_TODAY": (type(None), str, dt.date),
    "PALABRE_FEED_ITEMS": (int,),
    "PALABRE_TAGLINE": (dict,),
    "PALABRE_WORKERS": (type(None), int),
}


def with_defaults(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The PALABRE_* settings, defaults filled in; raise SettingsError on a typo or bad type."""
    problems = []
    for name in sorted(k for k in settings if k.startswith("PALABRE_")):
        if name not in DEFAULTS:
            problems.append(f"{name}: expected one of {', '.join(sorted(DEFAULTS))}, got unknown")
    values = {name: settings.get(name, default) for name, default in DEFAULTS.items()}
    for name, value in values.items():
        if not isinstance(value, TYPES[name]) or isinstance(value, bool):
            expected = " or ".join(t.__name__ for t in TYPES[name])
            problems.append(f"{name}: expected {expected}, got {type(value).__name__}")
    if values["PALABRE_MAX_FILE_BYTES"] in (0,) or (
        isinstance(values["PALABRE_MAX_FILE_BYTES"], int) and values["PALABRE_MAX_FILE_BYTES"] < 0
    ):
        problems.append("PALABRE_MAX_FILE_BYTES: expected a positive number of bytes")
    if isinstance(values["PALABRE_TODAY"], str):
        try:
            values["PALABRE_TODAY"] = dt.date.fromisoformat(values["PALABRE_TODAY"])
        except ValueError:
            problems.append(
                f"PALABRE_TODAY: expected a date (YYYY-MM-DD), got {values['PALABRE_TODAY']!s:.40}"
            )
    problems.extend(_language_problems(values))
    if problems:
        raise SettingsError("Invalid settings:\n" + "\n".join(problems))
    return values


def _language_problems(values: dict[str, Any]) -> list[str]:
    problems = []
    default = values["PALABRE_LANGUAGE"]
    languages = values["PALABRE_LANGUAGES"]
    if isinstance(languages, list | tuple):
        if not languages or not all(isinstance(code, str) for code in languages):
            problems.append("PALABRE_LANGUAGES: expected a list of language codes")
        elif default not in languages:
            problems.append(
                f"PALABRE_LANGUAGES: expected to include PALABRE_LANGUAGE ({default!s:.10})"
            )
        elif len(set(languages)) != len(languages):
            problems.append("PALABRE_LANGUAGES: expected each language once")
    if values["PALABRE_ROOT"] not in ROOT_MODES:
        problems.append(
            f"PALABRE_ROOT: expected one of {', '.join(ROOT_MODES)}, "
            f"got {values['PALABRE_ROOT']!s:.20}"
        )
    return problems


def interface_languages(values: Mapping[str, Any]) -> list[str]:
    """Interface languages, the default first."""
    default = values["PALABRE_LANGUAGE"]
    others = [code for code in values["PALABRE_LANGUAGES"] or () if code != default]
    return [default, *others]


def build_day(configured: dt.date | None) -> dt.date:
    """The day the site is built 'on': configured, else SOURCE_DATE_EPOCH, else today (UTC)."""
    if configured is not None:
        return configured
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()
