"""Pelican adapter for search: the index files under ``search/``, lunr.js, and the search page.

The indexing is pure (``searchindex``, ``shards``, ``stemming``); this module finds the
archive the pages generator read, writes what those modules return, copies lunr.js and
lunr-languages from ``node_modules`` (installed by ``make install``; never a CDN) and
writes one search page per interface language.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import time
import unicodedata
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

from . import i18n, searchindex, shards
from .dependencies import digest
from .incremental import code_digest
from .model import Archive, Contribution
from .output import output_path, overwrite, page_context, write_if_changed
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
        views: dict[str, dict[str, Any]] = {}

        def html_of(contribution: Contribution) -> str | None:
            """The HTML the pages show, for the texts read again (views found when asked)."""
            if contribution.discussion not in views:
                views.update(
                    (d.discussion.slug, {v.contribution.id: v for v in d.contributions})
                    for d in default.discussions
                    if d.discussion.slug == contribution.discussion
                )
            view = views.get(contribution.discussion, {}).get(contribution.id)
            return None if view is None else str(view.html)

        cache = Path(self.settings["CACHE_PATH"])
        kept = KeptSearch(
            cache / KEPT_FILE, index_version(modules, support), Path(self.output_path)
        )
        (cache / OLD_CACHE_FILE).unlink(missing_ok=True)  # what earlier versions kept
        slugs = [d.slug for d in archive.discussions]
        # What each discussion's files were (the loader's digests), when the loader says.
        read_files = [getattr(d, "file_digests", None) or None for d in archive.discussions]
        texts = time.perf_counter()
        files: dict[str, bytes] = {}
        if kept.same_archive(slugs, read_files) and all(map(kept.intact, kept.languages)):
            # Not one file of the archive changed, nor any index file: nothing to index.
            read = 0
        else:
            read = self.index(archive, html_of, support, kept, files)
        kept.archive = (slugs, read_files)
        entries = [language.entry for language in kept.languages.values()]
        files[shards.MANIFEST] = shards.manifest(entries, slugs).encode("utf-8")
        weights = time.perf_counter()
        changed = self.write_index(files, kept)
        self.copy_lunr(modules, list(kept.languages))
        self.write_pages(pages, list(kept.languages), kept)
        kept.save()
        logger.info(
            "Palabre: search index of %d texts in %d languages (%d read again): "
            "%d files, %d changed, in %.2f s (texts %.2f s, index %.2f s, files %.2f s)",
            sum(entry["documents"] for entry in entries),
            len(entries),
            read,
            len(kept.files),
            changed,
            time.perf_counter() - started,
            texts - started,
            weights - texts,
            time.perf_counter() - weights,
        )

    def index(
        self,
        archive: Archive,
        html_of: searchindex.HtmlOf,
        support: LanguageSupport,
        kept: KeptSearch,
        files: dict[str, bytes],
    ) -> int:
        """Index every language again, reading only the texts ``kept`` lacks; the files of
        each language that changed go into ``files``. Returns how many texts were read.

        When ``kept`` knows which discussions' files changed, only their texts are looked
        at (``changed_only``); otherwise every text is, and compared with ``kept``.
        """
        slugs = [d.slug for d in archive.discussions]
        changed = kept.changed_discussions(
            slugs, [getattr(d, "file_digests", None) or None for d in archive.discussions]
        )
        if changed is not None:
            read = self.changed_only(
                archive, changed, html_of=html_of, support=support, kept=kept, files=files
            )
            if read is not None:
                return read
            files.clear()
            kept.intact_languages.clear()
        found = searchindex.sources(archive, html_of)
        firsts = _firsts(found)
        by_language: dict[str, list[searchindex.Source]] = {}
        for source in found:
            by_language.setdefault(source.language, []).append(source)
        read = 0
        languages = {}
        for code, group in by_language.items():
            group.sort(key=attrgetter("order"))
            before = kept.languages.get(code)
            previous = None if before is None else before.index()
            index, count = searchindex.index_language(previous, group, support)
            read += count
            if before is not None and index is previous and kept.intact(code):
                if before.discussions != slugs:  # the same files; discussions numbered anew
                    places = [(key[0], key[1]) for key in index.keys]
                    entry = {**before.entry, "groups": shards.groups(places, slugs)}
                    before = KeptLanguage(entry, slugs, firsts[code], before.packed, index)
                elif before.firsts != firsts[code]:
                    before = KeptLanguage(before.entry, slugs, firsts[code], before.packed, index)
            else:
                found_files, entry = shards.language_files(
                    language_table(code, index, support), slugs
                )
                files.update(found_files)
                before = KeptLanguage(entry, slugs, firsts[code], kept_index=index)
            languages[code] = before
        kept.languages = languages
        return read

    def changed_only(
        self,
        archive: Archive,
        changed: set[str],
        *,
        html_of: searchindex.HtmlOf,
        support: LanguageSupport,
        kept: KeptSearch,
        files: dict[str, bytes],
    ) -> int | None:
        """``index`` for an archive whose discussions are those of the last build, the files
        of only ``changed`` ones changed: the texts of the others are not looked at, nor
        the index of a language none of them has or had. None when ``kept`` lacks a part.
        """
        slugs = [d.slug for d in archive.discussions]
        position = {slug: n for n, slug in enumerate(slugs)}
        found = searchindex.sources(archive, html_of, only=changed)
        new: dict[str, list[searchindex.Source]] = {}
        for source in found:
            new.setdefault(source.language, []).append(source)
        # Each language's first text in each discussion: languages go in the order of
        # their first texts in the archive.
        firsts = {
            code: {slug: n for slug, n in language.firsts.items() if slug not in changed}
            for code, language in kept.languages.items()
        }
        for code, places in _firsts(found).items():
            firsts.setdefault(code, {}).update(places)
        order = sorted(
            (code for code, places in firsts.items() if places),
            key=lambda code: min((position[slug], n) for slug, n in firsts[code].items()),
        )
        read = 0
        languages = {}
        for code in order:
            before = kept.languages.get(code)
            if before is not None and before.discussions != slugs:
                return None
            affected = code in new or (before is not None and not changed.isdisjoint(before.firsts))
            if before is not None and not affected and kept.intact(code):
                languages[code] = before
                continue
            previous = None if before is None else before.index()
            if before is not None and previous is None:
                return None  # a damaged kept index: every text is looked at again
            ordered = _spliced(previous, new.get(code, []), slugs, changed)
            index = previous
            if previous is None or [source.key for source in ordered] != previous.keys:
                if previous is not None and not _sound(previous):
                    return None
                index, count = searchindex.index_language(previous, ordered, support)
                read += count
            if before is not None and index is previous and kept.intact(code):
                packed = before.packed
                languages[code] = KeptLanguage(before.entry, slugs, firsts[code], packed, index)
                continue
            assert index is not None  # read above when there was none
            found_files, entry = shards.language_files(language_table(code, index, support), slugs)
            files.update(found_files)
            languages[code] = KeptLanguage(entry, slugs, firsts[code], kept_index=index)
        kept.languages = languages
        return read

    def write_index(self, files: dict[str, bytes], kept: KeptSearch) -> int:
        """Write ``search/``: ``files``, and keep the languages' files ``kept`` found intact;
        remove the index files an earlier build left that are in neither."""
        root = Path(self.output_path) / SEARCH_DIR
        changed = 0
        recorded = kept.files
        wanted = {
            name: record
            for name, record in recorded.items()
            if name not in files and name.split("/", 1)[0] in kept.intact_languages
        }
        folders: dict[str, str] = {}
        for name, data in sorted(files.items()):
            folder, _, base = name.rpartition("/")
            if folder not in folders:  # each folder's name checked once, as output_path does
                folders[folder] = str(output_path(root, folder + "/" if folder else ""))
            path = os.path.join(folders[folder], base)
            record = recorded.get(name)
            fingerprint = hashlib.sha256(data).digest()
            if record is not None and record[0] == fingerprint and kept.same_stat(path, record):
                wanted[name] = record
                continue
            if record is not None and record[0] != fingerprint:
                overwrite(path, data)  # known to differ: no need to read it first
                changed += 1
            else:
                changed += write_if_changed(Path(path), data)
            status = os.stat(path)
            wanted[name] = (fingerprint, status.st_size, status.st_mtime_ns)
        if kept.files_known:
            stale = [root / name for name in sorted(set(recorded) - set(wanted))]
        else:  # what an earlier build without a record of its files left
            paths = {root / name for name in wanted}
            stale = [path for path in sorted(root.rglob("*.json")) if path not in paths]
        for path in stale:
            path.unlink(missing_ok=True)
        # A removed discussion's or language's folder goes too, as a full build has none.
        empties = {p.parent for p in stale} if kept.files_known else set(root.rglob("*"))
        for folder in sorted((p for p in empties if p.is_dir()), reverse=True):
            empty = folder
            while empty != root and empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()
                empty = empty.parent
        kept.record(wanted)
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

    def write_pages(self, pages: Any, languages: list[str], kept: KeptSearch) -> None:
        """One search page per interface language, and at the root what the others have."""
        values = with_defaults(self.settings)
        codes = interface_languages(values)
        prefixes = {code: "" if len(codes) == 1 else f"{code}/" for code in codes}
        alternates = [(c, p + SEARCH_URL) for c, p in prefixes.items()] if len(codes) > 1 else []
        # What every page shows of the site (code, theme, settings, the site's own pages), as
        # the pages generator has it: with it, a page whose inputs did not change is skipped.
        site_digest = getattr(pages, "site_digest_value", None)
        written: dict[str, FileRecord] = {}
        for site in pages.sites.values():
            url = site.prefix + SEARCH_URL
            self.write(
                url,
                "search",
                (site_digest, kept, written),
                palabre=site,
                ui_language=site.language,
                page_path=SEARCH_URL,
                alternates=alternates,
                canonical=prefixes[site.language] + SEARCH_URL if not site.prefix else None,
                language_script=LANGUAGE_SCRIPT,
                **search_page(site, languages),
            )
        if len(codes) > 1 and values["PALABRE_ROOT"] == "redirect":
            self.write(
                SEARCH_URL,
                "redirect",
                (site_digest, kept, written),
                ui_language=codes[0],
                page_path=SEARCH_URL,
                target=prefixes[codes[0]] + SEARCH_URL,
                alternates=alternates,
                language_script=LANGUAGE_SCRIPT,
            )
        kept.pages = written

    def write(
        self,
        url: str,
        template: str,
        skip: tuple[str | None, KeptSearch, dict[str, FileRecord]],
        **values: Any,
    ) -> None:
        """Render one page; write it only if its bytes changed, as the pages generator does.

        ``skip``: the site's digest (or None), and where pages written are recorded. A page
        whose digest (the site's and ``values``, but the site's view) and file are those
        recorded is not rendered again.
        """
        site_digest, kept, written = skip
        name = save_as(url)
        path = output_path(self.output_path, name)
        shown = None
        if site_digest is not None:
            plain = sorted((key, value) for key, value in values.items() if key != "palabre")
            shown = digest(site_digest, template, url, plain).encode("ascii")
            record = kept.pages.get(name)
            if record is not None and record[0] == shown and kept.same_stat(path, record):
                written[name] = record
                return
        language = values["ui_language"]
        self.use_language(language)
        local = page_context(
            self.context, name, self.settings["RELATIVE_URLS"], {"page_url": url, **values}
        )
        write_if_changed(path, self.get_template(template).render(local))
        if shown is not None:
            status = path.stat()
            written[name] = (shown, status.st_size, status.st_mtime_ns)

    def use_language(self, language: str) -> None:
        translations = Path(self.theme) / "translations"
        self.env.install_gettext_translations(
            i18n.translations(translations, language), newstyle=True
        )


KEPT_FILE = "palabre-search-index.pickle"
OLD_CACHE_FILE = "palabre-search.pickle"
KEPT_FORMAT = 1


def index_version(modules: Path, support: LanguageSupport) -> str:
    """What an index kept between builds depends on besides the texts: Palabre's code and
    renderers, lunr-languages, the stop words, the stemmers and Python's Unicode data."""
    package = modules / "lunr-languages" / "package.json"
    return digest(
        "search-index",
        KEPT_FORMAT,
        code_digest(),
        package.read_bytes() if package.is_file() else b"",
        support.fingerprint(),
        unicodedata.unidata_version,
    )


