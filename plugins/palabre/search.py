"""Pelican adapter for search: the index files under ``search/``, lunr.js, and the search page.

The indexing is pure (``searchindex``, ``shards``, ``stemming``); this module finds the
archive the pages generator read, writes what those modules return, copies lunr.js and
lunr-languages from ``node_modules`` (installed by ``make install``; never a CDN) and
writes one search page per interface language.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import snowballstemmer
from pelican import signals
from pelican.generators import Generator

from . import i18n, searchindex, shards
from .incremental import Cache, code_digest, digest
from .model import Archive
from .output import output_path, page_context, write_if_changed
from .pages import LANGUAGE_SCRIPT
from .settings import interface_languages, with_defaults
from .stemming import LanguageSupport, SearchSetupError
from .views import SiteView, save_as

logger = logging.getLogger(__name__)

SEARCH_DIR = "search"
SEARCH_URL = "search/"
VENDOR_DIR = "theme/js/vendor"
PAGE_SCRIPT = "theme/js/search/page.js"
STYLESHEET = "theme/css/search.css"
# (file in node_modules, name in the built site); lunr-languages only for indexed languages.
LUNR_FILES = (
    ("lunr/lunr.min.js", "lunr.min.js"),
    ("lunr/LICENSE", "lunr.LICENSE.txt"),
    ("lunr-languages/LICENSE", "lunr-languages.LICENSE.txt"),
    ("lunr-languages/min/lunr.stemmer.support.min.js", "lunr.stemmer.support.min.js"),
)
LANGUAGE_FILES = {code: f"lunr-languages/min/lunr.{code}.min.js" for code in ("fr", "es")}
ASSETS_HELP = "run `make install` (it runs `npm ci`)"


def node_modules() -> Path:
    """The ``node_modules`` folder holding lunr: the project's, or the current folder's."""
    candidates = [Path.cwd() / "node_modules", Path(__file__).resolve().parents[2] / "node_modules"]
    for folder in candidates:
        if (folder / "lunr" / "lunr.min.js").is_file():
            return folder
    raise SearchSetupError(
        f"lunr.js: expected it in {candidates[0]} or {candidates[1]} ({ASSETS_HELP}), got nothing"
    )


@dataclass(frozen=True)
class SearchPage:
    """What the search template needs besides the site: filters and where things are."""

    discussions: list[tuple[str, str, str]]  # (slug, title, language of the title)
    weeks: list[int]
    languages: list[str]
    scripts: list[str]  # lunr and lunr-languages, in load order, relative to the site root


def search_page(site: SiteView, languages: list[str]) -> dict[str, Any]:
    """Template values of the search page of ``site`` (one interface language).

    For the pages generator to call once it writes this page itself, with
    ``Page("search/", "search", search_page(site, languages))``.
    """
    weeks = sorted({week.number for d in site.discussions for week in d.weeks})
    scripts = [f"{VENDOR_DIR}/lunr.min.js"]
    stemmed = [code for code in languages if code in LANGUAGE_FILES]
    if stemmed:
        scripts.append(f"{VENDOR_DIR}/lunr.stemmer.support.min.js")
        scripts += [f"{VENDOR_DIR}/lunr.{code}.min.js" for code in stemmed]
    page = SearchPage(
        discussions=[(d.slug, d.title, d.title_language) for d in site.discussions],
        weeks=weeks,
        languages=languages,
        scripts=scripts,
    )
    return {"search": page, "search_stylesheet": STYLESHEET, "search_script": PAGE_SCRIPT}


def cached_texts(cache: Cache) -> searchindex.TextOf:
    """``searchindex.plain_and_excerpt``, kept between builds by the HTML's digest."""
    version = code_digest()

    def text_of(html: str) -> tuple[str, str]:
        key = digest("search text", version, html)
        found = cache.get(key)
        if found is None:
            found = searchindex.plain_and_excerpt(html)
            cache.put(key, found)
        return found

    return text_of


