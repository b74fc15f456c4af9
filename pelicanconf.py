"""Settings for building the sample site locally (`make html`, `make serve`)."""

from __future__ import annotations

SITENAME = "Palabre"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

# Palabre reads content/discussions itself; Pelican only reads the static pages.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
STATIC_PATHS: list[str] = []
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"

# Palabre writes the home page, author pages and feeds; Pelican's own ones are off.
DIRECT_TEMPLATES: list[str] = []
INDEX_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
ARTICLE_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": ["jinja2.ext.i18n"],
}

PLUGINS = ["palabre.reader", "palabre.pages", "palabre.search"]

# Palabre's own settings (see plugins/palabre/settings.py for all of them).
PALABRE_LANGUAGE = "en"
PALABRE_LANGUAGES = ["en", "fr", "es"]
PALABRE_ROOT = "redirect"
PALABRE_TAGLINE = {
    "en": "Archive of moderated e-discussions on migration and local development",
    "fr": "Archives des e-discussions modérées sur la migration et le développement local",
    "es": "Archivo de los debates en línea moderados sobre migración y desarrollo local",
}
