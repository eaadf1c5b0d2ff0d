"""The web layer's domain error: a message a returning officer (or a voter) can act on.

Services raise it; views turn it into a message on the page and change nothing, because
every service runs in one transaction.
"""


class ContestError(Exception):
    """A request the rules or the contest's state do not allow."""


class BallotNotOpenError(ContestError):
    """Signing in or casting while the ballot is not open (not yet, or no longer): the
    voter's page says which, from the contest (``omov.web.wording.ballot_not_open``)."""
