"""Sign a while-open tree head for every open contest with enough new ballots.

Run it periodically (cron, a systemd timer) while ballots are open: each run logs the
ballots cast since the last head, in random-id order, once ``OMOV_CHECKPOINT_BALLOTS``
(or ``--every``) of them have come, and signs the ballot log's head.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from omov.web.contests.models import Contest, ContestState
from omov.web.trust.services import checkpoint_sign


class Command(BaseCommand):
    help = "Sign a tree head over the ballots cast so far, for each open contest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=settings.OMOV_CHECKPOINT_BALLOTS)

    def handle(self, *args: Any, **options: Any) -> None:
        for contest in Contest.objects.filter(state=ContestState.BALLOT_OPEN).order_by("pk"):
            record = checkpoint_sign(contest=contest, minimum=options["every"])
            if record is None:
                self.stdout.write(
                    f"contest {contest.pk}: fewer than {options['every']} new ballots"
                )
            else:
                self.stdout.write(f"contest {contest.pk}: signed the ballot log at {record.size}")
