"""Citations: the GB/T 7714-2015 style (book/gbt7714, the pybtex-gbt7714 distribution), its agreement with TeX Live's
gbt7714-numerical.bst on the project's references.bib, and the built book's citations.

1. Unit tests: examples printed in GB/T 7714-2015, one or more of every document type the report uses and
   the formatting rules it relies on (Western and Chinese names, "等"/"et al." after three authors, sentence
   case, type marks with /OL).
2. Cross-check: BibTeX with TeX Live's gbt7714-numerical.bst renders the whole references.bib; after the
   normalisations listed at `bbl_text`, every entry reads exactly as the pybtex style writes it.
3. The built book (_build/html, _build/pdf): every entry cited, numbered in order of first citation, no
   unresolved citation, the author's notes [1]–[4] kept as notes, the PDF's bibliography the same as the web's.
(A {cite} key missing from the .bib and a malformed .bib entry stopping a build: test_failure_paths.py.)
"""
from __future__ import annotations

import re
import subprocess
from importlib.metadata import entry_points
from pathlib import Path

import pybtex.plugin
import pytest
import yaml
from conftest import BOOK, ROOT, Page
from pages import pages_in_reading_order
from pybtex.database import parse_string
from pybtex.richtext import Text
from pybtex_gbt7714 import (BibliographyError, display_url, GBT7714ReferenceStyle, GBT7714Style, UnsupportedEntry,
                            check_bibfile, compress_labels)

BIB = BOOK / "references.bib"
BST = "gbt7714-numerical.bst"


def spaces(text: str) -> str:
    """Runs of spaces, line breaks and no-break spaces made one space (an em space, from \\quad, is kept)."""
    return re.sub(r"[ \t\r\n\xa0]+", " ", text).strip()


def render(entry_source: str) -> dict[str, str]:
    """key -> the style's plain text for each entry of a BibTeX snippet."""
    data = parse_string(entry_source, "bibtex")
    style = GBT7714Style()
    return {key: spaces(str(style.format_entry("0", entry).text)) for key, entry in data.entries.items()}


