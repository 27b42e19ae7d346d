"""The one rule by which a published number supports the article's: the step the article rounds to, and its
qualifiers (约、近、超过 …, data column ``qualifier``; data/README.md).

Used by the claims register (szhk.claims), by the data's own ``verdict`` check (szhk.validation: a row marked
``match`` must agree by this rule) and by the front page's findings, so none of them can disagree. The standard
library only: it sits below everything that reads data.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["ABOUT", "MORE_THAN", "NEARLY", "BEFORE_NUMBER", "AFTER_NUMBER", "CHECKED_MARKS", "amount_supported",
           "precision"]

# The `verification` marks that say a value was checked against a published source, so the values must bear them
# out by this rule (szhk.validation's verdict check) and the source must quote them (szhk.provenance).
CHECKED_MARKS = ("match", "match (secondary)", "differs")

# The qualifier words are the data's vocabulary (the values of the `qualifier` columns), matched, never shown
# by this module.
MORE_THAN = frozenset({"超过", "超", "逾", "多", "余"})
NEARLY = "近"
ABOUT = "约"
SAME_MEANING = {q: "more" for q in MORE_THAN}
# Where the article writes each: before the number (约 700 个, 超过 1500 家) or between number and unit (1800 多家).
BEFORE_NUMBER = (ABOUT, NEARLY, "超过", "超", "逾")
AFTER_NUMBER = ("多", "余")


def precision(value: Decimal) -> Decimal:
    """The step the article's number is written to: 4000 → 1000, 330 → 10, 21.8 → 0.1, 0 → 1."""
    value = abs(value)
    if value == 0:
        return Decimal(1)
    exponent = value.normalize().as_tuple().exponent
    return Decimal(1).scaleb(int(exponent))


def _round_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def amount_supported(article: Decimal, qualifier: str, published: Decimal, published_qualifier: str = "") -> bool:
    """Whether a published quantity supports the article's, qualifier included.

    - The same number with a qualifier of the same meaning (超过 130 / 超过 130) supports it.
    - No qualifier or 约: the published value, rounded to the step the article writes (400 → hundreds), equals it.
    - 近 ("nearly"): the published value is not above the article's and rounds to it one digit finer
      (近 4000 is 3950–4000).
    - 超过、超、逾、多、余 ("more than"): the published value is above the article's but below the next step
      (逾 1000 is 1001–1999, 1800 多 is 1801–1899).
    A published qualifier (约、最多 …) otherwise leaves the published number as it is.
    """
    qualifier, published_qualifier = qualifier or "", published_qualifier or ""
    if published == article and SAME_MEANING.get(qualifier, qualifier) == SAME_MEANING.get(
        published_qualifier, published_qualifier
    ):
        return True
    step = precision(article)
    if qualifier in ("", ABOUT):
        return _round_to(published, step) == article
    if qualifier == NEARLY:
        return published <= article and _round_to(published, step / 10) == article
    if qualifier in MORE_THAN:
        return article < published < article + step
    raise ValueError(f"unknown qualifier {qualifier!r}")
