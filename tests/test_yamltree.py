"""The strict YAML subset: text stays text, nothing unsafe is honoured, lines are right.

Every test runs with both of PyYAML's parsers (libyaml's and the pure-Python one), since
``yamltree`` uses whichever is installed and they report events slightly differently.
"""

from __future__ import annotations

import time

import pytest
import yaml

from palabre import yamltree
from palabre.model import Problem
from palabre.yamltree import (
    MAX_DEPTH,
    Mapping,
    Scalar,
    Sequence,
    YamlProblem,
    field_name,
    parse,
    problem_at,
    quote,
)

LOADERS = [
    pytest.param(yaml.SafeLoader, id="python"),
    pytest.param(
        getattr(yaml, "CSafeLoader", None),
        id="libyaml",
        marks=pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="no libyaml"),
    ),
]


@pytest.fixture(autouse=True, params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamltree, "_Loader", request.param)


def problem(text: str, first_line: int = 1) -> tuple[int, str, str]:
    with pytest.raises(YamlProblem) as caught:
        parse(text, first_line=first_line)
    return caught.value.line, caught.value.field, caught.value.message


def values(text: str) -> dict[str, str]:
    root = parse(text)
    assert isinstance(root, Mapping)
    result = {}
    for key, value in root.items:
        assert isinstance(value, Scalar)
        result[key.value] = value.value
    return result


# Scalars


def test_scalars_stay_the_text_that_was_written() -> None:
    text = (
        "country: NO\n"
        "week: 1.0\n"
        "answer: yes\n"
        "octal: 0o17\n"
        "date: 2013-07-10\n"
        "time: 12:30:00\n"
        "sexagesimal: 1:20\n"
        "infinity: .inf\n"
        "quoted: '007'\n"
        "spaces:   padded text   \n"
    )
    assert values(text) == {
        "country": "NO",
        "week": "1.0",
        "answer": "yes",
        "octal": "0o17",
        "date": "2013-07-10",
        "time": "12:30:00",
        "sexagesimal": "1:20",
        "infinity": ".inf",
        "quoted": "007",
        "spaces": "padded text",
    }


def test_unquoted_empty_and_tilde_are_null_but_quoted_ones_are_text() -> None:
    root = parse("empty:\ntilde: ~\nquoted_empty: ''\nquoted_tilde: \"~\"\nzero: 0\n")
    assert isinstance(root, Mapping)
    nodes = {key.value: value for key, value in root.items}
    assert {name: node.is_null for name, node in nodes.items()} == {
        "empty": True,
        "tilde": True,
        "quoted_empty": False,
        "quoted_tilde": False,
        "zero": False,
    }
    assert [node.describe() for node in nodes.values()] == [
        "nothing",
        "nothing",
        '""',
        '"~"',
        '"0"',
    ]


def test_plain_flag_follows_the_quoting() -> None:
    root = parse("a: x\nb: 'x'\nc: \"x\"\nd: |\n  x\n")
    assert isinstance(root, Mapping)
    assert [value.plain for _, value in root.items] == [True, False, False, False]


def test_nodes_carry_their_line_shifted_by_first_line() -> None:
    root = parse("title: T\nlist:\n  - one\n  - two\nmap: {k: v}\n", first_line=2)
    assert isinstance(root, Mapping)
    assert root.line == 2
    assert root.keys() == ["title", "list", "map"]
    title, items, mapping = (value for _, value in root.items)
    assert title == Scalar("T", 2, plain=True)
    assert isinstance(items, Sequence)
    assert [item.line for item in items.items] == [4, 5]
    assert isinstance(mapping, Mapping)
    assert mapping.line == 6
    assert mapping.get("k") == Scalar("v", 6, plain=True)
    assert mapping.get("missing") is None


def test_empty_document_is_none() -> None:
    assert parse("") is None
    assert parse("# only a comment\n\n") is None


def test_describe_containers() -> None:
    root = parse("l: [a]\nm: {a: b}\n")
    assert isinstance(root, Mapping)
    assert [value.describe() for _, value in root.items] == ["a list", "a mapping"]


# Anchors and aliases


def test_anchor_is_refused_on_its_line() -> None:
    assert problem("a: 1\nb: &x 2\n") == (2, "yaml", "expected plain values, got an anchor (&name)")


def test_anchor_on_a_mapping_is_refused() -> None:
    assert problem("base: &b {x: 1}\n", first_line=2) == (
        2,
        "yaml",
        "expected plain values, got an anchor (&name)",
    )


def test_alias_is_refused_on_its_line() -> None:
    assert problem("a: 1\nb: *x\n") == (2, "yaml", "expected plain values, got an alias (*name)")


def test_billion_laughs_is_refused_fast() -> None:
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
    lines.append("title: *lol9")
    started = time.perf_counter()
    assert problem("\n".join(lines) + "\n") == (
        1,
        "yaml",
        "expected plain values, got an anchor (&name)",
    )
    assert time.perf_counter() - started < 0.5


# Tags


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        (
            "a: !!python/object/apply:os.system ['echo pwned']\n",
            "tag:yaml.org,2002:python/object/apply:os.system",
        ),
        ("a: !!python/name:os.system\n", "tag:yaml.org,2002:python/name:os.system"),
        ("a: !!str 1\n", "tag:yaml.org,2002:str"),
        ("a: !!str '1'\n", "tag:yaml.org,2002:str"),
        ("a: !!int 1\n", "tag:yaml.org,2002:int"),
        ("a: !foo bar\n", "!foo"),
        ("a: ! bar\n", "!"),
        ("a: !!map {b: 1}\n", "tag:yaml.org,2002:map"),
        ("a: !!seq [b]\n", "tag:yaml.org,2002:seq"),
        ("%TAG !e! tag:example.com,2000:\n---\na: !e!foo x\n", "tag:example.com,2000:foo"),
    ],
)
def test_tags_are_refused(text: str, tag: str) -> None:
    line = text.count("\n")
    assert problem(text) == (line, "yaml", f'expected plain values, got a tag ("{tag}")')


