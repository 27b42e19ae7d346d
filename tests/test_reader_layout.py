"""Layout for readers that the Sphinx side decides: headings break between phrases (szhk_sphinx.headings), the
editor's notes are marked apart from the author's text (szhk_sphinx.editor_notes)."""
from __future__ import annotations

from types import SimpleNamespace

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from szhk_sphinx import editor_notes, headings


def test_a_heading_breaks_only_between_its_phrases() -> None:
    assert headings.phrases("关键数字：文章所写、最新数值与核验") == ["关键数字：", "文章所写、", "最新数值与核验"]
    assert headings.phrases("重要的不一致（其余细微差异见全书“数字核验”）") == ["重要的不一致", "（其余细微差异见全书", "“数字核验”）"]
    assert headings.phrases("二、香港科技创新产业基本情况") == ["二、", "香港科技创新产业基本情况"]
    for text in ("六、几点建议", "建议、行动方与 2022 年以来的进展", "Key numbers: the article"):
        assert "".join(headings.phrases(text)) == text, "the words are unchanged"


def _doctree(text: str) -> nodes.document:
    document = new_document("test", get_default_settings(Parser))
    Parser().parse(text, document)
    return document


def test_editor_notes_are_marked_and_the_authors_text_is_not() -> None:
    doctree = _doctree("Title\n=====\n\n作者的一段话。\n\n【编者注】编者的话。\n\n（编者：见图 1）\n")
    import yaml

    from conftest import ROOT

    marks = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]["szhk_editor_marks"]
    web = SimpleNamespace(builder=SimpleNamespace(format="html"), config=SimpleNamespace(szhk_editor_marks=marks))
    editor_notes.mark_notes(web, doctree, "test")
    marked = [n.astext() for n in doctree.findall(nodes.container) if editor_notes.NOTE in n["classes"]]
    assert marked == ["【编者注】编者的话。", "（编者：见图 1）"]
    assert not any(editor_notes.NOTE in getattr(p.parent, "get", lambda *_: [])("classes", [])
                   for p in doctree.findall(nodes.paragraph) if p.astext() == "作者的一段话。")


def test_the_space_after_a_phrase_stays_breakable() -> None:
    doctree = _doctree("建议、行动方与 2022 年以来的进展\n==========================================\n\n正文。\n")
    headings.keep_phrases(SimpleNamespace(builder=SimpleNamespace(format="html")), doctree, "test")
    kept = [n.astext() for n in doctree.findall(nodes.inline) if headings.PHRASE in n["classes"]]
    assert kept == ["建议、", "行动方与", "2022", "年以来的进展"]
    assert doctree.next_node(nodes.title).astext() == "建议、行动方与 2022 年以来的进展"


def test_a_phrase_is_kept_whole_in_a_web_heading_only() -> None:
    source = "二、香港科技创新产业基本情况\n================================\n\n正文。\n"
    for fmt, spans in (("html", 1), ("latex", 0)):
        doctree = _doctree(source)
        headings.keep_phrases(SimpleNamespace(builder=SimpleNamespace(format=fmt)), doctree, "test")
        kept = [n.astext() for n in doctree.findall(nodes.inline) if headings.PHRASE in n["classes"]]
        assert len(kept) == spans * 2 and (not kept or kept == ["二、", "香港科技创新产业基本情况"])
        assert doctree.next_node(nodes.title).astext() == "二、香港科技创新产业基本情况"
