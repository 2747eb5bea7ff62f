"""Chinese resident ID numbers (GB 11643-1999): checksum, birth date, gender, masking.

Pure functions, no ORM: the demo generator and the validators share them.
"""

from __future__ import annotations

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def problem(number: str) -> str | None:
    """Why ``number`` is not a valid ID number, in Chinese; ``None`` when it is valid."""
    if len(number) != 18:
        return "身份证号应为18位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号前17位应为数字,最后一位为数字或X"
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "身份证号中的出生日期不存在"
    if birth.year < 1900 or birth > dt.date.today():
        return "身份证号中的出生日期不合理"
    if check_char(number[:17]) != number[17]:
        return "身份证号校验位不正确"
    return None


def birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender(number: str) -> str:
    """'M' or 'F' from the sequence code (odd is male)."""
    return "M" if int(number[16]) % 2 else "F"


def mask(number: str) -> str:
    """Keep the region's first 4 and the last 4 characters: 4201**********123X."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number from a 6-digit region code, a birth date and a 3-digit sequence."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
