"""How logs may name a person: by a salted tag, never by id, name or account.

Person ids are small integers: an unsalted hash of one is reversed by hashing 1…100000. The salt
is secret and random per process (or `CLASSBOT_LOG_SALT`, to follow a person across restarts
while investigating), so the same person carries the same tag within one run's log and nothing
in the log leads back to a row of the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

_SALT = (os.environ.get("CLASSBOT_LOG_SALT") or "").encode() or secrets.token_bytes(16)


def person_tag(person_id: int) -> str:
    """`p:` and 10 hex digits of HMAC-SHA256(salt, id): stable within a run, not reversible."""
    digest = hmac.new(_SALT, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"p:{digest[:10]}"


def account_tag(channel: str, external_id: str) -> str:
    """A platform account (or a private chat, whose id is the account's) the same way."""
    digest = hmac.new(_SALT, f"account:{channel}:{external_id}".encode(),
                      hashlib.sha256).hexdigest()
    return f"a:{digest[:10]}"