# --- 1. the standard's examples ------------------------------------------------------------------------------
# Each example is printed in GB/T 7714-2015; its key is the clause (4.1.2, 4.6.2 …) or appendix (A.3 …) where
# the standard prints it, and its number there. The BibTeX for each is the gbt7714 package's encoding of the
# standard's examples, test/testbst/support/standard.bib, and the expected text is that package's rendering,
# test/testbst/2015-numerical.bbl, with the LaTeX markup removed (see bbl_text) — both at tag v2.1.5 of
# https://github.com/zepinglee/gbt7714-bibtex-style, the version of gbt7714-numerical.bst TeX Live ships here.
# The printed standard sets Chinese entries with full-width punctuation ("北京：中华书局，2000：29"); the gbt7714
# package writes half-width punctuation and a space, and so does this style.
STANDARD_EXAMPLES: list[tuple[str, str, str]] = [
    ("4.1.2:1 [M], Chinese, volume", r"""
@book{4.1.2:1,
  author = {陈登原}, title = {国史旧闻}, volume = {1}, address = {北京}, publisher = {中华书局},
  year = {2000}, pages = {29},
}""", "陈登原. 国史旧闻: 第 1 卷[M]. 北京: 中华书局, 2000: 29."),
    ("4.1.2:2 [M], translator", r"""
@book{4.1.2:2,
  author = {哈里森·沃尔德伦}, translator = {谢远涛}, title = {经济数学与金融数学}, address = {北京},
  publisher = {中国人民大学出版社}, year = {2012}, pages = {235--236},
}""", "哈里森·沃尔德伦. 经济数学与金融数学[M]. 谢远涛, 译. 北京: 中国人民大学出版社, 2012: 235-236."),
    ("4.1.2:14 [M], Western name with Jr, edition", r"""
@book{4.1.2:14,
  author = {Peebles, Jr, Peyton Z.}, title = {Probability, Random Variables, and Random Signal Principles},
  edition = {4}, address = {New York}, publisher = {McGraw-Hill}, year = {2001},
}""", "PEEBLES P Z, Jr. Probability, random variables, and random signal principles[M]. 4th ed. "
       "New York: McGraw-Hill, 2001."),
    ("4.2.2:3 [M]//, five authors -> 等", r"""
@incollection{4.2.2:3,
  author = {陈晋镳 and 张惠民 and 朱士兴 and 赵震 and 王振刚}, title = {蓟县震旦亚界研究},
  editor = {中国地质科学院天津地质矿产研究所}, booktitle = {中国震旦亚界}, address = {天津},
  publisher = {天津科学技术出版社}, year = {1980}, pages = {56--114},
}""", "陈晋镳, 张惠民, 朱士兴, 等. 蓟县震旦亚界研究[M]//中国地质科学院天津地质矿产研究所. 中国震旦亚界. "
       "天津: 天津科学技术出版社, 1980: 56-114."),
    ("A.3:1 [R/OL], organisation, date and access date", r"""
@techreport{A.3:1,
  author = {中华人民共和国国务院新闻办公室}, title = {国防白皮书: 中国武装力量的多样化运用},
  year = {2013}, date = {2013-04-16}, urldate = {2014-06-11},
  url = {http://www.mod.gov.cn/affair/2013-04/16/content_4442839.htm},
}""", "中华人民共和国国务院新闻办公室. 国防白皮书: 中国武装力量的多样化运用[R/OL]. (2013-04-16)[2014-06-11]. "
       "http://www.mod.gov.cn/affair/2013-04/16/content_4442839.htm."),
    ("A.3:3 [R], report number, sentence case", r"""
@techreport{A.3:3,
  author = {Calkin, D and Ager, A and Thompson, M},
  title = {A Comparative Risk Assessment Framework for Wildland Fire Management: the 2010 Cohesive Strategy Science Report},
  number = {RMRS-GTR-262}, year = {2011}, pages = {8--9},
}""", "CALKIN D, AGER A, THOMPSON M. A comparative risk assessment framework for wildland fire management: "
       "the 2010 cohesive strategy science report: RMRS-GTR-262[R]. 2011: 8-9."),
    ("A.3:5 [R], organisation as author, protected words", r"""
@techreport{A.3:5,
  author = {{World Health Organization}},
  title = {Factors Regulating the Immune Response: Report of {WHO Scientific Group}},
  address = {Geneva}, publisher = {WHO}, year = {1970},
}""", "World Health Organization. Factors regulating the immune response: Report of WHO Scientific Group[R]. "
       "Geneva: WHO, 1970."),
    ("A.10:1 [EB/OL], Chinese", r"""
@online{A.10:1,
  author = {萧钰}, title = {出版业信息化迈入快车道}, year = {2001}, date = {2001-12-19},
  urldate = {2002-04-15}, url = {http://www.creader.com/news/20011219/200112190019.html},
}""", "萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. "
       "http://www.creader.com/news/20011219/200112190019.html."),
    ("4.6.2:3 [EB/OL], Western", r"""
@online{4.6.2:3,
  author = {Bawden, D}, title = {Origins and Concepts of Digital Literacy}, year = {2008}, date = {2008-05-04},
  urldate = {2013-03-08}, url = {http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf},
}""", "BAWDEN D. Origins and concepts of digital literacy[EB/OL]. (2008-05-04)[2013-03-08]. "
       "http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf."),
    ("4.6.2:4 [EB/OL], no date", r"""
@online{4.6.2:4,
  author = {{Online Computer Library Center, Inc}}, title = {About {OCLC}: History of Cooperation},
  urldate = {2012-03-27}, url = {http://www.oclc.org/about/cooperation.en.html},
}""", "Online Computer Library Center, Inc. About OCLC: History of cooperation[EB/OL]. [2012-03-27]. "
       "http://www.oclc.org/about/cooperation.en.html."),
    ("A.10:4 [EB/OL], no author", r"""
@online{A.10:4,
  title = {Dublin Core Metadata Element Set: version 1.1}, year = {2012}, date = {2012-06-14},
  urldate = {2014-06-11}, url = {http://dublincore.org/documents/dces/},
}""", "Dublin core metadata element set: version 1.1[EB/OL]. (2012-06-14)[2014-06-11]. "
       "http://dublincore.org/documents/dces/."),
    ("A.6:1 [S], standard number", r"""
@standard{A.6:1,
  author = {全国信息与文献标准化技术委员会}, title = {文献著录: 第 4 部分\quad 非书资料},
  number = {GB/T 3792.7—2009}, address = {北京}, publisher = {中国标准出版社}, year = {2010}, pages = {3},
}""", "全国信息与文献标准化技术委员会. 文献著录: 第 4 部分\u2003非书资料: GB/T 3792.7—2009[S]. "
       "北京: 中国标准出版社, 2010: 3."),
    ("A.9:1 [N], newspaper", r"""
@newspaper{A.9:1,
  author = {丁文详}, title = {数字革命与竞争国际化}, journal = {中国青年报}, entrysubtype = {newspaper},
  year = {2000}, date = {2000-11-20}, number = {15},
}""", "丁文详. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15)."),
    ("4.4.2:1 [J], others -> 等", r"""
@article{4.4.2:1,
  author = {袁训来 and 陈哲 and 肖书海 and others},
  title = {蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口}, journal = {科学通报}, year = {2012},
  volume = {57}, number = {34}, pages = {3219},
}""", "袁训来, 陈哲, 肖书海, 等. 蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口[J]. 科学通报, 2012, "
       "57(34): 3219."),
    ("4.4.2:9 [J/OL], Western, others -> et al., DOI", r"""
@article{4.4.2:9,
  author = {Myburg, Alexander A. and Grattapaglia, Dario and Tuskan, Gerald A. and others},
  title = {The Genome of Eucalyptus Grandis}, journal = {Nature}, year = {2014}, volume = {510},
  pages = {356--362}, date = {2014-06-19}, urldate = {2014-06-25},
  url = {http://www.nature.com/nature/journal/v510/n7505/pdf/nature13308.pdf}, doi = {10.1038/nature13308},
}""", "MYBURG A A, GRATTAPAGLIA D, TUSKAN G A, et al. The genome of eucalyptus grandis[J/OL]. Nature, 2014, "
       "510: 356-362[2014-06-25]. http://www.nature.com/nature/journal/v510/n7505/pdf/nature13308.pdf. "
       "DOI: 10.1038/nature13308."),
]

