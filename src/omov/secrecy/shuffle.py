"""A mixer's work: shuffle the ciphertexts and prove it (Haenni et al. 2017, §4.2–4.4:
GenShuffle, GenPermutation, GenPermutationCommitment, GenCommitmentChain, GenProof).

Each step below names the algorithm and the line of it that it carries out. Two changes
of form, neither of substance:

- the commitment chain ĉ_i = g^(r̂_i)·ĉ_{i−1}^(u'_i) is computed in closed form,
  ĉ_i = g^(R_i)·h^(U_i) with U_i = ∏_{j≤i} u'_j and R_i = R_{i−1}·u'_i + r̂_i, so its N
  exponentiations are independent and can run in parallel; R_N is their r̂ = Σ r̂_i·v_i;
- the loops over the ballots run in slices across ``workers`` processes
  (``omov.secrecy.parallel``); products are per slice, then multiplied.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from omov.secrecy import parallel
from omov.secrecy.elgamal import Ciphertext, reencrypt
from omov.secrecy.group import (
    ONE,
    ZERO,
    Element,
    Scalar,
    add,
    base_power,
    mul,
    negate,
    power,
    product,
    random_scalar,
    times,
)
from omov.secrecy.mix import Mix, ShuffleProof, challenge_seed, final_challenge, generators


def random_permutation(n: int) -> list[int]:
    """GenPermutation: Knuth's shuffle (Algorithm P) with a cryptographic random source.
    ψ(i) is the input that becomes output i."""
    psi = list(range(n))
    for i in range(n - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        psi[i], psi[j] = psi[j], psi[i]
    return psi


def shuffle(
    contest: str, mixer: int, key: Element, inputs: Sequence[Ciphertext], workers: int = 1
) -> Mix:
    """GenShuffle then GenProof: the mixer's whole output for the board."""
    psi = random_permutation(len(inputs))
    randomness = [random_scalar() for _ in inputs]
    outputs = parallel.concat(
        parallel.run(_reencrypt, [[inputs[j] for j in psi], randomness], (key,), workers)
    )
    proof = prove(contest, mixer, key, inputs, outputs, randomness, psi, workers)
    return Mix(mixer, tuple(outputs), proof)


def prove(
    contest: str,
    mixer: int,
    key: Element,
    inputs: Sequence[Ciphertext],
    outputs: Sequence[Ciphertext],
    randomness: Sequence[Scalar],
    psi: Sequence[int],
    workers: int = 1,
) -> ShuffleProof:
    """GenProof(e, ẽ, r̃, ψ, pk)."""
    n = len(inputs)
    chain_base, hs = generators(contest, n, workers)
    # GenPermutationCommitment: c_ψ(i) = g^(r_ψ(i))·h_i.
    r = [random_scalar() for _ in range(n)]
    by_output = parallel.concat(parallel.run(_commit, [[r[j] for j in psi], hs], (), workers))
    commitments: list[Element] = [by_output[0]] * n
    for i, j in enumerate(psi):
        commitments[j] = by_output[i]
    # u = GetChallenges(N, (e, ẽ, c, pk)); u'_i = u_ψ(i).
    seed = challenge_seed(contest, mixer, key, inputs, outputs, commitments)
    u = parallel.challenges(seed, n)
    u_prime = [u[j] for j in psi]
    # GenCommitmentChain(h, u'), in closed form (module docstring).
    r_hat = [random_scalar() for _ in range(n)]
    big_r, big_u = [], []
    acc_r, acc_u = ZERO, ONE
    for ri, ui in zip(r_hat, u_prime, strict=True):
        acc_r, acc_u = add(mul(acc_r, ui), ri), mul(acc_u, ui)
        big_r.append(acc_r)
        big_u.append(acc_u)
    chain = parallel.concat(parallel.run(_chain, [big_r, big_u], (chain_base,), workers))
    # r̄ = Σ r_i, r̂ = Σ r̂_i·v_i (= R_N), r̃ = Σ r_i·u_i, r' = Σ r̃_i·u'_i.
    r_bar = _sum(r)
    r_tilde = _dot(r, u)
    r_prime = _dot(randomness, u_prime)
    # The commitments t: ω's drawn fresh for this proof.
    w = [random_scalar() for _ in range(4)]
    w_hat = [random_scalar() for _ in range(n)]
    w_prime = [random_scalar() for _ in range(n)]
    t3_part, t4b_part, t4a_part = _products(
        parallel.run(
            _t_products,
            [hs, [c.beta for c in outputs], [c.alpha for c in outputs], w_prime],
            (),
            workers,
        )
    )
    t1 = base_power(w[0])
    t2 = base_power(w[1])
    t3 = times(base_power(w[2]), t3_part)
    t4_beta = times(power(key, negate(w[3])), t4b_part)
    t4_alpha = times(base_power(negate(w[3])), t4a_part)
    previous = [chain_base, *chain[:-1]]
    t_hat = parallel.concat(parallel.run(_t_hat, [w_hat, previous, w_prime], (), workers))
    # c = GetChallenge(y, t), then the responses.
    c = final_challenge(seed, chain, [t1, t2, t3, t4_beta, t4_alpha], t_hat)
    return ShuffleProof(
        commitments=tuple(commitments),
        chain=tuple(chain),
        t1=t1,
        t2=t2,
        t3=t3,
        t4_beta=t4_beta,
        t4_alpha=t4_alpha,
        t_hat=tuple(t_hat),
        s1=add(w[0], mul(c, r_bar)),
        s2=add(w[1], mul(c, big_r[-1])),
        s3=add(w[2], mul(c, r_tilde)),
        s4=add(w[3], mul(c, r_prime)),
        s_hat=tuple(add(wh, mul(c, rh)) for wh, rh in zip(w_hat, r_hat, strict=True)),
        s_prime=tuple(add(wp, mul(c, up)) for wp, up in zip(w_prime, u_prime, strict=True)),
    )


