"""Python holds logic, not the book's words: no module-level constant of the project's code is editorial text.

The rule. A module-level constant (a name bound at the top level of a module of book/szhk, book/szhk_sphinx,
book/szhk_names.py or tools/) whose value holds Chinese is editorial content, and belongs in data/ (declared in
datapackage.json) or in a page's MyST, where it can be edited, translated and re-executed alone. One kind of Chinese
constant is logic, not content: a term the data or the pages define, which code compares data with or names a
category by, rather than writes as its own words. A string counts as such a term when it is

- a value of the data: a whole cell of a CSV in data/, or a value of an ``enum`` in datapackage.json (the
  qualifiers 约、近、超过 …, the economy names 中国香港、中国), or
- a term a page defines: a whole cell of a ``{list-table}`` in book/*.md (the claims register's statuses 一致、不一致 …,
  defined in the rules table of book/claims.md), or
- numerals: Chinese digits only (every character has a numeric value in Unicode), the way `szhk.text.zh_numeral`
  writes a count.

What a function writes is not examined here: a maintainer's error message (file, row, column, rule) is logic,
written where it is raised, with any lookup table it needs inside that function; the sentences a function writes
around computed values are templates. So the test asks one thing of constants: that none is the book's wording.
"""
from __future__ import annotations

import ast
import csv
import json
import re
import unicodedata
from pathlib import Path

from conftest import BOOK, DATA, ROOT, TOOLS

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CODE = [*sorted((BOOK / "szhk").glob("*.py")), *sorted((BOOK / "szhk_sphinx").glob("*.py")), BOOK / "szhk_names.py",
        *sorted(TOOLS.glob("*.py"))]
LIST_TABLE_CELL = re.compile(r"^\s*(?:\* )?- (.+?)\s*$")


def data_terms(data: Path = DATA) -> set[str]:
    """Whole CSV cells of data/ and the enum values of datapackage.json."""
    terms: set[str] = set()
    for path in sorted(data.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            terms.update(cell.strip() for row in csv.reader(handle) for cell in row)
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            terms.update(str(v) for v in field.get("constraints", {}).get("enum", []))
    return terms


def page_terms(book: Path = BOOK) -> set[str]:
    """The whole cells of the pages' list-tables (a page's glossary: the terms it defines)."""
    terms: set[str] = set()
    for path in sorted(book.glob("*.md")):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"^(:{3,}|`{3,})\{list-table\}", line):
                inside = True
            elif inside and re.match(r"^(:{3,}|`{3,})\s*$", line):
                inside = False
            elif inside and (match := LIST_TABLE_CELL.match(line)):
                terms.add(match.group(1))
    return terms


def numerals(text: str) -> bool:
    """Chinese digits only; 两, the counting form of 2 (两个), has no numeric value in Unicode but is one."""
    return all(char == "两" or unicodedata.numeric(char, None) is not None for char in text)


