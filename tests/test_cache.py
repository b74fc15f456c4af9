"""The cache kept between builds: a dictionary in one file, with small changes appended."""

from __future__ import annotations

from pathlib import Path

from palabre.incremental import Cache


def cache(folder: Path) -> Cache:
    return Cache(folder, "test").load()


def build(folder: Path, used: list[str], added: dict[str, str]) -> Cache:
    """One build: load, use some entries, add others, save."""
    current = cache(folder)
    for key in used:
        assert current.get(key) is not None, key
    for key, value in added.items():
        current.put(key, value)
    current.save()
    return current


def entries(folder: Path) -> dict[str, str]:
    return dict(cache(folder).data)


def test_entries_are_kept_between_builds(tmp_path: Path) -> None:
    assert entries(tmp_path) == {}
    build(tmp_path, [], {"a": "1", "b": "2"})
    assert entries(tmp_path) == {"a": "1", "b": "2"}


def test_unused_entries_are_dropped(tmp_path: Path) -> None:
    build(tmp_path, [], {"a": "1", "b": "2"})
    build(tmp_path, ["a"], {})
    assert entries(tmp_path) == {"a": "1"}


def test_a_build_that_changes_nothing_writes_nothing(tmp_path: Path) -> None:
    build(tmp_path, [], {"a": "1"})
    before = (tmp_path / "test.pickle").stat()
    build(tmp_path, ["a"], {})
    after = (tmp_path / "test.pickle").stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)


def test_small_changes_are_appended(tmp_path: Path) -> None:
    big = {f"key-{n}": "x" * 1000 for n in range(100)}
    build(tmp_path, [], big)
    size = (tmp_path / "test.pickle").stat().st_size
    build(tmp_path, [*list(big)[1:]], {"new": "y"})
    grown = (tmp_path / "test.pickle").stat().st_size - size
    assert 0 < grown < 1000
    expected = {**big, "new": "y"}
    del expected["key-0"]
    assert entries(tmp_path) == expected


def test_the_file_is_written_whole_again_once_changes_add_up(tmp_path: Path) -> None:
    build(tmp_path, [], {f"key-{n}": "x" * 100 for n in range(8)})
    size = (tmp_path / "test.pickle").stat().st_size
    keys = [f"key-{n}" for n in range(8)]
    build(tmp_path, keys, {"new-1": "y", "new-2": "y"})  # 2 changes in 10 entries: appended
    assert (tmp_path / "test.pickle").stat().st_size > size
    assert Cache(tmp_path, "test").load().changes == 1
    build(tmp_path, [*keys, "new-1", "new-2"], {"new-3": "y"})  # 3 in 11: written whole
    assert Cache(tmp_path, "test").load().changes == 0
    assert entries(tmp_path) == {
        **dict.fromkeys(keys, "x" * 100),
        **dict.fromkeys(["new-1", "new-2", "new-3"], "y"),
    }


def test_at_most_so_many_changes_are_appended(tmp_path: Path) -> None:
    keys = [f"key-{n}" for n in range(1000)]
    build(tmp_path, [], dict.fromkeys(keys, "x"))
    for n in range(Cache.MAX_CHANGES + 1):
        build(tmp_path, keys, {f"new-{n}": "y"})
        keys.append(f"new-{n}")
    assert Cache(tmp_path, "test").load().changes == 0
    assert entries(tmp_path) == {key: "y" if key.startswith("new") else "x" for key in keys}


def test_a_change_cut_short_ends_the_reading_and_the_file_is_written_again(
    tmp_path: Path,
) -> None:
    keys = [f"key-{n}" for n in range(100)]
    build(tmp_path, [], dict.fromkeys(keys, "x"))
    build(tmp_path, keys, {"first": "y"})
    path = tmp_path / "test.pickle"
    size = path.stat().st_size
    build(tmp_path, [*keys, "first"], {"second": "z"})
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size - 5)
    loaded = cache(tmp_path)
    assert (loaded.get("first"), loaded.get("second"), loaded.appendable) == ("y", None, False)
    build(tmp_path, [*keys, "first"], {"third": "t"})
    assert path.stat().st_size < size + 100  # written whole, without the broken change
    assert entries(tmp_path) == {**dict.fromkeys(keys, "x"), "first": "y", "third": "t"}


def test_a_change_with_other_bytes_is_not_applied(tmp_path: Path) -> None:
    keys = [f"key-{n}" for n in range(100)]
    build(tmp_path, [], dict.fromkeys(keys, "x"))
    path = tmp_path / "test.pickle"
    size = path.stat().st_size
    build(tmp_path, keys, {"new": "value-1"})
    data = path.read_bytes()
    path.write_bytes(data[:size] + data[size:].replace(b"value-1", b"value-2"))
    assert entries(tmp_path) == dict.fromkeys(keys, "x")


def test_an_unreadable_file_is_an_empty_cache(tmp_path: Path) -> None:
    (tmp_path / "test.pickle").write_bytes(b"not a pickle")
    assert entries(tmp_path) == {}
    build(tmp_path, [], {"a": "1"})
    assert entries(tmp_path) == {"a": "1"}


def test_saving_twice_writes_once(tmp_path: Path) -> None:
    keys = [f"key-{n}" for n in range(100)]
    build(tmp_path, [], dict.fromkeys(keys, "x"))
    current = build(tmp_path, keys, {"new": "y"})
    size = (tmp_path / "test.pickle").stat().st_size
    current.save()
    assert (tmp_path / "test.pickle").stat().st_size == size
    assert entries(tmp_path) == {**dict.fromkeys(keys, "x"), "new": "y"}
