"""Pelican adapter: checks the settings at start-up and reads the discussions tree.

Pelican's own readers would skip a broken file with a log line and carry on; Palabre reads
the tree itself, through the pure ``loader``, and stops the build on any problem.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from .incremental import Cache
from .loader import DISCUSSIONS, ParsedCache, load_archive
from .model import Archive
from .settings import with_defaults

logger = logging.getLogger(__name__)


def read_archive(settings: dict[str, Any], parsed_cache: ParsedCache | None = None) -> Archive:
    """The archive; with ``parsed_cache``, unchanged files are neither parsed nor read.

    The digests of files by their stat are kept in a small cache of their own, written
    here: stats change when texts do not (a ``git checkout`` gives every file a new one,
    and a file's stat is kept only a build after it changed), and the big parsed cache
    need not be written again for that.
    """
    values = with_defaults(settings)
    path, max_bytes = Path(settings["PATH"]), values["PALABRE_MAX_FILE_BYTES"]
    if parsed_cache is None or not settings.get("CACHE_PATH"):
        return load_archive(path, max_bytes, parsed_cache)
    digests = Cache(Path(settings["CACHE_PATH"]), "palabre-digests").load()
    try:
        return load_archive(path, max_bytes, parsed_cache, digests)
    finally:
        digests.save()


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
