"""What each page shows of the archive, as a digest: a rebuild renders a page again only
when its digest changes. Pure.

Every page digest starts from the *site* digest (code, templates, catalogues, settings,
the site's own pages): when it changes, every page is rendered again. Then each kind of
page adds what its template reads, and nothing else, so that merging one contribution
into a large archive re-renders a handful of pages instead of its whole discussion:

- a contribution page: the contribution, its parent, original, translations and replies
  (with their number of replies), the originals before and after it (the pager), the
  places of the reply that cite it, and its discussion's *frame* (title, weeks, dates,
  status: what every page of the discussion shows);
- a week page: the frame and every contribution of the week with its neighbours;
- an author page: their contributions with their neighbours and the frames of those
  discussions;
- a discussion's own page, summary and proceedings: the whole discussion;
- home and the contributors' list: the whole archive;
- the site's own pages and the root redirects: the site only.

A digest covers more than the page shows rather than less: ``test_rebuild`` checks, edit
after edit, that a rebuild gives byte for byte what a full build gives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from .model import Archive, Discussion
from .views import AuthorView, ContributionView, DiscussionView, WeekView


def digest(*parts: object) -> str:
    """A stable hex digest of ``parts`` (text, bytes, or anything with a stable repr)."""
    hasher = hashlib.sha256()
    for part in parts:
        # Text is hashed as it is: repr would first copy and escape long bodies.
        if isinstance(part, str):
            data = b"s" + part.encode("utf-8", "surrogatepass")
        elif isinstance(part, bytes):
            data = b"b" + part
        else:
            data = b"r" + repr(part).encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def joined(*digests: str) -> str:
    """The digest of a sequence of digests (or other text without a line break)."""
    return hashlib.sha256("\n".join(digests).encode("utf-8")).hexdigest()


class ArchiveDigests:
    """Digests of the archive's parts, the same for every interface language."""

    def __init__(self, archive: Archive, today: dt.date) -> None:
        self.own: dict[tuple[str, str], str] = {}
        self.frames: dict[str, str] = {}
        self.wholes: dict[str, str] = {}
        for discussion in archive.discussions:
            self._add(discussion, today)
        self.archive = digest(sorted(self.wholes.items()))
        self._nodes: dict[tuple[str, str], str] = {}
        self._around: dict[tuple[str, str], str] = {}
        self._pagers: dict[str, Pager] = {}

    def _add(self, discussion: Discussion, today: dt.date) -> None:
        slug = discussion.slug
        for c in discussion.contributions:
            self.own[(slug, c.id)] = discussion.source_digest(c)
        frame = dataclasses.replace(discussion, contributions=(), summaries={})
        self.frames[slug] = digest(frame, discussion.status_on(today))
        self.wholes[slug] = digest(
            self.frames[slug],
            sorted(discussion.summaries.items()),
            sorted(self.own[(slug, c.id)] for c in discussion.contributions),
        )

    def of(self, view: ContributionView | None) -> str:
        """The digest of one contribution's own text and fields."""
        return "-" if view is None else self.own[(view.discussion, view.id)]

    def node(self, view: ContributionView) -> str:
        """A contribution with what cards and lists show of its neighbours."""
        key = (view.discussion, view.id)
        found = self._nodes.get(key)
        if found is None:
            found = self._nodes[key] = joined(
                self.of(view),
                self.of(view.parent),
                self.of(view.original),
                "replies",
                *(f"{self.of(r)}:{len(r.replies)}" for r in view.replies),
                "translations",
                *(self.of(t) for t in view.translations),
            )
        return found

    def around(self, discussion: DiscussionView, view: ContributionView) -> str:
        """What a contribution's page shows in any language: the contribution and its
        neighbours, its original's, the originals before and after, the frame."""
        key = (view.discussion, view.id)
        found = self._around.get(key)
        if found is None:
            pager = self._pagers.get(discussion.slug)
            if pager is None:
                pager = self._pagers[discussion.slug] = Pager(discussion.originals)
            here = view.original or view
            before, after = pager.around(here)
            found = self._around[key] = joined(
                self.frames[discussion.slug],
                self.node(view),
                self.node(here),
                self.of(before),
                self.of(after),
            )
        return found


class PageDigests:
    """Digests of the pages of one interface language, written under ``prefix``."""

    def __init__(self, site: str, archive: ArchiveDigests, prefix: str | None) -> None:
        self.site = site
        self.archive = archive
        self.prefix = prefix

    def page(self, path: str, template: str, *shown: str) -> str:
        return joined(self.site, self.prefix or "", path, template, *shown)

    def of(self, path: str, template: str, values: dict[str, Any]) -> str:
        """The digest of the page at ``path`` that ``template`` renders with ``values``."""
        a = self.archive
        discussion: DiscussionView | None = values.get("discussion")
        if template == "contribution" and discussion is not None:
            return self.contribution(path, discussion, values["contribution"])
        if template == "week" and discussion is not None:
            week: WeekView = values["week"]
            shown = (a.node(c) for c in week.contributions)
            return self.page(path, template, a.frames[discussion.slug], *shown)
        if discussion is not None:  # its own page, summary, proceedings
            return self.page(path, template, a.wholes[discussion.slug])
        if template == "author":
            author: AuthorView = values["author"]
            slugs = sorted({c.discussion for c in author.contributions})
            frames = joined(*(a.frames[slug] for slug in slugs))
            return self.page(path, template, frames, *(a.node(c) for c in author.contributions))
        if template == "page":  # the site's own pages are in the site digest
            return self.page(path, template)
        return self.page(path, template, a.archive)  # home, contributors, anything else

    def contribution(self, path: str, discussion: DiscussionView, view: ContributionView) -> str:
        shown = joined(self.site, self.prefix or "", path, self.archive.around(discussion, view))
        if view.cited_in:  # the reply cited depends on the interface language
            return digest(shown, [dataclasses.astuple(place) for place in view.cited_in])
        return shown


class Pager:
    """The originals of one discussion in order, to find a contribution's neighbours."""

    def __init__(self, originals: Iterable[ContributionView]) -> None:
        self.originals = list(originals)
        self.index = {id(view): number for number, view in enumerate(self.originals)}

    def around(self, view: ContributionView) -> tuple[ContributionView | None, ...]:
        number = self.index[id(view)]
        before = self.originals[number - 1] if number > 0 else None
        after = self.originals[number + 1] if number + 1 < len(self.originals) else None
        return before, after
