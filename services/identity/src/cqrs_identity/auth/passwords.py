"""Password hashing with argon2id; verification runs off the event loop (it is slow on purpose)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(type=Type.ID)
#: A hash checked when the account does not exist, so timing does not reveal which emails do.
_DUMMY = _HASHER.hash("not a real password, only spends the same time")


async def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches the stored hash (False, after the same work, when none)."""
    try:
        return await asyncio.to_thread(_HASHER.verify, stored_hash or _DUMMY, password) and (
            stored_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)
