"""Characters the book's fonts can draw, read from the fonts themselves (fontTools), so a Thai word or a
mathematical italic letter in a data cell is refused at validation instead of printed as an empty box.

The fonts are those the build uses, read from where the build names them: the PDF's main CJK and Latin fonts
(\\setCJKmainfont, \\setmainfont in book/_static/latex/szhkfonts.sty) and the figures' fonts (font.sans-serif in
book/szhk/house.mplstyle). fontconfig (`fc-match`, which XeTeX uses too) finds their files. A character is drawable
when one font of each group has it. A group none of whose fonts is installed is not checked (the build itself then
fails, naming the font).

Reading a CJK font's character map takes a fraction of a second: during a build it is kept in the build's cache
(szhk.cache, folder "fonts"), keyed by the font file's path, size and time.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from functools import cache
from importlib import metadata
from pathlib import Path

from . import cache as build_cache
from . import deps

__all__ = ["missing_glyph"]

_FORMAT = "szhk-font-coverage-1"


def _pdf_families() -> list[str]:
    sty = deps.root() / "book" / "_static" / "latex" / "szhkfonts.sty"
    if not sty.is_file():
        return []
    text = sty.read_text(encoding="utf-8")
    return [m.group(1).strip() for m in re.finditer(r"\\set(?:CJK)?mainfont\{([^}]+)\}", text)]


def _figure_families() -> list[str]:
    style = Path(__file__).with_name("house.mplstyle")
    for line in style.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "font.sans-serif":
            return [name.strip() for name in value.split("#")[0].split(",") if name.strip()]
    return []


def _font_file(family: str) -> tuple[Path, int] | None:
    """The file and face index fontconfig gives for `family`, or None when that family is not installed."""
    if not shutil.which("fc-match"):
        return None
    done = subprocess.run(["fc-match", "-f", "%{family}\t%{file}\t%{index}", family], capture_output=True,
                          text=True, timeout=60)
    found, _, rest = done.stdout.partition("\t")
    path, _, index = rest.partition("\t")
    if done.returncode != 0 or family not in [name.strip() for name in found.split(",")]:
        return None
    return Path(path), int(index or 0)


def _read_coverage(path: Path, index: int) -> list[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        return sorted(font.getBestCmap())


def _coverage(path: Path, index: int) -> frozenset[int]:
    """The code points the face has glyphs for (kept in the build's cache)."""
    stat = path.stat()
    key = hashlib.sha256("\0".join([_FORMAT, metadata.version("fonttools"), str(path), str(index),
                                    str(stat.st_size), str(stat.st_mtime_ns)]).encode()).hexdigest()[:20]
    folder = build_cache.cache_dir("fonts")
    entry = folder / f"coverage-{key}.json" if folder else None
    if entry is not None and entry.is_file():
        try:
            return frozenset(json.loads(entry.read_text(encoding="utf-8")))
        except (OSError, ValueError):  # a damaged entry is only a miss
            pass
    points = _read_coverage(path, index)
    if entry is not None:
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(points, out)
        os.replace(temporary, entry)
    return frozenset(points)


@cache
def _groups() -> tuple[tuple[tuple[str, ...], frozenset[int]], ...]:
    """(family names, code points any of them draws) for the PDF's fonts and for the figures' fonts."""
    groups = []
    for families in (_pdf_families(), _figure_families()):
        located = [(family, _font_file(family)) for family in families]
        installed = [(family, where) for family, where in located if where is not None]
        if installed:
            points: frozenset[int] = frozenset().union(*(_coverage(*where) for _, where in installed))
            groups.append((tuple(family for family, _ in installed), points))
    return tuple(groups)


def missing_glyph(text: str) -> str | None:
    """The first character of `text` a font group of the book lacks, described, or None."""
    if text.isascii():  # every Latin font of the book has printable ASCII
        return None
    for position, char in enumerate(text, 1):
        if char.isascii():
            continue
        for families, points in _groups():
            if ord(char) not in points:
                name = unicodedata.name(char, "")
                return (f"第 {position} 个字符 “{char}”（U+{ord(char):04X}{' ' + name if name else ''}）书中的字体"
                        f"（{'、'.join(families)}）没有这个字形，会显示为空框")
    return None
