"""One way to run independent pieces of work: in this process, a local process pool, or Dask.

The assignment's components, the coaches' calendars and what-if scenarios are independent
problems. They all go through :func:`map_ordered`, which returns results in the order of its
inputs whatever finished first, so results never depend on the executor or the worker count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client


def map_ordered(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    workers: int = 1,
    scheduler: str | Client | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list[Any]:
    """``[fn(item) for item in items]``, possibly in parallel, always in input order.

    ``scheduler`` is the address of a Dask distributed scheduler (``tcp://host:8786``) or an
    existing ``distributed.Client``; without it, ``workers > 1`` uses a local process pool.
    ``on_done(n)`` is called with the number finished so far, for a progress display.
    """
    items = list(items)
    if scheduler is not None:
        return _dask_map(fn, items, scheduler, on_done)
    if workers <= 1 or len(items) <= 1:
        return list(_serial(fn, items, on_done))
    results: list[Any] = [None] * len(items)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(fn, item): i for i, item in enumerate(items)}
        from concurrent.futures import as_completed

        for n, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if on_done:
                on_done(n)
    return results


def _serial(
    fn: Callable[[Any], Any], items: list[Any], on_done: Callable[[int], None] | None
) -> Iterator[Any]:
    for n, item in enumerate(items, start=1):
        yield fn(item)
        if on_done:
            on_done(n)


def _dask_map(
    fn: Callable[[Any], Any],
    items: list[Any],
    scheduler: str | Client,
    on_done: Callable[[int], None] | None,
) -> list[Any]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError(
            "a Dask scheduler was named but dask[distributed] is not installed: "
            "pip install 'coachmatch[dask]'"
        ) from exc
    if isinstance(scheduler, Client):
        client, own = scheduler, False
    else:  # dask's Client and as_completed are not annotated
        client, own = Client(scheduler), True  # type: ignore[no-untyped-call]
    try:
        futures = client.map(fn, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for n, future in enumerate(as_completed(futures), start=1):  # type: ignore[no-untyped-call]
            results[index[future.key]] = future.result()
            if on_done:
                on_done(n)
        return results
    finally:
        if own:
            client.close()  # type: ignore[no-untyped-call]
