"""One unit per value axis (issue 15): each figure declares in data/datapackage.json ("figures") the data fields its
value axis shows; their units in the schema must agree, and the axis title must say that unit."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from szhk import data
from szhk.data import DataValidationError

ROOT = Path(__file__).resolve().parents[1]
PUBLISH_CALL = re.compile(r"\bpublish\(\s*\"([^\"]+)\"")


def published_figures() -> set[str]:
    """The names the chapters hand to figures.publish."""
    return {name for path in (ROOT / "book").glob("*.md") for name in PUBLISH_CALL.findall(path.read_text("utf-8"))}


def declare(data_dir: Path, figure: str, **declaration: object) -> None:
    path = data_dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["figures"][figure] = declaration
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


def test_every_published_figure_is_declared_with_one_unit_and_nothing_else_is() -> None:
    names = published_figures()
    assert len(names) >= 9, f"found only {sorted(names)}: did the chapters stop calling publish(\"name\", …)?"
    assert names == set(data.package()["figures"]), "datapackage.json's figures and the book's figures differ"
    units = {name: data.figure_unit(name) for name in names}
    assert units["fig-hk-startups"] == "家" and units["fig-gii-ranks"] == "名" and units["fig-rd-share"] == "%"
    assert units["fig-milestones"] is None  # a timeline: dates, no value axis


def test_an_axis_mixing_units_is_refused_naming_both(data_copy: Path) -> None:
    declare(data_copy, "fig-hk-startups",
            value_fields=["hk_startups.startups_published", "hk_startups.employees_published"])
    with pytest.raises(DataValidationError) as error:
        data.figure_unit("fig-hk-startups")
    message = str(error.value)
    assert "fig-hk-startups" in message and "家" in message and "人" in message and "employees_published" in message


@pytest.mark.parametrize("fields, problem", [(["hk_startups.no_such_field"], "不存在"),
                                             (["hk_startups.note"], "没有 unit")])
def test_a_value_field_must_exist_and_have_a_unit(data_copy: Path, fields: list[str], problem: str) -> None:
    declare(data_copy, "fig-hk-startups", value_fields=fields)
    with pytest.raises(DataValidationError, match=problem):
        data.figure_unit("fig-hk-startups")


def test_an_undeclared_figure_is_refused_by_name() -> None:
    with pytest.raises(DataValidationError, match="fig-not-declared"):
        data.figure_unit("fig-not-declared")


def test_publish_refuses_a_chart_whose_axis_title_omits_the_declared_unit(house_style) -> None:
    import matplotlib.pyplot as plt

    from szhk import figures

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar([2020, 2021], [3360, 3755])
    ax.set_ylabel("数量")  # no 家
    figures.title_and_source(fig, "香港初创企业逐年增加", "测试")
    with pytest.raises(ValueError, match=r"fig-hk-startups.*unit.*家"):
        figures.publish("fig-hk-startups", fig)
