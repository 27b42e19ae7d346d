"""The edition: what a reader needs to date, find and cite this build of the book.

A Sphinx extension, set up by szhk_sphinx (stdlib, docutils and pybtex only: no pandas, no szhk).

- The edition line: when the article was written (inferred from its text, and said so), the latest date in the
  data, the version (`sphinx.config.release` in _config.yml) with the date of the commit the book was built from
  (SOURCE_DATE_EPOCH, which tools/build.py takes from git; never the wall clock), and the web address where the
  HTML is published (`html.baseurl` in _config.yml; when it is empty the page says so instead of inventing one).
- 如何引用: a GB/T 7714-2015 reference to this edition, formatted by the book's own gbt7714 pybtex style, and the
  same entry as BibTeX, written at build time into the web output (`szhk-report.bib`), never into the sources.

Directives ``{szhk-edition}`` and ``{szhk-citation}`` put them into a page (book/index.md, the briefing), the same
nodes on the web and in print. szhk_sphinx.pdf reads `edition()` for the PDF title page's macros. Their words are
_config.yml's `szhk_edition_words` (read by `words()`), the edition's facts its other `szhk_*` values.

A page using a directive depends on a small state file in the doctree folder, rewritten only when the edition
changes (a new commit, version, address or data date): Sphinx then re-reads exactly those pages.
"""
from __future__ import annotations

import datetime
import html
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective

from szhk_names import (DATE_BASIS_ENV, DATE_FROM_COMMIT, DATE_FROM_FILES, DATED_FIELDS, EDITION_STATE_FILE,
                         EDITIONS_FILE, EPOCH_ENV, data_cut_off, data_dir, editions, zh_date)

BIB_FILE = "szhk-report.bib"  # at the root of the HTML output
BIB_KEY = "szhk-report"
STATE_FILE = EDITION_STATE_FILE  # in the doctree folder: the pages' dependency, and what tools/changes.py records
TITLE_EN = "Deepening Shenzhen–Hong Kong Cooperation in Science, Technology and Innovation Industries: An Analysis"


@dataclass(frozen=True)
class Edition:
    title: str
    version: str
    commit_date: datetime.date
    data_as_of: str          # as written in the data or its sources, e.g. "2025-12-23"
    site_url: str            # "" when not configured
    label: str = ""          # what this edition is called in a citation's 版本项 (_config.yml szhk_edition_label)
    author: str = ""         # the citation's author: the source text names none (szhk_edition_words: author)
    date_basis: str = DATE_FROM_COMMIT  # DATE_FROM_FILES: no usable git, dated by the newest source file

    @property
    def data_as_of_zh(self) -> str:
        return zh_date(self.data_as_of)

    @property
    def commit_date_zh(self) -> str:
        return zh_date(self.commit_date.isoformat())

    def built_from(self, edition_words: Mapping[str, str]) -> str:
        """What the edition was built from, in `edition_words` (szhk_edition_words): "2026 年 12 月 1 日的提交", or
        the source files when git was unusable."""
        key = "built_from_files" if self.date_basis == DATE_FROM_FILES else "built_from_commit"
        return _filled(edition_words, key, date=self.commit_date_zh)


def _filled(edition_words: Mapping[str, str], key: str, **values: object) -> str:
    if not str(edition_words.get(key, "")).strip():
        raise ConfigError(f"_config.yml: sphinx.config.szhk_edition_words lacks {key} (the edition's words)")
    try:
        return str(edition_words[key]).format(**values)
    except KeyError as missing:
        raise ConfigError(f"_config.yml: sphinx.config.szhk_edition_words: {key}: placeholder {missing} is not one "
                          f"the build fills in ({', '.join(sorted(values)) or 'none'})") from None


def words(config: Any, key: str, /, **values: object) -> str:
    """A word of the edition line, the credit, the citation or the print (_config.yml sphinx.config
    szhk_edition_words), its named placeholders filled with `values`: Python holds the logic, the configuration the
    wording (which the HK edition converts with the rest of the szhk_* values)."""
    return _filled(config.szhk_edition_words or {}, key, **values)


def latest_date(directory: Path, bibliographies: Sequence[Path] = ()) -> str:
    """The latest date the published values are current to (szhk_names.data_cut_off), with the publication dates
    of the entries of `bibliographies` (the book's .bib files) that the data's rows cite."""
    def cited_dates(keys: set[str]) -> list[str]:
        from pybtex.database import parse_file

        dates = []
        for bibliography in bibliographies:
            entries = parse_file(str(bibliography), bib_format="bibtex").entries
            dates += [entries[key].fields.get("date", "") for key in sorted(keys) if key in entries]
        return dates

    found = data_cut_off(directory, cited_dates)
    if found is None:
        raise ConfigError(f"{directory / 'datapackage.json'}: no dated value (fields {', '.join(DATED_FIELDS)}, "
                          "or dated sources) in the data: the edition line needs the date the data are current to")
    return found


