"""Interface language: gettext catalogues compiled at build time, and locale-aware filters.

Catalogues live in ``theme/translations/<lang>/LC_MESSAGES/messages.po``; English is the
source language, so it needs none. The ``.po`` files are compiled in memory on each build,
so no compiled ``.mo`` file is ever committed or forgotten.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from .model import SettingsError

SOURCE_LANGUAGE = "en"


@cache
def translations(translations_dir: Path, language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    po = translations_dir / language / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        raise SettingsError(
            f"PALABRE_LANGUAGE: expected a language with a catalogue ({po}), got {language!s:.10}"
        )
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(SOURCE_LANGUAGE)


# Pages repeat the same few dates and language names thousands of times; Babel's
# formatting is slow enough for caching to matter in a large archive.
@lru_cache(maxsize=8192)
def long_date(day: dt.date, language: str) -> str:
    return format_date(day, format="long", locale=_locale(language))


@lru_cache(maxsize=8192)
def short_date(day: dt.date, language: str) -> str:
    return format_date(day, format="medium", locale=_locale(language))


@cache
def language_name(code: str, language: str) -> str:
    """The name of language ``code`` written in ``language`` ("anglais" for en in fr)."""
    name = _locale(language).languages.get(code)
    return name if name else code


def number(value: int, language: str) -> str:
    return format_decimal(value, locale=_locale(language))


@cache
def text_direction(code: str) -> str:
    """``rtl`` for languages written right to left, else ``ltr``."""
    try:
        order = Locale.parse(code).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"
