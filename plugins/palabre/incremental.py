"""What a rebuild may skip: digests of a page's inputs, and caches kept between builds.

A page is rendered again only when the digest of what it shows changes. The digests are
deliberately coarse, so that they cannot miss a dependency:

- the *site* digest covers templates, catalogues, settings and the site's own pages:
  when it changes, every page is rendered again;
- a *discussion* digest covers every file of that discussion and its status on the
  build day: the pages of a discussion (its weeks, contributions, reply, proceedings)
  depend on it and on the site digest only, since they show nothing of other discussions;
- pages that list several discussions (home, contributors, an author's page) depend on
  the digests of all the discussions they list.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import markdown_it
import nh3

from .dependencies import digest
from .markup import excerpt
from .model import Contribution
from .output import parallel_map

logger = logging.getLogger(__name__)

# Raise when the shape of cached objects changes, so that old caches are ignored.
CACHE_VERSION = "palabre-cache-1"


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """Digest of the names and bytes of ``paths``, in a stable order."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        hasher.update(path.read_bytes() + b"\0")
    return hasher.hexdigest()


def folder_digest(folder: Path) -> str:
    if not folder.is_dir():
        return digest("missing", str(folder))
    return files_digest((p for p in folder.rglob("*") if p.is_file()), folder)


class Cache:
    """A dictionary kept in one file of Pelican's cache folder between builds.

    A missing, old or unreadable file is an empty cache: it costs a slower build,
    never a wrong one.
    """

    def __init__(self, cache_dir: Path, name: str) -> None:
        self.path = cache_dir / f"{name}.pickle"
        self.data: dict[Any, Any] = {}
        self.used: set[Any] = set()
        self.changed = False

    def load(self) -> Cache:
        try:
            with self.path.open("rb") as handle:
                version, data = pickle.load(handle)  # our own file, written below
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError):
            return self
        if version == CACHE_VERSION and isinstance(data, dict):
            self.data = data
        return self

    def get(self, key: Any) -> Any:
        value = self.data.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.data[key] = value
        self.used.add(key)
        self.changed = True

    def save(self) -> None:
        """Keep what this build used, so that the file does not grow forever.

        A build that used every entry and added none leaves the file as it is: writing
        tens of megabytes again would cost a rebuild more than anything it skipped.
        """
        if not self.changed and len(self.used) == len(self.data):
            return
        kept = {key: self.data[key] for key in self.used if key in self.data}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump((CACHE_VERSION, kept), handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(self.path)


@cache
def code_digest() -> str:
    """Digest of Palabre's own code and the renderers it uses: output changes with them."""
    package = Path(__file__).resolve().parent
    return digest(
        files_digest(package.glob("*.py"), package),
        getattr(markdown_it, "__version__", ""),
        getattr(nh3, "__version__", ""),
    )


def render_contributions(
    contributions: Sequence[Contribution],
    cache: Cache,
    render: Callable[[Contribution], str],
    workers: int,
) -> dict[str, str]:
    """HTML and excerpt of every contribution, keyed as ``views.build_site`` expects.

    Texts rendered by an earlier build with the same code come from ``cache``; the others
    are rendered on every core.
    """
    version = code_digest()
    keys = {c: digest("markup", version, c.discussion, c.id, c.body) for c in contributions}
    missing = [c for c in contributions if cache.get(keys[c]) is None]
    for contribution, html in zip(missing, parallel_map(render, missing, workers), strict=True):
        cache.put(keys[contribution], (html, excerpt(html)))
    rendered: dict[str, str] = {}
    for contribution in contributions:
        html, summary = cache.get(keys[contribution])
        name = f"{contribution.discussion}/{contribution.id}"
        rendered[name] = html
        rendered[name + "#excerpt"] = summary
    return rendered
