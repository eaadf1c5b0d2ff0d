"""The election cryptography: encrypted ballots, a verifiable mix and threshold decryption.

Pure: libsodium (through PyNaCl) for every group operation, the standard library for the
rest; never Django or the web layer (an import-linter contract checks it). Each module is
one protocol, written from its paper, whose docstring names the paper and the equation or
algorithm each step carries out:

- ``group``: the prime-order group (Edwards25519's subgroup of order q, via libsodium);
- ``encoding``: a ranking as one group element; ``elgamal``: encryption, re-encryption;
- ``ballot``: an encrypted ballot with its Schnorr proof of knowledge, bound to the contest;
- ``dkg``: the trustees' key generation (Pedersen with Feldman commitments);
- ``mix``, ``shuffle``, ``shuffle_check``: the Terelius–Wikström proof of shuffle, as
  Haenni et al. (2017) write it step by step;
- ``decryption``: decryption shares with a batched Chaum–Pedersen proof;
- ``trustee``: a trustee's key file (encrypted at rest) and signed messages.
"""