def language_table(
    code: str, index: searchindex.KeptIndex, support: LanguageSupport
) -> shards.LanguageTable:
    columns = index.columns()
    return shards.LanguageTable(
        code,
        support.pipeline(code).serialize(),
        columns,
        searchindex.thousandths(columns),
        [(key[0], key[1]) for key in index.keys],
        index.rows,
    )


@dataclass(eq=False)
class KeptLanguage:
    """One language's part of the manifest, and its index, read from the file when needed."""

    entry: dict[str, Any]  # the language's part of the manifest
    discussions: list[str]  # the slugs its groups number
    # Per discussion that has texts in the language, where the first of them comes among
    # the discussion's texts (``searchindex.sources``' order).
    firsts: dict[str, int]
    packed: bytes | None = None  # the index as the file holds it, once read or written
    kept_index: searchindex.KeptIndex | None = None

    def index(self) -> searchindex.KeptIndex | None:
        """The index; None if the file's copy of it does not look right."""
        if self.kept_index is None and self.packed is not None:
            self.kept_index = _unpack(self.packed)
            if self.kept_index is None:
                self.packed = None
        return self.kept_index

    def pack(self) -> dict[str, Any]:
        if self.packed is None and self.kept_index is not None:
            index = self.kept_index
            value = {"keys": index.keys, "rows": index.rows, "columns": index.columns_state}
            self.packed = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return {
            "packed": self.packed,
            "entry": self.entry,
            "discussions": self.discussions,
            "firsts": self.firsts,
        }


