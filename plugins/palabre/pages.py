"""Pelican generator: home, discussion, week, contribution, author and static pages, feeds.

Every page is written once per interface language: at the site root when there is only
one, else under ``/<lang>/``, with the root holding redirects to (or a copy of) the
default language's pages.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator
from pelican.utils import sanitised_join

from . import i18n
from .charts import bar_chart
from .feeds import atom_feed
from .model import Archive, ContentError
from .output import output_path, write_if_changed
from .reader import read_archive
from .report import attach_reports, open_data_files
from .settings import build_day, interface_languages, with_defaults
from .summary import archive_coverage
from .texts import missing_texts
from .views import SITE_FEED_URL, SiteView, StaticPageView, build_site, save_as

logger = logging.getLogger(__name__)

THEME_TRANSLATIONS = "translations"
LANGUAGE_SCRIPT = "theme/js/language.js"


@dataclass(frozen=True)
class Page:
    """One page to write: its URL without the language prefix, template and values."""

    path: str
    template: str
    values: dict[str, Any]


class PalabreGenerator(Generator):
    """Writes every page that Palabre adds to a Pelican site."""

    sites: dict[str, SiteView]  # by prefix ("" or "fr/")

    def generate_context(self) -> None:
        values = with_defaults(self.settings)
        try:
            archive = read_archive(self.settings)
        except ContentError as error:
            # Pelican's log wraps long lines to the terminal; moderators need one problem per
            # line, as `path:line: field: message`, to read and to click on.
            sys.stderr.write(f"{error}\n")
            raise
        self.languages = interface_languages(values)
        self.root_mode = values["PALABRE_ROOT"]
        today = build_day(values["PALABRE_TODAY"])
        rendered: dict[str, str] = {}  # each Markdown text is rendered once, for all languages
        self.sites = {
            prefix: build_site(archive, language, today, rendered=rendered, prefix=prefix)
            for language, prefix in self.passes()
        }
        for site in self.sites.values():
            attach_reports(site)
        self.context["palabre"] = self.sites[self.prefix(self.languages[0])]
        self.report_missing_texts(archive)
        self.report_coverage(archive)

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
        for language, prefix in self.passes():
            site = self.sites[prefix]
            site.static_pages = [_static_view(page, language, prefix) for page in static]
            self.use_language(language)
            for page in self.pages(site):
                self.write(writer, site, page)
        if len(self.languages) > 1 and self.root_mode == "redirect":
            default = self.sites[self.prefix(self.languages[0])]
            for page in self.pages(default):
                self.write_redirect(writer, page)
        self.write_feeds()
        self.write_open_data()
        site = self.sites[self.prefix(self.languages[0])]
        logger.info(
            "Palabre: wrote %d discussions, %d contributions, %d authors in %d languages",
            len(site.discussions),
            sum(len(d.contributions) for d in site.discussions),
            len(site.authors),
            len(self.languages),
        )

    def static_page_sources(self) -> list[Any]:
        """Pelican's pages (about, charter...) read from content/pages, in a stable order."""
        pages = list(self.context.get("pages", [])) + list(self.context.get("hidden_pages", []))
        return sorted(pages, key=lambda page: page.slug)

    def pages(self, site: SiteView) -> Iterator[Page]:
        prefix = site.prefix

        def path(url: str) -> str:
            return url[len(prefix) :]

        yield Page("", "home", {})
        yield Page("authors/", "authors", {})
        for discussion in site.discussions:
            yield Page(path(discussion.url), "discussion", {"discussion": discussion})
            for week in discussion.weeks:
                yield Page(path(week.url), "week", {"discussion": discussion, "week": week})
            for contribution in discussion.contributions:
                yield Page(
                    path(contribution.url),
                    "contribution",
                    {"discussion": discussion, "contribution": contribution},
                )
            report = discussion.report
            yield Page(path(report.url), "summary", {"discussion": discussion})
            yield Page(path(report.proceedings_url), "proceedings", {"discussion": discussion})
        for author in site.authors:
            yield Page(path(author.url), "author", {"author": author})
        for static in site.static_pages:
            yield Page(path(static.url), "page", {"page": static})

    def alternates(self, path: str) -> list[tuple[str, str]]:
        """(language, URL) of one page in every interface language."""
        if len(self.languages) == 1:
            return []
        return [(language, self.prefix(language) + path) for language in self.languages]

    def write(self, writer: Any, site: SiteView, page: Page) -> None:
        url = site.prefix + page.path
        writer.write_file(
            save_as(url),
            self.get_template(page.template),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            page_url=url,
            page_path=page.path,
            palabre=site,
            ui_language=site.language,
            alternates=self.alternates(page.path),
            canonical=self.prefix(site.language) + page.path if not site.prefix else None,
            language_script=LANGUAGE_SCRIPT,
            **page.values,
        )

    def write_redirect(self, writer: Any, page: Page) -> None:
        """A page at the root that sends readers to their language's version of it."""
        default = self.languages[0]
        writer.write_file(
            save_as(page.path),
            self.get_template("redirect"),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            page_url=page.path,
            page_path=page.path,
            ui_language=default,
            target=self.prefix(default) + page.path,
            alternates=self.alternates(page.path),
            language_script=LANGUAGE_SCRIPT,
        )

    def use_language(self, language: str) -> None:
        translations_dir = Path(self.theme) / THEME_TRANSLATIONS
        self.env.install_gettext_translations(
            i18n.translations(translations_dir, language), newstyle=True
        )

    def write_feeds(self) -> None:
        site = self.sites[self.prefix(self.languages[0])]
        site_url = self.settings.get("FEED_DOMAIN") or self.settings.get("SITEURL") or ""
        limit = self.settings["PALABRE_FEED_ITEMS"]
        feeds = [(SITE_FEED_URL, self.settings["SITENAME"], site.home_url, site.latest(limit))]
        for discussion in site.discussions:
            latest = sorted(discussion.contributions, key=lambda c: (c.date, c.id), reverse=True)
            feeds.append((discussion.feed_url, discussion.title, discussion.url, latest[:limit]))
        for feed_url, title, page_url, entries in feeds:
            text = atom_feed(
                title=title,
                site_url=site_url,
                page_url=page_url,
                feed_url=feed_url,
                language=site.language,
                entries=entries,
            )
            path = Path(sanitised_join(self.output_path, feed_url))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


    def write_open_data(self) -> list[tuple[str, bool]]:
        """Each discussion's JSON and CSV files: once per site, whatever the language."""
        site = self.sites[self.prefix(self.languages[0])]
        site_url = self.settings.get("SITEURL") or ""
        return [
            (name, write_if_changed(output_path(self.output_path, name), text))
            for discussion in site.discussions
            for name, text in open_data_files(discussion, site_url)
        ]


def _static_view(page: Any, language: str, prefix: str) -> StaticPageView:
    """The page in ``language`` when Pelican read a translation of it, else as written."""
    chosen = next(
        (t for t in [page, *getattr(page, "translations", [])] if t.lang == language), page
    )
    return StaticPageView(
        url=prefix + page.url, slug=page.slug, title=chosen.title, language=chosen.lang,
        source=chosen,
    )  # fmt: skip


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


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(install_interface_language)
