"""Password hashing with argon2 (``pwdlib``'s recommended hasher) and the rules a new password meets."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash

from nlactions.errors import BadRequest

MIN_LENGTH = 8
MAX_LENGTH = 1024


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not a password anybody has")


def check_new_password(password: str) -> str:
    """``password`` when it is usable (8 to 1024 characters, not only spaces), else a 400 saying so."""
    if len(password) < MIN_LENGTH or not password.strip():
        raise BadRequest(
            f"password: use at least {MIN_LENGTH} characters.",
            hint="A passphrase of a few words is easy to remember and hard to guess.",
        )
    if len(password) > MAX_LENGTH:
        raise BadRequest(f"password: use at most {MAX_LENGTH} characters.")
    return password


def hash_password(password: str) -> str:
    """The argon2 hash stored in ``users.password_hash``."""
    return _hasher().hash(check_new_password(password))


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; without a hash it still spends the time one would take."""
    if not stored or len(password) > MAX_LENGTH:
        _hasher().verify(password[:MAX_LENGTH], _dummy_hash())
        return False
    try:
        return _hasher().verify(password, stored)
    except Exception:  # a hash this library cannot read (hand-edited row) refuses, never crashes
        return False
