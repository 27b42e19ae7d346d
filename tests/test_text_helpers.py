"""szhk.text: the unit conversions and ratios that turn data into the article's numbers."""
from __future__ import annotations

import numpy as np
import pytest

from szhk import text


def test_units_match_the_articles_wording() -> None:
    assert text.in_wan(34_000) == pytest.approx(3.4)
    assert f"{text.in_wan(17_000):.1f}" == "1.7"


def test_ratio_and_its_base() -> None:
    assert round(text.ratio(3985, 1558), 1) == 2.6
    assert round(text.ratio(3755, 1558), 1) == 2.4
    with pytest.raises(ZeroDivisionError, match="base value is 0"):
        text.ratio(1, 0)


def test_glue_number_gives_plain_python_numbers() -> None:
    value = text.glue_number("n", np.int64(468))
    assert value == 468 and type(value) is int
