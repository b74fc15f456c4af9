"""Pelican generator: home, discussion, week, contribution and author pages, and feeds."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator
from pelican.utils import sanitised_join

from . import i18n
from .feeds import atom_feed
from .model import ContentError
from .reader import read_archive
from .settings import build_day, with_defaults
from .views import (
    AUTHORS_URL,
    SITE_FEED_URL,
    SiteView,
    build_site,
    save_as,
)

logger = logging.getLogger(__name__)

THEME_TRANSLATIONS = "translations"


class PalabreGenerator(Generator):
    """Writes every page that Palabre adds to a Pelican site."""

    site: SiteView

    def generate_context(self) -> None:
        values = with_defaults(self.settings)
        try:
            archive = read_archive(self.settings)
        except ContentError as error:
            # Pelican's log wraps long lines to the terminal; moderators need one problem per
            # line, as `path:line: field: message`, to read and to click on.
            sys.stderr.write(f"{error}\n")
            raise
        self.site = build_site(
            archive, values["PALABRE_LANGUAGE"], build_day(values["PALABRE_TODAY"])
        )
        # Shared with Pelican's own page generator, so that static pages get the navigation.
        self.context["palabre"] = self.site

    def generate_output(self, writer: Any) -> None:
        site = self.site
        self.write(writer, "", "home.html")
        self.write(writer, AUTHORS_URL, "authors.html")
        for discussion in site.discussions:
            self.write(writer, discussion.url, "discussion.html", discussion=discussion)
            for week in discussion.weeks:
                self.write(writer, week.url, "week.html", discussion=discussion, week=week)
            for contribution in discussion.contributions:
                self.write(
                    writer,
                    contribution.url,
                    "contribution.html",
                    discussion=discussion,
                    contribution=contribution,
                )
        for author in site.authors:
            self.write(writer, author.url, "author.html", author=author)
        self.write_feeds()
        logger.info(
            "Palabre: wrote %d discussions, %d contributions, %d authors",
            len(site.discussions),
            sum(len(d.contributions) for d in site.discussions),
            len(site.authors),
        )

    def write(self, writer: Any, url: str, template: str, **values: Any) -> None:
        writer.write_file(
            save_as(url),
            self.get_template(template.removesuffix(".html")),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            page_url=url,
            **values,
        )

    def write_feeds(self) -> None:
        site_url = self.settings.get("FEED_DOMAIN") or self.settings.get("SITEURL") or ""
        limit = self.settings["PALABRE_FEED_ITEMS"]
        feeds = [(SITE_FEED_URL, self.settings["SITENAME"], "", self.site.latest(limit))]
        for discussion in self.site.discussions:
            latest = sorted(discussion.contributions, key=lambda c: (c.date, c.id), reverse=True)
            feeds.append((discussion.feed_url, discussion.title, discussion.url, latest[:limit]))
        for feed_url, title, page_url, entries in feeds:
            text = atom_feed(
                title=title,
                site_url=site_url,
                page_url=page_url,
                feed_url=feed_url,
                language=self.site.language,
                entries=entries,
            )
            path = Path(sanitised_join(self.output_path, feed_url))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def install_interface_language(generator: Generator) -> None:
    """Give every generator's templates the same translations and locale-aware filters."""
    settings = generator.settings
    language = with_defaults(settings)["PALABRE_LANGUAGE"]
    translations_dir = Path(generator.theme) / THEME_TRANSLATIONS
    env = generator.env
    if not any(name.endswith("InternationalizationExtension") for name in env.extensions):
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(i18n.translations(translations_dir, language), newstyle=True)
    env.globals.update(ui_language=language, text_direction=i18n.text_direction)
    env.filters.update(
        long_date=lambda day: i18n.long_date(day, language),
        short_date=lambda day: i18n.short_date(day, language),
        language_name=lambda code: i18n.language_name(code, language),
        number=lambda value: i18n.number(value, language),
    )
    # Contributor text is untrusted: escaping is not a setting a site may turn off.
    env.autoescape = True


def get_generators(_: Any) -> type[Generator]:
    return PalabreGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(install_interface_language)
