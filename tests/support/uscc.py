"""Valid unified social credit codes (GB 32100-2015) made up for tests, checks computed."""

from __future__ import annotations

import random

from stdnum.cn import uscc

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(_ORG_ALPHABET.index(char) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def random_uscc(region: str = "371002", rng: random.Random | None = None) -> str:
    """An enterprise (9, type 1) code registered in `region`, with both check characters right."""
    rng = rng or random.Random()
    body = "".join(rng.choice("0123456789") for _ in range(8))
    partial = f"91{region}{body}{_org_check(body)}"
    return partial + uscc.calc_check_digit(partial)