# The standard prints no example of [Z] (其他); its form follows the standard's monograph format (4.1.1:
# 主要责任者. 题名[文献类型标识]. 出版年), which is what gbt7714-numerical.bst does for @misc. These entries are the
# project's own; the cross-check below confirms the .bst gives the same text.
Z_EXAMPLES: list[tuple[str, str, str]] = [
    ("[Z], two issuing bodies, date", r"""
@misc{gba-outline-2019,
  author = {中共中央 and 国务院}, title = {粤港澳大湾区发展规划纲要}, date = {2019-02-18}, language = {chinese},
}""", "中共中央, 国务院. 粤港澳大湾区发展规划纲要[Z]. 2019."),
    ("[Z], no author, no year", r"""
@misc{sz-fyp14-outline, title = {[深圳市“十四五”规划纲要]}, language = {chinese}}
""", "[深圳市“十四五”规划纲要][Z]."),
]


@pytest.mark.parametrize(("what", "source", "expected"), STANDARD_EXAMPLES + Z_EXAMPLES,
                         ids=[e[0] for e in STANDARD_EXAMPLES + Z_EXAMPLES])
def test_style_renders_the_standards_examples(what: str, source: str, expected: str) -> None:
    (text,) = render(source).values()
    assert text == expected


def test_examples_cover_every_type_mark_the_bibliography_uses() -> None:
    marks = lambda texts: {m for t in texts for m in re.findall(r"\[([A-Z]+(?:/[A-Z]+)?)\](?://|\.|$)", t)}
    used = marks(render(BIB.read_text(encoding="utf-8")).values())
    covered = marks(e[2] for e in STANDARD_EXAMPLES + Z_EXAMPLES)
    assert used, "no document type marks found in the rendered references.bib"
    assert used <= covered, f"type marks used in references.bib without a test example: {sorted(used - covered)}"


def test_style_keeps_citation_order_and_numbers_from_one() -> None:
    data = parse_string(STANDARD_EXAMPLES[3][1] + STANDARD_EXAMPLES[0][1] + STANDARD_EXAMPLES[8][1], "bibtex")
    cited_order = ["4.6.2:3", "4.2.2:3", "4.1.2:1"]  # as sphinxcontrib-bibtex hands them over: first citation first
    formatted = list(GBT7714Style().format_entries([data.entries[k] for k in cited_order]))
    assert [f.key for f in formatted] == cited_order
    assert [f.label for f in formatted] == ["1", "2", "3"]


