"""Password hashing (Argon2id) and the password policy.

`HASHER` is module-level so the tests can swap it for cheap parameters; every function reads
it at call time.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile

MIN_LENGTH = 12
MAX_LENGTH = 256  # beyond, a typing accident or an attempt to make hashing expensive
MIN_DISTINCT = 4  # "aaaaaaaaaaaa" is twelve characters, not a password


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(hashed: str | None, password: str) -> bool:
    """True when `password` matches `hashed`; False on a mismatch or an unusable hash."""
    if not hashed or not isinstance(password, str):
        return False
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """True when `hashed` was made with other parameters than the current hasher's."""
    try:
        return HASHER.check_needs_rehash(hashed)
    except (InvalidHashError, ValueError):
        return True


def check_policy(password: str) -> str | None:
    """A French message saying why `password` is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères."
    if len(password) > MAX_LENGTH:
        return f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères."
    if len(set(password)) < MIN_DISTINCT:
        return (
            f"Le mot de passe doit contenir au moins {MIN_DISTINCT} caractères différents "
            "(une phrase de passe de plusieurs mots convient bien)."
        )
    return None
