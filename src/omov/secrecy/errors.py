"""Errors of the election cryptography: one-line messages a trustee or observer can act on."""

from __future__ import annotations


class SecrecyError(Exception):
    """Base class: anything the election cryptography refuses, fit to print as it is."""


class GroupError(SecrecyError):
    """A value that is not a group element or scalar of the election group."""


class ProofError(SecrecyError):
    """A proof that does not verify, or a record that cannot be read as one."""


class TrusteeKeyError(SecrecyError):
    """A trustee key file that cannot be opened, or a key generation that cannot finish."""
