"""``discussion.yml``, one rule at a time, with the exact message a moderator reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from palabre.discussionfile import parse_discussion
from palabre.model import Discussion, Organiser, Week
from tests.factories import content_tree, write_discussion

SHOWN = "content/discussions/demo/discussion.yml"
# The example of the documentation; its lines are the ones messages point to.
EXAMPLE = """\
title: {fr: Titre, en: Title}
languages: [fr, en]
opens: 2013-07-08
closes: 2013-08-04
organisers: [{name: JMDI, url: https://example.org}]
contact: team@example.org
weeks:
  - {number: 1, starts: 2013-07-08, title: {fr: Semaine un, en: Week one}, questions: {fr: [Q1?], en: [Q1?]}}
"""  # noqa: E501 - the week is one line on purpose, so that its line number is plain
ALLOWED = "closes, contact, description, languages, opens, organisers, title, weeks"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return content_tree(tmp_path)


def read(folder: Path) -> tuple[Discussion | None, list[str]]:
    spec = folder / "discussion.yml"
    shown = spec.relative_to(folder.parents[2]).as_posix()
    discussion, problems = parse_discussion(shown, spec.read_text(encoding="utf-8"), folder.name)
    ordered = sorted(problems, key=lambda p: (p.line, p.field, p.message))
    return discussion, [str(p) for p in ordered]


def write(content: Path, text: str, slug: str = "demo") -> Path:
    """A discussion folder whose discussion.yml is exactly ``text``."""
    folder = write_discussion(content, slug, calls=False)
    (folder / "discussion.yml").write_text(text, encoding="utf-8")
    return folder


def problems(content: Path, text: str, slug: str = "demo") -> list[str]:
    discussion, found = read(write(content, text, slug))
    assert discussion is None
    return found


def edited(old: str, new: str) -> str:
    assert old in EXAMPLE
    return EXAMPLE.replace(old, new)


# Valid files


def test_example_file(content: Path) -> None:
    discussion, found = read(write(content, EXAMPLE))
    assert found == []
    assert discussion == Discussion(
        slug="demo",
        title={"fr": "Titre", "en": "Title"},
        languages=("fr", "en"),
        opens=dt.date(2013, 7, 8),
        closes=dt.date(2013, 8, 4),
        weeks=(
            Week(
                1,
                dt.date(2013, 7, 8),
                {"fr": "Semaine un", "en": "Week one"},
                {"fr": ("Q1?",), "en": ("Q1?",)},
            ),
        ),
        source_path=SHOWN,
        organisers=(Organiser("JMDI", "https://example.org"),),
        contact="team@example.org",
    )
    assert discussion.default_language == "fr"
    assert discussion.title_in("es") == "Titre"


def test_factory_file(content: Path) -> None:
    folder = write_discussion(
        content,
        weeks=3,
        extra_yaml="description: Quatre semaines.\norganisers:\n  - name: UNDP ART\n",
    )
    discussion, found = read(folder)
    assert found == []
    assert discussion is not None
    assert discussion.languages == ("fr", "en", "es")
    assert [(w.number, w.starts.isoformat()) for w in discussion.weeks] == [
        (1, "2013-07-08"),
        (2, "2013-07-15"),
        (3, "2013-07-22"),
    ]
    assert discussion.weeks[1].title == {"fr": "Semaine 2", "en": "Week 2", "es": "Semana 2"}
    assert [len(w.questions["es"]) for w in discussion.weeks] == [2, 1, 2]
    assert discussion.description == {"fr": "Quatre semaines."}
    assert discussion.organisers == (Organiser("UNDP ART"),)
    assert discussion.contact is None


def test_title_given_once_is_in_the_default_language(content: Path) -> None:
    discussion, found = read(write(content, edited("{fr: Titre, en: Title}", "Titre seul")))
    assert found == []
    assert discussion is not None
    assert discussion.title == {"fr": "Titre seul"}


def test_closing_on_the_opening_day_is_fine(content: Path) -> None:
    discussion, found = read(write(content, edited("2013-08-04", "2013-07-08")))
    assert (discussion is not None, found) == (True, [])


def test_weeks_are_sorted_by_number(content: Path) -> None:
    text = EXAMPLE.replace("number: 1, starts: 2013-07-08", "number: 2, starts: 2013-07-15")
    text += "  - {number: 1, starts: 2013-07-08, title: Un}\n"
    discussion, found = read(write(content, text))
    assert found == [
        f"{SHOWN}:8: weeks: expected week 1 to start after week 2 (2013-07-15), got 2013-07-08"
    ]
    assert discussion is None


# The document


def test_empty_file(content: Path) -> None:
    assert problems(content, "# nothing yet\n") == [
        f"{SHOWN}:1: discussion: expected a mapping, got nothing"
    ]


def test_file_that_is_a_list(content: Path) -> None:
    assert problems(content, "- title\n") == [
        f"{SHOWN}:1: discussion: expected a mapping, got a list"
    ]


def test_yaml_problem(content: Path) -> None:
    assert problems(content, EXAMPLE + "title: Encore\n") == [
        f"{SHOWN}:9: title: expected each key once, got a duplicate (first on line 1)"
    ]


# Keys


@pytest.mark.parametrize("key", ["title", "languages", "opens", "closes", "weeks"])
def test_each_required_key_missing(content: Path, key: str) -> None:
    text = "".join(
        line
        for line in EXAMPLE.splitlines(keepends=True)
        if not line.startswith(f"{key}:") and not (key == "weeks" and line.startswith("  -"))
    )
    assert problems(content, text) == [f"{SHOWN}:1: {key}: expected a value, got none (required)"]


def test_required_key_without_value(content: Path) -> None:
    assert problems(content, edited("opens: 2013-07-08", "opens:")) == [
        f"{SHOWN}:3: opens: expected a value, got nothing (required)"
    ]


def test_unknown_keys(content: Path) -> None:
    assert problems(content, EXAMPLE + "slug: demo\nTitle: x\n") == [
        f"{SHOWN}:9: slug: expected one of {ALLOWED}, got an unknown key",
        f"{SHOWN}:10: Title: expected one of {ALLOWED}, got an unknown key",
    ]


# languages


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("[fr, en, FR]", ['languages[2]: expected a language code such as fr, en, es, got "FR"']),
        (
            "[fr, en, english]",
            ['languages[2]: expected a language code such as fr, en, es, got "english"'],
        ),
        ("[fr, en, fr]", ["languages[2]: expected each language once, got fr twice"]),
        ("fr", ['languages: expected a list, got "fr"']),
        ("{fr: French}", ["languages: expected a list, got a mapping"]),
        ("[]", ["languages: expected at least one language, got an empty list"]),
        (
            "[fr, en, [es]]",
            ["languages[2]: expected a language code such as fr, en, es, got a list"],
        ),
    ],
)
def test_bad_languages(content: Path, languages: str, expected: list[str]) -> None:
    found = problems(content, edited("[fr, en]", languages))
    assert found == [f"{SHOWN}:2: {message}" for message in expected]


def test_without_languages_other_fields_are_not_blamed(content: Path) -> None:
    # Every per-language text would be "not a language of the discussion": only the real
    # problem is reported.
    assert problems(content, edited("languages: [fr, en]", "languages: french")) == [
        f'{SHOWN}:2: languages: expected a list, got "french"'
    ]


# Dates


def test_closes_before_opens(content: Path) -> None:
    assert problems(content, edited("closes: 2013-08-04", "closes: 2013-07-01")) == [
        f"{SHOWN}:4: closes: expected a date on or after opens (2013-07-08), got 2013-07-01"
    ]


def test_bad_dates(content: Path) -> None:
    text = edited("opens: 2013-07-08", "opens: 08/07/2013").replace("2013-08-04", "2013-02-29")
    assert problems(content, text) == [
        f'{SHOWN}:3: opens: expected a date (YYYY-MM-DD), got "08/07/2013"',
        f'{SHOWN}:4: closes: expected a real calendar date, got "2013-02-29"',
    ]


# weeks


def test_week_number_twice(content: Path) -> None:
    text = EXAMPLE + "  - {number: 1, starts: 2013-07-15, title: Deux}\n"
    assert problems(content, text) == [
        f"{SHOWN}:9: weeks[1].number: expected each week once, got 1 twice"
    ]


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        ("weeks: []\n", ["7: weeks: expected at least one week, got an empty list"]),
        ("weeks: week one\n", ['7: weeks: expected a list, got "week one"']),
        ("weeks:\n  - one\n", ['8: weeks[0]: expected a mapping, got "one"']),
        (
            "weeks:\n  - {number: 1, title: Un}\n",
            ["8: weeks[0].starts: expected a value, got none (required)"],
        ),
        (
            "weeks:\n  - {number: 0, starts: 2013-07-08, title: Un}\n",
            ["8: weeks[0].number: expected a number from 1 to 999, got 0"],
        ),
        (
            "weeks:\n  - {number: un, starts: 2013-07-08, title: Un}\n",
            ['8: weeks[0].number: expected a whole number, got "un"'],
        ),
        (
            "weeks:\n  - {number: 1, starts: 2013-07-08, title: Un, questions: Q?}\n",
            ['8: weeks[0].questions: expected a list, got "Q?"'],
        ),
        (
            "weeks:\n  - {number: 1, starts: 2013-07-08, title: Un, closes: 2013-07-14}\n",
            [
                "8: weeks[0].closes: expected one of number, questions, starts, title, "
                "got an unknown key"
            ],
        ),
    ],
)
def test_bad_weeks(content: Path, weeks: str, expected: list[str]) -> None:
    text = EXAMPLE.split("weeks:", maxsplit=1)[0] + weeks
    assert problems(content, text) == [f"{SHOWN}:{message}" for message in expected]


# Texts per language


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{fr: Titre, en: Title}", "{fr: Titre, de: Titel}", "1: title.de"),
        (
            "{fr: Semaine un, en: Week one}",
            "{fr: Semaine un, es: Semana uno}",
            "8: weeks[0].title.es",
        ),
        (
            "questions: {fr: [Q1?], en: [Q1?]}",
            "questions: {fr: [Q1?], de: [F1?]}",
            "8: weeks[0].questions.de",
        ),
    ],
)
def test_text_in_a_language_the_discussion_does_not_have(
    content: Path, old: str, new: str, expected: str
) -> None:
    assert problems(content, edited(old, new)) == [
        f"{SHOWN}:{expected}: expected one of the discussion's languages (fr, en), got another key"
    ]


def test_description_in_an_unknown_language(content: Path) -> None:
    assert problems(content, EXAMPLE + "description:\n  fr: Texte\n  it: Testo\n") == [
        f"{SHOWN}:11: description.it: expected one of the discussion's languages (fr, en), "
        "got another key"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{fr: Titre, en: Title}", "{en: Title}", "1: title.fr"),
        ("{fr: Semaine un, en: Week one}", "{en: Week one}", "8: weeks[0].title.fr"),
        ("questions: {fr: [Q1?], en: [Q1?]}", "questions: {en: [Q1?]}", "8: weeks[0].questions.fr"),
    ],
)
def test_missing_text_in_the_default_language(
    content: Path, old: str, new: str, expected: str
) -> None:
    assert problems(content, edited(old, new)) == [
        f"{SHOWN}:{expected}: expected a text in the default language, got none"
    ]


def test_title_with_an_invisible_character(content: Path) -> None:
    assert problems(content, edited("en: Title}", 'en: "Ti\\u200btle"}')) == [
        f"{SHOWN}:1: title.en: expected visible text, got an invisible character "
        "(U+200B ZERO WIDTH SPACE)"
    ]


# organisers and contact


@pytest.mark.parametrize(
    ("organisers", "expected"),
    [
        (
            "[{url: https://example.org}]",
            "organisers[0].name: expected a value, got none (required)",
        ),
        (
            "[{name: JMDI, url: 'javascript:alert(1)'}]",
            'organisers[0].url: expected an http(s) address, got "javascript:alert(1)"',
        ),
        (
            "[{name: JMDI, url: example.org}]",
            'organisers[0].url: expected an http(s) address, got "example.org"',
        ),
        (
            "[{name: JMDI, url: ftp://example.org}]",
            'organisers[0].url: expected an http(s) address, got "ftp://example.org"',
        ),
        (
            "[{name: JMDI, url: 'https://exa mple.org'}]",
            'organisers[0].url: expected an http(s) address, got "https://exa mple.org"',
        ),
        (
            "[{name: JMDI, logo: x.png}]",
            "organisers[0].logo: expected one of name, url, got an unknown key",
        ),
        ("[JMDI]", 'organisers[0]: expected a mapping, got "JMDI"'),
        ("JMDI", 'organisers: expected a list, got "JMDI"'),
    ],
)
def test_bad_organisers(content: Path, organisers: str, expected: str) -> None:
    text = edited("[{name: JMDI, url: https://example.org}]", organisers)
    assert problems(content, text) == [f"{SHOWN}:5: {expected}"]


@pytest.mark.parametrize(
    "contact",
    ["team at example.org", "team@example", "<team@example.org>", "mailto:team@example.org"],
)
def test_bad_contact(content: Path, contact: str) -> None:
    assert problems(content, edited("team@example.org", f'"{contact}"')) == [
        f'{SHOWN}:6: contact: expected an e-mail address, got "{contact}"'
    ]


# Folder names


@pytest.mark.parametrize("slug", ["Demo", "demo_2013", "démo", "-demo", "demo--2013", "a" * 81])
def test_invalid_folder_name(content: Path, slug: str) -> None:
    found = problems(content, EXAMPLE, slug)
    shown = SHOWN.replace("demo", slug)
    quoted = f'"{slug}"' if len(slug) <= 60 else f'"{slug[:59]}…"'
    assert found == [
        f"{shown}:1: folder: expected a discussion folder named with lowercase ASCII letters, "
        f"digits and hyphens, got {quoted}"
    ]


@pytest.mark.parametrize("slug", ["authors", "search", "theme", "feeds", "pages", "fr", "en"])
def test_reserved_folder_name(content: Path, slug: str) -> None:
    found = problems(content, EXAMPLE, slug)
    assert found == [
        f"{SHOWN.replace('demo', slug)}:1: folder: expected a folder name that is not a site "
        f'page or a language code, got "{slug}" (reserved)'
    ]


def test_folder_problem_comes_with_the_file_problems(content: Path) -> None:
    found = problems(content, edited("team@example.org", "nobody"), "Demo")
    assert found == [
        "content/discussions/Demo/discussion.yml:1: folder: expected a discussion folder named "
        'with lowercase ASCII letters, digits and hyphens, got "Demo"',
        "content/discussions/Demo/discussion.yml:6: contact: expected an e-mail address, "
        'got "nobody"',
    ]