def commit_date() -> datetime.date:
    """The date of the commit the book is built from: SOURCE_DATE_EPOCH (tools/build.py sets it from git)."""
    epoch = os.environ.get(EPOCH_ENV, "")
    if not epoch.strip().isdigit():
        raise ConfigError(f"{EPOCH_ENV} is not set: the edition's date is the commit's date, which tools/build.py "
                          "(make build) supplies; the build never dates an edition by the clock")
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).date()


def latest_version(directory: Path) -> str | None:
    """The version of the newest edition recorded in data/editions.csv (its last row), None without the file."""
    recorded = editions(directory)
    if recorded:
        return recorded[-1]["version"].strip()
    if (directory / EDITIONS_FILE).is_file():
        raise ConfigError(f"{directory / EDITIONS_FILE}: no edition recorded (columns version, released, summary)")
    return None


def _version_from_editions(app: Sphinx, config: Any) -> None:
    """The edition's version is the one data/editions.csv records last (the update steps raise it there), so the
    citation, the title pages and the change report name the same edition; _config.yml's release is only the
    fallback for a project without that file."""
    version = latest_version(data_dir(Path(app.srcdir)))
    if version:
        config.release = config.version = version


def edition(app: Sphinx) -> Edition:
    version = str(app.config.release or "").strip()
    if not version:
        raise ConfigError("_config.yml: sphinx.config.release (the edition's version, e.g. \"1.0\") is empty")
    title = str(app.config.html_title or "").strip()  # Jupyter Book sets it from _config.yml's `title`
    if not title:
        raise ConfigError("_config.yml: `title` is empty; the edition line and the citation need the book's title")
    return Edition(title=title, version=version, commit_date=commit_date(),
                   data_as_of=latest_date(data_dir(Path(app.srcdir)),
                                          [Path(app.srcdir) / name for name in app.config.bibtex_bibfiles or []]),
                   site_url=str(app.config.html_baseurl or "").strip(),
                   label=str(app.config.szhk_edition_label or "").strip(), author=_author(app.config),
                   date_basis=os.environ.get(DATE_BASIS_ENV, DATE_FROM_COMMIT))


def _author(config: Any) -> str:
    """The citation's author (szhk_edition_words: author, the word GB/T 7714-2015 writes when none is named); a
    project without that word cites none."""
    return str((config.szhk_edition_words or {}).get("author", "")).strip()


# ---- Citation ---------------------------------------------------------------------------------------------------
def bibtex(ed: Edition) -> str:
    """The edition as a BibTeX @online entry. No author is named in the source text: its author is the word
    GB/T 7714-2015 writes for that (Edition.author)."""
    fields = [
        *([("author", ed.author)] if ed.author else []),
        ("title", ed.title),  # the article's title, unaltered: the edition is the `version` field
        ("date", ed.commit_date.isoformat()),
        ("version", ed.version),
        ("language", "chinese"),
    ]
    if ed.site_url:
        # GB/T 7714's 引用日期: this edition's date, which a reader replaces with the day they read it (index.md says so)
        fields += [("url", ed.site_url), ("urldate", ed.commit_date.isoformat())]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{BIB_KEY},\n{body}\n}}\n"


def gbt7714(ed: Edition) -> str:
    """The GB/T 7714-2015 reference, as the book's gbt7714 style formats the BibTeX entry."""
    from pybtex.database import parse_string
    from pybtex_gbt7714 import GBT7714Style

    entry = parse_string(bibtex(ed), "bibtex").entries[BIB_KEY]
    # GB/T 7714's 版本项 follows the title ("题名[EB/OL]. 可执行版本 1.0."): the style prints it from `edition`.
    entry.fields["edition"] = f"{ed.label} {ed.version}".strip()
    return GBT7714Style().format_entry("1", entry).text.render_as("text")


# ---- Directives -------------------------------------------------------------------------------------------------
def _field_list(rows: list[tuple[str, list[nodes.Node]]]) -> nodes.field_list:
    fields = nodes.field_list(classes=["szhk-edition"])
    for name, body in rows:
        fields += nodes.field("", nodes.field_name("", name), nodes.field_body("", nodes.paragraph("", "", *body)))
    return fields


class _EditionDirective(SphinxDirective):
    has_content = False

    def edition(self) -> Edition:
        self.env.note_dependency(str(Path(self.env.app.doctreedir) / STATE_FILE))
        return edition(self.env.app)


class EditionLine(_EditionDirective):
    """原文写作时间 · 数据截至 · 版本 · 网址 (when configured)."""

    def run(self) -> list[nodes.Node]:
        ed, config = self.edition(), self.env.app.config
        when, basis = written(config)
        # Web only: the PDF's title page prints the same line (szhkprint.sty, macros from szhk_sphinx.pdf).
        only = addnodes.only(expr="html")
        only += _field_list([
            (words(config, "written"), [nodes.Text(words(config, "written_value", when=when, basis=basis))]),
            (words(config, "data_as_of"), [nodes.Text(words(config, "data_as_of_value", date=ed.data_as_of_zh))]),
            # the version and its date; what it was built from is maintainers' matter (the book PDF's colophon)
            (words(config, "version"), [nodes.Text(words(config, "version_value", version=ed.version,
                                                         date=ed.commit_date_zh))]),
            # The web address only once it is configured (_config.yml, html.baseurl): never one made up.
            *([(words(config, "site"), [nodes.reference(ed.site_url, ed.site_url, refuri=ed.site_url)])]
              if ed.site_url else []),
        ])
        return [only]