def chinese_strings(node: ast.AST) -> list[str]:
    """The Chinese string literals of an expression (f-strings' literal parts included)."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and CJK.search(n.value)]


def editorial_constants(paths: list[Path], terms: set[str]) -> list[str]:
    """"file:line NAME: 'text'" for each module-level constant holding Chinese that is not a defined term."""
    found = []
    for path in paths:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                target = ast.unparse(node.targets[0] if isinstance(node, ast.Assign) else node.target)
                words = [s for s in chinese_strings(node.value) if s not in terms and not numerals(s)]
                if words:
                    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
                    found.append(f"{where}:{node.lineno} {target}: {words[0][:40]!r}"
                                 + (f" (+{len(words) - 1} more)" if len(words) > 1 else ""))
    return found


def test_no_editorial_constant_is_defined_in_python() -> None:
    assert len(CODE) >= 20, CODE
    found = editorial_constants(CODE, data_terms() | page_terms())
    assert not found, ("editorial text in Python constants: move it to data/ (declared in datapackage.json) or to "
                       "the page's MyST:\n" + "\n".join(found))


def test_the_rule_can_fail_and_knows_a_term_from_a_sentence(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        'QUALIFIERS = ("约", "近")\n'                    # data vocabulary: allowed
        'STATUS = "一致"\n'                               # a term book/claims.md defines: allowed
        'DIGITS = "零一二三四五六七八九"\n'                 # numerals: allowed
        'MESSAGE = "深港合作有共同的底座。"\n'             # the book's words: refused
        'LABELS = {"match": f"一致（{1}）"}\n'             # an f-string's literal part: refused
        'def f():\n    raise ValueError("数据错误：第 1 行")\n',  # a maintainer's message, in a function: not examined
        encoding="utf-8")
    found = editorial_constants([module], data_terms() | page_terms())
    assert [line.split(" ")[1].rstrip(":") for line in found] == ["MESSAGE", "LABELS"], found
    terms = data_terms() | page_terms()
    assert {"约", "超过", "中国香港"} <= terms and "一致" in terms


# ---- The modules that write the reader's text: no Chinese composed in Python ------------------------------------
# Every module of book/szhk and book/szhk_sphinx writes its sentences from templates kept outside Python, so an
# English (or another) version has a place to go: the kernels' in data/ (findings_phrases.csv, briefing_phrases.csv,
# register_phrases.csv: Chinese and English columns) and, for charts, book/szhk/house-words.yml; the Sphinx side's in
# _config.yml's sphinx.config (szhk_ui: the web controls; szhk_edition_words: the edition line, the credit, the
# citation and what the PDFs add), which the HK edition converts. What may stay Chinese in them: a docstring, a
# maintainer's error message built where it is raised, a term the data or the pages define, and numerals.
PACKAGES = [BOOK / "szhk", BOOK / "szhk_sphinx"]
# Modules whose Chinese is all for the maintainer (their messages name file, row, column and rule, and are built by
# helper functions rather than where they are raised) or is a pattern, not words: not reader text.
MAINTAINER_MODULES = {
    "szhk/validation.py": "Frictionless's errors turned into one message",
    "szhk/descriptor.py": "DataValidationError's message",
    "szhk/cells.py": "a cell's problems (invisible characters, spaces)",
    "szhk/bounds.py": "a year's or a date's problems",
    "szhk/glyphs.py": "a character the fonts lack",
    "szhk/references.py": "a bad address in references.bib",
    "szhk/data.py": "python -m szhk.data's report on the console",
    "szhk/provenance.py": "a later-year value's quote and aggregator problems",
    "szhk/quotes.py": "the written forms of a number a source's quote is searched for (万/萬, 首位): patterns",
}


def _module_name(path: Path) -> str:
    return path.relative_to(BOOK).as_posix()


def reader_text_modules() -> list[Path]:
    """Every module of book/szhk and book/szhk_sphinx except the maintainer's."""
    return [path for package in PACKAGES for path in sorted(package.glob("*.py"))
            if _module_name(path) not in MAINTAINER_MODULES]


def _raising(node: ast.AST) -> bool:
    """An expression that makes a maintainer's error: raised, or passed to an …Error(…) / …_error(…) constructor."""
    if isinstance(node, ast.Raise):
        return True
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func).rsplit(".", 1)[-1]
        return name.endswith("Error") or name.endswith("_error")
    return False


def composed_chinese(path: Path, terms: frozenset[str] = frozenset()) -> list[str]:
    """"file:line 'text'" for each Chinese string literal of a module that is neither a docstring, nor part of an
    error message, nor one of the `terms` (a whole data cell or page term), nor numerals (f-strings' literal parts
    included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if _raising(node):
            allowed.update(id(n) for n in ast.walk(node))
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            allowed.add(id(body[0].value))  # a docstring
    return [f"{path.name}:{n.lineno} {n.value[:40]!r}" for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value) and id(n) not in allowed
            and n.value not in terms and not numerals(n.value)]


def test_the_modules_that_write_reader_text_compose_no_chinese() -> None:
    modules = reader_text_modules()
    names = {_module_name(path) for path in modules}
    assert {"szhk/front.py", "szhk/briefing.py", "szhk/claims_pages.py", "szhk/appendix.py", "szhk/text.py",
            "szhk_sphinx/hant.py"} <= names, names
    terms = frozenset(data_terms() | page_terms())
    found = [hit for path in modules for hit in composed_chinese(path, terms)]
    assert not found, ("Chinese composed in Python: move the words to a phrases file of data/ (findings_phrases.csv, "
                       "briefing_phrases.csv or register_phrases.csv; zh and en columns), to book/szhk/house-words.yml "
                       "(a chart's) or to _config.yml's sphinx.config (szhk_ui, szhk_edition_words: the Sphinx "
                       "side's):\n" + "\n".join(found))


def test_the_maintainer_modules_exist() -> None:
    for name in MAINTAINER_MODULES:
        assert (BOOK / name).is_file(), name


def test_the_sentence_rule_can_fail(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        'def f(n):\n    """第 n 条：a docstring may say anything."""\n'
        '    if n < 0:\n        raise ValueError(f"数据错误：第 {n} 行")\n'          # a maintainer's message
        '    error = _error("x.csv", n, "zh", f"模板有误 {n}")\n'                  # built by an …_error helper
        '    return f"有 {n} 处不一致"\n',                                          # a composed sentence: refused
        encoding="utf-8")
    found = composed_chinese(module)
    assert found and all(hit.startswith("module.py:6 ") for hit in found), found  # the sentence's parts only
