"""omov.ledger (pure): the contest's transparency log, the ballot board, results bundles
and their offline verification.

- ``merkle``: the RFC 9162 Merkle tree, inclusion and consistency proofs and their checks;
- ``entries`` / ``log``: decisions as canonical JSON leaves of an append-only log;
- ``keys`` / ``heads``: Ed25519 keys (encrypted at rest) and signed tree heads;
- ``board`` / ``board_file``: ballots sorted by random id, trackers, small sections merged;
- ``bundle``: the signed results bundle; ``verify*``: ``omov verify``; ``export``: BLT and
  RCTab CSV for other tabulators; ``demo``: a contest played through all of it.
"""
