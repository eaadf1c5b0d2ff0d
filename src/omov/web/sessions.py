"""The session store: Django's signed cookie, signed without compression.

Sessions live in the browser's cookie (see ``SESSION_ENGINE`` in settings): casting touches
no session table, and the server keeps no record of which browser held which credential
digest. Django's store compresses the cookie with zlib before signing it; ours signs it as it
is. A voter's session is a few dozen bytes, which zlib cannot shrink by much, and setting up
zlib cost more than anything else in signing it (~9 µs of the ~27 µs a cast spends on it).
Not compressing also keeps the cookie's length from telling anything about its contents.
Cookies signed compressed still load: the signature says which they are.
"""

from __future__ import annotations

from django.contrib.sessions.backends import signed_cookies
from django.core import signing

SALT = "django.contrib.sessions.backends.signed_cookies"
"""Django's salt for signed-cookie sessions, so that sessions signed by either store load."""


class SessionStore(signed_cookies.SessionStore):
    def _get_session_key(self) -> str:
        session = dict(self.items())
        return signing.dumps(session, compress=False, salt=SALT, serializer=self.serializer)
