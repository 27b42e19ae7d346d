"""Whether a source's words (sources.csv ``quote``) give a number: the one rule the claims register and the
provenance check of later-year values share.

A number counts when it stands as a number of its own ("2025" does not give 2): in digits with or without grouping
(3755, 3,755, 3 755), with a decimal's trailing zeros (0.80 for 0.8), scaled (1.1萬 for 11000, 2.47万, 443.9 million
for 4.439 亿 when the data's unit is 亿, 33 billion), and, for small counts and ranks, in words (five, 五所, fifth,
第五, 首位 for 1).
"""
from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["quote_gives"]

_EN_CARDINALS = "one two three four five six seven eight nine ten".split()
_EN_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
_CN_DIGITS = "〇一二三四五六七八九"
_SCALES = {"亿": Decimal(10) ** 8, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4, "萬": Decimal(10) ** 4}


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cn_numeral(n: int) -> str:
    """1–99 as Chinese text writes them: 五, 十五, 二十."""
    tens, units = divmod(n, 10)
    if not tens:
        return _CN_DIGITS[units]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[units] if units else "")


def _digit_forms(value: Decimal, absolute: Decimal) -> set[str]:
    forms = {_plain(value), _plain(absolute)}
    if value == value.to_integral_value():  # 1,500亿元 when the unit is 亿: the value grouped as well
        forms |= {f"{int(value):,}".replace(",", sep) for sep in (",", " ", "\u00a0", "\u2009")}
    if absolute == absolute.to_integral_value():
        n = int(absolute)
        forms |= {f"{n:,}".replace(",", sep) for sep in (",", " ", "\u00a0", "\u2009")}
    else:
        for places in (1, 2, 3):  # 0.80 for 0.8
            rounded = value.quantize(Decimal(1).scaleb(-places))
            if rounded == value:
                forms.add(format(rounded, "f"))
    return forms


def quote_gives(quote: str, value: Decimal | str, unit: str = "") -> bool:
    """Whether `quote` states `value` (in the data's `unit`, e.g. 亿港元; a CSV cell's text is read as a number) as a
    number of its own."""
    value = Decimal(str(value).strip())
    absolute = value * next((factor for mark, factor in _SCALES.items() if mark in unit), Decimal(1))
    patterns = [rf"(?<![\d.,]){re.escape(form)}(?!\d|[.,]\d)" for form in _digit_forms(value, absolute)]
    for power, word in ((4, "[万萬]"), (8, "[亿億]"), (6, r"\s*(?:million|mn)\b"), (9, r"\s*(?:billion|bn)\b")):
        if absolute >= 10 ** power:
            patterns.append(rf"(?<![\d.,]){re.escape(_plain(absolute / 10 ** power))}{word}")
    if value == value.to_integral_value() and 1 <= value <= 99 and not unit.startswith("%"):
        n = int(value)
        if n <= 10:
            patterns.append(rf"\b{_EN_CARDINALS[n - 1]}\b")
        if n <= 20:
            patterns.append(rf"\b{_EN_ORDINALS[n - 1]}\b")
        if n == 1:
            patterns.append("首位")
        pairs = "两兩"  # 2 as a count (两所), which unicodedata gives no numeric value
        numeral = _CN_DIGITS + "十百千" + "".join(_SCALES) + pairs  # a numeral character: 五 in 十五 is not 5
        chinese = [_cn_numeral(n)] + (list(pairs) if n == 2 else [])
        patterns += [rf"(?<![{numeral}]){c}(?![{numeral}])" for c in chinese]
    return any(re.search(p, quote, flags=re.IGNORECASE) for p in patterns)
