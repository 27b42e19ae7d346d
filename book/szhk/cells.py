"""What every data cell must be, whatever its column: the rules Frictionless has no constraint for.

- text is compared exactly, so a cell has no space (or other blank) at its start or end;
- integers and numbers are written with the ASCII digits 0–9 only (Python and Frictionless would also read
  "１４", "١٤", "+14", "1_4" and " 14 " as 14);
- text does not begin with = + - @ (a spreadsheet opening the CSV download would run it as a formula:
  "=HYPERLINK(…)", "@SUM(…)"), unless the text is a number;
- no character the book's fonts cannot draw or that a reader cannot see: control characters (C0, C1), format
  characters (zero-width joiners, variation selectors), private-use and unassigned code points, and the emoji,
  pictograph and symbol blocks (Noto Sans/Serif CJK SC, TeX Gyre and DejaVu draw none of them as text).

`problem(raw, kind)` returns what is wrong with one raw cell (in Chinese, for the error message) or None.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["problem", "unsupported_character"]

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_FORMULA_START = ("=", "+", "-", "@")
_SIGNED_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?%?")
# Blocks of emoji, pictographs and symbols that no font of the book has glyphs for (code point ranges, inclusive).
_SYMBOL_BLOCKS = ((0x2300, 0x23FF, "technical"), (0x2600, 0x27BF, "dingbats"), (0x2B00, 0x2BFF, "arrows"),
                  (0x1F000, 0x1FAFF, "emoji"))
# Unicode categories of characters no reader can see: control, format, surrogate, private use, unassigned, separators.
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def unsupported_character(text: str) -> str | None:
    """The first character of `text` the book cannot show, described, or None."""
    for position, char in enumerate(text, 1):
        code = ord(char)
        category = unicodedata.category(char)
        kind = category if category in _BAD_CATEGORIES else None
        if kind is None:
            kind = next((name for low, high, name in _SYMBOL_BLOCKS if low <= code <= high), None)
        if kind is not None:
            shown = f"“{char}”" if unicodedata.category(char)[0] not in "CZ" else "（不可见）"
            described = {  # for the maintainer's message (built only when a character is refused)
                "Cc": "控制字符", "Cf": "不可见的格式字符", "Cs": "代理码位", "Co": "私用区字符", "Cn": "未分配的码位",
                "Zl": "行分隔符", "Zp": "段分隔符", "technical": "技术符号（含表情符号）",
                "dingbats": "杂项符号或装饰符号（含表情符号）", "arrows": "杂项符号与箭头（含表情符号）",
                "emoji": "表情符号或图形符号",
            }
            return (f"第 {position} 个字符 {shown}（U+{code:04X}）是{described[kind]}，书中的字体无法显示"
                    "（不接受表情符号、图形符号、私用区与控制字符）")
    return None


def problem(raw: str, kind: str = "string") -> str | None:
    """What is wrong with the raw text of a non-empty cell whose field has type `kind`, or None."""
    if kind == "integer" and not _INTEGER.fullmatch(raw):
        return (f"值 “{raw}” 不是用 ASCII 数字 0–9 写的整数（不接受全角数字、其他文字的数字、“+”号、"
                "下划线、千位分隔符或前后的空格）")
    if kind == "number" and not _NUMBER.fullmatch(raw):
        return (f"值 “{raw}” 不是用 ASCII 数字 0–9 写的数（可有负号和小数点；不接受全角数字、其他文字的数字、"
                "“+”号、下划线、千位分隔符、指数或前后的空格）")
    if raw != raw.strip():
        return f"值 “{raw}” 首尾有空格（文本按原样比较，“中国香港 ” 与 “中国香港” 是两个不同的值）"
    if kind == "string" and raw.startswith(_FORMULA_START) and not _SIGNED_NUMBER.fullmatch(raw):
        shown = raw if len(raw) <= 30 else raw[:30] + "…"
        return (f"文本 “{shown}” 以 “{raw[0]}” 开头：表格软件打开下载的 CSV 时会把它当作公式执行；"
                "文本单元格不得以 = + - @ 开头（请改写开头，例如去掉这个符号）")
    return unsupported_character(raw)
