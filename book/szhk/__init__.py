"""Shared machinery of the report: data loading and validation, the figure style, glue helpers.

Chapters (book/*.md) import this package; tests (tests/) test it directly.
"""

from typing import Any

__all__ = ["load"]


def __getattr__(name: str) -> Any:
    # `szhk.load` is szhk.data.load, imported on first use so that the Sphinx extension does not pull in pandas.
    if name == "load":
        from .data import load

        return load
    raise AttributeError(f"module 'szhk' has no attribute {name!r}")
