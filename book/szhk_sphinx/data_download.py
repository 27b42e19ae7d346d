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
LICENCE_FILES = ("LICENSES.md", "LICENSE-CC-BY-4.0")  # at the project's root: the data's licence travels with it


def write_zip(directory: Path, target: Path, extra: tuple[Path, ...] = ()) -> Path:
    """Every file under `directory` (no hidden ones), and the `extra` files at the zip's top; deterministic: names
    sorted, timestamps fixed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    files = {p.relative_to(directory).as_posix(): p for p in directory.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(directory).parts)}
    files.update({p.name: p for p in extra if p.is_file()})
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in sorted(files.items()):
            info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


def _write(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    root = Path(app.srcdir)
    write_zip(data_dir(root), Path(app.outdir) / ZIP_PATH, tuple(root / name for name in LICENCE_FILES))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
