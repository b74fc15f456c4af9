"""Contribution files, one rule at a time, with the exact message a moderator reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from palabre.frontmatter import (
    DEFAULT_MAX_BYTES,
    DiscussionFacts,
    Parsed,
    contribution_id,
    decode,
    parse_contribution,
    render_front_matter,
)
from palabre.model import Contribution
from tests.factories import content_tree, write_contribution, write_discussion

FACTS = DiscussionFacts("demo", ("fr", "en", "es"), frozenset({1, 2}))
CID = "2013-07-10-aminata-traore"
SHOWN = f"content/discussions/demo/contributions/week-1/{CID}.md"
RAW_VALID = (
    'title: "Le jumelage"\nauthor: "Aminata Traoré"\nweek: 1\nlanguage: fr\ndate: 2013-07-10\n'
)
ALLOWED = (
    "author, country, date, in_reply_to, language, organisation, title, translation, "
    "translation_of, week"
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return content_tree(tmp_path)


def read(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Parsed | None, list[str]]:
    """Read one real file as the loader does: shown path, bytes, text, contribution."""
    shown = path.relative_to(path.parents[5]).as_posix()
    text, problems = decode(shown, path.read_bytes(), max_bytes)
    if text is None:
        return None, [str(p) for p in problems]
    folder_week = int(path.parent.name.removeprefix("week-"))
    parsed, problems = parse_contribution(
        shown, text, FACTS, contribution_id(path.name), folder_week
    )
    ordered = sorted(problems, key=lambda p: (p.line, p.field, p.message))
    return parsed, [str(p) for p in ordered]


def problems(path: Path) -> list[str]:
    parsed, found = read(path)
    assert parsed is None
    return found


def contribution(path: Path) -> Contribution:
    parsed, found = read(path)
    assert found == []
    assert parsed is not None
    return parsed.contribution


# A valid file


def test_valid_file_gives_a_contribution(content: Path) -> None:
    path = write_contribution(
        content,
        body="Un **texte**.\n\nSuite.",
        organisation="Commune de Yélimané",
        country="Mali",
        in_reply_to="2013-07-09-jean-dupont",
    )
    parsed, found = read(path)
    assert found == []
    assert parsed is not None
    assert parsed.contribution == Contribution(
        id=CID,
        discussion="demo",
        title="Le jumelage comme cadre de coopération",
        author="Aminata Traoré",
        week=1,
        language="fr",
        date=dt.date(2013, 7, 10),
        body="\nUn **texte**.\n\nSuite.\n",
        source_path=SHOWN,
        body_line=11,
        organisation="Commune de Yélimané",
        country="Mali",
        in_reply_to="2013-07-09-jean-dupont",
    )
    assert dict(parsed.lines) == {
        "title": 2,
        "author": 3,
        "week": 4,
        "language": 5,
        "date": 6,
        "organisation": 7,
        "country": 8,
        "in_reply_to": 9,
    }


def test_text_is_trimmed_and_normalised_to_nfc(content: Path) -> None:
    path = write_contribution(content, title="  Cafe\u0301 des migrants  ", author="Jose\u0301")
    found = contribution(path)
    assert (found.title, found.author) == ("Café des migrants", "José")


def test_country_no_stays_the_text_no(content: Path) -> None:
    path = write_contribution(content, raw_front=RAW_VALID + "country: NO\n")
    assert contribution(path).country == "NO"


def test_empty_optional_fields_are_absent(content: Path) -> None:
    path = write_contribution(content, raw_front=RAW_VALID + "organisation:\ncountry: ~\n")
    found = contribution(path)
    assert (found.organisation, found.country) == (None, None)


def test_dots_may_close_the_front_matter(content: Path) -> None:
    path = write_contribution(content)
    path.write_text(f"---\n{RAW_VALID}...\nCorps.\n", encoding="utf-8")
    assert contribution(path).body == "Corps.\n"


# The front matter itself


def test_missing_front_matter(content: Path) -> None:
    path = write_contribution(content)
    path.write_text("Un texte sans en-tête.\n", encoding="utf-8")
    assert problems(path) == [
        f"{SHOWN}:1: front matter: expected the file to start with YAML between two '---' "
        "lines, got none"
    ]


def test_unterminated_front_matter(content: Path) -> None:
    path = write_contribution(content)
    path.write_text(f"---\n{RAW_VALID}\nUn texte.\n", encoding="utf-8")
    assert problems(path) == [
        f"{SHOWN}:1: front matter: expected a closing '---' line after the YAML, got none"
    ]


def test_empty_front_matter(content: Path) -> None:
    path = write_contribution(content, raw_front="")
    assert problems(path) == [f"{SHOWN}:2: front matter: expected a mapping of fields, got nothing"]


def test_front_matter_that_is_a_list(content: Path) -> None:
    path = write_contribution(content, raw_front="- title\n- author\n")
    assert problems(path) == [f"{SHOWN}:2: front matter: expected a mapping of fields, got a list"]


def test_yaml_error_points_to_the_file_line(content: Path) -> None:
    path = write_contribution(content, raw_front=RAW_VALID + "country: Mali: Kayes\n")
    [found] = problems(path)
    # The end of the message is the YAML parser's own words, which vary with the parser.
    assert found.startswith(f"{SHOWN}:7: yaml: expected valid YAML, got a syntax error: mapping")


def test_duplicate_field(content: Path) -> None:
    path = write_contribution(content, raw_front=RAW_VALID + 'title: "Encore"\n')
    assert problems(path) == [
        f"{SHOWN}:7: title: expected each key once, got a duplicate (first on line 2)"
    ]


def test_tag_in_front_matter(content: Path) -> None:
    path = write_contribution(
        content, raw_front=RAW_VALID + "country: !!python/object/apply:os.system [id]\n"
    )
    assert problems(path) == [
        f"{SHOWN}:7: yaml: expected plain values, got a tag "
        '("tag:yaml.org,2002:python/object/apply:os.system")'
    ]


def test_empty_body(content: Path) -> None:
    path = write_contribution(content, body="  \n\n")
    assert problems(path) == [f"{SHOWN}:8: body: expected the contribution's text, got nothing"]


# Required and unknown fields


@pytest.mark.parametrize("name", ["title", "author", "week", "language", "date"])
def test_each_required_field_missing(content: Path, name: str) -> None:
    path = write_contribution(content, front={name: None})
    assert problems(path) == [f"{SHOWN}:2: {name}: expected a value, got none (required)"]


@pytest.mark.parametrize(
    ("name", "line", "empty"), [("title", 2, ""), ("author", 3, " ~"), ("date", 6, " # later")]
)
def test_required_field_with_no_value(content: Path, name: str, line: int, empty: str) -> None:
    rows = RAW_VALID.splitlines()
    raw = "".join(f"{name}:{empty}\n" if row.startswith(f"{name}:") else f"{row}\n" for row in rows)
    path = write_contribution(content, raw_front=raw)
    assert problems(path) == [f"{SHOWN}:{line}: {name}: expected a value, got nothing (required)"]


@pytest.mark.parametrize("value", ["", "   "])
def test_required_text_that_is_blank(content: Path, value: str) -> None:
    path = write_contribution(content, title=value)
    assert problems(path) == [f"{SHOWN}:2: title: expected text, got nothing"]


@pytest.mark.parametrize("name", ["save_as", "url", "template", "status", "slug", "Title"])
def test_unknown_key_lists_the_allowed_keys(content: Path, name: str) -> None:
    path = write_contribution(content, **{name: "x"})
    assert problems(path) == [f"{SHOWN}:7: {name}: expected one of {ALLOWED}, got an unknown key"]


def test_unknown_key_with_odd_characters_is_quoted(content: Path) -> None:
    path = write_contribution(content, **{"in reply to": "x"})
    assert problems(path) == [
        f'{SHOWN}:7: "in reply to": expected one of {ALLOWED}, got an unknown key'
    ]


def test_field_of_the_wrong_shape(content: Path) -> None:
    path = write_contribution(content, title=["a", "b"], author={"name": "A"})
    assert problems(path) == [
        f"{SHOWN}:2: title: expected text, got a list",
        f"{SHOWN}:3: author: expected text, got a mapping",
    ]


# week


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", 'expected a whole number, got "yes"'),
        ("1.5", 'expected a whole number, got "1.5"'),
        ("1.0", 'expected a whole number, got "1.0"'),
        ("-1", 'expected a whole number, got "-1"'),
        ("0", "expected a number from 1 to 999, got 0"),
        ("3", "expected a week of the discussion (1, 2), got 3"),
    ],
)
def test_bad_week(content: Path, value: str, message: str) -> None:
    raw = RAW_VALID.replace("week: 1", f"week: {value}")
    path = write_contribution(content, raw_front=raw)
    assert problems(path) == [f"{SHOWN}:4: week: {message}"]


def test_week_differs_from_its_folder(content: Path) -> None:
    path = write_contribution(content, week=1, front={"week": 2})
    assert problems(path) == [f"{SHOWN}:4: week: expected 1 (the file is in folder week-1), got 2"]


# language and date


def test_language_not_in_the_discussion(content: Path) -> None:
    path = write_contribution(content, language="de")
    assert problems(path) == [
        f'{SHOWN}:5: language: expected one of the discussion\'s languages (fr, en, es), got "de"'
    ]


def test_language_that_is_not_a_code(content: Path) -> None:
    path = write_contribution(content, language="Français")
    assert problems(path) == [
        f'{SHOWN}:5: language: expected a language code such as fr, en, es, got "Français"'
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2013-02-30", 'expected a real calendar date, got "2013-02-30"'),
        ("2013-13-01", 'expected a real calendar date, got "2013-13-01"'),
        ("10/07/2013", 'expected a date (YYYY-MM-DD), got "10/07/2013"'),
        ("2013-7-10", 'expected a date (YYYY-MM-DD), got "2013-7-10"'),
        ("2013-07-10 12:00", 'expected a date (YYYY-MM-DD), got "2013-07-10 12:00"'),
    ],
)
def test_bad_date(content: Path, value: str, message: str) -> None:
    path = write_contribution(content, date=value)
    assert problems(path) == [f"{SHOWN}:6: date: {message}"]


# Relations written in the file


@pytest.mark.parametrize("name", ["in_reply_to", "translation_of"])
def test_relation_to_itself(content: Path, name: str) -> None:
    path = write_contribution(content, **{name: CID})
    assert problems(path) == [
        f"{SHOWN}:7: {name}: expected another contribution's id, got its own ({CID})"
    ]


def test_relation_that_is_not_an_id(content: Path) -> None:
    path = write_contribution(content, in_reply_to="Jean Dupont")
    assert problems(path) == [
        f"{SHOWN}:7: in_reply_to: expected an id (lowercase letters, digits and hyphens), "
        'got "Jean Dupont"'
    ]


# File names


@pytest.mark.parametrize(
    ("cid", "quoted"),
    [
        ("2013-07-10-Aminata-Traore", '"2013-07-10-Aminata-Traore.md"'),
        ("2013-07-10 aminata traore", '"2013-07-10 aminata traore.md"'),
        ("2013-07-10-aminata-traoré", '"2013-07-10-aminata-traoré.md"'),
        ("2013-07-10-aminata\u202etxt", '"2013-07-10-aminata\\u202etxt.md"'),
        ("2013-07-10_aminata", '"2013-07-10_aminata.md"'),
        ("-2013-07-10", '"-2013-07-10.md"'),
        ("2013-07-10--aminata", '"2013-07-10--aminata.md"'),
        ("x" * 121, '"' + "x" * 59 + '…"'),
    ],
)
def test_bad_file_name(content: Path, cid: str, quoted: str) -> None:
    path = write_contribution(content, cid=cid)
    shown = f"content/discussions/demo/contributions/week-1/{cid}.md"
    assert problems(path) == [
        f"{shown}:1: file: expected a file name of lowercase ASCII letters, digits and hyphens "
        f"ending in .md, got {quoted}"
    ]


@pytest.mark.parametrize("cid", ["summary", "proceedings", "call", "feed", "week-2", "week-10"])
def test_reserved_file_name(content: Path, cid: str) -> None:
    path = write_contribution(content, cid=cid)
    shown = f"content/discussions/demo/contributions/week-1/{cid}.md"
    assert problems(path) == [
        f"{shown}:1: file: expected a file name that is not a page of the discussion, "
        f'got "{cid}" (reserved)'
    ]


def test_file_name_problem_comes_with_the_field_problems(content: Path) -> None:
    path = write_contribution(content, cid="Notes", language="de")
    shown = "content/discussions/demo/contributions/week-1/Notes.md"
    assert problems(path) == [
        f"{shown}:1: file: expected a file name of lowercase ASCII letters, digits and hyphens "
        'ending in .md, got "Notes.md"',
        f'{shown}:5: language: expected one of the discussion\'s languages (fr, en, es), got "de"',
    ]


# Text fields


@pytest.mark.parametrize(
    ("name", "line", "character", "described"),
    [
        ("author", 3, "\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("title", 2, "\u200b", "U+200B ZERO WIDTH SPACE"),
        ("organisation", 7, "\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("country", 7, "\u00ad", "U+00AD SOFT HYPHEN"),
        ("title", 2, "\t", "U+0009 control character"),
    ],
)
def test_invisible_character(
    content: Path, name: str, line: int, character: str, described: str
) -> None:
    path = write_contribution(content, **{name: f"Aminata{character} Traoré"})
    assert problems(path) == [
        f"{SHOWN}:{line}: {name}: expected visible text, got an invisible character ({described})"
    ]


@pytest.mark.parametrize(
    "raw_title", ['"Le jumelage\\ncomme cadre"', "|\n  Le jumelage\n  comme cadre"]
)
def test_title_on_several_lines(content: Path, raw_title: str) -> None:
    path = write_contribution(content, raw_front=RAW_VALID.replace('"Le jumelage"', raw_title))
    assert problems(path) == [f"{SHOWN}:2: title: expected one line of text, got several lines"]


def test_folded_title_is_one_line(content: Path) -> None:
    # Plain YAML folds a title continued on the next line into one line: that is fine.
    raw = RAW_VALID.replace('"Le jumelage"', "Le jumelage\n  comme cadre")
    path = write_contribution(content, raw_front=raw)
    assert contribution(path).title == "Le jumelage comme cadre"


@pytest.mark.parametrize(("name", "line", "limit"), [("title", 2, 300), ("organisation", 7, 200)])
def test_overly_long_text(content: Path, name: str, line: int, limit: int) -> None:
    assert contribution(write_contribution(content, **{name: "x" * limit}))
    path = write_contribution(content, **{name: "x" * (limit + 1)})
    assert problems(path) == [
        f"{SHOWN}:{line}: {name}: expected at most {limit} characters, got {limit + 1}"
    ]


# Several problems at once


def test_every_problem_of_a_file_is_reported_together(content: Path) -> None:
    path = write_contribution(
        content,
        cid="week-1",
        front={"week": 5, "author": None},
        title="A\u202eB",
        language="de",
        date="2013-02-30",
        in_reply_to="Jean",
        save_as="x.html",
        body="",
    )
    shown = "content/discussions/demo/contributions/week-1/week-1.md"
    assert problems(path) == [
        f'{shown}:1: file: expected a file name that is not a page of the discussion, got "week-1" '
        "(reserved)",
        f"{shown}:2: author: expected a value, got none (required)",
        f"{shown}:2: title: expected visible text, got an invisible character "
        "(U+202E RIGHT-TO-LEFT OVERRIDE)",
        f"{shown}:3: week: expected a week of the discussion (1, 2), got 5",
        f'{shown}:4: language: expected one of the discussion\'s languages (fr, en, es), got "de"',
        f'{shown}:5: date: expected a real calendar date, got "2013-02-30"',
        f"{shown}:6: in_reply_to: expected an id (lowercase letters, digits and hyphens), "
        'got "Jean"',
        f"{shown}:7: save_as: expected one of {ALLOWED}, got an unknown key",
        f"{shown}:9: body: expected the contribution's text, got nothing",
    ]


# Bytes and text


def test_bom_and_crlf_are_accepted(content: Path) -> None:
    path = write_contribution(content, body="Ligne un.\nLigne deux.")
    data = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    found = contribution(path)
    assert found.title == "Le jumelage comme cadre de coopération"
    assert found.body == "\nLigne un.\nLigne deux.\n"
    assert found.body_line == 8


def test_old_mac_line_ends_are_accepted(content: Path) -> None:
    path = write_contribution(content)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    assert contribution(path).week == 1


def test_bytes_that_are_not_utf8(content: Path) -> None:
    path = write_contribution(content)
    data = path.read_bytes()
    text = data.decode("utf-8")
    broken = text.replace("Traoré", "Traor\udce9").encode("utf-8", "surrogateescape")
    path.write_bytes(broken)
    offset = broken.index(b"\xe9")
    assert problems(path) == [
        f"{SHOWN}:3: file: expected UTF-8 text, got the byte 0xE9 at offset {offset}"
    ]


def test_offset_of_a_bad_byte_counts_the_bom(content: Path) -> None:
    path = write_contribution(content)
    path.write_bytes(b"\xef\xbb\xbf---\n\xff\n")
    assert problems(path) == [
        f"{SHOWN}:2: file: expected UTF-8 text, got the byte 0xFF at offset 7"
    ]


def test_nul_byte(content: Path) -> None:
    path = write_contribution(content, body="Un texte.\n\nAvec un \x00 dedans.")
    assert problems(path) == [f"{SHOWN}:11: file: expected text, got a NUL byte"]


def test_control_character_in_front_matter(content: Path) -> None:
    path = write_contribution(content, raw_front=RAW_VALID + "country: Ma\x1bli\n")
    assert problems(path) == [
        f"{SHOWN}:7: yaml: expected text without control characters, got U+001B"
    ]


def test_size_limit_is_checked_before_decoding(content: Path) -> None:
    path = write_contribution(content)
    path.write_bytes(b"\xff" * 101)
    _, found = read(path, max_bytes=100)
    assert found == [f"{SHOWN}:1: file: expected at most 100 bytes, got 101"]


def test_size_limit_allows_exactly_the_limit(content: Path) -> None:
    path = write_contribution(content)
    parsed, found = read(path, max_bytes=len(path.read_bytes()))
    assert (parsed is not None, found) == (True, [])


# Writing front matter


def test_render_front_matter_round_trips(content: Path) -> None:
    write_discussion(content)
    values: dict[str, object] = {
        "translation_of": "2013-07-09-jean-dupont",
        "title": 'Le "jumelage": 100 % # coopération \\ NO',
        "author": "- Aminata Traoré",
        "week": 2,
        "language": "en",
        "date": dt.date(2013, 7, 17),
        "organisation": "yes",
        "country": "NO",
        "in_reply_to": None,
    }
    text = render_front_matter(values)
    assert text.splitlines()[0] == "---"
    assert [line.split(":")[0] for line in text.splitlines()[1:-1]] == [
        "title",
        "author",
        "week",
        "language",
        "date",
        "organisation",
        "country",
        "translation_of",
    ]
    path = write_contribution(content, week=2)
    path.write_text(text + "\nA text.\n", encoding="utf-8")
    shown = "content/discussions/demo/contributions/week-2/" + path.name
    parsed, found = parse_contribution(shown, path.read_text(encoding="utf-8"), FACTS, CID, 2)
    assert found == []
    assert parsed is not None
    read_back = parsed.contribution
    assert {name: getattr(read_back, name) for name in values} == values


# Translations


def test_translation_kind_is_human_or_machine(content: Path) -> None:
    path = write_contribution(content, translation_of="2013-07-09-x", translation="robot")
    assert problems(path) == [f'{SHOWN}:8: translation: expected human or machine, got "robot"']


def test_translation_kind_needs_translation_of(content: Path) -> None:
    path = write_contribution(content, translation="machine")
    assert problems(path) == [
        f"{SHOWN}:7: translation: expected only with translation_of, got it without"
    ]


def test_a_machine_translation_is_read(content: Path) -> None:
    path = write_contribution(content, translation_of="2013-07-09-x", translation="machine")
    assert contribution(path).translation == "machine"
