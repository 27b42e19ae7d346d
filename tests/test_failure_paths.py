"""Bad input stops a build with a message that names where the problem is, and a plain `jupyter-book build`
is refused. Each case runs on the one-page fixture project (conftest.one_page_project), not the whole book."""
from __future__ import annotations

import re
import textwrap

from conftest import OnePage, replace_once


def output_of(done) -> str:
    return done.stdout + done.stderr


def test_the_one_page_project_builds(one_page_project: OnePage) -> None:
    """The fixture itself is sound: each failure below comes from the one thing its test breaks."""
    done = one_page_project.build()
    assert done.returncode == 0, output_of(done)[-4000:]
    page = (one_page_project.root / "_build" / "html" / "page.html").read_text(encoding="utf-8")
    assert re.search(r"探针数值为\s*41\s*个", re.sub(r"<[^>]+>", "", page))
    assert "一个文件" in page  # the bibliography entry, in the GB/T 7714 style


def test_a_plain_jupyter_book_build_is_refused_with_the_command_to_run(one_page_project: OnePage) -> None:
    done = one_page_project.build(SZHK_BUILD="")
    output = output_of(done)
    assert done.returncode != 0, "a plain `jupyter-book build .` succeeded"
    assert "make build" in output, output[-3000:]
    assert not (one_page_project.root / "_build" / "html" / "page.html").exists()


def test_a_failing_cell_stops_the_build_naming_chapter_and_cell(one_page_project: OnePage) -> None:
    page = one_page_project.page
    page.write_text(page.read_text(encoding="utf-8") + (
        "\n```{code-cell} ipython3\n:tags: [remove-cell]\n"
        'shares = {"资讯科技": 21.8}\nshares["生物科技"]  # the failing line\n```\n'), encoding="utf-8")
    done = one_page_project.build()
    log = output_of(done)
    assert done.returncode != 0, log[-3000:]
    assert "page.md" in log and "Executing notebook failed" in log, log[-3000:]
    assert 'shares["生物科技"]  # the failing line' in log and "KeyError" in log, log[-3000:]
    assert not (one_page_project.root / "_build" / "html" / "page.html").exists()


def test_a_cite_key_missing_from_the_bib_fails_the_build_naming_key_and_page(one_page_project: OnePage) -> None:
    replace_once(one_page_project.page, "{cite}`good-entry`", "{cite}`no-such-key`")
    done = one_page_project.build()
    output = output_of(done)
    assert done.returncode != 0, "the build succeeded with a citation key missing from the .bib"
    assert re.search(r'page\.md:\d+: WARNING: could not find bibtex key "no-such-key"', output), output[-3000:]


def test_a_malformed_bib_entry_fails_the_build_naming_the_entry(one_page_project: OnePage) -> None:
    bib = one_page_project.root / "refs.bib"
    lines = bib.read_text(encoding="utf-8").count("\n")
    with bib.open("a", encoding="utf-8") as handle:
        handle.write(textwrap.dedent("""
            @misc{broken-entry,
              title = {no closing brace,
            """))
    done = one_page_project.build()
    output = output_of(done)
    assert done.returncode != 0, "the build succeeded with a malformed .bib entry"
    assert f"refs.bib, line {lines + 3}: entry 'broken-entry' (line {lines + 2}) is malformed" in output, output[-3000:]


def test_a_bad_csv_value_fails_the_build_naming_file_row_and_column(one_page_project: OnePage) -> None:
    (one_page_project.data / "probe.csv").write_text("key,value,date\na,四十一,2021-12\n", encoding="utf-8")
    done = one_page_project.build()
    output = output_of(done)
    assert done.returncode != 0, "a build with a non-integer in an integer column succeeded"
    assert "data/probe.csv" in output and "第 2 行" in output and "列 value" in output, output[-3000:]
    assert "integer" in output and "四十一" in output, output[-3000:]
    assert not (one_page_project.root / "_build" / "html" / "page.html").exists()


def test_an_unlisted_csv_stops_the_build_naming_the_file(one_page_project: OnePage) -> None:
    (one_page_project.data / "probe_old.csv").write_text("key,value,date\na,1,2021-12\n", encoding="utf-8")
    done = one_page_project.build()
    output = output_of(done)
    assert done.returncode != 0, "a build with a CSV that datapackage.json does not list succeeded"
    assert "data/probe_old.csv" in output and "datapackage.json" in output, output[-3000:]


def test_a_resource_the_front_matter_names_but_the_package_lacks_is_named(one_page_project: OnePage) -> None:
    replace_once(one_page_project.page, "data: [probe]", "data: [probe, no_such_table]")
    done = one_page_project.build()
    output = output_of(done)
    assert done.returncode != 0, "a build declaring an unknown resource succeeded"
    assert "names no_such_table, which data/datapackage.json does not list" in output, output[-3000:]
