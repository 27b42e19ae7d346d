"""Years and dates are real calendar values, none later than the year after the year of the commit being built.

A mistyped year (20255 for 2025) would otherwise be published ("2017—20255 年") or, on a chart's true time axis,
ask matplotlib for one tick per year over eighteen thousand years (hk_startups: the build hung until the cell
timeout). So szhk.validation refuses it, naming file, row and column, and the .bib checks (szhk.references)
apply the same bound to the references' dates.

Which fields are years or dates is read from the schema, so a new dataset is covered without a declaration:
- type date, datetime, year or yearmonth;
- an integer field whose name has the word year or edition in it (year, survey_year, edition);
- a text field whose pattern starts with four digits (published_as_of, launched, date_published …).

The bound is the year of the commit plus one (a ranking labelled next year can appear this year): in a build,
SOURCE_DATE_EPOCH (tools/build.py sets it from the commit); elsewhere the later of SOURCE_DATE_EPOCH and the
repository's last commit (or, without git, this year).
"""
from __future__ import annotations

import datetime
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

# tools/build.py sets BUILD_ENV and EPOCH_ENV: in a build, the epoch is the commit's
from szhk_names import BUILD_ENV, DATE, EPOCH_ENV

from . import deps

__all__ = ["calendar_kind", "date_problem", "latest_year", "rule", "year_problem"]

_CALENDAR_TYPES = {"date", "datetime", "year", "yearmonth"}
_YEAR_WORDS = {"year", "edition"}
# What a date cell may say: a date (szhk_names.DATE: YYYY, YYYY-MM, YYYY-MM-DD), a half year or a quarter
# (YYYY-H1/H2, YYYY-Q1…Q4), and a range A/B of those.
_PERIOD = re.compile(r"(?P<year>\d{4})-(?:H[12]|Q[1-4])")


def _year(epoch: str) -> int:
    return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).year


@cache
def _commit_year(epoch: str, root: Path, in_build: bool) -> int:
    if epoch.isdigit() and in_build:  # tools/build.py set it: the commit's time
        return _year(epoch)
    # Outside a build SOURCE_DATE_EPOCH may be a fixed stand-in (a tool that wants files without today's date
    # sets an old one): never later than the commit, so the later of the two counts.
    stated = _year(epoch) if epoch.isdigit() else 0
    try:
        done = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True,
                              text=True, timeout=30)
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return max(stated, _year(done.stdout.strip()))
    except (OSError, subprocess.SubprocessError):  # no git
        pass
    return max(stated, datetime.date.today().year)


def latest_year() -> int:
    """The latest year a year or date in the data or the bibliography may name."""
    return _commit_year(os.environ.get(EPOCH_ENV, "").strip(), deps.root(), bool(os.environ.get(BUILD_ENV))) + 1


def rule() -> str:
    """The rule, for an error message."""
    return (f"年份与日期必须是真实的日历值，且不晚于 {latest_year()} 年（构建所据提交的年份 {latest_year() - 1} 加一）")


def calendar_kind(field: dict[str, Any]) -> str | None:
    """"year" or "date" when the schema field holds a year or a date (see the module docstring), else None."""
    kind = field.get("type", "string")
    if kind in _CALENDAR_TYPES:
        return "date"
    words = set(str(field.get("name", "")).lower().split("_"))
    if kind == "integer" and words & _YEAR_WORDS:
        return "year"
    pattern = str(field.get("constraints", {}).get("pattern", ""))
    if kind == "string" and pattern.startswith(("^\\d{4}", "^[0-9]{4}")):
        return "date"
    return None


def year_problem(year: int) -> str | None:
    """What is wrong with a year, or None."""
    if year < 1000:
        return f"年份 {year} 不是四位数的年份"
    if year > latest_year():
        hint = "（多打了一位数字？）" if year >= 10000 else ""
        return f"年份 {year} 晚于 {latest_year()} 年{hint}"
    return None


def date_problem(text: str) -> str | None:
    """What is wrong with a date as written (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1, YYYY-Q1, or a range A/B), or
    None. Text of another form is left to the field's own pattern."""
    for part in str(text).strip().split("/"):
        match = DATE.fullmatch(part.strip()) or _PERIOD.fullmatch(part.strip())
        if not match:
            digits = re.match(r"\d{5,}", part.strip())
            if digits:
                return year_problem(int(digits.group(0))) or f"“{text}” 不是日期"
            continue
        year, month, day = match.group("year"), match.groupdict().get("month"), match.groupdict().get("day")
        problem = year_problem(int(year))
        if problem:
            return f"日期 “{text}” 的{problem}"
        if month and not 1 <= int(month) <= 12:
            return f"日期 “{text}” 的月份 {int(month)} 不存在（应为 1–12）"
        if day:
            try:
                datetime.date(int(year), int(month), int(day))
            except ValueError:
                return f"日期 “{text}” 不存在（{int(year)} 年 {int(month)} 月没有 {int(day)} 日）"
    return None
