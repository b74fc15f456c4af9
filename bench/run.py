"""`make bench`: build the sample site and synthetic archives, print times and sizes.

Each build runs a real command in a child process, so that its time and peak memory are
measured alone: `palabre build` (Pelican with Palabre's plugins, what `make html` runs)
for Palabre, `pelican` for the same texts built by plain Pelican (its default theme and
Markdown reader), so that the ratio means something on a noisy machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import main as search_figures
from synthetic import write_archive, write_plain_pelican

ROOT = Path(__file__).resolve().parent.parent
PLAIN_SETTINGS = """
SITENAME = "Plain Pelican"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
DEFAULT_PAGINATION = 10
CACHE_CONTENT = False
"""


PELICAN = ("-m", "pelican")
PALABRE = ("-c", "from palabre.cli import run; run()", "build")


def _pelican(
    content: Path, settings: Path, output: Path, command: tuple[str, ...] = PALABRE
) -> tuple[float, float]:
    """Wall time in seconds and peak memory in MiB of one build."""
    argv = [sys.executable, *command, str(content), "-s", str(settings),
            "-o", str(output), "--fatal", "errors", "-q"]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        child = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            log.seek(0)
            sys.exit(f"build failed:\n{log.read().decode('utf-8', 'replace')}")
    return elapsed, usage.ru_maxrss / 1024


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench_sample() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "output"
        seconds, memory = _pelican(ROOT / "content", ROOT / "pelicanconf.py", output)
        files, size = _size(output)
        print(f"sample site: {seconds:.2f} s, {files} files, {size / 1e6:.2f} MB, "
              f"peak {memory:.0f} MiB")  # fmt: skip


def _settings(tmp_path: Path, name: str, languages: list[str]) -> Path:
    """The project's pelicanconf.py with the interface languages and cache of this run."""
    path = tmp_path / f"{name}.py"
    path.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPALABRE_LANGUAGES = {languages!r}\n"
        f"CACHE_PATH = {str(tmp_path / ('cache-' + name))!r}\n",
        encoding="utf-8",
    )
    return path


REBUILD_ROUNDS = 3


def _rebuilds(content: Path, settings: Path, output: Path) -> str:
    """Times of a rebuild after no change, after editing one contribution, after adding one:
    the best of a few rounds, each leaving the content as it found it, and the slowest."""
    edited = next(
        path
        for path in sorted(content.rglob("week-1/*.md"))
        if "translation_of" not in path.read_text(encoding="utf-8")
    )
    original = edited.read_text(encoding="utf-8")
    added = edited.with_name(edited.stem[:10] + "-bench-added.md")
    times: dict[str, list[float]] = {"no change": [], "edit one": [], "add one": []}
    for round_ in range(REBUILD_ROUNDS):
        times["no change"].append(_pelican(content, settings, output)[0])
        edited.write_text(original + f"\nAn added sentence ({round_}).\n", "utf-8")
        times["edit one"].append(_pelican(content, settings, output)[0])
        added.write_text(original, "utf-8")
        times["add one"].append(_pelican(content, settings, output)[0])
        added.unlink()
        edited.write_text(original, "utf-8")
        _pelican(content, settings, output)
    return ", ".join(
        f"{name} {min(values):.2f} s (slowest {max(values):.2f})" for name, values in times.items()
    )


def bench_size(total: int, rebuilds: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        content = tmp_path / "content"
        contributions = write_archive(content, total)
        plain_content = tmp_path / "plain"
        write_plain_pelican(plain_content, contributions)
        plain_settings = tmp_path / "plainconf.py"
        plain_settings.write_text(PLAIN_SETTINGS, encoding="utf-8")
        plain_time, plain_memory = _pelican(
            plain_content, plain_settings, tmp_path / "out-plain", PELICAN
        )
        print(f"N={total:>6}: plain Pelican {plain_time:6.2f} s (peak {plain_memory:.0f} MiB)")
        for name, languages in (("one-language", ["en"]), ("three-languages", ["en", "fr", "es"])):
            settings = _settings(tmp_path, name, languages)
            output = tmp_path / f"out-{name}"
            seconds, memory = _pelican(content, settings, output)
            files, size = _size(output)
            print(
                f"  palabre, {name:15}: {seconds:6.2f} s "
                f"({1000 * seconds / total:.1f} ms/contribution, peak {memory:.0f} MiB, "
                f"{files} files, {size / 1e6:.1f} MB), ratio to Pelican {seconds / plain_time:.2f}"
            )
            if rebuilds:
                print(f"    rebuilds: {_rebuilds(content, settings, output)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--large", action="store_true", help="also build 10,000 contributions")
    parser.add_argument("--no-rebuilds", action="store_true", help="skip the rebuild timings")
    parser.add_argument(
        "--search",
        choices=("yes", "no", "only"),
        default="yes",
        help="the search section (bench/search.py): after the builds, skipped, or alone",
    )
    args = parser.parse_args(argv)
    if args.search != "only":
        bench_sample()
        for total in args.sizes + ([10_000] if args.large else []):
            bench_size(total, rebuilds=not args.no_rebuilds)
    if args.search != "no":
        search_figures([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
