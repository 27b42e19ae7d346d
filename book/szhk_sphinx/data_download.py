"""One download of all the data: data/ (every CSV, datapackage.json, README.md and the notes) as one zip in the web
output (_downloads/data/szhk-data.zip), which the data appendix links to.

A Sphinx extension, set up by szhk_sphinx. The zip is made from the data the build read (its snapshot, see
szhk_sphinx.reexecution.data_dir), with fixed timestamps and sorted names, so that the same data give the same bytes.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from szhk_sphinx.reexecution import data_dir

ZIP_PATH = "_downloads/data/szhk-data.zip"  # in the HTML output; book/data-appendix.md links to it
FOLDER = "szhk-data"  # the folder the zip unpacks into


def write_zip(directory: Path, target: Path) -> Path:
    """Every file under `directory` (no hidden ones), deterministic: names sorted, timestamps fixed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(directory).parts))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{FOLDER}/{path.relative_to(directory).as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


def _write(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_zip(data_dir(Path(app.srcdir)), Path(app.outdir) / ZIP_PATH)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
