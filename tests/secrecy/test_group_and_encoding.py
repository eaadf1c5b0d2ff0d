"""The group wrapper refuses what is not in the group; rankings round-trip through elements."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.secrecy import group
from omov.secrecy.elgamal import decrypt, encrypt, reencrypt
from omov.secrecy.encoding import MAX_RANKS, decode, encode
from omov.secrecy.errors import GroupError, SecrecyError

# A point of order 8 (libsodium's small-order list): on the curve, outside the subgroup.
SMALL_ORDER = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")


def test_power_refuses_points_outside_the_subgroup() -> None:
    assert not group.is_element(SMALL_ORDER)
    with pytest.raises(GroupError):
        group.power(group.Element(SMALL_ORDER), group.random_scalar())
    with pytest.raises(GroupError):
        group.read_element(bytes(32))


def test_scalars_above_the_order_are_refused() -> None:
    with pytest.raises(GroupError):
        group.read_scalar(group.ORDER.to_bytes(32, "little"))
    assert group.scalar_to_int(group.read_scalar((group.ORDER - 1).to_bytes(32, "little"))) == (
        group.ORDER - 1
    )


def test_scalar_field_identities() -> None:
    a, b = group.random_scalar(), group.random_scalar()
    assert group.add(group.sub(a, b), b) == a
    assert group.mul(a, group.invert(a)) == group.ONE
    assert group.base_power(group.add(a, b)) == group.times(
        group.base_power(a), group.base_power(b)
    )
    assert group.power(group.base_power(a), b) == group.base_power(group.mul(a, b))


rankings = st.integers(1, MAX_RANKS).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.permutations(range(n)).flatmap(
            lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k]))
        ),
    )
)


@settings(deadline=None)  # each example costs a few libsodium calls: slow on a busy machine
@given(rankings)
def test_every_ranking_round_trips_through_an_element(case: tuple[int, tuple[int, ...]]) -> None:
    n, ranking = case
    element = encode(ranking, n)
    assert group.is_element(element)
    assert decode(element, n) == ranking


@settings(deadline=None)
@given(rankings)
def test_encryption_and_re_encryption_keep_the_ranking(case: tuple[int, tuple[int, ...]]) -> None:
    n, ranking = case
    secret = group.random_scalar()
    key = group.base_power(secret)
    c, _ = encrypt(encode(ranking, n), key)
    again = reencrypt(c, key, group.random_scalar())
    assert again != c
    assert decode(decrypt(again, secret), n) == ranking


def test_what_is_not_a_ranking_decodes_to_none() -> None:
    assert decode(group.base_power(group.random_scalar()), 5) is None
    assert decode(encode((0, 1), 5), 1) is None  # a candidate the contest does not have
    forged = bytearray(encode((0, 1), 5))
    forged[2] = 0  # candidate 0 twice
    assert decode(bytes(forged), 5) is None


def test_rankings_that_cannot_be_encoded_are_refused() -> None:
    with pytest.raises(SecrecyError):
        encode((0, 0), 3)
    with pytest.raises(SecrecyError):
        encode((5,), 3)
    with pytest.raises(SecrecyError, match="at most 27"):
        encode((0,), MAX_RANKS + 1)