def test_non_specific_tag_on_a_quoted_scalar_is_plain_text() -> None:
    # Some PyYAML versions report "!" for any quoted scalar; it means "text", which is fine.
    assert values("a: ! 'x'\n") == {"a": "x"}


# Keys


def test_duplicate_key_reports_second_line_and_first() -> None:
    assert problem("a: 1\nb: 2\na: 3\n", first_line=2) == (
        4,
        "a",
        "expected each key once, got a duplicate (first on line 2)",
    )


def test_duplicate_key_in_a_nested_mapping() -> None:
    assert problem("weeks:\n  - number: 1\n    title: x\n    number: 2\n") == (
        4,
        "number",
        "expected each key once, got a duplicate (first on line 2)",
    )


def test_duplicate_odd_key_is_named_quoted() -> None:
    assert problem('"my key": 1\n"my key": 2\n') == (
        2,
        '"my key"',
        "expected each key once, got a duplicate (first on line 1)",
    )


def test_same_key_in_different_mappings_is_fine() -> None:
    root = parse("a: {x: 1}\nb: {x: 2}\n")
    assert isinstance(root, Mapping)
    assert root.keys() == ["a", "b"]


def test_non_text_key_is_refused() -> None:
    assert problem("? [a, b]\n: 1\n") == (1, "yaml", "expected a text key, got a list")
    assert problem("{x: 1}: 1\n") == (1, "yaml", "expected a text key, got a mapping")


# Nesting


def test_reasonable_nesting_is_accepted() -> None:
    root = parse("a:\n  b:\n    c:\n      - [d, {e: f}]\n")
    assert isinstance(root, Mapping)


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    depth = MAX_DEPTH + 5
    assert problem("[" * depth + "]" * depth) == (
        1,
        "yaml",
        f"expected at most {MAX_DEPTH} levels of nesting, got more",
    )


def test_nested_mappings_deeper_than_the_limit_are_refused_on_the_deep_line() -> None:
    text = "".join(" " * level + "k:\n" for level in range(MAX_DEPTH + 5)) + " " * 30 + "v\n"
    # Line n holds a key inside n mappings: the first one too deep is on line MAX_DEPTH + 1.
    assert problem(text) == (
        MAX_DEPTH + 1,
        "yaml",
        f"expected at most {MAX_DEPTH} levels of nesting, got more",
    )


def test_absurd_nesting_fails_cleanly_and_fast() -> None:
    # No RecursionError and no long wait. libyaml stops by itself at 1,000 levels; the
    # pure-Python parser slows down sharply with depth (about 0.7 s at 800 levels), so it
    # is only asked for a few hundred.
    depth = 100_000 if yamltree._Loader is getattr(yaml, "CSafeLoader", None) else 300
    started = time.perf_counter()
    line, field, message = problem("[" * depth + "]" * depth)
    assert (line, field) == (1, "yaml")
    assert message.startswith("expected ")
    assert time.perf_counter() - started < 2


# Syntax errors


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: [\n", 12),  # reported where the stream ends
        ("a: 1\n b: 2\n", 11),
        ("a: 1\n\tb: 2\n", 11),
        ("a: 1\nb: c: d\n", 11),
        ("a: 1\n- b\n", 11),
        ("a: 'unclosed\n", 11),
    ],
)
def test_syntax_error_line_counts_from_first_line(text: str, line: int) -> None:
    found_line, field, message = problem(text, first_line=10)
    assert (found_line, field) == (line, "yaml")
    assert message.startswith("expected valid YAML, got a syntax error: ")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("a: 1\nb: x\x07y\n", 3, "0007"),
        ("a: é\nb: \x1b[31mred\n", 3, "001B"),
        ("a: \ufffe\n", 2, "FFFE"),
    ],
)
def test_control_character_is_one_line_on_its_line(text: str, line: int, code: str) -> None:
    assert problem(text, first_line=2) == (
        line,
        "yaml",
        f"expected text without control characters, got U+{code}",
    )


# Documents


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\n---\nb: 2\n", 3), ("a: 1\n...\n---\nb: 2\n", 4), ("a: 1\n--- \n", 3)],
)
def test_several_documents_are_refused(text: str, line: int) -> None:
    assert problem(text, first_line=2) == (line, "yaml", "expected one YAML document, got several")


def test_explicit_single_document_is_fine() -> None:
    assert values("---\na: 1\n...\n") == {"a": "1"}


# Helpers used in messages


def test_quote_makes_untrusted_text_visible_and_short() -> None:
    assert quote("Aminata") == '"Aminata"'
    assert quote("a\u202eb\tc\n") == '"a\\u202eb\\u0009c\\u000a"'
    assert quote("x" * 100) == '"' + "x" * 59 + '…"'
    assert quote("x" * 60) == '"' + "x" * 60 + '"'


def test_field_name_quotes_anything_but_a_simple_name() -> None:
    assert field_name("in_reply_to") == "in_reply_to"
    assert field_name("save-as") == "save-as"
    assert field_name("my key") == '"my key"'
    assert field_name("a\u202eb") == '"a\\u202eb"'
    assert field_name("k" * 50) == '"' + "k" * 39 + '…"'


def test_problem_at_keeps_line_field_and_message() -> None:
    error = YamlProblem(4, "expected x, got y", field="week")
    assert problem_at("content/a.md", error) == Problem(
        "content/a.md", 4, "week", "expected x, got y"
    )
    assert str(problem_at("content/a.md", error)) == "content/a.md:4: week: expected x, got y"
