"""What a mixer publishes: the shuffled ciphertexts and the proof of shuffle, and the
parts of the proof's transcript that prover (``shuffle``) and verifier (``shuffle_check``)
must compute alike.

The proof is Terelius and Wikström's ("Proofs of restricted shuffles", Africacrypt 2010,
§4, as specialised to ElGamal in Wikström's Verificatum), in the notation and step order
of Haenni, Locher, Koenig and Dubuis, "Pseudo-code algorithms for verifiable
re-encryption mix-nets" (FC 2017 Workshops, LNCS 10323), §4: GenShuffle and GenProof for
the mixer, CheckProof for everyone else. Their e_i = (a_i, b_i) = (m·pk^r, g^r) is our
(β_i, α_i).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from omov.secrecy import parallel
from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.errors import ProofError
from omov.secrecy.group import Element, Scalar, hash_to_element, hash_to_scalar
from omov.secrecy.records import elements, pack, scalars

DOMAIN = b"omov/shuffle/v1"


def generators(contest: str, n: int, workers: int = 1) -> tuple[Element, list[Element]]:
    """h and h_1..h_N, which nobody knows discrete logarithms between (Haenni et al.'s
    GetGenerators: independent generators by hashing the index into the group). Bound to
    the contest, so one contest's commitments say nothing in another's."""
    chain_base = hash_to_element(DOMAIN + b"/h", contest.encode())
    indices = list(range(n))
    parts = parallel.run(_generators, [indices], (contest,), workers)
    return chain_base, parallel.concat(parts)


def _generators(indices: list[int], contest: str) -> list[Element]:
    prefix = contest.encode() + b"\x00"
    return [hash_to_element(DOMAIN + b"/h_i", prefix + i.to_bytes(8, "big")) for i in indices]


def ciphertext_bytes(cs: Sequence[Ciphertext]) -> bytes:
    return b"".join(c.alpha + c.beta for c in cs)


def challenge_seed(
    contest: str,
    mixer: int,
    key: Element,
    inputs: Sequence[Ciphertext],
    outputs: Sequence[Ciphertext],
    commitments: Sequence[Element],
) -> bytes:
    """The seed of u_1..u_N: Haenni et al.'s GetChallenges(N, (e, ẽ, c, pk)), bound also
    to the contest and to which mixer this is."""
    return hash_to_scalar(
        DOMAIN + b"/u",
        contest.encode(),
        mixer.to_bytes(4, "big"),
        key,
        ciphertext_bytes(inputs),
        ciphertext_bytes(outputs),
        b"".join(commitments),
    )


def final_challenge(
    seed: bytes, chain: Sequence[Element], t: Sequence[Element], t_hat: Sequence[Element]
) -> Scalar:
    """Haenni et al.'s GetChallenge(y, t): y is already in the seed, ĉ is added here."""
    return hash_to_scalar(DOMAIN + b"/c", seed, b"".join(chain), b"".join(t), b"".join(t_hat))


@dataclass(frozen=True)
class ShuffleProof:
    """Haenni et al. 2017, §4.4: π = (t, s, c, ĉ) with t = (t₁, t₂, t₃, (t₄,₁, t₄,₂), t̂) and
    s = (s₁, s₂, s₃, s₄, ŝ, s')."""

    commitments: tuple[Element, ...]  # c: the permutation commitment
    chain: tuple[Element, ...]  # ĉ_1..ĉ_N: the commitment chain
    t1: Element
    t2: Element
    t3: Element
    t4_beta: Element  # their t₄,₁ (over the a_i, our β_i)
    t4_alpha: Element  # their t₄,₂ (over the b_i, our α_i)
    t_hat: tuple[Element, ...]
    s1: Scalar
    s2: Scalar
    s3: Scalar
    s4: Scalar
    s_hat: tuple[Scalar, ...]
    s_prime: tuple[Scalar, ...]

    def as_record(self) -> dict[str, Any]:
        return {
            "c": pack(self.commitments),
            "c_hat": pack(self.chain),
            "t": pack([self.t1, self.t2, self.t3, self.t4_beta, self.t4_alpha]),
            "t_hat": pack(self.t_hat),
            "s": pack([self.s1, self.s2, self.s3, self.s4]),
            "s_hat": pack(self.s_hat),
            "s_prime": pack(self.s_prime),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ShuffleProof:
        try:
            t = elements(record["t"], "the proof's t")
            s = scalars(record["s"], "the proof's s")
            if len(t) != 5 or len(s) != 4:
                raise ProofError("the proof's t or s has the wrong number of values")
            return cls(
                commitments=tuple(elements(record["c"], "the permutation commitment")),
                chain=tuple(elements(record["c_hat"], "the commitment chain")),
                t1=t[0],
                t2=t[1],
                t3=t[2],
                t4_beta=t[3],
                t4_alpha=t[4],
                t_hat=tuple(elements(record["t_hat"], "the proof's t̂")),
                s1=s[0],
                s2=s[1],
                s3=s[2],
                s4=s[3],
                s_hat=tuple(scalars(record["s_hat"], "the proof's ŝ")),
                s_prime=tuple(scalars(record["s_prime"], "the proof's s'")),
            )
        except KeyError as e:
            raise ProofError(f"a shuffle proof has no {e.args[0]!r}") from None


@dataclass(frozen=True)
class Mix:
    """One mixer's output: who mixed, the shuffled ciphertexts, and the proof."""

    mixer: int
    outputs: tuple[Ciphertext, ...]
    proof: ShuffleProof

    def as_record(self) -> dict[str, Any]:
        return {
            "mixer": self.mixer,
            "ciphertexts": pack([c.alpha + c.beta for c in self.outputs]),
            "proof": self.proof.as_record(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Mix:
        try:
            mixer = record["mixer"]
            flat = elements(record["ciphertexts"], "the mixed ciphertexts")
            proof = ShuffleProof.from_record(record["proof"])
        except KeyError as e:
            raise ProofError(f"a mix has no {e.args[0]!r}") from None
        if not isinstance(mixer, int) or len(flat) % 2:
            raise ProofError("a mix's mixer is not a number or its ciphertexts are not pairs")
        outputs = tuple(Ciphertext(flat[i], flat[i + 1]) for i in range(0, len(flat), 2))
        return cls(mixer, outputs, proof)
