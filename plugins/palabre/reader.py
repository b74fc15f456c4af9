"""Pelican adapter: checks the settings at start-up and reads the discussions tree.

Pelican's own readers would skip a broken file with a log line and carry on; Palabre reads
the tree itself, through the pure ``loader``, and stops the build on any problem.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from .loader import DISCUSSIONS, ParsedCache, load_archive
from .model import Archive
from .settings import with_defaults

logger = logging.getLogger(__name__)


def read_archive(settings: dict[str, Any], parsed_cache: ParsedCache | None = None) -> Archive:
    values = with_defaults(settings)
    return load_archive(Path(settings["PATH"]), values["PALABRE_MAX_FILE_BYTES"], parsed_cache)


def keep_pelican_out_of_discussions(pelican: Any) -> None:
    """Check PALABRE_* settings; stop Pelican reading contributions as plain articles."""
    settings = pelican.settings
    settings.update(with_defaults(settings))
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES", "STATIC_EXCLUDES"):
        excluded = list(settings.get(key) or [])
        if DISCUSSIONS not in excluded:
            settings[key] = [*excluded, DISCUSSIONS]
    # Palabre writes the site's own pages itself, once per interface language, and copies
    # the theme's files only when they change.
    settings["PAGE_SAVE_AS"] = ""
    settings["PAGE_LANG_SAVE_AS"] = ""
    settings["THEME_STATIC_PATHS"] = []


def register() -> None:
    signals.initialized.connect(keep_pelican_out_of_discussions)
