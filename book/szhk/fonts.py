"""Figure fonts during a build: the CJK font cut down to the characters the book can show, made once per build.

Every PDF figure embeds the subset of the font its text uses. fontTools cuts that subset from the whole font
file, and a Noto CJK face holds 65,535 glyphs: about 1.4 CPU seconds per figure, most of a cold build's figure
time. Cut once to the characters of the book's sources and data (about a thousand), each figure's subset takes a
sixth of that. The outlines, metrics and layout tables are the font's own, so figures look the same (PNG
renderings are byte-identical); PDFs still name the font NotoSansCJKsc-Regular/-Bold.

A character the cut-down copy lacks (text made by code from characters no source holds) is drawn from the full
font: the copy only comes first in ``font.family``, the house style's fonts follow it. Which characters the copy
holds depends only on the book's sources, so two builds of the same sources make the same figure bytes.

Only inside a build (SZHK_CACHE_DIR set by tools/build.py, see szhk.cache); elsewhere the house style is unchanged.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager

from . import cache, deps

_FORMAT = "szhk-cut-font-1"
_PREFIX = "SZHK cut "  # the copy's family name: "SZHK cut Noto Sans CJK SC"


def book_characters() -> str:
    """Every character of the chapters, the helper code and the data, plus printable ASCII (sorted)."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    sources = [*(deps.root() / "book").glob("*.md"), *Path(__file__).parent.glob("*.py"),
               *(p for p in deps.data_dir().iterdir() if p.suffix in {".csv", ".json"})]
    for path in sources:
        chars.update(path.read_text(encoding="utf-8-sig", errors="ignore"))
    return "".join(sorted(c for c in chars if c.isprintable()))


def _cut(entry: font_manager.FontEntry, characters: str, family: str, folder: Path) -> Path:
    """The face `entry` cut down to `characters` and renamed `family`, made unless this build already has it."""
    source = Path(entry.fname)
    stat = source.stat()
    key = hashlib.sha256("\0".join([
        _FORMAT, metadata.version("fonttools"), str(source), str(entry.index), str(stat.st_size),
        str(stat.st_mtime_ns), family, characters]).encode()).hexdigest()[:20]
    target = folder / f"{source.stem}-{entry.index}-{key}.otf"
    if target.is_file():
        return target
    from fontTools import subset  # only when a copy is made

    options = subset.Options(font_number=entry.index, glyph_names=True, notdef_outline=True, hinting=True,
                             name_IDs=["*"], name_languages=["*"], legacy_kern=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".otf")
    os.close(handle)
    font = subset.load_font(str(source), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in characters])
        subsetter.subset(font)
        for record in font["name"].names:  # family names only: the PostScript name (what a PDF shows) stays
            if record.nameID in (1, 4, 16):
                record.string = _PREFIX + record.toUnicode()
        font.save(temporary)
        os.replace(temporary, target)
        for older in folder.glob(f"{source.stem}-{entry.index}-*.otf"):  # copies cut for earlier sources
            if older != target:
                older.unlink(missing_ok=True)
    finally:
        font.close()
        Path(temporary).unlink(missing_ok=True)
    return target


def use_cut_fonts() -> None:
    """Put the build's cut-down copy of the house style's first font in front of it in ``font.family``."""
    folder = cache.cache_dir("fonts")
    if folder is None:
        return
    families = list(plt.rcParams["font.sans-serif"])
    family = families[0]  # the CJK face; DejaVu Sans and the rest stay as they are
    faces = [e for e in font_manager.fontManager.ttflist if e.name == family]  # each weight installed
    if not faces:
        return
    characters = book_characters()
    registered = {e.fname for e in font_manager.fontManager.ttflist}
    for entry in faces:
        cut = str(_cut(entry, characters, _PREFIX + family, folder))
        if cut not in registered:  # use_house_style may run more than once in a kernel
            font_manager.fontManager.addfont(cut)
    plt.rcParams["font.family"] = [_PREFIX + family, *families]
