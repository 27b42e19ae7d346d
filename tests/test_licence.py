"""Licence, editors and citation file (issue 21, item 7): the licence texts are in the repository, the web footer
states the licence and the editors configured in _config.yml (not the theme's bare "© Copyright"), and
CITATION.cff agrees with the configuration. Built-page checks read the published build (`make build` first)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("SZHK_HTML_DIR", ROOT / "_build" / "html"))


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]


def test_licence_files_hold_the_licence_texts() -> None:
    mit = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in mit
    cc = (ROOT / "LICENSE-CC-BY-4.0").read_text(encoding="utf-8")
    assert cc.startswith("Attribution 4.0 International")
    for part in ("Section 1 -- Definitions.", "Section 3 -- License Conditions.", "Section 8 -- Interpretation."):
        assert part in cc, part
    overview = (ROOT / "LICENSES.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in overview and "MIT" in overview and "© 原作者" in overview


def test_citation_file_agrees_with_the_configuration() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert "version" not in cff, "an edition's version is recorded once, in data/editions.csv"
    assert [a["name"] for a in cff["authors"]] == [config()["szhk_editors"]]
    assert set(cff["license"]) == {"CC-BY-4.0", "MIT"}
    baseurl = (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")).get("html") or {}).get("baseurl")
    assert cff.get("url", "") == (baseurl or ""), "CITATION.cff gives the web address exactly when one is configured"


@pytest.mark.needs_build  # reads the published pages
@pytest.mark.parametrize("page", ["book/index.html", "book/data-appendix.html", "book/02-hk-innovation.html", "book/briefing.html"])
def test_the_footer_states_the_licence_and_the_editors(page: str) -> None:
    path = HTML / page
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make build` first")
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    footer = soup.select_one("footer.bd-footer-content")
    assert footer is not None, page
    text = footer.get_text(" ", strip=True)
    assert "CC BY 4.0" in text and "MIT" in text and "© 原作者" in text, text
    assert config()["szhk_editors"] in text
    assert "Copyright 2026" not in text, "not the theme's bare copyright line"