class SearchGenerator(Generator):
    """Writes ``search/``, lunr's files and the search pages, after the pages generator."""

    pages_generator: Any = None  # set when every generator exists (see register)

    def generate_output(self, writer: Any) -> None:
        pages = self.pages_generator
        if pages is None or not getattr(pages, "sites", None):
            raise SearchSetupError("palabre.search: expected the palabre.pages plugin before it")
        started = time.perf_counter()
        modules = node_modules()
        support = LanguageSupport(modules / "lunr-languages")
        default = self.context["palabre"]
        archive = Archive(tuple(d.discussion for d in default.discussions))
        rendered = {
            f"{c.discussion}/{c.id}": str(c.html)
            for d in default.discussions
            for c in d.contributions
        }
        cache = Cache(Path(self.settings["CACHE_PATH"]), "palabre-search").load()
        docs = searchindex.documents(archive, rendered, cached_texts(cache))
        texts = time.perf_counter()
        slugs = [d.slug for d in archive.discussions]
        counts = cached_counts(cache, support, modules)
        indexes = searchindex.build_indexes(docs, support, slugs, counts)
        weights = time.perf_counter()
        files = shards.search_files(indexes, slugs)
        changed = self.write_index(files)
        cache.save()
        self.copy_lunr(modules, list(indexes))
        self.write_pages(pages, list(indexes))
        logger.info(
            "Palabre: search index of %d texts in %d languages (%d term counts computed): "
            "%d files, %d changed, in %.1f s (texts %.1f s, index %.1f s, files %.1f s)",
            len(docs),
            len(indexes),
            counts.computed,  # type: ignore[attr-defined]
            len(files),
            changed,
            time.perf_counter() - started,
            texts - started,
            weights - texts,
            time.perf_counter() - weights,
        )

    def write_index(self, files: dict[str, str]) -> int:
        """Write ``search/``; remove index files an earlier build left that are not in it."""
        root = Path(self.output_path) / SEARCH_DIR
        changed = sum(
            write_if_changed(output_path(root, name), text) for name, text in sorted(files.items())
        )
        wanted = {root / name for name in files}
        for stale in sorted(root.rglob("*.json")):
            if stale not in wanted:
                stale.unlink()
        # A removed discussion's or language's folder goes too, as a full build has none.
        for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
        return changed

    def copy_lunr(self, modules: Path, languages: list[str]) -> None:
        wanted = list(LUNR_FILES) + [
            (source, source.rsplit("/", 1)[1])
            for code, source in LANGUAGE_FILES.items()
            if code in languages
        ]
        target = Path(self.output_path) / VENDOR_DIR
        for source, name in wanted:
            path = modules / source
            if not path.is_file():
                raise SearchSetupError(f"{path}: expected a file ({ASSETS_HELP}), got nothing")
            write_if_changed(target / name, path.read_bytes())

    def write_pages(self, pages: Any, languages: list[str]) -> None:
        """One search page per interface language, and at the root what the others have."""
        values = with_defaults(self.settings)
        codes = interface_languages(values)
        prefixes = {code: "" if len(codes) == 1 else f"{code}/" for code in codes}
        alternates = [(c, p + SEARCH_URL) for c, p in prefixes.items()] if len(codes) > 1 else []
        for site in pages.sites.values():
            self.use_language(site.language)
            url = site.prefix + SEARCH_URL
            self.write(
                url,
                "search",
                palabre=site,
                ui_language=site.language,
                page_path=SEARCH_URL,
                alternates=alternates,
                canonical=prefixes[site.language] + SEARCH_URL if not site.prefix else None,
                language_script=LANGUAGE_SCRIPT,
                **search_page(site, languages),
            )
        if len(codes) > 1 and values["PALABRE_ROOT"] == "redirect":
            self.use_language(codes[0])
            self.write(
                SEARCH_URL,
                "redirect",
                ui_language=codes[0],
                page_path=SEARCH_URL,
                target=prefixes[codes[0]] + SEARCH_URL,
                alternates=alternates,
                language_script=LANGUAGE_SCRIPT,
            )

    def write(self, url: str, template: str, **values: Any) -> None:
        """Render one page; write it only if its bytes changed, as the pages generator does."""
        name = save_as(url)
        local = page_context(
            self.context, name, self.settings["RELATIVE_URLS"], {"page_url": url, **values}
        )
        write_if_changed(
            output_path(self.output_path, name), self.get_template(template).render(local)
        )

    def use_language(self, language: str) -> None:
        translations = Path(self.theme) / "translations"
        self.env.install_gettext_translations(
            i18n.translations(translations, language), newstyle=True
        )


def cached_counts(
    cache: Cache, support: LanguageSupport, modules: Path
) -> Callable[[searchindex.SearchDocument], searchindex.FieldCounts]:
    """``searchindex.document_terms``, kept in ``cache`` between builds.

    A document's term counts depend on its fields, its language and the pipeline only
    (Palabre's code, lunr-languages' stop words, the Snowball stemmers), so they are kept
    by a digest of those; only the weights, which depend on every document, are computed
    on every build (``searchindex.build_from_counts``).
    """
    package = modules / "lunr-languages" / "package.json"
    version = digest(
        "search-terms",
        code_digest(),
        package.read_bytes() if package.is_file() else b"",
        getattr(snowballstemmer, "__version__", ""),
    )

    def counts(doc: searchindex.SearchDocument) -> searchindex.FieldCounts:
        key = digest(version, doc.language, *searchindex.field_values(doc))
        found = cache.get(key)
        if found is None:
            found = searchindex.document_terms(doc, support)
            cache.put(key, found)
            counts.computed += 1  # type: ignore[attr-defined]
        return found

    counts.computed = 0  # type: ignore[attr-defined]
    return counts


def get_generators(_: Any) -> type[Generator]:
    return SearchGenerator


def find_pages_generator(generators: list[Generator]) -> None:
    search = [g for g in generators if isinstance(g, SearchGenerator)]
    pages = next((g for g in generators if hasattr(g, "sites")), None)
    for generator in search:
        generator.pages_generator = pages


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.all_generators_finalized.connect(find_pages_generator)
