"""Anyone's check of a mixer's proof: Haenni et al. 2017, §4.5, CheckProof(π, e, ẽ, pk).

The verifier recomputes every commitment t' from the responses and the public values and
compares it with the t the mixer sent; the challenges u and c are recomputed from the
transcript, so a mixer cannot choose them. ``check_shuffle`` returns the failed
equations by name (``None`` if all hold), so a report can say which check a bad mix fails:
any change to the outputs or the proof changes the Fiat–Shamir challenges, so every
equation fails at once and the message lists them; a dropped ciphertext is caught before,
as a count that does not match.
"""

from __future__ import annotations

from collections.abc import Sequence

from omov.secrecy import parallel
from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.errors import GroupError
from omov.secrecy.group import (
    ONE,
    Element,
    Scalar,
    base_power,
    divide,
    mul,
    negate,
    power,
    product,
    times,
)
from omov.secrecy.mix import Mix, challenge_seed, final_challenge, generators


def check_shuffle(
    contest: str, key: Element, inputs: Sequence[Ciphertext], mix: Mix, workers: int = 1
) -> str | None:
    """None if the mix's proof holds over ``inputs``; otherwise what failed, in one phrase."""
    n = len(inputs)
    p = mix.proof
    sizes = {
        len(mix.outputs),
        len(p.commitments),
        len(p.chain),
        len(p.t_hat),
        len(p.s_hat),
        len(p.s_prime),
    }
    if n == 0 or sizes != {n}:
        counts = ", ".join(str(size) for size in sorted(sizes))
        return f"{n} ciphertexts went in but the mix and its proof hold {counts}"
    try:
        return _check(contest, key, inputs, mix, workers)
    except GroupError as e:
        return f"a value of the proof or a ciphertext is not a group element ({e})"


def _check(
    contest: str, key: Element, inputs: Sequence[Ciphertext], mix: Mix, workers: int
) -> str | None:
    n = len(inputs)
    p = mix.proof
    chain_base, hs = generators(contest, n, workers)
    seed = challenge_seed(contest, mix.mixer, key, inputs, mix.outputs, p.commitments)
    u = parallel.challenges(seed, n)
    c = final_challenge(seed, p.chain, [p.t1, p.t2, p.t3, p.t4_beta, p.t4_alpha], p.t_hat)
    minus_c = negate(c)
    failed: list[str] = []
    # t̂'_i = ĉ_i^(−c)·g^(ŝ_i)·ĉ_{i−1}^(s'_i), compared with each t̂_i.
    previous = [chain_base, *p.chain[:-1]]
    bad = parallel.run(
        _chain_mismatch,
        [list(range(n)), list(p.chain), previous, list(p.s_hat), list(p.s_prime), list(p.t_hat)],
        (minus_c,),
        workers,
    )
    first_bad = min((b for b in bad if b is not None), default=None)
    if first_bad is not None:
        failed.append(f"t̂ (the commitment chain, first at position {first_bad + 1})")
    sums = parallel.run(
        _sums,
        [
            list(p.commitments),
            hs,
            u,
            [ct.alpha for ct in inputs],
            [ct.beta for ct in inputs],
            list(p.s_prime),
            [ct.beta for ct in mix.outputs],
            [ct.alpha for ct in mix.outputs],
        ],
        (),
        workers,
    )
    c_prod, h_prod, c_tilde, alpha_u, beta_u, h_s, beta_s, alpha_s = (
        product(part[k] for part in sums) for k in range(8)
    )
    # t'₁ = c̄^(−c)·g^(s₁), c̄ = ∏c_i / ∏h_i.
    if times(power(divide(c_prod, h_prod), minus_c), base_power(p.s1)) != p.t1:
        failed.append("t₁ (the permutation commitment)")
    # t'₂ = ĉ^(−c)·g^(s₂), ĉ = ĉ_N / h^(∏u_i).
    c_hat = divide(p.chain[-1], power(chain_base, _product_of_scalars(u)))
    if times(power(c_hat, minus_c), base_power(p.s2)) != p.t2:
        failed.append("t₂ (the commitment chain's end)")
    # t'₃ = c̃^(−c)·g^(s₃)·∏h_i^(s'_i), c̃ = ∏c_i^(u_i).
    if times(times(power(c_tilde, minus_c), base_power(p.s3)), h_s) != p.t3:
        failed.append("t₃ (the permutation)")
    # t'₄ = (ã^(−c)·pk^(−s₄)·∏ã'_i^(s'_i), b̃^(−c)·g^(−s₄)·∏b̃'_i^(s'_i)).
    minus_s4 = negate(p.s4)
    t4_beta = times(times(power(beta_u, minus_c), power(key, minus_s4)), beta_s)
    t4_alpha = times(times(power(alpha_u, minus_c), base_power(minus_s4)), alpha_s)
    if (t4_beta, t4_alpha) != (p.t4_beta, p.t4_alpha):
        failed.append("t₄ (the re-encryption)")
    if not failed:
        return None
    return "the proof of shuffle fails at " + ", ".join(failed)


def _product_of_scalars(values: Sequence[Scalar]) -> Scalar:
    acc = ONE
    for v in values:
        acc = mul(acc, v)
    return acc


# Slice functions (top-level, for worker processes).


def _chain_mismatch(
    positions: list[int],
    chain: list[Element],
    previous: list[Element],
    s_hat: list[Scalar],
    s_prime: list[Scalar],
    t_hat: list[Element],
    minus_c: Scalar,
) -> int | None:
    for k, position in enumerate(positions):
        recomputed = times(
            times(power(chain[k], minus_c), base_power(s_hat[k])), power(previous[k], s_prime[k])
        )
        if recomputed != t_hat[k]:
            return position
    return None


def _sums(
    commitments: list[Element],
    hs: list[Element],
    u: list[Scalar],
    alphas: list[Element],
    betas: list[Element],
    s_prime: list[Scalar],
    out_betas: list[Element],
    out_alphas: list[Element],
) -> tuple[Element, ...]:
    """One slice's ∏c_i, ∏h_i, ∏c_i^(u_i), ∏b_i^(u_i), ∏a_i^(u_i), ∏h_i^(s'_i),
    ∏ã'_i^(s'_i), ∏b̃'_i^(s'_i)."""
    return (
        product(commitments),
        product(hs),
        product(power(x, e) for x, e in zip(commitments, u, strict=True)),
        product(power(x, e) for x, e in zip(alphas, u, strict=True)),
        product(power(x, e) for x, e in zip(betas, u, strict=True)),
        product(power(x, e) for x, e in zip(hs, s_prime, strict=True)),
        product(power(x, e) for x, e in zip(out_betas, s_prime, strict=True)),
        product(power(x, e) for x, e in zip(out_alphas, s_prime, strict=True)),
    )
