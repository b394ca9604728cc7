"""Recovery codes: made here, shown once, kept only as keyed digests (issue 14, finding 14).

A code is 16 random base32 characters (80 bits), shown as four groups of four. The database keeps
HMAC-SHA256 of the code under a key derived from SECRET_KEY (Django's salted_hmac), never the code:
a copy of the database, without the key, gives nothing to try codes against offline. A slow password
hash is not needed for 80 random bits, and would make checking the ten codes at every use take seconds.
Checking compares the typed code's digest with every stored digest in constant time, and looks at all of
them whatever matches, so the time taken says nothing about which code (if any) was right.

Rotating SECRET_KEY: keep the old key in SECRET_KEY_FALLBACKS until every user has new codes; codes made
under a key that is dropped stop working (the user signs in with the app and sets up new ones).
"""

from __future__ import annotations

import hmac
import secrets
from base64 import b32encode
from collections.abc import Sequence

from django.conf import settings
from django.utils.crypto import salted_hmac

KEY_SALT = "partners.recovery_codes"
CODE_BYTES = 10  # 80 bits: 16 base32 characters


def new_code() -> str:
    """A new code as shown: four groups of four lower-case base32 characters, never all digits (a code of
    digits alone would be taken for an authenticator app's code)."""
    while True:
        raw = b32encode(secrets.token_bytes(CODE_BYTES)).decode().lower()
        if not raw.isdigit():
            return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(code: str) -> str:
    """What was typed, without spaces or hyphens, in lower case."""
    return code.strip().replace(" ", "").replace("-", "").lower()


def digest(code: str, *, secret: str | bytes | None = None) -> str:
    """The keyed digest kept for a code (under SECRET_KEY unless another secret is given)."""
    return salted_hmac(KEY_SALT, normalise(code), secret=secret, algorithm="sha256").hexdigest()


def matching_index(code: str, stored: Sequence[str]) -> int | None:
    """The index of the stored digest this code matches, or None. Every stored digest is compared, under
    SECRET_KEY and each of SECRET_KEY_FALLBACKS, with hmac.compare_digest."""
    candidates = [digest(code, secret=key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]
    found: int | None = None
    for index, value in enumerate(stored):
        for candidate in candidates:
            if hmac.compare_digest(candidate, value) and found is None:
                found = index
    return found
