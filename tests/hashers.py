"""A quick password hasher for the tests: Django's PBKDF2 at 1,000 iterations instead of a
million. Each officer a test signs in costs a hash, and at Django's default that is most of
a second on a loaded machine. The encoded hash names its iteration count, so production's
own PBKDF2 hasher (in a server process a test starts) still verifies these passwords."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000