def test_style_is_found_through_its_entry_points_and_named_in_the_config() -> None:
    """No registration code: pybtex and sphinxcontrib-bibtex find the installed distribution by name."""
    assert pybtex.plugin.find_plugin("pybtex.style.formatting", "gbt7714") is GBT7714Style
    (referencing,) = entry_points(group="sphinxcontrib.bibtex.style.referencing", name="gbt7714")
    assert referencing.load() is GBT7714ReferenceStyle
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["bibtex_bibfiles"] == ["book/references.bib"]
    assert config["sphinx"]["config"]["bibtex_default_style"] == "gbt7714"
    assert config["sphinx"]["config"]["bibtex_reference_style"] == "gbt7714"


@pytest.mark.parametrize(("labels", "expected"), [
    (["4"], ["4"]),
    (["7", "8", "9", "10", "11"], ["7-11"]),   # GB/T 7714-2015 10.1.2: 连续序号，起讫序号间用短横线连接
    (["255", "256"], ["255-256"]),
    (["5", "1", "3", "2"], ["1-3", "5"]),      # listed in ascending order
])
def test_in_text_numbers_are_sorted_and_ranges_compressed(labels: list[str], expected: list[str]) -> None:
    assert [str(t) for t in compress_labels([Text(label) for label in labels])] == expected


def test_unsupported_entry_type_is_refused_naming_the_entry() -> None:
    with pytest.raises(UnsupportedEntry, match="arxiv-paper"):
        render("@misc{arxiv-paper, title = {T}, eprint = {2101.00001}, archiveprefix = {arXiv}}")


# --- bad .bib input: check_bibfile names the entry -----------------------------------------------------------

GOOD_ENTRY = "@misc{good-entry,\n  title = {一个文件},\n  language = {chinese},\n}\n"


@pytest.mark.parametrize(("addition", "message"), [
    ("@misc{broken-entry,\n  title = {no closing brace,\n", r"line 6: entry 'broken-entry' \(line 5\) is malformed"),
    ("@misc{comma-missing, title = {x} language = {chinese}}\n", r"entry 'comma-missing' .* is malformed"),
    ("@misc{good-entry, title = {again}, language = {chinese}}\n", r"lines 1, 5: entry 'good-entry'"),
    ("@misc{no-title, language = {chinese}}\n", r"line 5: entry 'no-title' cannot be formatted: missing title"),
    ("@misc{no-language, title = {x}}\n", r"line 5: entry 'no-language' needs language"),
])
def test_malformed_bib_entry_is_named(tmp_path: Path, addition: str, message: str) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(GOOD_ENTRY + addition, encoding="utf-8")
    with pytest.raises(BibliographyError, match=message):
        check_bibfile(bib, label="refs.bib")


def test_project_bib_passes_the_check() -> None:
    data = check_bibfile(BIB)
    assert len(data.entries) >= 30


# --- 2. cross-check with TeX Live's gbt7714-numerical.bst ----------------------------------------------------

def bbl_items(bbl: str) -> dict[str, str]:
    """key -> LaTeX source of each \\bibitem in a .bbl."""
    items = {}
    for match in re.finditer(r"\\bibitem", bbl):
        i = match.end()
        if bbl[i] == "[":  # optional label, may hold braces and brackets inside braces
            depth = 0
            while not (bbl[i] == "]" and depth == 0):
                depth += {"{": 1, "}": -1}.get(bbl[i], 0)
                i += 1
            i += 1
        key_end = bbl.index("}", i)
        key = bbl[i + 1:key_end]
        end = bbl.find("\\bibitem", key_end)
        items[key] = bbl[key_end + 1:end if end >= 0 else bbl.index("\\end{thebibliography}")]
    return items


def bbl_text(latex: str) -> str:
    """Plain text of a .bbl item, as LaTeX would print it. Normalisations, all of markup only:
    \\url{x}, \\doi{x} -> x (the style makes them links with the address as text);
    \\newblock -> one space (it is inter-block glue);
    \\allowbreak, \\penalty0 -> nothing (line-break hints; TeX also drops the space after them);
    the rest (braces, ~, \\quad, --, \\&) decoded by pybtex's LaTeX reader, as the style decodes fields;
    no-break spaces (from ~) -> spaces; runs of spaces and line breaks -> one space."""
    urls: list[str] = []

    def keep(match: re.Match[str]) -> str:
        urls.append(match.group(1))
        return f"\x00{len(urls) - 1}\x00"

    latex = re.sub(r"\\(?:url|doi)\{([^}]*)\}", keep, latex)
    latex = re.sub(r"\\newblock\s*", " ", latex)
    latex = re.sub(r"\\(?:allowbreak|penalty0)\s*", "", latex)
    text = str(Text.from_latex(latex))
    text = re.sub("\x00(\\d+)\x00", lambda m: urls[int(m.group(1))], text)
    return spaces(text)


