"""What the templates show: the archive arranged as pages, with URLs and threads. Pure.

Each contribution's Markdown is rendered once here and shared by every page that shows it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from markupsafe import Markup
from slugify import slugify

from . import markup
from .model import Archive, Contribution, Discussion, Status, Week, localized
from .opendata import plain_text

CALL_HEADING_SHIFT = 1  # a call's "## Section" becomes <h3> under the page's "Call" <h2>


def discussion_url(slug: str) -> str:
    return f"{slug}/"


def week_url(discussion: str, number: int) -> str:
    return f"{discussion}/week-{number}/"


def contribution_url(discussion: str, cid: str) -> str:
    return f"{discussion}/{cid}/"


@lru_cache(maxsize=65536)  # an archive repeats the same few hundred names
def author_slug(name: str) -> str:
    slug = slugify(name, max_length=80, word_boundary=True)
    if slug:
        return slug
    # Names made only of symbols still need a stable address of their own.
    return "author-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def author_url(name: str) -> str:
    return f"authors/{author_slug(name)}/"


AUTHORS_URL = "authors/"
SITE_FEED_URL = "feeds/all.atom.xml"


def discussion_feed_url(slug: str) -> str:
    return f"feeds/{slug}.atom.xml"


def save_as(url: str) -> str:
    """The output file of a page URL: ``a/b/`` -> ``a/b/index.html``."""
    return url + "index.html" if url.endswith("/") or not url else url


@dataclass(eq=False)
class ContributionView:
    """One contribution with its rendered body and its neighbours in the thread."""

    contribution: Contribution
    html: Markup
    excerpt: str
    opening: str  # its first sentences, for the summary's digest
    plain: str  # its text without markup, for the open data files
    url: str
    author_url: str
    week_url: str
    parent: ContributionView | None = None
    replies: list[ContributionView] = field(default_factory=list)
    translations: list[ContributionView] = field(default_factory=list)
    original: ContributionView | None = None
    number: int | None = None  # in the proceedings; a translation has its original's
    cited_in: list[Any] = field(default_factory=list)  # report.CitedAt, set by the report

    def __post_init__(self) -> None:
        # Templates read contribution fields (title, author, ...) straight from the view,
        # thousands of times per build: plain attributes, not __getattr__ each time. The
        # view's own fields come last, so they win (no name is in both; a test checks it).
        self.__dict__ = {**vars(self.contribution), **self.__dict__}

    def __getattr__(self, name: str) -> object:
        # Templates read contribution fields (title, author, ...) straight from the view.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.contribution, name)

    @property
    def is_translation(self) -> bool:
        return self.original is not None


@dataclass(eq=False)
class WeekView:
    week: Week
    url: str
    title: str
    title_language: str
    questions: tuple[str, ...]
    questions_language: str
    ends: dt.date
    contributions: list[ContributionView] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.week.number

    @property
    def threads(self) -> list[ContributionView]:
        """Roots of this week's threads: contributions whose parent is in another week or none."""
        return [c for c in self.contributions if c.parent is None or c.parent.week != self.number]


@dataclass(eq=False)
class DiscussionView:
    discussion: Discussion
    url: str
    feed_url: str
    status: Status
    title: str
    title_language: str
    description: str
    description_language: str
    call_html: Markup
    call_language: str | None
    weeks: list[WeekView]
    contributions: list[ContributionView]  # every contribution, translations included
    report: Any = None  # report.ReportView: summary page and proceedings, set by the report

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.discussion, name)

    @cached_property  # every contribution page of the discussion reads it (its pager)
    def originals(self) -> list[ContributionView]:
        return [c for c in self.contributions if not c.is_translation]

    @property
    def contributor_count(self) -> int:
        return len({author_slug(c.author) for c in self.contributions})

    def week_view(self, number: int) -> WeekView | None:
        return next((w for w in self.weeks if w.number == number), None)


@dataclass(eq=False)
class AuthorView:
    slug: str
    url: str
    name: str
    organisations: list[str]
    countries: list[str]
    contributions: list[ContributionView]

    def by_discussion(
        self, discussions: Iterable[DiscussionView]
    ) -> list[tuple[DiscussionView, list[ContributionView]]]:
        groups = []
        for discussion in discussions:
            mine = [c for c in self.contributions if c.discussion == discussion.slug]
            if mine:
                groups.append((discussion, mine))
        return groups


