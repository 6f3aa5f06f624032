"""Password and PIN hashing (bcrypt)."""

from __future__ import annotations

import hashlib
import hmac

import bcrypt

PASSWORD_ROUNDS = 12  # bcrypt's recommended cost: ~0.2 s per check, slows guessing
# A 4-digit PIN has 10,000 values: no bcrypt cost makes it strong offline (10,000 × 60 ms is ten minutes),
# so it is protected by the throttles, not by the hash. A low cost keeps a whole school joining at once fast.
PIN_ROUNDS = 6
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str, rounds: int = PASSWORD_ROUNDS) -> str:
    """A bcrypt hash of ``password``."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    """Whether ``password`` matches ``hashed``."""
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


def hash_pin(pin: str) -> str:
    """A bcrypt hash of a learner's 4-digit PIN."""
    return hash_password(pin, PIN_ROUNDS)


def sign(key: str, message: str) -> str:
    """An HMAC-SHA256 signature of ``message`` under the app's secret key (hex, 128 bits kept)."""
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]
