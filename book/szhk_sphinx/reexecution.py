"""Re-execute and re-read a chapter exactly when what it reads changed: its declared data or the chapter helpers.

A chapter declares the resources of data/datapackage.json that it reads in its front matter::

    data: [gii_ranks, imd_digital_ranks]      # or `data: all` (a page about the whole package)

On `source-read` this module injects into every MyST notebook a hidden first code cell

    import szhk.deps; szhk.deps.expect("book/01-background.md", ["gii_ranks"], {"gii_ranks": "<sha256>", …})

holding a digest of each declared resource (and of those its foreign keys point to) and one of the chapter-helper
package as a whole, and a hidden last cell `szhk.deps.check_all_used()`. jupyter-cache keys a notebook by its code
cells, so a chapter re-executes exactly when one of these changes; editing any helper re-executes every chapter.
`env-get-outdated` tells Sphinx to re-read the same pages, including pages that show data without code.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import importlib.util
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from szhk_names import ALL, DATA_DIR_ENV, FRONT_MATTER_KEY, PACKAGE_FILE, data_dir, resource_digest

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

__all__ = ["ALL", "DATA_DIR_ENV", "FRONT_MATTER_KEY", "data_dir", "resource_digest", "declared", "readers",
           "PageDigests", "fingerprint", "guard_cell", "inject", "kernel_code_digest", "resource_digests", "tree_digest",
           "setup"]

KERNEL_PACKAGE = "szhk"
CONVERTER_PACKAGE = "szhk_hant"  # the kernels import it too (szhk.hant: the figures' HK labels)
# szhk.data.sources_of lists the article itself among every dataset's sources
ARTICLE_SOURCE = "article"
CITED = "[cited]"
# Front matter `data_through_claims: true`: the page reads the datasets that data/claims.csv names only through the
# claims register (szhk.claims), which reads only the rows claims.csv names; those rows are its dependency.
THROUGH_CLAIMS_KEY = "data_through_claims"
CLAIMS_RESOURCE = "claims"
CLAIMED = "[claimed rows]"  # suffix of a referenced registry's digest: only the rows a page's data cite


class DependencyError(Exception):
    """A chapter's data declaration cannot be read."""