def _sum(values: Sequence[Scalar]) -> Scalar:
    total = ZERO
    for v in values:
        total = add(total, v)
    return total


def _dot(a: Sequence[Scalar], b: Sequence[Scalar]) -> Scalar:
    total = ZERO
    for x, y in zip(a, b, strict=True):
        total = add(total, mul(x, y))
    return total


def _products(parts: list[tuple[Element, Element, Element]]) -> tuple[Element, Element, Element]:
    return (
        product(p[0] for p in parts),
        product(p[1] for p in parts),
        product(p[2] for p in parts),
    )


# Slice functions (top-level, for worker processes).


def _reencrypt(cs: list[Ciphertext], rs: list[Scalar], key: Element) -> list[Ciphertext]:
    return [reencrypt(c, key, r) for c, r in zip(cs, rs, strict=True)]


def _commit(rs: list[Scalar], hs: list[Element]) -> list[Element]:
    return [times(base_power(r), h) for r, h in zip(rs, hs, strict=True)]


def _chain(big_r: list[Scalar], big_u: list[Scalar], chain_base: Element) -> list[Element]:
    return [times(base_power(r), power(chain_base, u)) for r, u in zip(big_r, big_u, strict=True)]


def _t_products(
    hs: list[Element], betas: list[Element], alphas: list[Element], w_prime: list[Scalar]
) -> tuple[Element, Element, Element]:
    """∏ h_i^(ω'_i), ∏ ã_i^(ω'_i), ∏ b̃_i^(ω'_i) over one slice (t₃, t₄,₁, t₄,₂)."""
    return (
        product(power(h, w) for h, w in zip(hs, w_prime, strict=True)),
        product(power(b, w) for b, w in zip(betas, w_prime, strict=True)),
        product(power(a, w) for a, w in zip(alphas, w_prime, strict=True)),
    )


def _t_hat(w_hat: list[Scalar], previous: list[Element], w_prime: list[Scalar]) -> list[Element]:
    """t̂_i = g^(ω̂_i)·ĉ_{i−1}^(ω'_i)."""
    return [
        times(base_power(wh), power(p, wp))
        for wh, p, wp in zip(w_hat, previous, w_prime, strict=True)
    ]
