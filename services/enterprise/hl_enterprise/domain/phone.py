"""A loose check of Chinese telephone numbers as people write them in forms and sheets.

Accepted: mobiles (13x-19x, 11 digits); landlines with or without the area code and with an
optional extension (0631-5812345, (0631)5812345, 5812345, 0631-5812345转8001); 400/800 service
numbers; each optionally after +86 / 0086. Bureau lists often put several numbers in one cell
("13800138000/0631-5812345"); that is accepted when each number is valid.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[/、,，;；]")
_NOISE = re.compile(r"[\s\-()（）]")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\d{1,6}$", re.IGNORECASE)
_DOMESTIC = r"1[3-9]\d{9}|0\d{9,11}|[48]00\d{7}|[2-9]\d{6,7}"
_INTERNATIONAL = r"(?:\+|00)?86(?:1[3-9]\d{9}|0?[1-9]\d{8,10}|[48]00\d{7})"
_NUMBER = re.compile(rf"^(?:{_INTERNATIONAL}|{_DOMESTIC})$")


def is_phone_number(text: str) -> bool:
    """True if `text` holds one or more numbers and each looks like a Chinese phone number."""
    numbers = [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
    return bool(numbers) and all(_is_one_number(number) for number in numbers)


def _is_one_number(number: str) -> bool:
    compact = _EXTENSION.sub("", _NOISE.sub("", number))
    return bool(_NUMBER.match(compact))
