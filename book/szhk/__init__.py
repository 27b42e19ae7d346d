"""Shared machinery of the report: data loading and validation, the figure style, glue helpers.

Chapters (book/*.md) import this package; tests (tests/) test it directly.
"""
