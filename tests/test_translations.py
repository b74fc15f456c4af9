"""The interface catalogues: every message of the templates translated, cleanly, in each language.

Messages are extracted from the templates with Babel's own API and the project's ``babel.cfg``,
as ``make messages`` does, so a string added to a template fails here until it is translated.
"""

from __future__ import annotations

import configparser
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "theme" / "translations"
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
}
# Jinja's newstyle gettext always formats a translation with ``%`` and a mapping, so every
# conversion must be named, and a placeholder missing, renamed or added breaks the page.
TOKEN = re.compile(r"%%|%\([^)]*\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

Message = tuple[str, str | None]  # (msgid, msgid_plural)


def read_mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """``babel.cfg`` as Babel's extractor wants it: [(pattern, method)], {pattern: options}."""
    parser = configparser.ConfigParser()
    parser.read(ROOT / "babel.cfg", encoding="utf-8")
    methods, options = [], {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        methods.append((pattern, method))
        options[pattern] = dict(parser[section])
    return methods, options


@cache
def template_messages() -> frozenset[Message]:
    methods, options = read_mapping()
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), methods, options):
        if isinstance(message, tuple):
            found.add((message[0], message[1]))
        else:
            found.add((message, None))
    return frozenset(found)


@cache
def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def placeholders(text: str) -> Counter[str]:
    """The named conversions in ``text``: ``%(num)d`` -> {"%(num)d": 1}; ``%%`` is not one."""
    return Counter(m.group(0) for m in TOKEN.finditer(text) if m.group(0) != "%%")


def stray_percent(text: str) -> bool:
    """A ``%`` that starts no named conversion: formatting would fail or print the mapping."""
    return "%" in TOKEN.sub("", text)


def entries(language: str) -> list:
    return [m for m in catalogue(language) if m.id]


def test_templates_have_messages() -> None:
    messages = template_messages()
    assert ("Skip to main content", None) in messages
    assert ("%(num)d reply", "%(num)d replies") in messages
    assert ("Week %(number)s", None) in messages


def test_message_template_is_up_to_date() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    in_pot = {(m.id[0], m.id[1]) if m.pluralizable else (m.id, None) for m in template if m.id}
    assert in_pot == template_messages(), "run `make messages`"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_catalogue_header(language: str) -> None:
    catalog = catalogue(language)
    assert str(catalog.locale) == language
    assert catalog.plural_forms == PLURAL_FORMS[language]
    assert not catalog.fuzzy


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_every_template_message_is_translated(language: str) -> None:
    catalog = catalogue(language)
    untranslated = []
    for msgid, plural in sorted(template_messages(), key=lambda m: m[0]):
        entry = catalog.get((msgid, plural) if plural else msgid)
        if entry is None:
            untranslated.append(f"missing: {msgid!r}")
        elif plural is None and (entry.pluralizable or not entry.string):
            untranslated.append(f"empty or plural: {msgid!r}")
        elif plural is not None and (
            not entry.pluralizable
            or entry.id[1] != plural
            or len(entry.string) != catalog.num_plurals
            or not all(entry.string)
        ):
            untranslated.append(f"plural forms: {msgid!r}")
    assert untranslated == []


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_catalogue_holds_only_template_messages(language: str) -> None:
    ids = {m.id[0] if m.pluralizable else m.id for m in entries(language)}
    assert ids == {msgid for msgid, _ in template_messages()}
    assert not catalogue(language).obsolete


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_no_fuzzy_entries(language: str) -> None:
    assert [m.id for m in entries(language) if m.fuzzy] == []


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_placeholders_match_the_source(language: str) -> None:
    wrong = []
    for entry in entries(language):
        if entry.pluralizable:
            singular, plural = entry.id
            # Every form follows msgid_plural, as `msgfmt --check` has it: in French the
            # singular form also serves 0, so it must keep the number too.
            expected = [placeholders(plural)] * len(entry.string)
            expected[0] = placeholders(singular) | placeholders(plural)
            pairs = list(zip(entry.string, expected, strict=True))
        else:
            pairs = [(entry.string, placeholders(entry.id))]
        for translation, wanted in pairs:
            if placeholders(translation) != wanted or stray_percent(translation):
                wrong.append((entry.id, translation))
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%(num)d replies", {"%(num)d": 1}),
        ("Semaine %(number)s", {"%(number)s": 1}),
        ("100 %% sûr", {}),
        ("%%(num)d", {}),
        ("%(a)s et %(a)s", {"%(a)s": 2}),
    ],
)
def test_placeholder_reading(text: str, expected: dict[str, int]) -> None:
    assert placeholders(text) == Counter(expected)


def test_stray_percent_is_caught() -> None:
    assert stray_percent("100 % sûr")
    assert stray_percent("%s replies")
    assert not stray_percent("100 %% sûr, %(num)d fois")
