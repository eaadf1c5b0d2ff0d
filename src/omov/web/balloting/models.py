"""Credentials and ballots, kept apart so that no query can join a ballot to a voter.

A ``Ballot`` holds only the ranking's ciphertext, from the moment it is cast (encrypted in
the voter's browser, or by the server at receipt when the browser runs no JavaScript):
the rankings exist in the clear only after the trustees' mix and decryption, as
``trustees.DecryptedPaper`` rows that link to no ballot. A ballot has no foreign key to an
elector or credential, no shared id (its key is a random UUID), and no timestamp; its
``section`` is coarse on purpose (results are published per section) and its ``receipt``
is the tracker, the hash of its ciphertext.
"""

from __future__ import annotations

import uuid

from django.db import models

from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector


class CredentialState(models.TextChoices):
    ISSUED = "issued", "Issued"
    USED = "used", "Used"
    REVOKED = "revoked", "Revoked (reissued)"


class Credential(models.Model):
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="credentials")
    digest = models.CharField(max_length=64, unique=True, help_text="HMAC-SHA256 of the code.")
    state = models.CharField(
        max_length=8, choices=CredentialState.choices, default=CredentialState.ISSUED
    )
    link_digest = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="HMAC-SHA256 of the emailed sign-in link's token (codes.link_token).",
    )
    link_used = models.BooleanField(
        default=False, help_text="The emailed link has signed a voter in: it works once."
    )

    def __str__(self) -> str:
        return f"credential of {self.elector.reference} ({self.state})"


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    POSTAL = "postal", "Postal"


class Ballot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="ballots")
    ciphertext = models.BinaryField(
        max_length=128, help_text="α ‖ β ‖ proof of knowledge (omov.secrecy.ballot)."
    )
    section = models.CharField(max_length=60)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    receipt = models.CharField(
        max_length=24, unique=True, help_text="The tracker: a hash of the ciphertext."
    )

    def __str__(self) -> str:
        return f"ballot {self.receipt}"


class BallotTally(models.Model):
    """How many ballots a contest holds, exact, without reading them: kept by triggers on the
    ballots' table (migration 0006) in the transaction of every insert and delete, the
    one-statement cast's included. Up to 256 rows a contest on PostgreSQL (``slot``, the last
    byte of the ballot's random id; migration 0007) so simultaneous casts seldom queue on one
    row lock; a contest's figure is the sum of its rows. Never written here."""

    contest_id = models.BigIntegerField()
    slot = models.PositiveSmallIntegerField()
    n = models.BigIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("contest_id", "slot"), name="ballot_tally_once"),
        )

    def __str__(self) -> str:
        return f"{self.n} ballots of contest {self.contest_id}"


class CodeAttempts(models.Model):
    """Wrong voting codes from one client in one contest, for the sign-in throttle
    (``balloting/throttle.py``). The row with an empty ``client`` counts the whole contest's
    wrong codes in its current window. Times are seconds since the epoch, read and written
    by plain SQL on the sign-in's path."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    client = models.CharField(max_length=32, blank=True, help_text="A keyed hash of the network.")
    failures = models.PositiveIntegerField(help_text="Wrong codes in the current run or window.")
    since = models.FloatField(help_text="When the current run or window began.")
    last_failure = models.FloatField()
    wrong = models.PositiveIntegerField(default=0, help_text="Every wrong code (never reset).")
    held = models.PositiveIntegerField(
        default=0, help_text="Sign-ins refused unread while the client was held back."
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["contest", "client"], name="code_attempts_per_client"),
        )

    def __str__(self) -> str:
        return f"{self.wrong} wrong codes in contest {self.contest_id}"
