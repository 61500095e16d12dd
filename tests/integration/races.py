"""Running attempts on real threads, all released at the same moment, for the concurrency tests.

A barrier holds every thread until all have started, so the attempts really overlap instead of
running one after another as the pool starts them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def all_at_once(count: int, attempt: Callable[[int], T]) -> list[T]:
    """``attempt(i)`` for i in 0..count-1 on as many threads, released together; the results
    in the order of i."""
    start = threading.Barrier(count)

    def run(i: int) -> T:
        start.wait(timeout=30)
        return attempt(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