@dataclass(frozen=True)
class StaticPageView:
    """A page of the site's own (about, charter), in the interface language when it exists."""

    url: str
    slug: str
    title: str
    language: str
    source: Any  # the page as Pelican read it
    prefix: str = ""  # the interface language's URL prefix
    sibling_urls: tuple[str, ...] = ()  # URLs of the static pages, without prefix
    site_url: str = ""

    @property
    def content(self) -> Markup:
        # Read when the page is written: Pelican fixes its internal links for that page.
        content = self.source.content
        if self.prefix and self.sibling_urls:
            content = self._links_in_language(content)
        return Markup(content)

    def _links_in_language(self, content: str) -> str:
        """Links to other static pages lead to their version in the same language."""
        roots = [r"(?:\.\.(?:/\.\.)*)?/"]
        if self.site_url:
            roots.append(re.escape(self.site_url.rstrip("/")) + "/")
        pages = "|".join(re.escape(url) for url in self.sibling_urls)
        pattern = re.compile(rf'href="((?:{"|".join(roots)}))({pages})(#[^"]*)?"')
        return pattern.sub(lambda m: f'href="{m[1]}{self.prefix}{m[2]}{m[3] or ""}"', content)


@dataclass(eq=False)
class SiteView:
    discussions: list[DiscussionView]
    authors: list[AuthorView]
    language: str
    today: dt.date
    prefix: str = ""  # "fr/" when each interface language has its own pages
    static_pages: list[StaticPageView] = field(default_factory=list)

    @property
    def home_url(self) -> str:
        return self.prefix

    @property
    def authors_url(self) -> str:
        return self.prefix + AUTHORS_URL

    def by_status(self) -> dict[Status, list[DiscussionView]]:
        groups: dict[Status, list[DiscussionView]] = {"open": [], "upcoming": [], "past": []}
        for discussion in self.discussions:
            groups[discussion.status].append(discussion)
        groups["upcoming"].sort(key=lambda d: d.opens)  # the next one first
        return groups


def latest(contributions: Iterable[ContributionView], limit: int) -> list[ContributionView]:
    """The ``limit`` most recent contributions, newest first (what the feeds show)."""
    return sorted(contributions, key=lambda c: (c.date, c.discussion, c.id), reverse=True)[:limit]


Renderer = Callable[[Contribution], str]
# What each contribution's HTML gives the pages, made once per text (see build_site).
RENDERED_PARTS = ("", "#excerpt", "#opening", "#plain")


def rendered_parts(html: str) -> tuple[str, str, str, str]:
    """A contribution's HTML, excerpt, first sentences and plain text (``RENDERED_PARTS``)."""
    return html, markup.excerpt(html), markup.first_sentences(html), plain_text(html)


def render_contribution(contribution: Contribution) -> str:
    return markup.render(contribution.body, id_prefix=f"{contribution.id}-")


def build_site(
    archive: Archive,
    language: str,
    today: dt.date,
    *,
    render: Renderer = render_contribution,
    rendered: dict[str, str] | None = None,
    prefix: str = "",
) -> SiteView:
    """Arrange ``archive`` for pages in interface ``language``, with URLs under ``prefix``.

    ``rendered`` maps ``discussion/id`` + each of ``RENDERED_PARTS`` to what
    ``rendered_parts`` makes of a contribution's HTML (shared by every language, or made
    in parallel, see ``incremental.render_contributions``); whatever is missing is
    rendered with ``render`` and added to it.
    """
    rendered = {} if rendered is None else rendered
    discussions = [
        _discussion_view(d, language, today, render=render, rendered=rendered, prefix=prefix)
        for d in archive.discussions
    ]
    return SiteView(discussions, _author_views(discussions, prefix), language, today, prefix)