def written(config: Any) -> tuple[str, str]:
    """When the article was written and on what basis (_config.yml szhk_written, szhk_written_basis): the source
    text gives no date, so the edition says it is inferred, and from what."""
    when, basis = str(config.szhk_written or "").strip(), str(config.szhk_written_basis or "").strip()
    if not when or not basis:
        raise ConfigError("_config.yml: sphinx.config.szhk_written and szhk_written_basis (when the article was "
                          "written, and how that is known) must both be set")
    return when, basis


def credit(config: Any) -> tuple[str, str]:
    """The editors (and their institution, when configured) and the licence statement, as _config.yml gives them
    (sphinx.config: szhk_editors, szhk_institution, szhk_licence): never a name the configuration does not hold."""
    editors = str(config.szhk_editors or "").strip()
    if not editors:
        raise ConfigError("_config.yml: sphinx.config.szhk_editors (who edited this edition) is empty")
    institution = str(config.szhk_institution or "").strip()
    licence = str(config.szhk_licence or "").strip()
    if not licence:
        raise ConfigError("_config.yml: sphinx.config.szhk_licence (the licence statement) is empty")
    return (f"{editors}（{institution}）" if institution else editors), licence


class Credit(SphinxDirective):
    """编者 · 许可: the editors and the licence, from _config.yml (the briefing's foot, the front page)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        config = self.env.app.config
        editors, licence = credit(config)
        return [nodes.paragraph("", "", nodes.strong("", words(config, "editors")), nodes.Text(f"{editors}。"),
                                nodes.strong("", words(config, "licence")), nodes.Text(licence),
                                classes=["szhk-credit"])]


def _footer(app: Sphinx, config: Any) -> None:
    """The web pages' footer: the editors and the licence (not the theme's bare "© Copyright")."""
    if not str(config.szhk_editors or "").strip():
        return  # a project that names no editors (a test's one-page book) keeps the theme's footer
    editors, licence = credit(config)
    options = dict(config.html_theme_options or {})
    footer = words(config, "footer", editors=editors, licence=licence)
    options["extra_footer"] = f'<p class="szhk-footer">{html.escape(footer)}</p>'
    config.html_theme_options = options


class Citation(_EditionDirective):
    """The GB/T 7714-2015 reference, the BibTeX entry, and (on the web) its download link."""

    def run(self) -> list[nodes.Node]:
        ed = self.edition()
        out: list[nodes.Node] = [nodes.paragraph("", "GB/T 7714-2015：")]
        out.append(nodes.block_quote("", nodes.paragraph("", gbt7714(ed)), classes=["szhk-citation"]))
        out.append(nodes.paragraph("", "BibTeX："))
        out.append(nodes.literal_block(bibtex(ed), bibtex(ed), language="bibtex"))
        # Web only: the .bib file written into the HTML output by _write_bibtex.
        link = html.escape(words(self.env.app.config, "bibtex_download", file=BIB_FILE))
        out.append(nodes.raw("", f'<p class="szhk-bib-download"><a href="{{root}}{BIB_FILE}" download>{link}</a></p>',
                             format="html"))
        return out


def _fix_bib_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The download link is relative to the page: fill in the way up to the output's root."""
    if app.builder.format != "html":
        return
    prefix = "../" * docname.count("/")
    for raw in list(doctree.findall(nodes.raw)):
        if "{root}" in raw.astext():
            raw.replace_self(nodes.raw("", raw.astext().replace("{root}", prefix), format="html"))


# ---- Build hooks ------------------------------------------------------------------------------------------------
def _record_state(app: Sphinx) -> None:
    """Rewrite the pages' dependency file only when the edition changed (its mtime then tells Sphinx)."""
    ed = edition(app)
    state = json.dumps({**asdict(ed), "commit_date": ed.commit_date.isoformat()}, sort_keys=True, ensure_ascii=False)
    path = Path(app.doctreedir) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != state:
        path.write_text(state, encoding="utf-8")


def _write_bibtex(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    (Path(app.outdir) / BIB_FILE).write_text(bibtex(edition(app)), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("szhk_written", "", "env", [str])
    app.add_config_value("szhk_written_basis", "", "env", [str])
    app.add_config_value("szhk_edition_label", "", "env", [str])
    app.add_config_value("szhk_editors", "", "env", [str])
    app.add_config_value("szhk_institution", "", "env", [str])
    app.add_config_value("szhk_licence", "", "env", [str])
    app.add_config_value("szhk_edition_words", {}, "env", [dict])
    app.connect("config-inited", _footer)
    app.add_directive("szhk-credit", Credit)
    app.connect("config-inited", _version_from_editions)
    app.add_directive("szhk-edition", EditionLine)
    app.add_directive("szhk-citation", Citation)
    app.connect("builder-inited", _record_state)
    app.connect("doctree-resolved", _fix_bib_link)
    app.connect("build-finished", _write_bibtex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