def run_bst(bib_text: str, keys: list[str], workdir: Path) -> dict[str, str]:
    """key -> plain text of each entry as BibTeX with gbt7714-numerical.bst formats it."""
    found = subprocess.run(["kpsewhich", BST], capture_output=True, text=True)
    assert found.returncode == 0 and found.stdout.strip(), (
        f"{BST} not found by kpsewhich: install TeX Live's gbt7714 (Debian: texlive-bibtex-extra)")
    (workdir / "refs.bib").write_text(bib_text, encoding="utf-8")
    aux = "".join(f"\\citation{{{k}}}\n" for k in keys) + f"\\bibstyle{{{BST[:-4]}}}\n\\bibdata{{refs}}\n"
    (workdir / "refs.aux").write_text(aux, encoding="utf-8")
    run = subprocess.run(["bibtex", "refs"], cwd=workdir, capture_output=True, text=True)
    assert run.returncode in (0, 1), f"bibtex failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"  # 1: warnings
    return {key: bbl_text(item) for key, item in bbl_items((workdir / "refs.bbl").read_text(encoding="utf-8")).items()}


def test_bst_gives_the_expected_text_for_the_examples(tmp_path: Path) -> None:
    """The expected strings above are what the installed .bst writes, not only what the gbt7714 tests say."""
    examples = STANDARD_EXAMPLES + Z_EXAMPLES
    keys = [next(iter(parse_string(src, "bibtex").entries)) for _, src, _ in examples]
    bst = run_bst("\n".join(src for _, src, _ in examples), keys, tmp_path)
    assert {k: bst[k] for k in keys} == dict(zip(keys, (e[2] for e in examples)))


def test_project_bib_matches_gbt7714_numerical_bst(tmp_path: Path) -> None:
    bib_text = BIB.read_text(encoding="utf-8")
    ours = render(bib_text)
    bst = run_bst(bib_text, list(ours), tmp_path)
    assert list(bst) == list(ours), "the .bst did not give one item per entry, in citation order"
    # On purpose: the style shows percent-encoded Chinese in an address decoded (the .bst prints it as given).
    shown = {k: re.sub(r"https?://\S+", lambda m: display_url(m.group(0)), text) for k, text in bst.items()}
    differing = {k: (shown[k], ours[k]) for k in ours if shown[k] != ours[k]}
    assert not differing, "entries the pybtex style writes differently from gbt7714-numerical.bst:\n" + "\n".join(
        f"  {k}\n    bst:   {b}\n    ours:  {o}" for k, (b, o) in differing.items())


# --- 3. the built book ---------------------------------------------------------------------------------------

def parse_page(path: Path) -> Page:
    return Page.read(path)


@pytest.fixture(scope="module")
def bibliography(html_dir: Path) -> list[tuple[str, str, str]]:
    entries = parse_page(html_dir / "book" / "references.html").bibliography
    assert entries, "references.html has no bibliography entries"
    return entries


def test_every_entry_of_the_bib_is_cited_and_listed(bibliography: list[tuple[str, str, str]]) -> None:
    expected = render(BIB.read_text(encoding="utf-8"))
    listed = [text for _, _, text in bibliography]
    missing = [k for k, text in expected.items() if text not in listed]
    assert not missing, f"entries of references.bib never cited (so not in the bibliography): {missing}"
    assert len(listed) == len(expected), "the bibliography lists entries that references.bib does not have"


