"""Pelican generator: home, discussion, week, contribution, author and static pages, feeds.

Every page is written once per interface language: at the site root when there is only
one, else under ``/<lang>/``, with the root holding redirects to (or a copy of) the
default language's pages.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from . import i18n
from .charts import bar_chart
from .dependencies import ArchiveDigests, PageDigests, digest
from .feeds import atom_feed
from .incremental import Cache, code_digest, folder_digest, render_contributions
from .model import Archive, ContentError, PalabreError
from .output import (
    OutputManifest,
    output_path,
    page_context,
    start_map,
    worker_count,
    write_if_changed,
)
from .reader import read_archive
from .report import attach_reports, data_url, open_data_files
from .settings import build_day, interface_languages, with_defaults
from .summary import archive_coverage
from .texts import missing_texts
from .views import (
    SITE_FEED_URL,
    SiteView,
    StaticPageView,
    build_site,
    latest,
    render_contribution,
    save_as,
)

logger = logging.getLogger(__name__)

THEME_TRANSLATIONS = "translations"
LANGUAGE_SCRIPT = "theme/js/language.js"


@dataclass(frozen=True)
class Job:
    """A page to write in one language (``prefix``), or as a root redirect (``None``)."""

    prefix: str | None
    page: Page
    name: str = field(init=False)  # the output file

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", save_as((self.prefix or "") + self.page.path))


@dataclass(frozen=True)
class Output:
    """Files to write (one page, a feed, a discussion's data), the digest of what they show,
    and how to make them: ``make()`` gives (file, text) pairs."""

    names: tuple[str, ...]
    digest: str
    make: Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True)
class Page:
    """One page to write: its URL without the language prefix, template and values, and
    the digest of what it shows (see ``dependencies``)."""

    path: str
    template: str
    values: dict[str, Any]
    digest: str


class PalabreGenerator(Generator):
    """Writes every page that Palabre adds to a Pelican site."""

    sites: dict[str, SiteView]  # by prefix ("" or "fr/")

    def generate_context(self) -> None:
        pause_collector()
        self.clock = Stopwatch()
        values = with_defaults(self.settings)
        cache_dir = Path(self.settings["CACHE_PATH"])
        self.caches = {
            name: Cache(cache_dir, f"palabre-{name}").load() for name in ("parsed", "markup")
        }
        try:
            archive = read_archive(self.settings, self.caches["parsed"])
        except ContentError as error:
            # Pelican's log wraps long lines to the terminal; moderators need one problem per
            # line, as `path:line: field: message`, to read and to click on.
            sys.stderr.write(f"{error}\n")
            resume_collector()
            raise
        self.clock.lap("read")
        self.languages = interface_languages(values)
        self.root_mode = values["PALABRE_ROOT"]
        today = build_day(values["PALABRE_TODAY"])
        self.workers = worker_count(values["PALABRE_WORKERS"])
        # Each Markdown text is rendered once for all languages, and not at all when an
        # earlier build rendered the same text with the same code.
        rendered = render_contributions(
            archive, self.caches["markup"], render_contribution, self.workers
        )
        self.clock.lap("markdown")
        self.digests = ArchiveDigests(archive, today)
        self.site_digest_value = self.site_digest()
        self.sites = {
            prefix: build_site(archive, language, today, rendered=rendered, prefix=prefix)
            for language, prefix in self.passes()
        }
        for site in self.sites.values():
            attach_reports(site)
        self.context["palabre"] = self.sites[self.prefix(self.languages[0])]
        self.report_missing_texts(archive)
        self.report_coverage(archive)
        self.clock.lap("views")
        settle_collector()

    def site_digest(self) -> str:
        """Digest of what every page depends on: code, theme, settings, the site's pages."""
        theme = Path(self.theme)
        settings = sorted((key, value) for key, value in self.settings.items() if _plain(value))
        return digest(
            code_digest(),
            folder_digest(theme / "templates"),
            folder_digest(theme / "translations"),
            folder_digest(Path(self.settings["PATH"]) / "pages"),
            settings,
        )

    def prefix(self, language: str) -> str:
        return "" if len(self.languages) == 1 else f"{language}/"

    def passes(self) -> list[tuple[str, str]]:
        """(interface language, URL prefix) of every set of pages to write."""
        passes = [(language, self.prefix(language)) for language in self.languages]
        if len(self.languages) > 1 and self.root_mode == "copy":
            passes.append((self.languages[0], ""))
        return passes

    def report_missing_texts(self, archive: Archive) -> None:
        for language in self.languages:
            for slug, texts in missing_texts(archive, language):
                logger.info("Palabre: in %s, %s lacks %s", language, slug, ", ".join(texts))

    def report_coverage(self, archive: Archive) -> None:
        """Which contributions each consolidated reply does not cite yet."""
        for item in archive_coverage(archive):
            logger.info("Palabre: %s", item)

    def generate_output(self, writer: Any) -> None:
        static = self.static_page_sources()
        self.manifest = OutputManifest(Path(self.settings["CACHE_PATH"]), Path(self.output_path))
        self.previous = self.manifest.previous()
        self.settled = self.unchanged_inputs(self.manifest.previous_inputs())
        jobs: list[Job] = []
        for language, prefix in self.passes():
            site = self.sites[prefix]
            site.static_pages = [
                _static_view(page, language, prefix, static, self.settings["SITEURL"])
                for page in static
            ]
            jobs.extend(Job(prefix, page) for page in self.pages(site, prefix))
        if len(self.languages) > 1 and self.root_mode == "redirect":
            default = self.sites[self.prefix(self.languages[0])]
            jobs.extend(Job(None, page) for page in self.pages(default, None))
        self.outputs = [
            *(Output((job.name,), job.page.digest, partial(self.render_page, job)) for job in jobs),
            *self.feeds(),
            *self.open_data(),
        ]
        names = [name for output in self.outputs for name in output.names]
        if len(set(names)) != len(names):
            raise PalabreError("two pages would be written to the same file")
        # An output whose digest is the one it had in the previous build is not made again
        # at all: only the others are shared out over the workers.
        todo = [output for output in self.outputs if not self.unchanged(output)]
        self.clock.lap("digests")
        for template in sorted({job.page.template for job in jobs}):
            self.get_template(template)  # compiled once, before workers are forked
        # The workers render while the search index is built in this process; the build
        # waits for them when it ends (``finish``).
        self.pending = start_map(self.write_output, todo, self.workers)
        self.theme_files = self.copy_theme_files()
        signals.finalized.connect(self.finish)
        self.clock.lap("pages")

    def finish(self, _: Any = None) -> None:
        """Wait for the pages, then record what was written and keep the caches."""
        signals.finalized.disconnect(self.finish)
        made = {
            name: (changed, made_digest)
            for items in self.pending.get()
            for name, changed, made_digest in items
        }
        self.clock.lap("waiting for pages")
        results = [
            (name, *made.get(name, (False, output.digest)))
            for output in self.outputs
            for name in output.names
        ]
        results.extend((name, changed, None) for name, changed in self.theme_files)
        written = {name: page_digest for name, _, page_digest in results}
        changed = sum(1 for _, was_changed, _ in results if was_changed)
        removed = self.manifest.replace(written, self.inputs())
        for cache in self.caches.values():
            cache.save()
        self.clock.lap("saved")
        site = self.sites[self.prefix(self.languages[0])]
        logger.info(
            "Palabre: %d discussions, %d contributions, %d authors in %d languages: "
            "%d files, %d made, %d changed, %d removed (%s)",
            len(site.discussions),
            sum(len(d.contributions) for d in site.discussions),
            len(site.authors),
            len(self.languages),
            len(written),
            len(made),
            changed,
            len(removed),
            self.clock,
        )

    def unchanged(self, output: Output) -> bool:
        """The output's digest is the one it had, and its files are still there."""
        # A plain join only to look: files are written through output_path, which
        # refuses names that leave the output folder.
        return all(
            self.previous.get(name) == output.digest
            and os.path.isfile(os.path.join(self.output_path, name))
            for name in output.names
        )

    def write_output(self, output: Output) -> list[tuple[str, bool, str]]:
        """Make an output's files and write those whose bytes changed: (file, changed, digest)."""
        return [
            (name, write_if_changed(output_path(self.output_path, name), text), output.digest)
            for name, text in output.make()
        ]

    def render_page(self, job: Job) -> list[tuple[str, str]]:
        if job.prefix is None:
            template, values = "redirect", self.redirect_values(job.page)
        else:
            template, values = job.page.template, self.page_values(self.sites[job.prefix], job.page)
        self.use_language(values["ui_language"])
        relative = self.settings["RELATIVE_URLS"]
        name = job.name
        context = page_context(self.context, name, relative, values)
        return [(name, self.get_template(template).render(context))]

    def static_page_sources(self) -> list[Any]:
        """Pelican's pages (about, charter...) read from content/pages, in a stable order."""
        pages = list(self.context.get("pages", [])) + list(self.context.get("hidden_pages", []))
        return sorted(pages, key=lambda page: page.slug)

    def pages(self, site: SiteView, prefix: str | None) -> Iterator[Page]:
        """Every page of ``site``, as written under ``prefix`` (``None``: root redirects,
        which show only their address and the languages)."""
        shown = PageDigests(self.site_digest_value, self.digests, prefix)
        start = len(site.prefix)
        for url, template, values in _site_pages(site):
            path = url[start:]
            if self.settled and self.settled_page(prefix, values):
                # What the page shows is what it showed: so is its digest, found again.
                found = self.previous.get(save_as((prefix or "") + path))
                if found is not None:
                    yield Page(path, template, values, found)
                    continue
            if prefix is None:
                yield Page(path, template, values, shown.page(path, "redirect"))
            else:
                yield Page(path, template, values, shown.of(path, template, values))

    def inputs(self) -> dict[str, Any]:
        """The digests a page's digest is made from: the site's and each discussion's."""
        return {"site": self.site_digest_value, "discussions": self.digests.wholes}

    def unchanged_inputs(self, previous: dict[str, Any]) -> set[str]:
        """``"site"`` and the discussions whose digests are those of the previous build."""
        if previous.get("site") != self.site_digest_value:
            return set()
        before = previous.get("discussions")
        before = before if isinstance(before, dict) else {}
        wholes = self.digests.wholes
        return {"site"} | {slug for slug, whole in wholes.items() if before.get(slug) == whole}

    def settled_page(self, prefix: str | None, values: dict[str, Any]) -> bool:
        """A page that shows only the site and one unchanged discussion (``dependencies``):
        a root redirect, a site page, or any page of that discussion."""
        if prefix is None or "page" in values:
            return True
        discussion = values.get("discussion")
        return discussion is not None and discussion.slug in self.settled

    def alternates(self, path: str) -> list[tuple[str, str]]:
        """(language, URL) of one page in every interface language."""
        if len(self.languages) == 1:
            return []
        return [(language, self.prefix(language) + path) for language in self.languages]

    def page_values(self, site: SiteView, page: Page) -> dict[str, Any]:
        url = site.prefix + page.path
        values = {
            "page_url": url,
            "page_path": page.path,
            "palabre": site,
            "ui_language": site.language,
            "alternates": self.alternates(page.path),
            "canonical": self.prefix(site.language) + page.path if not site.prefix else None,
            "language_script": LANGUAGE_SCRIPT,
            **page.values,
        }
        return values

    def redirect_values(self, page: Page) -> dict[str, Any]:
        """A page at the root that sends readers to their language's version of it."""
        default = self.languages[0]
        values = {
            "page_url": page.path,
            "page_path": page.path,
            "ui_language": default,
            "target": self.prefix(default) + page.path,
            "alternates": self.alternates(page.path),
            "language_script": LANGUAGE_SCRIPT,
        }
        return values

    def use_language(self, language: str) -> None:
        if getattr(self, "_language_in_use", None) == language:
            return
        self._language_in_use = language
        translations_dir = Path(self.theme) / THEME_TRANSLATIONS
        self.env.install_gettext_translations(
            i18n.translations(translations_dir, language), newstyle=True
        )

    def copy_theme_files(self) -> list[tuple[str, bool]]:
        """The theme's CSS and scripts, copied only when they changed (Pelican always copies)."""
        static = Path(self.theme) / "static"
        target = self.settings["THEME_STATIC_DIR"]
        copied = []
        for source in sorted(p for p in static.rglob("*") if p.is_file()):
            name = f"{target}/{source.relative_to(static).as_posix()}"
            copied.append(
                (name, write_if_changed(output_path(self.output_path, name), source.read_bytes()))
            )
        return copied

    def feeds(self) -> list[Output]:
        """The site's feed and each discussion's."""
        site = self.sites[self.prefix(self.languages[0])]
        everything = [c for d in site.discussions for c in d.contributions]
        feeds = [
            (SITE_FEED_URL, self.settings["SITENAME"], site.home_url, self.digests.archive,
             everything),
            *((d.feed_url, d.title, d.url, self.digests.wholes[d.slug], d.contributions)
              for d in site.discussions),
        ]  # fmt: skip
        return [
            Output(
                (feed_url,),
                digest(self.site_digest_value, shown, "feed"),
                partial(self.feed, feed_url, title, page_url, contributions),
            )
            for feed_url, title, page_url, shown, contributions in feeds
        ]

    def feed(
        self, feed_url: str, title: str, page_url: str, contributions: list[Any]
    ) -> list[tuple[str, str]]:
        """One feed, of the latest of ``contributions``."""
        site_url = self.settings.get("FEED_DOMAIN") or self.settings.get("SITEURL") or ""
        text = atom_feed(
            title=title,
            site_url=site_url,
            page_url=page_url,
            feed_url=feed_url,
            language=self.languages[0],
            entries=latest(contributions, self.settings["PALABRE_FEED_ITEMS"]),
        )
        return [(feed_url, text)]

    def open_data(self) -> list[Output]:
        """Each discussion's JSON and CSV files: once per site, whatever the language."""
        site = self.sites[self.prefix(self.languages[0])]
        site_url = self.settings.get("SITEURL") or ""
        return [
            Output(
                tuple(data_url(d.slug, kind) for kind in ("json", "csv")),
                digest(self.site_digest_value, self.digests.wholes[d.slug], "open data"),
                partial(open_data_files, d, site_url),
            )
            for d in site.discussions
        ]


class Stopwatch:
    """How long each step of a build took, for the log: where a rebuild spends its time."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.steps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = self.steps.get(step, 0.0) + now - self.last
        self.last = now

    def __str__(self) -> str:
        return ", ".join(f"{step} {seconds:.2f} s" for step, seconds in self.steps.items())


def _site_pages(site: SiteView) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(URL, template, values) of every page of ``site``."""
    yield site.home_url, "home", {}
    yield site.authors_url, "authors", {}
    for discussion in site.discussions:
        yield discussion.url, "discussion", {"discussion": discussion}
        for week in discussion.weeks:
            yield week.url, "week", {"discussion": discussion, "week": week}
        for contribution in discussion.contributions:
            yield (
                contribution.url,
                "contribution",
                {"discussion": discussion, "contribution": contribution},
            )
        report = discussion.report
        yield report.url, "summary", {"discussion": discussion}
        yield report.proceedings_url, "proceedings", {"discussion": discussion}
    for author in site.authors:
        yield author.url, "author", {"author": author}
    for static in site.static_pages:
        yield static.url, "page", {"page": static}


def _ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _plain(value: Any) -> bool:
    """Settings that can be digested: text, numbers and containers of them (no objects)."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _static_view(
    page: Any, language: str, prefix: str, siblings: list[Any], site_url: str
) -> StaticPageView:
    """The page in ``language`` when Pelican read a translation of it, else as written."""
    chosen = next(
        (t for t in [page, *getattr(page, "translations", [])] if t.lang == language), page
    )
    return StaticPageView(
        url=prefix + page.url,
        slug=page.slug,
        title=chosen.title,
        language=chosen.lang,
        source=chosen,
        prefix=prefix,
        sibling_urls=tuple(sibling.url for sibling in siblings),
        site_url=site_url,
    )


def _ui(context: Context) -> str:
    return context.get("ui_language") or context.environment.globals["ui_language"]


@pass_context
def _long_date(context: Context, day: Any) -> str:
    return i18n.long_date(day, _ui(context))


@pass_context
def _short_date(context: Context, day: Any) -> str:
    return i18n.short_date(day, _ui(context))


@pass_context
def _language_name(context: Context, code: str, in_language: str | None = None) -> str:
    return i18n.language_name(code, in_language or _ui(context))


@pass_context
def _number(context: Context, value: int) -> str:
    return i18n.number(value, _ui(context))


@pass_context
def _bar_chart(
    context: Context, chart_id: str, title: str, description: str, rows: list[tuple[str, int]]
) -> Markup:
    language = _ui(context)
    svg = bar_chart(chart_id, title, description, rows, number=lambda n: i18n.number(n, language))
    return Markup(svg)  # built from escaped text only (charts.py)


def install_interface_language(generator: Generator) -> None:
    """Give every generator's templates translations and locale-aware filters."""
    values = with_defaults(generator.settings)
    language = values["PALABRE_LANGUAGE"]
    translations_dir = Path(generator.theme) / THEME_TRANSLATIONS
    for code in interface_languages(values):  # fail at start-up on a missing catalogue
        i18n.translations(translations_dir, code)
    env = generator.env
    # Compiled templates are kept between builds: compiling them is a third of a rebuild.
    env.bytecode_cache = FileSystemBytecodeCache(
        str(_ensure_dir(Path(generator.settings["CACHE_PATH"]) / "palabre-templates"))
    )
    if not any(name.endswith("InternationalizationExtension") for name in env.extensions):
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(i18n.translations(translations_dir, language), newstyle=True)
    env.globals.update(
        ui_language=language,
        interface_languages=interface_languages(values),
        text_direction=i18n.text_direction,
        bar_chart=_bar_chart,
    )
    env.filters.update(
        long_date=_long_date,
        short_date=_short_date,
        language_name=_language_name,
        number=_number,
    )
    # Contributor text is untrusted: escaping is not a setting a site may turn off.
    env.autoescape = True


def get_generators(_: Any) -> type[Generator]:
    return PalabreGenerator


# Builds ended in this process: `pelican --autoreload` runs one build after another.
_ENDED_BUILDS = {"count": 0}


def pause_collector() -> None:
    """Pause the cyclic garbage collector while the archive is read and arranged.

    What is loaded and built then (archive, views, caches) lives until the build ends:
    the collector would only walk those objects again and again, a tenth of a rebuild's
    time, to find nothing. What an earlier build of the same process left is collected
    first.
    """
    if _ENDED_BUILDS["count"]:
        gc.collect()
    gc.disable()


def settle_collector() -> None:
    """Set aside what the build keeps, and collect again for what pages make and drop."""
    gc.freeze()
    gc.enable()


def resume_collector(*_: Any) -> None:
    """At the end of a build, what it kept can be collected again."""
    _ENDED_BUILDS["count"] += 1
    gc.unfreeze()
    gc.enable()


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(install_interface_language)
    signals.finalized.connect(resume_collector)
