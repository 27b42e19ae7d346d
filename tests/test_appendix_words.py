"""The data appendix speaks the register's words: what checking found for each dataset's rows is named as the
claims register names it (一致、不一致、未找到来源、待核、文本自明), and its descriptions name yes/no fields by their
titles, not by their codes."""
from __future__ import annotations

import re

from conftest import BOOK

from szhk import appendix, claims, data


def _verdicts(words: appendix.Words) -> dict[str, dict[str, int]]:
    return {r["name"]: appendix._verdict_counts(r, data.load(r["name"]), words) for r in data.package()["resources"]}


def test_every_verdict_is_one_of_the_registers_categories(appendix_words: appendix.Words) -> None:
    for name, counts in _verdicts(appendix_words).items():
        for verdict in counts:
            assert verdict in claims.STATUSES or verdict.startswith(claims.CONSISTENT), (name, verdict)
    page = appendix.datasets_markdown(BOOK, ["数据集", "来源", "核对结果", "下载"], appendix_words)
    assert "未能核实" not in page and "未能核实" not in appendix.resources_markdown(BOOK, appendix_words, {})


def test_a_row_the_register_settles_by_the_text_reads_as_the_register_reads_it(appendix_words: appendix.Words) -> None:
    """A row the data marks unconfirmed takes the status of the claim that reads it alone (文本自明, 待核 …)."""
    settled: dict[str, set[str]] = {}
    for resource in data.package()["resources"]:
        frame = data.load(resource["name"])
        if "verification" not in frame.columns:
            continue
        key = resource["schema"].get("primaryKey", [])
        key = [key] if isinstance(key, str) else key
        for row in frame[frame["verification"] == "unconfirmed"].to_dict("records"):
            status = appendix_words.register.get((resource["name"], "|".join(str(row[k]).strip() for k in key)))
            if status in (claims.BY_TEXT, claims.PENDING):
                settled.setdefault(resource["name"], set()).add(status)
    assert settled, "no unconfirmed row is settled by the text or pending: the test has nothing to check"
    counts = _verdicts(appendix_words)
    for resource, statuses in settled.items():
        assert statuses <= set(counts[resource]), (resource, counts[resource])
    # the same rows without the register: the data's mark alone cannot tell 文本自明 from 未找到来源
    bare = appendix.Words(appendix_words.verification, appendix_words.source_kind, appendix_words.pattern, {})
    assert claims.BY_TEXT not in {v for c in _verdicts(bare).values() for v in c}


def test_yes_no_fields_are_named_by_their_titles_in_the_descriptions(appendix_words: appendix.Words) -> None:
    page = appendix.datasets_markdown(BOOK, ["数据集", "来源", "核对结果", "下载"], appendix_words)
    titled = {f["name"] for r in data.package()["resources"] for f in r["schema"]["fields"]
              if f.get("type") == "boolean" and f.get("title")}
    assert titled, "no yes/no field has a title"
    for name in titled:
        for written in (name, name.replace("_", r"\_")):
            assert not re.search(re.escape(written) + r" (均)?为 (true|false)", page), name
    assert not re.search(r"\bunconfirmed\b", page), "a verification code is written as a code"