def test_citations_resolve_and_are_numbered_in_order_of_first_citation(
        html_dir: Path, bibliography: list[tuple[str, str, str]]) -> None:
    label_of = {entry_id: label for entry_id, label, _ in bibliography}
    assert [label for _, label, _ in bibliography] == [str(n) for n in range(1, len(bibliography) + 1)]
    first_seen: list[str] = []
    pages = pages_in_reading_order(html_dir)
    assert any(p.name == "references.html" for p in pages), "references.html not reached by the next links"
    for page in pages:
        parsed = parse_page(page)
        for target, label in parsed.citations:
            assert target in label_of, f"{page.name}: citation [{label}] points to #{target}, not a bibliography entry"
            assert label == label_of[target], f"{page.name}: citation shows [{label}], its entry is [{label_of[target]}]"
        for text in parsed.citation_texts:  # "[7-11]" cites 7, 8, 9, 10 and 11
            for item in text.strip("[]").split(","):
                first, _, last = item.partition("-")
                for number in range(int(first), int(last or first) + 1):
                    if str(number) not in first_seen:
                        first_seen.append(str(number))
        unresolved = re.findall(r'<span class="bibtex-citation"[^>]*>\[\]</span>', page.read_text(encoding="utf-8"))
        assert not unresolved, f"{page.name}: {len(unresolved)} unresolved citation(s) shown as []"
    assert first_seen == [str(n) for n in range(1, len(bibliography) + 1)], (
        f"numbers not in order of first citation: {first_seen}")


def test_in_text_citations_have_the_standards_form(html_dir: Path) -> None:
    """[n], [n,m], [n-m]: commas without spaces, consecutive numbers as a range (GB/T 7714-2015 10.1.2)."""
    form = re.compile(r"\[\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*\]")
    seen = 0
    for page in pages_in_reading_order(html_dir):
        for text in parse_page(page).citation_texts:
            seen += 1
            assert form.fullmatch(text), f"{page.name}: citation {text!r} is not in the form [1], [1,3] or [1-3]"
            numbers = [int(n) for n in re.findall(r"\d+", text)]
            assert numbers == sorted(numbers), f"{page.name}: citation {text!r} not in ascending order"
            for item in text[1:-1].split(","):
                if "-" not in item:
                    continue
                first, last = map(int, item.split("-"))
                assert last > first, f"{page.name}: citation {text!r} has an empty range"
            single = [int(i) for i in text[1:-1].split(",") if "-" not in i]
            assert not any(b == a + 1 for a, b in zip(single, single[1:])), (
                f"{page.name}: citation {text!r} lists consecutive numbers instead of a range")
    assert seen > 20, f"only {seen} citations found in the book"


def test_authors_notes_stay_marked_as_notes_without_sources(html_dir: Path) -> None:
    notes = [text for page in pages_in_reading_order(html_dir) for text in parse_page(page).footnotes]
    for n in range(1, 5):
        wanted = f"原文注释 [{n}]：原文未列出该注释对应的文献。"
        assert any(wanted in text for text in notes), f"author's note [{n}] not found as a footnote reading {wanted!r}"


LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})


def squeeze(text: str) -> str:
    """White space and hyphens removed: pdftotext breaks lines, and TeX may hyphenate."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


@pytest.fixture(scope="module")
def pdf_text(pdf_dir: Path) -> str:
    # TeX sets an apostrophe as a typographic right quote (world's → world’s) and ff, fi, fl … as ligatures
    # (Office → Oﬀice); the web page keeps the ASCII letters.
    text = squeeze(subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_dir / "szhk-report.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout).replace("\u2019", "'")
    return text.translate(LIGATURES)


def test_pdf_has_the_same_in_text_citations_in_the_same_order(html_dir: Path, pdf_text: str) -> None:
    """Citations in the running text and tables; figure captions are left out, as LaTeX floats figures."""
    pages = pages_in_reading_order(html_dir)
    chapters = pages[:[p.name for p in pages].index("references.html")]
    citations = [text for page in chapters for text in parse_page(page).running_text_citations]
    assert citations, "no citations in the chapters"
    position = 0
    for n, citation in enumerate(citations):
        found = pdf_text.find(squeeze(citation), position)
        assert found >= 0, f"citation {citation} (number {n + 1} in the web chapters) not found in the PDF after the one before"
        position = found + 1


def test_pdf_bibliography_lists_the_same_entries_in_the_same_order(
        bibliography: list[tuple[str, str, str]], pdf_text: str) -> None:
    # An entry may run over a page break: the page number and the running head (book title, chapter) come between.
    flat = re.sub(r"\d+深港科技创新产业深化合作论析参考文献", "", pdf_text)
    start = flat.rfind(squeeze(f"[1]{bibliography[0][2]}"))
    assert start >= 0, f"the PDF has no bibliography starting with [1] {bibliography[0][2]}"
    position = start
    for _, label, entry in bibliography:
        found = flat.find(squeeze(f"[{label}]{entry}"), position)
        assert found >= 0, f"[{label}] {entry} not found in the PDF's bibliography after the entry before it"
        position = found
