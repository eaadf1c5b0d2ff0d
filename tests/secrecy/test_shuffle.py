"""The proof of shuffle holds over any permutation and fails for any change to a mix."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.secrecy.elgamal import Ciphertext, encrypt, reencrypt
from omov.secrecy.group import Element, base_power, random_scalar
from omov.secrecy.mix import Mix, ShuffleProof
from omov.secrecy.shuffle import prove, random_permutation, shuffle
from omov.secrecy.shuffle_check import check_shuffle

from .conftest import CONTEST, Election


def _inputs(key: Element, n: int) -> list[Ciphertext]:
    return [encrypt(base_power(random_scalar()), key)[0] for _ in range(n)]


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 12), st.randoms(use_true_random=False))
def test_a_proof_over_any_permutation_verifies(n: int, rnd: random.Random) -> None:
    key = base_power(random_scalar())
    inputs = _inputs(key, n)
    psi = list(range(n))
    rnd.shuffle(psi)
    randomness = [random_scalar() for _ in range(n)]
    outputs = [reencrypt(inputs[j], key, r) for j, r in zip(psi, randomness, strict=True)]
    proof = prove(CONTEST, 1, key, inputs, outputs, randomness, psi)
    assert check_shuffle(CONTEST, key, inputs, Mix(1, tuple(outputs), proof)) is None


def test_a_mix_round_trips_through_its_record(election: Election) -> None:
    inputs = _inputs(election.key, 5)
    mix = shuffle(CONTEST, 2, election.key, inputs)
    again = Mix.from_record(mix.as_record())
    assert again == mix
    assert check_shuffle(CONTEST, election.key, inputs, again) is None


@pytest.fixture(scope="module")
def mixed(election: Election) -> tuple[list[Ciphertext], Mix]:
    inputs = _inputs(election.key, 8)
    return inputs, shuffle(CONTEST, 1, election.key, inputs)


def _outputs(mix: Mix, outputs: list[Ciphertext]) -> Mix:
    return Mix(mix.mixer, tuple(outputs), mix.proof)


@pytest.mark.parametrize("position", [0, 3, 7])
def test_an_altered_ciphertext_fails(
    election: Election, mixed: tuple[list[Ciphertext], Mix], position: int
) -> None:
    inputs, mix = mixed
    outputs = list(mix.outputs)
    outputs[position] = reencrypt(outputs[position], election.key, random_scalar())
    failure = check_shuffle(CONTEST, election.key, inputs, _outputs(mix, outputs))
    assert failure is not None
    assert "t₄ (the re-encryption)" in failure


def test_a_replaced_ciphertext_fails(
    election: Election, mixed: tuple[list[Ciphertext], Mix]
) -> None:
    inputs, mix = mixed
    outputs = list(mix.outputs)
    outputs[2] = encrypt(base_power(random_scalar()), election.key)[0]
    assert check_shuffle(CONTEST, election.key, inputs, _outputs(mix, outputs)) is not None


def test_a_dropped_ciphertext_fails(
    election: Election, mixed: tuple[list[Ciphertext], Mix]
) -> None:
    inputs, mix = mixed
    failure = check_shuffle(CONTEST, election.key, inputs, _outputs(mix, list(mix.outputs[1:])))
    assert failure is not None
    assert "8 ciphertexts went in" in failure


def test_a_duplicated_ciphertext_fails(
    election: Election, mixed: tuple[list[Ciphertext], Mix]
) -> None:
    inputs, mix = mixed
    outputs = list(mix.outputs)
    outputs[5] = outputs[4]
    assert check_shuffle(CONTEST, election.key, inputs, _outputs(mix, outputs)) is not None


def test_swapped_ciphertexts_fail(election: Election, mixed: tuple[list[Ciphertext], Mix]) -> None:
    inputs, mix = mixed
    outputs = list(mix.outputs)
    outputs[0], outputs[1] = outputs[1], outputs[0]
    assert check_shuffle(CONTEST, election.key, inputs, _outputs(mix, outputs)) is not None


def test_changed_inputs_fail(election: Election, mixed: tuple[list[Ciphertext], Mix]) -> None:
    inputs, mix = mixed
    changed = list(inputs)
    changed[6] = encrypt(base_power(random_scalar()), election.key)[0]
    assert check_shuffle(CONTEST, election.key, changed, mix) is not None


def test_a_proof_for_another_contest_mixer_or_key_fails(
    election: Election, mixed: tuple[list[Ciphertext], Mix]
) -> None:
    inputs, mix = mixed
    assert check_shuffle("another-contest", election.key, inputs, mix) is not None
    assert check_shuffle(CONTEST, election.key, inputs, Mix(2, mix.outputs, mix.proof)) is not None
    assert check_shuffle(CONTEST, base_power(random_scalar()), inputs, mix) is not None


@pytest.mark.parametrize("field", ["t1", "t2", "t3", "t4_beta", "t4_alpha", "s1", "s2", "s3", "s4"])
def test_each_altered_proof_value_fails(
    election: Election, mixed: tuple[list[Ciphertext], Mix], field: str
) -> None:
    inputs, mix = mixed
    value = base_power(random_scalar()) if field.startswith("t") else random_scalar()
    forged = Mix(mix.mixer, mix.outputs, replace(mix.proof, **{field: value}))
    assert check_shuffle(CONTEST, election.key, inputs, forged) is not None


@pytest.mark.parametrize("field", ["commitments", "chain", "t_hat", "s_hat", "s_prime"])
def test_each_altered_proof_vector_fails(
    election: Election, mixed: tuple[list[Ciphertext], Mix], field: str
) -> None:
    inputs, mix = mixed
    values = list(getattr(mix.proof, field))
    values[3] = (
        base_power(random_scalar())
        if field in {"commitments", "chain", "t_hat"}
        else random_scalar()
    )
    proof: ShuffleProof = replace(mix.proof, **{field: tuple(values)})
    assert (
        check_shuffle(CONTEST, election.key, inputs, Mix(mix.mixer, mix.outputs, proof)) is not None
    )


def test_the_permutation_is_uniform_enough() -> None:
    """Every position receives every input over many draws (Knuth's shuffle, not a rotation)."""
    seen = [set() for _ in range(4)]
    for _ in range(200):
        for i, j in enumerate(random_permutation(4)):
            seen[i].add(j)
    assert all(s == {0, 1, 2, 3} for s in seen)


def test_two_workers_give_a_proof_that_one_worker_verifies(
    election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omov.secrecy import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 4)
    inputs = _inputs(election.key, 9)
    mix = shuffle(CONTEST, 1, election.key, inputs, workers=2)
    assert check_shuffle(CONTEST, election.key, inputs, mix, workers=1) is None
    assert check_shuffle(CONTEST, election.key, inputs, mix, workers=2) is None
