"""szhk.cache: a data file is validated once per build, and a stored frame is never served for other data."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from szhk import cache, data, deps, descriptor, validation


@pytest.fixture(autouse=True)
def own_cache(data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test here starts from an empty cache of validated frames (conftest's data_copy shares one)."""
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _key(name: str, directory: Path) -> str:
    return cache.validation_key(name, data.package(), directory)


def test_a_loaded_frame_is_stored_once_and_read_back_equal(data_copy: Path, monkeypatch: pytest.MonkeyPatch):
    fresh = data.load("gii_ranks")
    assert cache.contains(_key("gii_ranks", data_copy))
    monkeypatch.setattr(data, "_frames", {})  # a new kernel: only the disk cache is left
    calls: list[str] = []
    monkeypatch.setattr(validation, "validated_frame",
                        lambda name, *a: calls.append(name) or pytest.fail("validated twice"))
    again = data.load("gii_ranks")
    assert calls == []
    pd.testing.assert_frame_equal(again, fresh)
    assert list(again.dtypes) == list(fresh.dtypes)
    assert again.attrs == fresh.attrs


def test_a_changed_value_gets_a_new_key_and_a_new_frame(data_copy: Path, monkeypatch: pytest.MonkeyPatch):
    before = data.load("hk_startups")
    key = _key("hk_startups", data_copy)
    _edit(data_copy / "hk_startups.csv", "2020,false,,,3360,", "2020,false,,,3361,")
    assert _key("hk_startups", data_copy) != key
    monkeypatch.setattr(data, "_frames", {})
    after = data.load("hk_startups")
    assert before.loc[before["survey_year"] == 2020, "startups_published"].item() == 3360
    assert after.loc[after["survey_year"] == 2020, "startups_published"].item() == 3361


def test_the_key_covers_the_whole_descriptor_and_foreign_key_targets(data_copy: Path):
    key = _key("gii_ranks", data_copy)
    _edit(data_copy / "sources.csv", "gii-2018", "gii-2018x")  # a file gii_ranks' foreign key reads
    assert _key("gii_ranks", data_copy) != key
    key = _key("gii_ranks", data_copy)
    _edit(data_copy / "datapackage.json", '"title"', '"title" ')  # layout only: same descriptor, same key
    assert _key("gii_ranks", data_copy) == key
    _edit(data_copy / "datapackage.json", '"name": "tech_parks"', '"name": "tech_parks_renamed"')  # another resource
    assert _key("gii_ranks", data_copy) != key


def test_a_descriptor_edited_after_it_was_read_is_read_anew(data_copy: Path):
    """datapackage.json is parsed once per content (the loader runs for every template a page fills): an edit in
    the same process is seen, a layout-only edit keeps the key, and the shared parse is never handed out to change."""
    assert data.load("gii_ranks").attrs["title"].startswith("全球创新指数")
    _edit(data_copy / "datapackage.json", '"title": "全球创新指数', '"title": "改名的全球创新指数')
    assert data.load("gii_ranks").attrs["title"].startswith("改名的全球创新指数")
    assert data.package() is not data.package()  # read_descriptor's copies may be changed by their callers
    assert descriptor.shared_descriptor(data_copy) is descriptor.shared_descriptor(data_copy)


def test_a_file_no_foreign_key_reads_does_not_change_the_key(data_copy: Path):
    key = _key("gii_ranks", data_copy)
    _edit(data_copy / "hk_startups.csv", "2020,false,,,3360,", "2020,false,,,3361,")
    assert _key("gii_ranks", data_copy) == key


def test_bad_data_is_never_stored_and_fails_every_time(data_copy: Path, monkeypatch: pytest.MonkeyPatch):
    _edit(data_copy / "hk_startups.csv", "2020,false,,,3360,", "2020,false,,,三千,")
    for _ in range(2):
        monkeypatch.setattr(data, "_frames", {})
        with pytest.raises(data.DataValidationError) as error:
            data.load("hk_startups")
        assert "hk_startups.csv" in str(error.value) and "startups_published" in str(error.value)
    assert not cache.contains(_key("hk_startups", data_copy))
    assert any(p.file.name == "hk_startups.csv" for p in data.validate_all())


def test_after_the_builds_validation_step_a_kernel_reads_every_file_without_frictionless(data_copy: Path):
    """tools/build.py runs `python -m szhk.data` first; a chapter's kernel then loads cached frames only."""
    import subprocess
    import sys

    step = subprocess.run([sys.executable, "-m", "szhk.data"], capture_output=True, text=True)
    assert step.returncode == 0, step.stderr
    kernel = subprocess.run([sys.executable, "-c", (
        "import sys\nfrom szhk import data\n"
        "for name in data.resource_names(): data.load(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'frictionless'))")],
        capture_output=True, text=True)  # the environment names the copy and the cache (data_copy)
    assert kernel.returncode == 0, kernel.stderr
    assert kernel.stdout.strip() == "[]", f"a kernel imported Frictionless although the build had validated: {kernel.stdout}"


def test_the_builds_validation_step_names_bad_data_without_a_traceback(data_copy: Path):
    """What tools/build.py prints when `python -m szhk.data` refuses the data (and it stops before Jupyter Book)."""
    import subprocess
    import sys

    _edit(data_copy / "hk_startups.csv", "2020,false,,,3360,", "2020,false,,,三千,")
    step = subprocess.run([sys.executable, "-m", "szhk.data"], capture_output=True, text=True)
    assert step.returncode == 1
    assert "data/hk_startups.csv" in step.stderr and "列 startups_published" in step.stderr and "三千" in step.stderr
    assert "Traceback" not in step.stderr, step.stderr


def test_outside_a_build_nothing_is_written(data_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv(cache.CACHE_DIR_ENV)
    data.load("gii_ranks")
    assert not (tmp_path / "cache").exists()


def test_figures_in_a_build_use_the_cut_font_and_lose_no_character(data_copy: Path):
    import matplotlib

    matplotlib.use("agg")
    import io

    import matplotlib.pyplot as plt

    from szhk import figures, fonts

    try:
        figures.use_house_style()
        family = plt.rcParams["font.family"]
        assert family[0].startswith("SZHK cut ") and family[1:] == plt.rcParams["font.sans-serif"]
        rare = next(chr(c) for c in range(0x4E00, 0x9FA6) if chr(c) not in fonts.book_characters())
        fig, ax = plt.subplots()
        ax.set_title(f"香港 {rare}")  # bold, with one character the cut-down copy lacks
        ax.set_xlabel("年份")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph … missing from font(s)" would be a warning
            fig.savefig(io.BytesIO(), format="pdf")
            fig.savefig(io.BytesIO(), format="svg")
        plt.close(fig)
        assert sorted(p.suffix for p in (data_copy.parent / "cache" / "fonts").iterdir()) == [".otf", ".otf"]
    finally:
        plt.rcdefaults()