FileRecord = tuple[bytes, int, int]  # SHA-256 of the bytes written, size, modification time


class KeptSearch:
    """What a build keeps of the search index for the next one, in Pelican's cache folder.

    Each language's index (``searchindex.KeptIndex``), valid for the same code and
    lunr-languages only (``version``), and a record of the files written into the output
    folder: a file whose record holds the digest of the bytes to write, and whose size and
    modification time are those recorded, is not read nor written again. A missing, old or
    unreadable file is an empty one: it costs a slower build, never a wrong one.
    """

    def __init__(self, path: Path, version: str, output: Path) -> None:
        self.path = path
        self.version = version
        self.output = str(output.resolve())
        self.languages: dict[str, KeptLanguage] = {}
        self.files: dict[str, FileRecord] = {}
        self.pages: dict[str, FileRecord] = {}  # search pages, by name in the output folder
        self.files_known = False  # whether ``files`` describes the output folder
        self.intact_languages: set[str] = set()
        # The archive's discussions and the digests of their files, at the last build.
        self.archive: tuple[list[str], list[dict[str, str] | None]] | None = None
        self._saved: tuple[Any, ...] = ()
        self._load()

    def _load(self) -> None:
        collecting = gc.isenabled()
        gc.disable()  # what is unpickled stays: the cyclic collector would walk it for nothing
        try:
            with self.path.open("rb") as handle:
                data = pickle.load(handle)  # our own file, written below
            if not isinstance(data, dict) or data.get("format") != KEPT_FORMAT:
                return
            languages, archive = data.get("languages"), data.get("archive")
            if data.get("version") == self.version and isinstance(languages, dict):
                for code, value in languages.items():
                    language = _kept_language(value)
                    if language is not None:
                        self.languages[code] = language
                if len(self.languages) == len(languages) and _is_archive(archive):
                    self.archive = archive
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError,
                AttributeError, ImportError, IndexError, KeyError):  # fmt: skip
            self.languages = {}
            return
        finally:
            if collecting:
                gc.enable()
        if data.get("output") == self.output:
            self.files = _records(data.get("files"))
            self.pages = _records(data.get("pages"))
            self.files_known = isinstance(data.get("files"), dict)
        self._saved = self._state()

    @staticmethod
    def same_stat(path: Path | str, record: FileRecord) -> bool:
        try:
            status = os.stat(path)
        except OSError:
            return False
        return status.st_size == record[1] and status.st_mtime_ns == record[2]

    def intact(self, code: str) -> bool:
        """Whether every file the last build wrote for language ``code`` is still as written."""
        if code in self.intact_languages:
            return True
        prefix = f"{code}/"
        root = os.path.join(self.output, SEARCH_DIR, "")
        names = [name for name in self.files if name.startswith(prefix)]
        same = self.same_stat
        if not names or not all(same(root + name, self.files[name]) for name in names):
            return False
        self.intact_languages.add(code)
        return True

    def record(self, files: dict[str, FileRecord]) -> None:
        self.files = files
        self.files_known = True

    def same_archive(self, slugs: list[str], files: list[dict[str, str] | None]) -> bool:
        """Whether the archive's files are those of the last build: each document too."""
        return self.archive is not None and None not in files and self.archive == (slugs, files)

    def changed_discussions(
        self, slugs: list[str], files: list[dict[str, str] | None]
    ) -> set[str] | None:
        """The discussions whose files changed since the last build, which had the same
        ones in the same order; None when that is not known."""
        if self.archive is None or None in files or self.archive[0] != slugs:
            return None
        return {
            slug
            for slug, now, before in zip(slugs, files, self.archive[1], strict=True)
            if now != before
        }

    def _state(self) -> tuple[Any, ...]:
        return (dict(self.languages), dict(self.files), dict(self.pages), self.archive)

    def save(self) -> None:
        """Write the file again, unless this build changed nothing in it."""
        if self._state() == self._saved:
            return
        data = {
            "format": KEPT_FORMAT,
            "version": self.version,
            "output": self.output,
            "files": self.files,
            "pages": self.pages,
            # Each index pickled on its own: one that did not change is not pickled again,
            # nor read when nothing changed.
            "languages": {code: kept.pack() for code, kept in self.languages.items()},
            "archive": self.archive,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own, so that two builds writing at once cannot mix their bytes.
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(self.path)
        self._saved = self._state()


def _firsts(sources: list[searchindex.Source]) -> dict[str, dict[str, int]]:
    """Per language and discussion, where the first text in that language comes among the
    discussion's texts (``sources`` come discussion by discussion)."""
    firsts: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for source in sources:
        discussion = source.key[0]
        count = counts.get(discussion, 0)
        counts[discussion] = count + 1
        firsts.setdefault(source.language, {}).setdefault(discussion, count)
    return firsts


def _sound(index: searchindex.KeptIndex) -> bool:
    try:
        index.columns()
    except ValueError:
        return False
    return True


def _spliced(
    previous: searchindex.KeptIndex | None,
    new: list[searchindex.Source],
    slugs: list[str],
    changed: set[str],
) -> list[searchindex.Source | searchindex.KnownSource]:
    """One language's sources in index order: ``previous``'s for the discussions not in
    ``changed`` (known by their keys), ``new`` for those in it."""
    kept: dict[str, list[tuple[Any, ...]]] = {}
    for key in [] if previous is None else previous.keys:
        kept.setdefault(key[0], []).append(key)
    fresh: dict[str, list[searchindex.Source]] = {}
    for source in new:
        fresh.setdefault(source.key[0], []).append(source)
    ordered: list[searchindex.Source | searchindex.KnownSource] = []
    for slug in slugs:
        if slug in changed:
            ordered += sorted(fresh.get(slug, []), key=attrgetter("order"))
        else:
            ordered += map(searchindex.KnownSource, kept.get(slug, []))
    return ordered


def _records(records: object) -> dict[str, FileRecord]:
    """The file records a kept file holds, those that look right."""
    if not isinstance(records, dict):
        return {}
    return {
        name: record
        for name, record in records.items()
        if isinstance(name, str)
        and isinstance(record, tuple)
        and len(record) == 3
        and isinstance(record[0], bytes)
        and all(isinstance(n, int) for n in record[1:])
    }


def _kept_language(value: object) -> KeptLanguage | None:
    """A language as the file holds it (its index still packed), or None if it looks wrong."""
    if not isinstance(value, dict):
        return None
    packed, entry, discussions = value.get("packed"), value.get("entry"), value.get("discussions")
    firsts = value.get("firsts")
    if not (
        isinstance(packed, bytes)
        and isinstance(entry, dict)
        and isinstance(entry.get("documents"), int)
        and isinstance(discussions, list)
        and isinstance(firsts, dict)
    ):
        return None
    return KeptLanguage(entry, discussions, firsts, packed)


def _unpack(packed: bytes) -> searchindex.KeptIndex | None:
    """A language's index from its pickle, or None if it does not look right."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        value = pickle.loads(packed)
    except (EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError,
            ImportError, IndexError, KeyError):  # fmt: skip
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(value, dict):
        return None
    keys, rows, columns = value.get("keys"), value.get("rows"), value.get("columns")
    arrays = ("term", "field", "ref", "tf", "lengths")
    if not (
        isinstance(keys, list)
        and isinstance(rows, list)
        and len(keys) == len(rows)
        and all(isinstance(row, str) for row in rows)
        and isinstance(columns, dict)
        and all(isinstance(columns.get(name), bytes) for name in arrays)
        and isinstance(columns.get("terms"), list)
        and columns.get("fields") == searchindex.FIELD_COUNT
        and len(columns["lengths"]) == 8 * searchindex.FIELD_COUNT * len(keys)
    ):
        return None
    return searchindex.KeptIndex(keys, rows, columns)


def _is_archive(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], list)
        and isinstance(value[1], list)
        and len(value[0]) == len(value[1])
    )


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
