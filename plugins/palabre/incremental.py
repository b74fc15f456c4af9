"""Caches kept between builds in Pelican's cache folder, and the code digest.

What each page depends on, and so when it is rendered again, is in ``dependencies``;
this module keeps what a build may reuse: parsed files, rendered texts (by their file's
digest and the code that rendered them), and the search index's term counts.
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import pickle
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import markdown_it
import nh3

from .dependencies import digest
from .model import Archive, Contribution
from .output import parallel_map
from .views import RENDERED_PARTS, rendered_parts

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
    never a wrong one. Keys say everything their value depends on (digests of its
    inputs), so any subset of the entries, however old, is correct.

    The file holds a pickle of the whole dictionary, then, one after the other, what later
    builds added and dropped: a rebuild that changed a few entries appends them instead of
    writing tens of megabytes again. A change whose bytes do not match their checksum
    (cut short, or two builds appending at once) ends the reading there. Once the changes
    add up to a quarter of the entries, or there are ``MAX_CHANGES`` of them, the next
    build that changes anything writes the file whole again.
    """

    CHANGES = "palabre-cache-changes-1"
    MAX_CHANGES = 32

    def __init__(self, cache_dir: Path, name: str) -> None:
        self.path = cache_dir / f"{name}.pickle"
        self.data: dict[Any, Any] = {}
        self.used: set[Any] = set()
        self.changed = False
        self.added: set[Any] = set()  # keys put by this build
        self.appendable = False  # the file was read to its end: changes may follow
        self.changes = 0  # changes in the file after the whole dictionary
        self.churn = 0  # entries they added or dropped

    def load(self) -> Cache:
        # Every object unpickled stays alive: the cyclic collector, run again and again as
        # they are made, would only walk them for nothing (a fifth of the time of a load).
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self.path.open("rb") as handle:
                version, data = pickle.load(handle)  # our own file, written below
                if version == CACHE_VERSION and isinstance(data, dict):
                    self.data = data
                    self.appendable = self._read_changes(handle)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError):
            return self
        finally:
            if collecting:
                gc.enable()
        return self

    def _read_changes(self, handle: io.BufferedReader) -> bool:
        """Apply the changes that follow the dictionary; whether all of them were read."""
        while handle.peek(1):
            try:
                kind, checksum, payload = pickle.load(handle)
                if kind != self.CHANGES or hashlib.sha256(payload).digest() != checksum:
                    return False
                added, dropped = pickle.loads(payload)
            except (EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError):
                return False
            self.data.update(added)
            for key in dropped:
                self.data.pop(key, None)
            self.churn += len(added) + len(dropped)
            self.changes += 1
        return True

    def get(self, key: Any) -> Any:
        value = self.data.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.data[key] = value
        self.used.add(key)
        self.added.add(key)
        self.changed = True

    def save(self) -> None:
        """Keep what this build used, so that the file does not grow forever.

        A build that used every entry and added none leaves the file as it is, and one
        that changed a few appends them (see the class): writing tens of megabytes again
        would cost a rebuild more than anything it skipped.
        """
        if not self.changed and len(self.used) == len(self.data):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        dropped = [key for key in self.data if key not in self.used]
        for key in dropped:
            del self.data[key]
        churn = self.churn + len(self.added) + len(dropped)
        if self.appendable and self.changes < self.MAX_CHANGES and churn <= len(self.data) // 4:
            added = {key: self.data[key] for key in self.added}
            payload = pickle.dumps((added, dropped), protocol=pickle.HIGHEST_PROTOCOL)
            change = (self.CHANGES, hashlib.sha256(payload).digest(), payload)
            with self.path.open("ab") as handle:
                handle.write(pickle.dumps(change, protocol=pickle.HIGHEST_PROTOCOL))
            self.changes, self.churn = self.changes + 1, churn
        else:
            # A name of its own, so that two builds writing at once cannot mix their bytes.
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                pickle.dump((CACHE_VERSION, self.data), handle, protocol=pickle.HIGHEST_PROTOCOL)
            temporary.replace(self.path)
            self.appendable, self.changes, self.churn = True, 0, 0
        self.added.clear()
        self.changed = False


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
    archive: Archive,
    cache: Cache,
    render: Callable[[Contribution], str],
    workers: int,
) -> dict[str, str]:
    """HTML, excerpt, opening sentences and plain text of every contribution, keyed as
    ``views.build_site`` expects.

    Texts rendered by an earlier build with the same code come from ``cache``, found by
    their file's digest (``Discussion.source_digest``); the others are rendered on every
    core.
    """
    version = code_digest()
    contributions = [(d, c) for d in archive.discussions for c in d.contributions]
    keys = [digest("markup", version, c.id, d.source_digest(c)) for d, c in contributions]
    missing = [i for i, key in enumerate(keys) if cache.get(key) is None]
    texts = parallel_map(render, [contributions[i][1] for i in missing], workers)
    for i, html in zip(missing, texts, strict=True):
        cache.put(keys[i], rendered_parts(html))
    rendered: dict[str, str] = {}
    for (_, contribution), key in zip(contributions, keys, strict=True):
        name = f"{contribution.discussion}/{contribution.id}"
        for part, text in zip(RENDERED_PARTS, cache.get(key), strict=True):
            rendered[name + part] = text
    return rendered
