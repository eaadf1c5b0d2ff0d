"""The loops over every ballot, run in slices across worker processes.

Every proof here costs a handful of exponentiations per ballot, each one call into
libsodium (~30-160 µs); the calls are independent, so a list is cut into one contiguous
slice per worker and each slice runs in its own process (libsodium holds the GIL, so
threads would not help). Products are taken per slice and multiplied at the end, which the
group's commutativity allows. With ``workers=1``, or a short list, everything runs in the
calling process: the tests and the web app's small contests never start a process.

Workers are started with ``spawn``, not ``fork``, so a web server's threads and open
database connections are never copied into them.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import hashlib
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import nacl.bindings as sodium

from omov.secrecy.group import (
    Element,
    Scalar,
    divide,
    power,
    product,
)

T = TypeVar("T")
#: Below this many items a loop runs in the calling process (starting workers costs more).
MIN_PARALLEL = 2000


_EXECUTORS: dict[int, concurrent.futures.ProcessPoolExecutor] = {}


def _executor(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """One pool per size, kept for the process's life: a proof runs a dozen loops."""
    if workers not in _EXECUTORS:
        _EXECUTORS[workers] = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
    return _EXECUTORS[workers]


@atexit.register
def _shutdown() -> None:
    for pool in _EXECUTORS.values():
        pool.shutdown()
    _EXECUTORS.clear()


def _slices(n: int, workers: int) -> list[slice]:
    step = -(-n // workers)
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def run(
    fn: Callable[..., T], columns: Sequence[Sequence[Any]], extra: tuple[Any, ...], workers: int
) -> list[T]:
    """``fn(*slice_of_each_column, *extra)`` for each slice, in order."""
    n = len(columns[0])
    if workers <= 1 or n < MIN_PARALLEL:
        return [fn(*columns, *extra)]
    pool = _executor(workers)
    futures = [
        pool.submit(fn, *(list(col[s]) for col in columns), *extra) for s in _slices(n, workers)
    ]
    return [f.result() for f in futures]


def concat(parts: list[list[T]]) -> list[T]:
    return [x for part in parts for x in part]


def challenges(seed: bytes, n: int, offset: int = 0) -> list[Scalar]:
    """z_i = SHA-512(seed ‖ i) mod q for i in 0..n−1: Haenni et al. 2017's GetChallenges."""
    reduce = sodium.crypto_core_ed25519_scalar_reduce
    return [
        Scalar(reduce(hashlib.sha512(seed + (offset + i).to_bytes(8, "big")).digest()))
        for i in range(n)
    ]


# Slice functions: top-level, so worker processes can import them.


def _powers_of(points: list[Element], exponent: Scalar) -> list[Element]:
    return [power(p, exponent) for p in points]


def _product_of_powers(points: list[Element], exponents: list[Scalar]) -> Element:
    return product(power(p, e) for p, e in zip(points, exponents, strict=True))


def _unblind(betas: list[Element], *rest: Any) -> list[Element]:
    *columns, lambdas = rest
    out = []
    for i, beta in enumerate(betas):
        blind = product(power(col[i], lam) for col, lam in zip(columns, lambdas, strict=True))
        out.append(divide(beta, blind))
    return out


def powers_of(points: Sequence[Element], exponent: Scalar, workers: int) -> list[Element]:
    """[p_i^e]."""
    return concat(run(_powers_of, [points], (exponent,), workers))


def product_of_powers(
    points: Sequence[Element], exponents: Sequence[Scalar], workers: int
) -> Element:
    """∏ p_i^(e_i)."""
    return product(run(_product_of_powers, [points, exponents], (), workers))


def unblind(
    betas: Sequence[Element],
    columns: Sequence[Sequence[Element]],
    lambdas: Sequence[Scalar],
    workers: int,
) -> list[Element]:
    """β_i·(∏_j d_{i,j}^(λ_j))⁻¹ for each i."""
    return concat(run(_unblind, [betas, *columns], (list(lambdas),), workers))
