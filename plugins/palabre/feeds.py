"""Atom feeds of contributions. Pure: views in, XML text out.

The entries carry the sanitised HTML of each contribution, the same that pages show.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from feedgenerator import Atom1Feed

from .views import ContributionView


def _absolute(site_url: str, url: str) -> str:
    return f"{site_url.rstrip('/')}/{url}"


def atom_feed(
    *,
    title: str,
    site_url: str,
    page_url: str,
    feed_url: str,
    language: str,
    entries: Iterable[ContributionView],
    updated: dt.date | None = None,
) -> str:
    entries = list(entries)
    feed = Atom1Feed(
        title=title,
        link=_absolute(site_url, page_url),
        feed_url=_absolute(site_url, feed_url),
        description="",
        language=language,
        feed_guid=_absolute(site_url, feed_url),
    )
    for entry in entries:
        day = dt.datetime.combine(entry.date, dt.time(0, 0), tzinfo=dt.UTC)
        feed.add_item(
            title=entry.title,
            link=_absolute(site_url, entry.url),
            unique_id=f"tag:palabre,{entry.date.isoformat()}:{entry.discussion}/{entry.id}",
            description=entry.excerpt,
            content=str(entry.html),
            author_name=entry.author,
            pubdate=day,
            updateddate=day,
        )
    latest = max((e.date for e in entries), default=updated or dt.date(1970, 1, 1))
    buffer = io.StringIO()
    feed.latest_post_date = lambda: dt.datetime.combine(latest, dt.time(0, 0), tzinfo=dt.UTC)
    feed.write(buffer, "utf-8")
    return buffer.getvalue()
