"""Search figures for `make bench`: index build time, size, and what a first query downloads.

For synthetic archives of 300, 1,000 and 5,000 contributions (bench/synthetic.py), built
with one interface language: the time to build the search index, its bytes on disk and
gzipped (total, per shard, per contribution), and the bytes a browser fetches, gzipped and
everything included (page, CSS, JavaScript, manifest, shards, result details), for a first
query of one common word, of two words and of a prefix, across the archive and within one
discussion. The queries run in headless Chromium on the built site, as a reader's would.

synthetic.py draws its words from a list of about sixty per language, far fewer than real
contributions use; by default each text also gets words from a Zipf-distributed vocabulary
of invented words per language (``--vocabulary realistic``), so that the index has the
long tail of rare terms a real archive has. ``--vocabulary small`` keeps synthetic.py's.

When the ``pagefind`` package is installed (``pip install 'pagefind[bin]'``), the same
contribution pages are indexed by Pagefind and the same queries measured, with the ratio.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import gzip
import http.server
import importlib.util
import itertools
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_archive

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from palabre import searchindex, shards, stemming  # noqa: E402
from palabre.loader import load_archive  # noqa: E402

SIZES = (300, 1000, 5000)
QUERIES = (("one word", "migration"), ("two words", "migration development"), ("prefix", "migr*"))
DETAILS_SHOWN = 10  # results whose details the page fetches first (page.js PAGE_SIZE)
SETTINGS = """
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *
THEME = {theme!r}
PALABRE_LANGUAGES = None
PALABRE_LANGUAGE = "en"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
CACHE_PATH = {cache!r}
"""

# --- A vocabulary with a long tail -----------------------------------------------------------

SYLLABLES = {
    "fr": "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu "
    "ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu "
    "va ve vi vo cha che chi ou oi an en on in é è ê",
    "es": "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu "
    "ma me mi mo mu na ne ni no nu ña ñe pa pe pi po pu ra re ri ro ru sa se si so su ta te ti "
    "to tu va ve vi vo cha che chi lla lle á é í ó ú",
    "en": "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu "
    "ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu "
    "va ve vi vo sha she shi tho thi ea ee oo ou",
}
ENDINGS = {
    "fr": "ment tion tions ique iques eur eurs able ité ités er é ée ent",
    "es": "ción ciones mente ado ada ados idad idades ero era ista ar er ir",
    "en": "tion tions ing ings ment ments ly ness able er ers ity ed",
}
LEXICON_SIZE = 60_000
ZIPF_EXPONENT = 1.07
RARE_SHARE = 0.5  # share of a text's words drawn from the long-tailed vocabulary


def _lexicon(language: str, rng: random.Random) -> list[str]:
    syllables = SYLLABLES[language].split()
    endings = ENDINGS[language].split()
    words: dict[str, None] = {}
    while len(words) < LEXICON_SIZE:
        stem = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))
        words[stem + rng.choice(endings)] = None
    return list(words)


def _zipf_sampler(rng: random.Random) -> Iterator[int]:
    weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, LEXICON_SIZE + 1)]
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    while True:
        yield bisect.bisect_left(cumulative, rng.random() * total)


def enrich_vocabulary(content: Path, seed: int = 7) -> None:
    """Replace half the words of every text with Zipf-distributed invented words."""
    rng = random.Random(seed)
    lexicons = {language: _lexicon(language, rng) for language in SYLLABLES}
    ranks = _zipf_sampler(rng)
    for path in sorted(content.rglob("contributions/*/*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        language = re.search(r"^language: (\w+)$", front, re.MULTILINE).group(1)
        lexicon = lexicons[language]
        words = [
            lexicon[next(ranks)] if rng.random() < RARE_SHARE and word.isalpha() else word
            for word in body.split(" ")
        ]
        path.write_text(f"---\n{front}---\n{' '.join(words)}", encoding="utf-8")


# --- Building --------------------------------------------------------------------------------


def build(content: Path, output: Path, tmp: Path) -> float:
    settings = tmp / "searchconf.py"
    settings.write_text(
        SETTINGS.format(root=str(ROOT), theme=str(ROOT / "theme"), cache=str(tmp / "cache")),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pelican", str(content), "-s", str(settings),
               "-o", str(output), "--fatal", "errors", "-q"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def index_times(content: Path) -> tuple[float, float, float]:
    """Seconds to make the texts (Markdown to plain text), the lunr indexes, the shards."""
    archive = load_archive(content, 1 << 20)
    support = stemming.LanguageSupport(ROOT / "node_modules" / "lunr-languages")
    slugs = [d.slug for d in archive.discussions]
    started = time.perf_counter()
    docs = searchindex.documents(archive)
    texts = time.perf_counter()
    indexes = searchindex.build_indexes(docs, support, slugs)
    lunr = time.perf_counter()
    shards.search_files(indexes, slugs)
    done = time.perf_counter()
    return texts - started, lunr - texts, done - lunr


def gzipped(data: bytes) -> int:
    """Bytes on the wire: already-compressed files (Pagefind's) as they are."""
    return len(data) if data[:2] == b"\x1f\x8b" else len(gzip.compress(data, 6))


# --- Measuring a first query in Chromium -----------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _fetched(browser: object, url: str, site: Path, action: str | None = None) -> dict[str, int]:
    """Gzipped bytes of every file a fresh browser fetches: path -> bytes.

    Palabre's pages forbid eval (Content-Security-Policy script-src 'self'), so the wait
    is done through a locator. Pagefind compiles WebAssembly, which that policy forbids
    unless it allows 'wasm-unsafe-eval': its run (``action``) bypasses the policy.
    """
    context = browser.new_context(bypass_csp=action is not None)
    page = context.new_page()
    paths: list[str] = []
    page.on("requestfinished", lambda request: paths.append(request.url))
    page.goto(url)
    if action:
        page.evaluate(action)
    else:
        expect(page.locator("[data-search-status]")).to_have_text(re.compile(r"\S"), timeout=60_000)
        page.wait_for_load_state("networkidle")
    context.close()
    sizes = {}
    for full in paths:
        local = re.sub(r"^http://[^/]+/", "", full).split("?")[0]
        file = site / local
        if file.is_dir() or not local or local.endswith("/"):
            file = file / "index.html"
        sizes[local or "index.html"] = gzipped(file.read_bytes())
    return sizes


def _kind(path: str) -> str:
    if path.startswith("search/") and "/docs-" in path:
        return "details"
    if path.startswith("search/"):
        return "index"
    if path.endswith(".js") or path.endswith(".wasm") or "wasm" in path:
        return "JS"
    if path.endswith(".css"):
        return "CSS"
    if path.endswith(".html") or path.endswith("/") or path == "index.html":
        return "page"
    return "index"


def _sum(sizes: dict[str, int], kind: str | None = None) -> int:
    return sum(size for path, size in sizes.items() if kind is None or _kind(path) == kind)


PAGEFIND_QUERY = """async () => {{
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.init();
  const search = await pagefind.search({query});
  await Promise.all(search.results.slice(0, {shown}).map((result) => result.data()));
}}"""
# What a page needs to show Pagefind's results, as Palabre's page.js shows its own.
PAGEFIND_UI = ("pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css")


def pagefind_index(site: Path) -> bool:
    """Index the contribution pages with Pagefind, when it is installed."""
    if importlib.util.find_spec("pagefind") is None:
        return False
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--root-selector", "main",
               "--glob", "discussion-*/[0-9]*/index.html", "--quiet"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  Pagefind failed: {done.stderr.strip()[:300]}")
        return False
    return True


def _describe(sizes: dict[str, int]) -> str:
    return (
        f"{_sum(sizes) / 1e3:5.1f} kB (index {_sum(sizes, 'index') / 1e3:.1f}, details "
        f"{_sum(sizes, 'details') / 1e3:.1f}, JS {_sum(sizes, 'JS') / 1e3:.1f}, page+CSS "
        f"{(_sum(sizes, 'page') + _sum(sizes, 'CSS')) / 1e3:.1f})"
    )


def first_queries(output: Path, chromium: str, pagefind: bool) -> None:
    with served(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for label, query in QUERIES:
                q = query.replace(" ", "+")
                ours = _fetched(browser, f"{base}search/?q={q}", output)
                within = _fetched(browser, f"{base}search/?q={q}&discussion=discussion-01", output)
                print(f"  {label:9} {query!r:24} archive {_describe(ours)}")
                print(f"  {'':9} {'':24} one discussion {_describe(within)}")
                if not pagefind:
                    continue
                host = {k: v for k, v in ours.items() if _kind(k) in ("page", "CSS")}
                action = PAGEFIND_QUERY.format(query=json.dumps(query), shown=DETAILS_SHOWN)
                fetched = _fetched(browser, f"{base}search/", output, action)
                theirs = {k: v for k, v in fetched.items() if k.startswith("pagefind/")}
                ui = {name: gzipped((output / name).read_bytes()) for name in PAGEFIND_UI}
                total = _sum(host) + _sum(theirs) + _sum(ui)
                print(
                    f"  {'':9} {'':24} Pagefind {total / 1e3:5.1f} kB (its index and wasm "
                    f"{_sum(theirs) / 1e3:.1f}, its UI {_sum(ui) / 1e3:.1f}, page+CSS "
                    f"{_sum(host) / 1e3:.1f}): Palabre/Pagefind {_sum(ours) / total:.2f}"
                )
        finally:
            browser.close()


def bench_search(total: int, vocabulary: str, chromium: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        content = tmp / "content"
        write_archive(content, total)
        if vocabulary == "realistic":
            enrich_vocabulary(content)
        output = tmp / "output"
        seconds = build(content, output, tmp)
        texts, lunr, split = index_times(content)
        search_dir = output / "search"
        files = list(search_dir.rglob("*.json"))
        raw = sum(p.stat().st_size for p in files)
        packed = {p.relative_to(search_dir).as_posix(): gzipped(p.read_bytes()) for p in files}
        full = [size for name, size in packed.items() if re.fullmatch(r"\w+/shard-\d+\.json", name)]
        languages = len({name.split("/")[0] for name in packed if "/" in name})
        discussions = len(list((content / "discussions").iterdir()))
        print(
            f"search, N={total} ({discussions} discussions, {languages} languages, {vocabulary} "
            f"vocabulary): site built in {seconds:.1f} s; search index {lunr + split:.1f} s "
            f"(lunr {lunr:.1f} s, shards {split:.1f} s; plain texts {texts:.1f} s, shared with "
            f"the pages)"
        )
        whole = sum(full)
        every = sum(packed.values())
        print(
            f"  on disk: {len(files)} files, {raw / 1e6:.2f} MB, {every / 1e6:.2f} MB gzipped "
            f"({every / total / 1e3:.2f} kB per contribution); whole index {whole / 1e6:.2f} MB "
            f"gzipped ({whole / total / 1e3:.2f} kB per contribution) in {len(full)} shards, "
            f"median {statistics.median(full) / 1e3:.1f} kB, largest {max(full) / 1e3:.1f} kB"
        )
        if chromium is None:
            print("  first queries: skipped, Chromium is not installed")
            return
        print(f"  first query, gzipped, everything included, {DETAILS_SHOWN} results' details:")
        first_queries(output, chromium, pagefind_index(output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--vocabulary", choices=("realistic", "small"), default="realistic")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for total in args.sizes:
        bench_search(total, args.vocabulary, chromium)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
