"""The helper thread (``omov.count.helper``) does its work in order, and hands back each
piece's result or error, as the ``ThreadPoolExecutor(1)`` it stands in for did."""

from __future__ import annotations

import threading
import time

import pytest

from omov.count.helper import Helper, Later


def test_work_is_done_in_another_thread_in_the_order_handed_over() -> None:
    helper = Helper()
    done: list[int] = []
    threads: set[int] = set()

    def piece(i: int, pause: float) -> int:
        time.sleep(pause)  # the first would finish last if they ran at once
        done.append(i)
        threads.add(threading.get_ident())
        return i * 10

    outcomes = [helper.submit(piece, i, pause=0.02 * (3 - i)) for i in range(3)]
    assert [outcome.result() for outcome in outcomes] == [0, 10, 20]
    assert done == [0, 1, 2]
    assert threading.get_ident() not in threads


def test_an_error_is_raised_where_the_result_is_asked_for() -> None:
    def failing() -> int:
        raise ValueError("in the helper")

    later = Later(failing)
    with pytest.raises(ValueError, match="in the helper"):
        later.result()
    helper = Helper()
    first = helper.submit(failing)
    second = helper.submit(lambda: 2)  # work after a failed piece still runs
    helper.join()
    assert second.result() == 2
    with pytest.raises(ValueError, match="in the helper"):
        first.result()