def tree_digest(root: Path, leave_out: tuple[str, ...] = ()) -> str:
    """SHA-256 of every file below `root` by relative name and content; dot-files, caches, editors' lock files
    (~…, as Excel leaves beside an open CSV) and the folders `leave_out` (paths relative to `root`) left out: the
    files tools/build.py's data snapshot leaves out too, so a no-op build compares like with like."""
    h = hashlib.sha256()
    files = sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith((".", "~", "__pycache__")) for part in p.relative_to(root).parts)
        and p.suffix != ".pyc" and not p.relative_to(root).as_posix().startswith(leave_out)
    )
    for path in files:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def kernel_code_digest() -> str:
    """Digest of the chapter-helper package that the kernels import (wherever it is installed), and of the Hong
    Kong edition's converter they draw the figures' Traditional labels with (its phrase table too)."""
    spec = importlib.util.find_spec(KERNEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(f"the chapter-helper package {KERNEL_PACKAGE!r} is not installed: run make build")
    digest = tree_digest(Path(next(iter(spec.submodule_search_locations))))
    converter = importlib.util.find_spec(CONVERTER_PACKAGE)
    if converter is None or not converter.submodule_search_locations:
        return digest
    return hashlib.sha256(f"{digest}\0{tree_digest(Path(next(iter(converter.submodule_search_locations))))}".encode()
                          ).hexdigest()


# --------------------------------------------------------------------------------------------------------------
# Declarations (front matter)
# --------------------------------------------------------------------------------------------------------------
_FENCE = re.compile(r"^---\s*$")


def _front_matter_span(text: str) -> tuple[int, int] | None:
    """Line indices (first, last) of the `---` fences around the front matter, if the text has one."""
    lines = text.splitlines()
    if not lines or not _FENCE.match(lines[0]):
        return None
    for i in range(1, len(lines)):
        if _FENCE.match(lines[i]) or lines[i].rstrip() == "...":
            return 0, i
    return None


def front_matter(text: str) -> dict[str, Any]:
    span = _front_matter_span(text)
    if span is None:
        return {}
    meta = yaml.safe_load("\n".join(text.splitlines()[span[0] + 1 : span[1]]))
    return meta if isinstance(meta, dict) else {}


def declared(text: str, where: str = "<text>") -> list[str] | str | None:
    """The resources a page declares: a sorted list, `ALL`, or None when it declares nothing."""
    value = front_matter(text).get(FRONT_MATTER_KEY)
    if value is None:
        return None
    if value == ALL:
        return ALL
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DependencyError(
            f"{where}: front matter `{FRONT_MATTER_KEY}:` must be a list of resource names of "
            f"data/datapackage.json, or `{ALL}`; got {value!r}"
        )
    return sorted(set(value))


def through_claims(text: str) -> bool:
    """Whether the page reads the datasets claims.csv names only through the claims register."""
    return front_matter(text).get(THROUGH_CLAIMS_KEY) is True


def is_notebook(text: str) -> bool:
    """A MyST Markdown notebook (what myst-nb executes): jupytext format myst or file_format mystnb."""
    meta = front_matter(text)
    fmt = (meta.get("jupytext") or {}).get("text_representation", {}) or {}
    return meta.get("file_format") == "mystnb" or fmt.get("format_name") == "myst"


def readers(book_dir: Path) -> dict[str, list[str]]:
    """Resource name -> the chapters (file stems in book/) that declare it (not counting `all`)."""
    result: dict[str, list[str]] = {}
    for path in sorted(book_dir.glob("*.md")):
        names = declared(path.read_text(encoding="utf-8"), str(path))
        if isinstance(names, list):
            for name in names:
                result.setdefault(name, []).append(path.stem)
    return result


# --------------------------------------------------------------------------------------------------------------
# Digests
# --------------------------------------------------------------------------------------------------------------
def package_descriptor(directory: Path) -> dict[str, Any]:
    try:
        descriptor = json.loads((directory / PACKAGE_FILE).read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError):
        return {"resources": []}  # the kernel's loader reports it, naming the line
    return descriptor if isinstance(descriptor, dict) and isinstance(descriptor.get("resources"), list) else {"resources": []}


def _with_referenced(names: set[str], resources: dict[Any, dict[str, Any]]) -> set[str]:
    """The names plus the resources their foreign keys point to, transitively (validation reads those too)."""
    todo, result = set(names), set()
    while todo:
        name = todo.pop()
        if name in result:
            continue
        result.add(name)
        for fk in (resources.get(name) or {}).get("schema", {}).get("foreignKeys", []) or []:
            target = (fk.get("reference") or {}).get("resource")
            if target:  # "" means the resource itself
                todo.add(target)
    return result


def _csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _foreign_keys(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return resource.get("schema", {}).get("foreignKeys", []) or []


def _cited_rows(target: dict[str, Any], citing: list[tuple[dict[str, Any], list[dict[str, str]]]],
                rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The `rows` of `target` (e.g. sources.csv) that the `citing` rows (resource, its rows) point to through their
    foreign keys. A page that reads a registry only to look up the entries its own rows cite (a dataset's sources)
    depends on those entries, not on the whole registry: a new source for another series re-executes no page that
    does not cite it."""
    cited: set[tuple[str, ...]] = {(ARTICLE_SOURCE,)}
    referenced_fields: list[str] = []
    for resource, citing_rows in citing:
        for fk in _foreign_keys(resource):
            reference = fk.get("reference") or {}
            if reference.get("resource") != target.get("name"):
                continue
            fields, targets = fk.get("fields"), reference.get("fields")
            fields = [fields] if isinstance(fields, str) else list(fields or [])
            referenced_fields = [targets] if isinstance(targets, str) else list(targets or [])
            for row in citing_rows:  # a cell may list several keys, separated by ";"
                values = [[v.strip() for v in (row.get(f) or "").split(";") if v.strip()] for f in fields]
                if len(values) == 1:
                    cited.update((v,) for v in values[0])
                elif all(len(v) == 1 for v in values):
                    cited.add(tuple(v[0] for v in values))
    return [row for row in rows if tuple((row.get(f) or "").strip() for f in referenced_fields) in cited]


def _claimed_specs(claims_rows: list[dict[str, str]]) -> dict[str, set[str]]:
    """Resource → the row specifications ("2021|HKG", or a prefix of the primary key) that claims.csv names for it
    (columns rows and other_rows; other_rows may name rows of the claim's resource or of other_resource)."""
    specs: dict[str, set[str]] = {}
    for row in claims_rows:
        named = [v.strip() for v in (row.get("rows") or "").split(";") if v.strip()]
        others = [v.strip() for v in (row.get("other_rows") or "").split(";") if v.strip()]
        for name, values in (((row.get("resource") or "").strip(), named + others),
                             ((row.get("other_resource") or "").strip(), others)):
            if name:
                specs.setdefault(name, set()).update(values)
    return specs


def _claimed_rows(resource: dict[str, Any], specs: set[str], rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The `rows` of `resource` that the claims register reads: those whose primary key starts with one of `specs`."""
    key = resource.get("schema", {}).get("primaryKey", [])
    key = [key] if isinstance(key, str) else list(key)
    wanted = [spec.split("|") for spec in specs]
    return [row for row in rows
            if any(all((row.get(k) or "").strip() == part for k, part in zip(key, parts)) for parts in wanted)]


def _rows_digest(resource: dict[str, Any], header: list[str], rows: list[dict[str, str]]) -> str:
    """Digest of some rows of a resource: its descriptor, its header and those rows' cells."""
    text = json.dumps([header, *[[row.get(f, "") for f in header] for row in rows]], ensure_ascii=False)
    return resource_digest(resource, text.encode())


class _PageReading:
    """What one page reads of the package, each CSV parsed at most once (and only when some of its rows count)."""

    def __init__(self, resources: dict[Any, dict[str, Any]], directory: Path, declared: set[str],
                 through_claims: bool) -> None:
        self.resources, self.directory, self.declared = resources, directory, declared
        self.table, self.rows_read = functools.cache(self._table), functools.cache(self._rows_read)  # per page
        self.reading = sorted(declared & resources.keys())
        claims_table = self.table(CLAIMS_RESOURCE) if through_claims and CLAIMS_RESOURCE in resources else None
        self.claimed = _claimed_specs(claims_table[1]) if claims_table else {}
        self.through_claims = through_claims

    def _table(self, name: str) -> tuple[list[str], list[dict[str, str]]] | None:
        """The header and rows of a resource's CSV, None when the file is missing."""
        path = self.directory / str(self.resources[name].get("path", ""))
        return _csv_rows(path) if path.is_file() else None

    def _rows_read(self, name: str) -> list[dict[str, str]]:
        """The rows this page reads of a declared resource (a claimed one: only the rows claims.csv names)."""
        rows = (self.table(name) or ([], []))[1]
        return _claimed_rows(self.resources[name], self.claimed[name], rows) if name in self.claimed else rows

    @functools.cached_property
    def cites_into(self) -> set[str]:
        """The resources the declared ones point to through their foreign keys (sources.csv …)."""
        return {target for name in self.reading for target in
                [(fk.get("reference") or {}).get("resource") for fk in _foreign_keys(self.resources[name])]
                if target and target != name}

    def digest(self, name: str) -> tuple[str, str]:
        """The key and digest of one selected resource: its claimed rows, its cited rows, or the whole file."""
        resource = self.resources.get(name)
        if resource and name in self.claimed and name in self.declared:
            return f"{name}{CLAIMED}", self._claimed_digest(name, resource)
        if resource and name in self.cites_into and (name not in self.declared or self.through_claims):
            return f"{name}{CITED}", self._cited_digest(name, resource)
        return name, self._file_digest(name, resource)

    def _claimed_digest(self, name: str, resource: dict[str, Any]) -> str:
        return _rows_digest(resource, (self.table(name) or ([], []))[0], self.rows_read(name))

    def _cited_digest(self, name: str, resource: dict[str, Any]) -> str:
        parsed = self.table(name)
        if parsed is None:
            return resource_digest(resource, b"<missing>")
        citing = [(self.resources[n], self.rows_read(n)) for n in self.reading if n != name]
        return _rows_digest(resource, parsed[0], _cited_rows(resource, citing, parsed[1]))

    def _file_digest(self, name: str, resource: dict[str, Any] | None) -> str:
        path = self.directory / str((resource or {}).get("path", ""))
        content = path.read_bytes() if resource and path.is_file() else b"<missing>"
        return resource_digest(resource or {"name": name}, content)


def resource_digests(names: Sequence[str] | str | None, directory: Path, *, through_claims: bool = False
                     ) -> dict[str, str]:
    """name -> digest for the declared resources and those they reference (all of them for `all`).

    A referenced resource the page does not declare itself (sources.csv, which every dataset's rows cite) counts
    only with the rows the declared resources cite, under the key ``"<name>[cited]"`` (the kernel checks the bytes
    of a resource it loads against its plain name; it never loads an undeclared one). With `through_claims` (the
    page's front matter `data_through_claims: true`), a declared dataset that claims.csv names counts only with
    the rows claims.csv names, under ``"<name>[claimed rows]"``. Each CSV is parsed at most once, and only when
    some of its rows count (a page declaring `all` counts whole files: none is parsed)."""
    resources = {r.get("name"): r for r in package_descriptor(directory)["resources"]}
    declared = set(resources) if names == ALL else set(names or [])
    selected = sorted(resources) if names == ALL else sorted(_with_referenced(declared, resources))
    reading = _PageReading(resources, directory, declared, through_claims)
    return dict(reading.digest(name) for name in selected)


@dataclass(frozen=True)
class PageDigests:
    """Everything a page reads, digested once per page per build: the fingerprint that decides whether Sphinx
    re-reads it and the guard cell that keys its notebook are both made from it."""

    names: list[str] | str | None
    resources: dict[str, str]  # resource_digests
    code: str | None = None  # an executed page: the chapter-helper package
    package: bytes | None = None  # `all`: the whole descriptor
    readers: dict[str, list[str]] | None = None  # `all`: which pages declare each resource

    @classmethod
    def of(cls, names: Sequence[str] | str | None, project: Path, executes: bool, claimed: bool = False
           ) -> PageDigests:
        directory = data_dir(project)
        whole = None
        if names == ALL:
            package = directory / PACKAGE_FILE
            whole = package.read_bytes() if package.is_file() else b"<missing>"
        return cls(names, resource_digests(names, directory, through_claims=claimed),
                   kernel_code_digest() if executes else None, whole,
                   readers(project / "book") if names == ALL else None)

    def fingerprint(self) -> str:
        """One digest of everything the page shows: its resources, for `all` the whole descriptor and who reads
        what, and for an executed page the chapter-helper package."""
        h = hashlib.sha256(json.dumps(self.resources, sort_keys=True).encode())
        if self.names == ALL:
            h.update(self.package or b"")
            h.update(json.dumps(self.readers, sort_keys=True).encode())
        if self.code is not None:
            h.update(self.code.encode())
        return h.hexdigest()

    def guard_cell(self, chapter: str) -> list[str]:
        """The notebook's hidden first cell (the digests of an executed page: `code` is taken)."""
        spec = self.names if self.names == ALL else list(self.names or [])
        # "_code" is not a resource: only here so that the cache key covers the helpers
        digests = {**self.resources, "_code": self.code}
        arguments = [json.dumps(chapter), json.dumps(spec), json.dumps(digests)]
        if self.names == ALL:  # who reads what, from the front matter read here: the data appendix shows it
            arguments.append(json.dumps(self.readers, ensure_ascii=True, sort_keys=True))
        return [
            "```{code-cell} ipython3",
            ":tags: [remove-cell]",
            f"import szhk.deps; szhk.deps.expect({', '.join(arguments)})",
            "```",
        ]


def fingerprint(names: Sequence[str] | str | None, project: Path, executes: bool, claimed: bool = False) -> str:
    """One digest of everything a page shows (PageDigests.fingerprint)."""
    return PageDigests.of(names, project, executes, claimed).fingerprint()


# --------------------------------------------------------------------------------------------------------------
# Injection
# --------------------------------------------------------------------------------------------------------------
def guard_cell(chapter: str, text: str, project: Path) -> list[str]:
    names = declared(text, chapter)
    return PageDigests.of(names, project, executes=True, claimed=through_claims(text)).guard_cell(chapter)


CHECK_CELL = ["", "```{code-cell} ipython3", ":tags: [remove-cell]", "szhk.deps.check_all_used()", "```", ""]


def inject(text: str, chapter: str, project: Path, digests: PageDigests | None = None) -> str:
    """The notebook text with the hidden guard cell first and the hidden usage check last (`digests`: the page's,
    when already taken).

    Line numbers of the original text are kept where possible (warnings point at the right line): the front
    matter is rewritten on one line (as JSON, which is YAML) and the guard cell fills the lines it frees.
    """
    span = _front_matter_span(text)
    if span is None:
        return text
    lines = text.splitlines()
    cell = digests.guard_cell(chapter) if digests is not None else guard_cell(chapter, text, project)
    head = ["---", json.dumps(front_matter(text), ensure_ascii=True), "---"]
    used = span[1] + 1
    padding = [""] * max(used - len(head) - len(cell), 0)
    new_lines = head + padding + cell + lines[used:] + CHECK_CELL
    return "\n".join(new_lines) + ("\n" if text.endswith("\n") else "")


# --------------------------------------------------------------------------------------------------------------
# Sphinx events
# --------------------------------------------------------------------------------------------------------------
def _project(app: Sphinx) -> Path:
    return Path(app.srcdir).resolve()


def _chapter_name(app: Sphinx, docname: str) -> str:
    return Path(app.env.doc2path(docname)).resolve().relative_to(_project(app)).as_posix()


def _store(env: BuildEnvironment) -> dict[str, tuple[Any, bool, bool, str]]:
    if not hasattr(env, "szhk_page_deps"):
        env.szhk_page_deps = {}  # type: ignore[attr-defined]
    return env.szhk_page_deps  # type: ignore[attr-defined]


def _page_digests(app: Sphinx, names: Sequence[str] | str | None, executes: bool, claimed: bool) -> PageDigests:
    """The digests of what a page declares, taken once per build (the build reads its own snapshot of data/, which
    does not change meanwhile): env-get-outdated compares a page's fingerprint, source-read then reuses the same
    digests for the page it re-reads. Kept on the application, which lives for one build, not in the pickled
    environment."""
    taken = app.__dict__.setdefault("szhk_page_digests", {})
    key = (json.dumps(names), executes, claimed)
    if key not in taken:
        taken[key] = PageDigests.of(names, _project(app), executes, claimed)
    return taken[key]


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    from sphinx.util import logging

    text = source[0]
    chapter = _chapter_name(app, docname)
    try:
        names = declared(text, chapter)
    except DependencyError as error:
        logging.getLogger(__name__).warning(str(error), location=docname)
        return
    notebook = is_notebook(text)
    if names is None and not notebook:
        _store(app.env).pop(docname, None)
        return
    known = {r.get("name") for r in package_descriptor(data_dir(_project(app)))["resources"]}
    unknown = sorted(set(names) - known) if isinstance(names, list) else []
    if unknown:
        logging.getLogger(__name__).warning(
            f"{chapter}: front matter `{FRONT_MATTER_KEY}:` names {', '.join(unknown)}, which "
            "data/datapackage.json does not list", location=docname)
    claimed = through_claims(text)
    digests = _page_digests(app, names, notebook, claimed)
    _store(app.env)[docname] = (names, notebook, claimed, digests.fingerprint())
    if notebook:
        source[0] = inject(text, chapter, _project(app), digests)


def _on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                         removed: set[str]) -> list[str]:
    from sphinx.util import logging

    stale = [
        docname for docname, (names, executes, claimed, old) in sorted(_store(env).items())
        if docname not in added | changed | removed and _page_digests(app, names, executes, claimed).fingerprint() != old
    ]
    if stale:
        logging.getLogger(__name__).info(f"data or chapter helpers changed, re-reading: {', '.join(stale)}")
    return stale


def _on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _store(env).pop(docname, None)


def _on_env_merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    theirs = _store(other)
    _store(env).update({d: theirs[d] for d in docnames if d in theirs})


def _every_csv_listed(app: Sphinx, config: Any) -> None:
    """A CSV in data/ that datapackage.json does not list is neither validated nor described: stop the build."""
    from sphinx.errors import ConfigError

    directory = data_dir(_project(app))
    listed = {(directory / str(r.get("path", ""))).resolve() for r in package_descriptor(directory)["resources"]}
    unlisted = [p.name for p in sorted(directory.glob("*.csv")) if p.resolve() not in listed]
    if unlisted:
        raise ConfigError(
            f"data/{', data/'.join(unlisted)}: datapackage.json 没有列出这个文件（字段、来源与约束）。请为它添加一个资源，"
            "或把它移出 data/。 Every CSV in data/ must be listed in data/datapackage.json."
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _every_csv_listed)
    app.connect("source-read", _on_source_read)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
