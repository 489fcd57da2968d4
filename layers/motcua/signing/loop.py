"""pyHanko's synchronous calls, wherever they are made from."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


def outside_loop(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)`, on a thread of its own when this thread already runs an event loop.

    pyHanko's sync functions wrap its async ones in `asyncio.run`, which refuses to start inside a
    running loop (an async caller, a test harness or a browser driver sharing the thread). Lambda's
    handlers run none, and call directly.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(call, *args, **kwargs).result()