def _discussion_view(
    discussion: Discussion,
    language: str,
    today: dt.date,
    *,
    render: Renderer,
    rendered: dict[str, str],
    prefix: str,
) -> DiscussionView:
    default = discussion.default_language
    views = {}
    for c in discussion.contributions:
        key = f"{c.discussion}/{c.id}"
        if any(key + part not in rendered for part in RENDERED_PARTS):
            html = render(c)
            for part, text in zip(RENDERED_PARTS, rendered_parts(html), strict=True):
                rendered[key + part] = text
        body = rendered[key]
        views[c.id] = ContributionView(
            contribution=c,
            html=Markup(body),
            excerpt=rendered[key + "#excerpt"],
            opening=rendered[key + "#opening"],
            plain=rendered[key + "#plain"],
            url=prefix + contribution_url(c.discussion, c.id),
            author_url=prefix + author_url(c.author),
            week_url=prefix + week_url(c.discussion, c.week),
        )
    _link(views)
    ordered = sorted(views.values(), key=lambda v: v.contribution.sort_key)
    weeks = [_week_view(discussion, w, language, ordered, prefix) for w in discussion.weeks]
    call_language = _pick(discussion.calls, language, default)
    call_key = f"{discussion.slug}/call.{call_language}"
    if call_language and call_key not in rendered:
        rendered[call_key] = markup.render(
            discussion.calls[call_language], "call-", CALL_HEADING_SHIFT
        )
    return DiscussionView(
        discussion=discussion,
        url=prefix + discussion_url(discussion.slug),
        feed_url=discussion_feed_url(discussion.slug),
        status=discussion.status_on(today),
        title=discussion.title_in(language),
        title_language=_pick(discussion.title, language, default) or default,
        description=localized(discussion.description, language, default)
        if discussion.description
        else "",
        description_language=_pick(discussion.description, language, default) or default,
        call_html=Markup(rendered[call_key] if call_language else ""),
        call_language=call_language,
        weeks=weeks,
        contributions=ordered,
    )


def _pick(texts: dict[str, object], language: str, default: str) -> str | None:
    """The language whose text is shown: the reader's, else the default, else any."""
    if language in texts:
        return language
    if default in texts:
        return default
    return next(iter(sorted(texts)), None)


def _link(views: dict[str, ContributionView]) -> None:
    for view in sorted(views.values(), key=lambda v: v.contribution.sort_key):
        c = view.contribution
        if c.translation_of is not None:
            view.original = views[c.translation_of]
            view.original.translations.append(view)
        elif c.in_reply_to is not None:
            view.parent = views[c.in_reply_to]
            view.parent.replies.append(view)


def _week_view(
    discussion: Discussion,
    week: Week,
    language: str,
    ordered: list[ContributionView],
    prefix: str,
) -> WeekView:
    default = discussion.default_language
    following = [w.starts for w in discussion.weeks if w.starts > week.starts]
    ends = min(following) - dt.timedelta(days=1) if following else discussion.closes
    questions_language = _pick(week.questions, language, default) or default
    return WeekView(
        week=week,
        url=prefix + week_url(discussion.slug, week.number),
        title=localized(week.title, language, default),
        title_language=_pick(week.title, language, default) or default,
        questions=week.questions.get(questions_language, ()),
        questions_language=questions_language,
        ends=max(ends, week.starts),
        contributions=[c for c in ordered if c.week == week.number and not c.is_translation],
    )


def _author_views(discussions: list[DiscussionView], prefix: str) -> list[AuthorView]:
    by_slug: dict[str, list[ContributionView]] = defaultdict(list)
    for discussion in discussions:
        for c in discussion.contributions:
            by_slug[author_slug(c.author)].append(c)
    authors = []
    for slug, contributions in by_slug.items():
        contributions.sort(key=lambda c: (c.date, c.discussion, c.id), reverse=True)
        # The most recent spelling of a name is the one shown.
        authors.append(
            AuthorView(
                slug=slug,
                url=f"{prefix}authors/{slug}/",
                name=contributions[0].author,
                organisations=sorted({c.organisation for c in contributions if c.organisation}),
                countries=sorted({c.country for c in contributions if c.country}),
                contributions=contributions,
            )
        )
    return sorted(authors, key=lambda a: (a.name.casefold(), a.slug))
