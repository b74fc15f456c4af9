"""Writing pages: rendered once each, written only when their bytes change, on both cores.

Pelican's writer rewrites every file on every build; for a moderator who merges one
contribution into a large archive, only the pages whose text changed should be touched,
so that a rebuild after no change writes nothing and a static host uploads little.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from pelican.utils import get_relative_path, path_to_url, sanitised_join

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
MANIFEST = "palabre-outputs.json"
# Below this many items, starting worker processes costs more than it saves (a page of a
# large discussion takes tens of milliseconds; a fork, a few).
PARALLEL_THRESHOLD = 8
CHUNKED = 256


def write_if_changed(path: Path, text: str | bytes) -> bool:
    """Write ``text`` to ``path`` unless the file already holds exactly it."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    overwrite(str(path), data)
    return True


def overwrite(path: str, data: bytes) -> None:
    """Write ``data`` over the file's old bytes, then cut it to their length.

    Not truncated to nothing first: ext4 (``auto_da_alloc``) then writes a file out at
    once when it is closed, which makes rewriting hundreds of small files ten times slower.
    """
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below, on both paths
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle = open(path, "wb")  # noqa: SIM115
    with handle:
        handle.write(data)
        handle.truncate()


def page_context(
    context: dict[str, Any], name: str, relative_urls: bool, values: dict[str, Any]
) -> dict[str, Any]:
    """What Pelican's writer gives a template, for the output file ``name``."""
    local = dict(context)
    local["localsiteurl"] = local.get("localsiteurl")
    if relative_urls:
        relative_url = path_to_url(get_relative_path(name))
        local["SITEURL"] = relative_url
        local["localsiteurl"] = relative_url
        # Pelican's pages fix their internal links with the shared context's value.
        context["localsiteurl"] = relative_url
    local["output_file"] = name
    local.update(values)
    return local


def output_path(output: str | Path, name: str) -> Path:
    return Path(sanitised_join(str(output), name))


# What forked workers run: set just before the fork, so that children inherit the items
# themselves and only (start, end) ranges are sent to them, never pickled page objects.
_JOB: Callable[[Any], Any] | None = None
_ITEMS: Sequence[Any] = ()


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    assert _JOB is not None
    return [_JOB(item) for item in _ITEMS[bounds[0] : bounds[1]]]


def parallel_map(function: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[function(item) for item in items]``, shared out over forked worker processes.

    Workers are forked, so they see everything the parent built (views, templates)
    without pickling it; only the results travel back. Order is preserved.
    """
    return start_map(function, items, workers).get()


class Pending(Generic[R]):
    """Results that forked workers are making while the parent goes on (``start_map``)."""

    def __init__(self, results: list[R] | None = None, pool: Any = None, chunks: Any = None):
        self._results = results
        self._pool = pool
        self._chunks = chunks

    def get(self) -> list[R]:
        """Wait for the workers; raise what one of them raised."""
        if self._results is None:
            try:
                chunks = self._chunks.get()
            finally:
                self._pool.terminate()
                self._pool.join()
            self._results = [result for chunk in chunks for result in chunk]
        return self._results


def start_map(function: Callable[[T], R], items: Sequence[T], workers: int) -> Pending[R]:
    """Start ``parallel_map`` and return at once: ``.get()`` waits for the results."""
    global _JOB, _ITEMS  # inherited by the forked children
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD or not _can_fork():
        return Pending([function(item) for item in items])
    # A few chunks per worker balance the load of a full build; a rebuild's few pages, one
    # of which may be a whole discussion's proceedings, go one by one.
    size = 1 if len(items) < CHUNKED else -(-len(items) // (workers * 4))
    ranges = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _JOB, _ITEMS = function, items
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)  # the workers fork here
    finally:
        _JOB, _ITEMS = None, ()
    return Pending(pool=pool, chunks=pool.map_async(_run_range, ranges))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worker_count(configured: int | None) -> int:
    return configured if configured else (os.cpu_count() or 1)


class OutputManifest:
    """The files Palabre wrote last time, with the digest of each page's inputs.

    A page whose digest did not change is not rendered again, and the files of content
    that disappeared (a deleted or renamed contribution) are removed.
    """

    def __init__(self, cache_dir: Path, output: Path) -> None:
        self.path = cache_dir / MANIFEST
        self.output = output
        self._data: dict[str, Any] | None = None

    def previous(self) -> dict[str, str | None]:
        """Each file the previous build wrote, with its digest."""
        files = self._read().get("files")
        return files if isinstance(files, dict) else {}

    def previous_inputs(self) -> dict[str, Any]:
        """The digests of what the previous build read (see ``replace``)."""
        inputs = self._read().get("inputs")
        return inputs if isinstance(inputs, dict) else {}

    def _read(self) -> dict[str, Any]:
        if self._data is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError):
                data = {}
            wanted = isinstance(data, dict) and data.get("output") == str(self.output.resolve())
            self._data = data if wanted else {}
        return self._data

    def replace(
        self, written: dict[str, str | None], inputs: dict[str, Any] | None = None
    ) -> list[str]:
        """Record ``written`` and the ``inputs`` it was made from; delete what the previous
        build wrote and this one did not."""
        previous = self.previous()
        stale = sorted(set(previous) - set(written))
        for name in stale:
            path = output_path(self.output, name)
            if path.is_file():
                path.unlink()
                logger.info("Palabre: removed %s", name)
        data = {"output": str(self.output.resolve()), "files": written, "inputs": inputs or {}}
        if data != self._read():  # a rebuild after no change writes nothing, this included
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(data, indent=0, sort_keys=True), encoding="utf-8")
        self._data = data
        return stale
