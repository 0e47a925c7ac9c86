"""A tip's tracking number (举报编号) and secret (查询密码): what an anonymous tipster holds.

The number names the tip; the secret proves its holder filed it. Both are Crockford base32 (no I,
L, O, U), written the way people copy codes by hand; reading a secret forgives case, spaces,
dashes and the look-alikes (O → 0, I/L → 1). Randomness is passed in, so this stays pure.
"""

from __future__ import annotations

from datetime import date

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_RANDOM_CHARS = 6  # 30 bits per day: a collision is retried against the unique index
SECRET_CHARS = 16  # 80 bits: far beyond guessing at any rate the gateway lets through
SECRET_BYTES = 10
NUMBER_BYTES = 4
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _base32(random: bytes, length: int) -> str:
    value = int.from_bytes(random, "big")
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(ALPHABET[index])
    return "".join(chars)


def tracking_number(day: date, random: bytes) -> str:
    """`JB20261201-4F7KQ2`: 举报 (JB), the filing day (Asia/Shanghai), six random characters."""
    return f"JB{day:%Y%m%d}-{_base32(random, NUMBER_RANDOM_CHARS)}"


def new_secret(random: bytes) -> str:
    """`7HQK-2MZP-XC4D-9RTA`: sixteen random characters in groups of four."""
    if len(random) < SECRET_BYTES:
        raise ValueError(f"a secret needs {SECRET_BYTES} random bytes")
    raw = _base32(random, SECRET_CHARS)
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_CHARS, 4))


def normalize_secret(typed: str) -> str:
    """The secret as issued, from what a person typed (or "" if it cannot be one)."""
    raw = "".join(typed.split()).replace("-", "").upper().translate(_LOOK_ALIKES)
    if len(raw) != SECRET_CHARS or any(char not in ALPHABET for char in raw):
        return ""
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_CHARS, 4))


def normalize_number(typed: str) -> str:
    """A tracking number as issued, from what a person typed."""
    return "".join(typed.split()).upper().translate(_LOOK_ALIKES)
