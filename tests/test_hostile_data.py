"""Hostile data (issue 13, item 1): markup, roles, TeX and HTML in every free-text column of every dataset reach the
web pages and the PDFs as text. One build (HTML + PDF, tools/build.py) of a copy of the project."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from itertools import cycle
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import BUILD_TIMEOUT, background_result, copy_project, in_background
from szhk_sphinx import data_download
from szhk_sphinx import pdf as pdf_edition


PWNED = Path("/tmp/szhkpwned")  # no hyphen: pdftotext drops one at a line break
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{download}`/etc/passwd`",
    "{math}`\\input{/etc/passwd}`",
    f"\\write18{{touch {PWNED}}}",
    "{{ title }}",
    "<!-- x -->",
    "$x$",
    "``a`b``",
    ":::{note}",
]
# String columns whose values the chapters' code looks up or computes with (not free text): the economy names
# pick colours and rows, units pick number formats, claims' row lists are keys into other files.
NOT_FREE_TEXT = {"economy_zh", "unit", "rows", "other_rows"}
THEME_HANDLERS = {"window.print()"}  # the theme's print button


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def free_text_columns(resource: dict) -> list[tuple[str, int]]:
    """(name, maxLength) of each free-text column: string, no enum or pattern, not a key."""
    schema = resource["schema"]
    keys = set(schema.get("primaryKey", []))
    for fk in schema.get("foreignKeys", []):
        keys |= set([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
    columns = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        if (field.get("type", "string") == "string" and "enum" not in constraints and "pattern" not in constraints
                and field["name"] not in keys and field["name"] not in NOT_FREE_TEXT):
            columns.append((field["name"], constraints.get("maxLength", 10_000)))
    return columns


def poison(data: Path) -> dict[str, list[str]]:
    """Put the payloads into every free-text cell (a note becomes a payload, other text gets one appended, so
    labels stay distinct); returns resource → the columns poisoned."""
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    poisoned = {}
    for resource in package["resources"]:
        path = data / resource["path"]
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        header, body = rows[0], rows[1:]
        payloads = cycle(PAYLOADS)
        done = []
        for column, limit in free_text_columns(resource):
            i = header.index(column)
            chosen: dict[str, str] = {}  # the same text gets the same payload (names stay consistent across rows)
            for row in body:
                if not row[i]:
                    continue
                if row[i] not in chosen:
                    for _ in PAYLOADS:
                        payload = next(payloads)
                        # a note giving why a source is secondary keeps that reason (szhk.provenance checks it)
                        replace = column == "note" and "二手来源原因：" not in row[i]
                        value = payload if replace else row[i] + payload
                        if len(value) <= limit:
                            chosen[row[i]] = value
                            break
                row[i] = chosen.get(row[i], row[i])
            done.append(column)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        path.write_text(out.getvalue(), encoding="utf-8")
        poisoned[resource["name"]] = done
    return poisoned


@in_background("hostile")
def _poison_and_build(base: Path) -> dict:
    """The project copied (warm), every free-text cell poisoned, built once; its published HTML and PDF text."""
    assert not PWNED.exists(), f"{PWNED} exists before the build: remove it"
    project = copy_project(base / "project")
    poisoned = poison(project / "data")
    run = subprocess.run([sys.executable, str(project / "tools" / "build.py")], cwd=project, capture_output=True,
                         text=True, timeout=BUILD_TIMEOUT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    html = (project / "_build" / "html").resolve()
    pdfs = sorted((project / "_build" / "pdf").resolve().glob("*.pdf"))
    pages = {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in html.rglob("*.html")}
    pdf_text = {p.name: subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], capture_output=True, text=True,
                                       check=True).stdout for p in pdfs}
    return {"project": project, "html": html, "pages": pages, "pdf_text": pdf_text, "poisoned": poisoned}


@pytest.fixture(scope="module")
def hostile() -> dict:
    return background_result("hostile")


def test_every_dataset_had_free_text_poisoned(hostile: dict) -> None:
    assert sum(map(len, hostile["poisoned"].values())) >= 40
    assert "university_zh" in hostile["poisoned"]["qs_university_ranks"]  # the Table 2 case


def test_no_element_or_attribute_comes_from_data(hostile: dict) -> None:
    for path, soup in hostile["pages"].items():
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if name.lower().startswith("on"):  # event handlers: only the theme's own
                    assert text in THEME_HANDLERS, (path, str(tag)[:200])
                assert "alert(1)" not in text and "/etc/passwd" not in text, (path, str(tag)[:200])
            if tag.name == "script":
                assert "alert(1)" not in tag.get_text(), (path, str(tag)[:200])
            if tag.name == "img":
                assert tag.get("src") != "x", (path, str(tag))
        assert not soup.select(".math, mjx-container, div.admonition.note"), path


def test_every_payload_is_shown_literally_on_the_web(hostile: dict) -> None:
    text = squeeze("".join(soup.get_text() for soup in hostile["pages"].values()))
    assert [p for p in PAYLOADS if squeeze(p) not in text] == []
    # the substitution was not made: the payload, not the page title, stands where it was written
    table_2 = next(s for p, s in hostile["pages"].items() if p.name == "02-hk-innovation.html")
    assert "香港大学<script>" in squeeze(table_2.get_text()) or any(
        squeeze("香港大学" + p) in squeeze(table_2.get_text()) for p in PAYLOADS)


def _as_printed(text: str) -> str:
    """PDF text without white space; TeX sets an ASCII double quote as a typographic one (" → ”)."""
    return squeeze(text).replace("\u201d", '"').replace("\u201c", '"')


def test_payloads_are_printed_literally_in_the_pdf(hostile: dict) -> None:
    """The book PDF prints only some columns (the data dictionary and full register stay on the web), so not every
    payload reaches paper; those that do are printed as written, and TeX commands from data are printed, not run.
    (Text wrapped inside a narrow table cell comes out of pdftotext interleaved with the next column, so only
    payloads printed whole somewhere are counted.)"""
    assert len(hostile["pdf_text"]) == len(pdf_edition.PDF_FILES)  # the book and both briefings
    text = _as_printed("".join(hostile["pdf_text"].values()))
    printed = [p for p in PAYLOADS if squeeze(p) in text]
    assert len(printed) >= 5, f"only {printed} reached the PDFs whole"
    for command in ("\\input{/etc/passwd}", "\\write18{"):
        assert command in text, f"{command} from data is not printed as written"


def test_no_file_outside_the_project_is_read_or_published(hostile: dict) -> None:
    secret = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    assert not PWNED.exists()
    project_files = {p.read_bytes() for p in (hostile["project"] / "data").rglob("*") if p.is_file()}
    project_files |= {(hostile["project"] / name).read_bytes() for name in data_download.LICENCE_FILES}
    for path in hostile["html"].rglob("*"):
        if path.is_file():
            assert path.name != "passwd", path
            content = path.read_bytes()
            assert secret.encode() not in content, path
            if "_downloads" in path.parts and path.suffix == ".zip":  # all of data/ in one download
                import zipfile
                with zipfile.ZipFile(path) as archive:
                    for member in archive.namelist():
                        assert archive.read(member) in project_files, f"{path}: {member}"
            elif "_downloads" in path.parts and path.suffix != ".pdf":
                assert content in project_files, path
    for name, text in hostile["pdf_text"].items():
        assert secret not in text, name
