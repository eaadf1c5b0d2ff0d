"""Errors of the ledger: one-line messages an observer or returning officer can act on."""

from __future__ import annotations


class LedgerError(Exception):
    """Base class: anything the ledger refuses, with a message fit to print as it is."""


class EntryError(LedgerError):
    """A ledger entry that is not canonical JSON, or lacks what its kind needs."""


class SignatureError(LedgerError):
    """A key or signature that cannot be read or does not verify."""


class BundleError(LedgerError):
    """A directory that is not an omov results bundle, or cannot be built into one."""
