"""What the summary page and the proceedings show: the reply with its citations as links,
figures, contributors and digests, arranged for one interface language. Pure.

``attach_reports`` completes a ``SiteView``: each discussion gets its ``report``, each
contribution its ``number`` and the places of the reply that cite it (``cited_in``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from markupsafe import Markup, escape

from .figures import Figures, participation, person_slug
from .model import Summary
from .opendata import discussion_csv, discussion_json, numbers, records
from .summary import RenderedReply, fill_citations, render_summary
from .views import ContributionView, DiscussionView, SiteView, _pick, author_url

DATA_FOLDER = "data"


def summary_url(discussion: str) -> str:
    return f"{discussion}/summary/"


def proceedings_url(discussion: str) -> str:
    return f"{discussion}/proceedings/"


def data_url(discussion: str, extension: str) -> str:
    """The open data files: once per site, at its root, whatever the interface language."""
    return f"{DATA_FOLDER}/{discussion}.{extension}"


_render = lru_cache(maxsize=256)(render_summary)


@dataclass(eq=False)
class CitedAt:
    """A place of the reply (paragraph, list item, heading) that cites a contribution."""

    url: str  # the summary page with the fragment, without the site's address
    section: str  # the heading it is under; "" before the first heading
    text: str
    language: str


@dataclass(eq=False)
class ReplyView:
    """The reply shown to readers of one interface language: theirs, or the fallback."""

    summary: Summary
    rendered: RenderedReply
    url: str
    contributions: dict[str, ContributionView]

    @property
    def language(self) -> str:
        return self.summary.language

    @property
    def headings(self) -> list[tuple[int, str, str]]:
        """(level, text, id) of the reply's headings, for the page's table of contents."""
        return [(a.level, a.text, fragment) for a, fragment in self.rendered.headings]

    def html(self, site_url: str, label: Callable[[ContributionView], str] | None = None) -> Markup:
        """The reply's HTML with its citations as links, for a page whose ``SITEURL`` is
        ``site_url`` (relative or absolute); ``label`` names a contribution by number."""
        return Markup(markup_citations(self.rendered, self.contributions, site_url, label))

    def places(self) -> dict[str, list[CitedAt]]:
        """Where each original contribution is cited, by id, in the order of the text."""
        original = {
            cid: v.original.id if v.original else cid for cid, v in self.contributions.items()
        }
        found: dict[str, list[CitedAt]] = {}
        for citation in self.rendered.citations:
            if citation.anchor is None:
                continue
            anchor = self.rendered.anchors[citation.anchor]
            place = CitedAt(
                url=f"{self.url}#{self.rendered.fragment(citation.anchor)}",
                section=anchor.section,
                text=anchor.text,
                language=self.language,
            )
            for cid in citation.ids:
                places = found.setdefault(original.get(cid, cid), [])
                if all(p.url != place.url for p in places):
                    places.append(place)
        return found


def markup_citations(
    rendered: RenderedReply,
    contributions: dict[str, ContributionView],
    site_url: str,
    label: Callable[[ContributionView], str] | None = None,
) -> str:
    """Citations as links to the contributions: "(Name, Country; Name, Organisation)".

    Two contributions of one person in one citation show the person once, then each
    contribution's ``label`` (its number in the proceedings): "(Name, Country: No. 9, No. 11)".
    """

    def href(c: ContributionView) -> str:
        return f"{escape(site_url)}/{escape(c.url)}"

    def link(ids: Iterable[str]) -> str:
        people: dict[str, list[ContributionView]] = {}
        for cid in ids:
            if cid in contributions:  # the loader stops the build on any other id
                c = contributions[cid]
                people.setdefault(person_slug(c.author), []).append(c)
        parts = []
        for items in people.values():
            first = items[0]
            where = first.country or first.organisation
            who = f"<bdi>{escape(first.author)}</bdi>"
            if where:
                who += f", <bdi>{escape(where)}</bdi>"
            if len(items) == 1:
                parts.append(f'<a class="citation__link" href="{href(first)}">{who}</a>')
                continue
            numbers = ", ".join(
                f'<a class="citation__link" href="{href(c)}">'
                f"{escape(label(c) if label else c.number)}</a>"
                for c in items
            )
            parts.append(f"{who}: {numbers}")
        return f'<span class="citation">({"; ".join(parts)})</span>' if parts else ""

    return fill_citations(rendered, link)


@dataclass(eq=False)
class ContributorEntry:
    name: str
    url: str
    organisations: list[str]
    countries: list[str]
    contributions: list[ContributionView]


@dataclass(eq=False)
class DigestEntry:
    contribution: ContributionView
    text: str


@dataclass(eq=False)
class ReportView:
    """The summary page and the proceedings of one discussion.

    Figures, contributors and digests are made when a page first shows them: a rebuild
    that renders neither page of the discussion never pays for them.
    """

    url: str
    proceedings_url: str
    json_url: str
    csv_url: str
    reply: ReplyView | None
    languages: list[str]  # the languages the reply is written in
    discussion: DiscussionView
    prefix: str = ""

    @cached_property
    def figures(self) -> Figures:
        return participation(self.discussion.discussion)

    @cached_property
    def contributors(self) -> list[ContributorEntry]:
        return _contributors(self.discussion, self.prefix)

    @cached_property
    def digest(self) -> dict[int, list[DigestEntry]]:
        return {
            w.number: [DigestEntry(c, c.opening) for c in w.contributions]
            for w in self.discussion.weeks
        }

    @property
    def final(self) -> bool:
        return self.reply is not None and self.reply.summary.status == "final"


def attach_reports(site: SiteView) -> None:
    """Give every discussion of ``site`` its report, and its contributions their number
    and the places of the reply that cite them."""
    for discussion in site.discussions:
        discussion.report = _report(discussion, site.language, site.prefix)


def _report(discussion: DiscussionView, language: str, prefix: str) -> ReportView:
    d = discussion.discussion
    slug = d.slug
    by_id = {c.id: c for c in discussion.contributions}
    for cid, number in numbers(d).items():
        by_id[cid].number = number
    chosen = _pick(d.summaries, language, d.default_language)
    reply = None
    if chosen is not None:
        reply = ReplyView(
            summary=d.summaries[chosen],
            rendered=_render(d.summaries[chosen]),
            url=prefix + summary_url(slug),
            contributions=by_id,
        )
        places = reply.places()
        for c in discussion.contributions:
            c.cited_in = places.get(c.original.id if c.original else c.id, [])
    return ReportView(
        url=prefix + summary_url(slug),
        proceedings_url=prefix + proceedings_url(slug),
        json_url=data_url(slug, "json"),
        csv_url=data_url(slug, "csv"),
        reply=reply,
        languages=sorted(d.summaries, key=d.languages.index),
        discussion=discussion,
        prefix=prefix,
    )


def _contributors(discussion: DiscussionView, prefix: str) -> list[ContributorEntry]:
    """Everyone who wrote an original contribution, by name; each with what they wrote."""
    people: dict[str, list[ContributionView]] = {}
    for c in discussion.originals:
        people.setdefault(person_slug(c.author), []).append(c)
    entries = []
    for items in people.values():
        latest = max(items, key=lambda c: c.contribution.sort_key)
        entries.append(
            ContributorEntry(
                name=latest.author,
                url=prefix + author_url(latest.author),
                organisations=sorted({c.organisation for c in items if c.organisation}),
                countries=sorted({c.country for c in items if c.country}),
                contributions=items,
            )
        )
    return sorted(entries, key=lambda e: (e.name.casefold(), e.url))


def open_data_files(discussion: DiscussionView, site_url: str) -> list[tuple[str, str]]:
    """(file name, text) of the discussion's JSON and CSV files. Page addresses are those of
    ``discussion``'s interface language, after ``site_url`` when the site has one."""
    base = f"{site_url}/" if site_url else ""
    views = {c.id: c for c in discussion.contributions}
    items = records(
        discussion.discussion,
        plain=lambda c: views[c.id].plain,
        url=lambda c: base + views[c.id].url,
    )
    slug = discussion.slug
    facts = discussion_json(discussion.discussion, items, base + discussion.url)
    return [(data_url(slug, "json"), facts), (data_url(slug, "csv"), discussion_csv(items))]
