"""Work done meanwhile in a helper thread, with ``threading`` alone.

The count core hands NumPy work (which lets go of the GIL) to a second thread in a few
places. ``concurrent.futures`` would do, but importing it imports ``logging`` and
``queue`` as well, which costs a command-line count (a process of its own) more than the
work it hands over saves on a small file. A ``Helper`` does what one
``ThreadPoolExecutor(1)`` did here: its work in the order handed over, one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar, cast

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Outcome(Protocol[T_co]):
    """What is handed back for work handed over: its result, when it is done."""

    def result(self) -> T_co: ...


class Submits(Protocol):
    """What takes work: a ``Helper``, or a ``concurrent.futures`` executor."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Outcome[T]: ...


class Later(Generic[T]):
    """``work()`` in a thread of its own, started now (after ``after`` is done, if given);
    ``result`` waits for it and returns its value, or raises what it raised."""

    def __init__(self, work: Callable[[], T], after: Later[Any] | None = None) -> None:
        self._work, self._after = work, after
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        if self._after is not None:
            self._after._thread.join()
            self._after = None  # its value is not kept alive by this one
        try:
            self._value = self._work()
        except BaseException as error:  # raised in the thread that asks for the result
            self._error = error

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)  # set: the work returned


class Helper:
    """One helper thread's worth of work: each piece handed over starts when the one
    before it is done, as in a ``ThreadPoolExecutor(1)``."""

    def __init__(self) -> None:
        self._last: Later[Any] | None = None

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Later[T]:
        later = Later(lambda: fn(*args, **kwargs), self._last)
        self._last = later
        return later

    def join(self) -> None:
        """Wait until all work handed over is done (its errors are for ``result``)."""
        if self._last is not None:
            self._last._thread.join()
