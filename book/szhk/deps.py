"""Each chapter's data dependencies: declared once, fingerprinted by content, enforced while it executes.

A chapter declares the resources of data/datapackage.json that it reads in its front matter::

    ---
    jupytext: ...
    kernelspec: ...
    data: [gii_ranks, imd_digital_ranks]      # or `data: all` (a page about the whole package)
    ---

The Sphinx extension (see `setup`) injects into every MyST notebook a hidden first code cell

    import szhk.deps; szhk.deps.expect("book/01-background.md", ["gii_ranks"], fingerprint="…")

and a hidden last cell `szhk.deps.check_all_used()`. The fingerprint is a SHA-256 of the declared CSVs (and the
resources their foreign keys point to), their descriptors in datapackage.json, the szhk modules the chapter
imports and the project files those modules name (e.g. book/references.bib). Because it sits in a code cell,
jupyter-cache's notebook hash (which covers code cells only) changes exactly when a dependency's *content*
changes, so the chapter is re-executed then and only then. `expect` makes the loader refuse undeclared
resources; `check_all_used` fails a chapter that declares a resource it never loads. The extension also tells
Sphinx to re-read exactly the pages whose fingerprint changed (`env-get-outdated`), including pages that show
data without executing code.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parents[1]
DATA_DIR_ENV = "SZHK_DATA_DIR"  # the same override szhk.data honours


def data_dir() -> Path:
    """The directory holding datapackage.json and the CSVs (SZHK_DATA_DIR, else the repository's data/)."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override).resolve() if override else ROOT / "data"

ALL = "all"  # `data: all` — the page depends on every resource and on the package descriptor itself
FRONT_MATTER_KEY = "data"


class DependencyError(Exception):
    """A chapter's data declaration does not match the data package or what its code loads."""


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


def is_notebook(text: str) -> bool:
    """A MyST Markdown notebook (what myst-nb executes): front matter with jupytext format myst or file_format mystnb."""
    meta = front_matter(text)
    fmt = (meta.get("jupytext") or {}).get("text_representation", {}) or {}
    return meta.get("file_format") == "mystnb" or fmt.get("format_name") == "myst"


def readers(book_dir: Path | None = None) -> dict[str, list[str]]:
    """Resource name -> the chapters (paths relative to book/, no suffix) that declare it (not counting `all`)."""
    book_dir = book_dir or PACKAGE_DIR.parent
    result: dict[str, list[str]] = {}
    for path in sorted(book_dir.glob("*.md")):
        names = declared(path.read_text(encoding="utf-8"), str(path))
        if isinstance(names, list):
            for name in names:
                result.setdefault(name, []).append(path.stem)
    return result


# --------------------------------------------------------------------------------------------------------------
# Fingerprints (content hashes)
# --------------------------------------------------------------------------------------------------------------
def _package_descriptor() -> dict[str, Any]:
    path = data_dir() / "datapackage.json"
    if not path.is_file():
        return {"resources": []}
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError:
        return {"resources": []}  # szhk.data reports it, naming the line; the bytes are still hashed (ALL)
    return descriptor if isinstance(descriptor, dict) else {"resources": []}


def resource_names() -> list[str]:
    return [r.get("name", "") for r in _package_descriptor().get("resources", [])]


def _hash_file(h: Any, path: Path) -> None:
    h.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode() + b"\0")
    h.update(path.read_bytes() if path.is_file() else b"<missing>")
    h.update(b"\0")


def tree_digest(root: Path) -> str:
    """SHA-256 of every file below `root` (or of `root`, a file), by relative name and content, dot-files left out:
    it changes when any file changes, wherever the tree lies."""
    h = hashlib.sha256()
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    files = [p for p in files if not p.name.startswith(".")]
    for path in files:
        h.update((path.relative_to(root).as_posix() if path != root else root.name).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+(szhk(?:\.\w+)*)[ \t]+import[ \t]+\(?([\w \t,]+)|import[ \t]+([\w \t.,]+))", re.M)


@functools.lru_cache(maxsize=256)
def _imported_modules(source: str, package: str = "szhk") -> frozenset[str]:
    """Names of szhk modules a piece of code imports (`import szhk.x`, `from szhk import x`, `from .x import y`)."""
    found: set[str] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a chapter's text, or code with IPython magics: scan its import lines instead
        for match in _IMPORT_LINE.finditer(source):
            if match.group(1):
                found.add(match.group(1))
                names = (n.split(" as ")[0].strip() for n in match.group(2).split(","))
                found.update(f"{match.group(1)}.{n}" for n in names if n)
            else:
                found.update(n.strip().split(" as ")[0].strip() for n in match.group(3).split(","))
        return frozenset(m for m in found if m == "szhk" or m.startswith("szhk."))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import inside the package
                base = package + (f".{base}" if base else "")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(m for m in found if m == "szhk" or m.startswith("szhk."))


def _module_file(module: str) -> Path | None:
    parts = module.split(".")[1:]
    if not parts:
        return PACKAGE_DIR / "__init__.py"
    path = PACKAGE_DIR.joinpath(*parts).with_suffix(".py")
    return path if path.is_file() else None  # `from szhk.x import name`: name is not a module


_FILE_NAME = re.compile(r"^[\w./-]+\.(bib|json|ya?ml|toml|txt|tex|sty|csv|mplstyle)$")


@functools.lru_cache(maxsize=256)
def _named_files(source: str) -> frozenset[Path]:
    """Project files (outside data/ and this package) a module names in a string literal, e.g. "references.bib":
    what it reads besides the data package. Data files are left out: they count per resource, as declared."""
    try:
        literals = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    except SyntaxError:
        return frozenset()
    found = set()
    for literal in literals:
        if not _FILE_NAME.match(literal):
            continue
        for base in (PACKAGE_DIR.parent, ROOT):
            path = (base / literal).resolve()
            if path.is_file() and not path.is_relative_to(data_dir()) and not path.is_relative_to(PACKAGE_DIR):
                found.add(path)
    return frozenset(found)


def kernel_code(chapter_text: str) -> list[Path]:
    """The files a chapter's kernel runs or reads besides the data package: the szhk modules it imports,
    transitively (and the guard cell's szhk.deps), the package's data files (e.g. house.mplstyle) and the project
    files those modules name (e.g. book/references.bib). Sphinx-side modules that no chapter imports
    (sphinx_ext, build, …) are not among them: editing those re-executes nothing."""
    todo = {"szhk", "szhk.deps"} | _imported_modules(chapter_text)
    seen: set[str] = set()
    files: set[Path] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        todo.update(".".join(parts[:i]) for i in range(1, len(parts)))  # importing szhk.x runs szhk/__init__.py
        path = _module_file(module)
        if path is not None and path not in files:
            files.add(path)
            source = path.read_text(encoding="utf-8")
            todo |= _imported_modules(source)
            files |= _named_files(source)
    data_files = {  # e.g. house.mplstyle; not caches or editor files, which may appear while a book builds
        p for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc", ".log", ".tmp", ".swp"}
        and not any(part.startswith((".", "__pycache__")) for part in p.relative_to(PACKAGE_DIR).parts)
    }
    return sorted(files | data_files)


@functools.lru_cache(maxsize=256)
def _code_meaning(source: str) -> str:
    """Python source without comments, docstrings and layout (its syntax tree), so that editing those does not
    re-execute every chapter that imports the module."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def code_fingerprint(chapter_text: str) -> str:
    """SHA-256 of the package code a chapter's kernel runs (a change to its loader or figure style re-executes it)."""
    h = hashlib.sha256()
    for path in kernel_code(chapter_text):
        if path.suffix == ".py":
            h.update(str(path.relative_to(ROOT)).encode() + b"\0")
            h.update(_code_meaning(path.read_text(encoding="utf-8")).encode() + b"\0")
        else:
            _hash_file(h, path)
    return h.hexdigest()


def _with_referenced(names: set[str], resources: dict[Any, dict[str, Any]]) -> set[str]:
    """The names plus the resources their foreign keys point to, transitively: validating a resource reads those
    too, so an edit there can change whether (and what) the chapter loads."""
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


def fingerprint(names: Sequence[str] | str | None, chapter_text: str | None = None) -> str:
    """SHA-256 over the declared resources (descriptor + CSV bytes + referenced schema files) and, for a chapter
    that executes (`chapter_text` given), the package code its kernel runs.

    Unknown names are hashed as such (the kernel then fails with a clear message), so this never raises for them.
    """
    h = hashlib.sha256()
    if chapter_text is not None:
        h.update(b"code:" + code_fingerprint(chapter_text).encode() + b"\n")
    descriptor = _package_descriptor()
    resources = {r.get("name"): r for r in descriptor.get("resources", [])}
    if names == ALL:
        _hash_file(h, data_dir() / "datapackage.json")
        h.update(json.dumps(readers(), sort_keys=True).encode())  # which chapters use what (the appendix shows it)
        selected = sorted(resources)
    else:
        selected = sorted(_with_referenced(set(names or []), resources))
    for name in selected:
        resource = resources.get(name)
        if resource is None:
            h.update(f"unknown resource {name}\0".encode())
            continue
        h.update(json.dumps(resource, sort_keys=True, ensure_ascii=False).encode() + b"\0")
        for key in ("path", "schema", "dialect"):
            ref = resource.get(key)
            for rel in [ref] if isinstance(ref, str) else (ref if isinstance(ref, list) else []):
                if isinstance(rel, str) and "://" not in rel:
                    _hash_file(h, data_dir() / rel)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------------------------
# Injection (Sphinx `source-read`, and the parallel pre-executor in build.py: both must produce the same text)
# --------------------------------------------------------------------------------------------------------------
def guard_cell(chapter: str, text: str) -> list[str]:
    names = declared(text, chapter)
    spec = json.dumps(names if names == ALL else list(names or []), ensure_ascii=False)
    return [
        "```{code-cell} ipython3",
        ":tags: [remove-cell]",
        f'import szhk.deps; szhk.deps.expect({json.dumps(chapter)}, {spec}, fingerprint="{fingerprint(names, text)}")',
        "```",
    ]


CHECK_CELL = ["", "```{code-cell} ipython3", ":tags: [remove-cell]", "szhk.deps.check_all_used()", "```", ""]


def inject(text: str, chapter: str) -> str:
    """The notebook text with the hidden guard cell first and the hidden usage check last.

    Line numbers of the original text are kept where possible (so warnings and errors point at the right line):
    the front matter is rewritten on one line (as JSON, which is YAML) and the guard cell fills the lines it frees.
    """
    span = _front_matter_span(text)
    if span is None:
        return text
    lines = text.splitlines()
    meta = front_matter(text)
    cell = guard_cell(chapter, text)
    head = ["---", json.dumps(meta, ensure_ascii=True), "---"]
    used = span[1] + 1  # lines of the original front matter
    padding = [""] * max(used - len(head) - len(cell), 0)
    # Blank padding before the cell: myst-nb drops empty Markdown cells, and the next cell starts where it did.
    new_lines = head + padding + cell + lines[used:] + CHECK_CELL
    return "\n".join(new_lines) + ("\n" if text.endswith("\n") else "")


# --------------------------------------------------------------------------------------------------------------
# Kernel side: called by the injected cells and by szhk.data.load
# --------------------------------------------------------------------------------------------------------------
_chapter: str | None = None
_declared: frozenset[str] | str | None = None
_used: set[str] = set()


def expect(chapter: str, names: Iterable[str] | str, fingerprint: str) -> None:  # noqa: A002 - name in the cell
    """Start of a chapter: only `names` may be loaded; the data on disk must be what the fingerprint says."""
    global _chapter, _declared
    declared_names: frozenset[str] | str = ALL if names == ALL else frozenset(names)
    if declared_names != ALL:
        unknown = sorted(set(declared_names) - set(resource_names()))
        if unknown:
            raise DependencyError(
                f"{chapter}: front matter `{FRONT_MATTER_KEY}:` names {', '.join(unknown)}, which "
                f"data/datapackage.json does not list (it lists: {', '.join(resource_names()) or 'nothing'})"
            )
    text = (ROOT / chapter).read_text(encoding="utf-8")
    actual = globals()["fingerprint"](ALL if declared_names == ALL else sorted(declared_names), text)
    if actual != fingerprint:
        # In a build, stderr fails the page (execute.stderr_output: error), so outputs computed from other data
        # than the fingerprint says never reach a reader; someone running the notebook by hand just sees this.
        print(
            f"{chapter}: the data or the szhk package changed after this notebook was prepared; build again",
            file=sys.stderr,
        )
    _chapter, _declared = chapter, declared_names
    _used.clear()


def reset() -> None:
    """Forget the running chapter's declaration (tests; a kernel runs one chapter and exits)."""
    global _chapter, _declared
    _chapter, _declared = None, None
    _used.clear()


def check_declared(name: str) -> None:
    """Called by the loader before it reads `name`: refuse a resource the running chapter did not declare."""
    if _declared is None:  # not inside a chapter (tests, scripts): no declaration to enforce
        return
    if _declared != ALL and name not in _declared:
        raise DependencyError(
            f"{_chapter} loads data resource {name!r} but does not declare it: add it to the chapter's front "
            f"matter, e.g. `{FRONT_MATTER_KEY}: [{', '.join(sorted(set(_declared) | {name}))}]`"
        )
    _used.add(name)


def check_all_used() -> None:
    """End of a chapter: every declared resource was loaded (a stale declaration would re-execute it needlessly)."""
    if _declared is None or _declared == ALL:
        return
    unused = sorted(set(_declared) - _used)
    if unused:
        raise DependencyError(
            f"{_chapter} declares data resource(s) {', '.join(unused)} in its front matter `{FRONT_MATTER_KEY}:` "
            f"but never loads them: remove them from the declaration"
        )


# --------------------------------------------------------------------------------------------------------------
# Sphinx side (registered from szhk.sphinx_ext.setup)
# --------------------------------------------------------------------------------------------------------------
def _chapter_name(app: Sphinx, docname: str) -> str:
    return Path(app.env.doc2path(docname)).resolve().relative_to(Path(app.srcdir).resolve()).as_posix()


def _store(env: BuildEnvironment) -> dict[str, tuple[Any, bool, str]]:
    if not hasattr(env, "szhk_deps"):
        env.szhk_deps = {}  # type: ignore[attr-defined]
    return env.szhk_deps  # type: ignore[attr-defined]


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
    if isinstance(names, list):
        unknown = sorted(set(names) - set(resource_names()))
        if unknown:
            logging.getLogger(__name__).warning(
                f"{chapter}: front matter `{FRONT_MATTER_KEY}:` names {', '.join(unknown)}, which "
                "data/datapackage.json does not list",
                location=docname,
            )
    # Pages that only show data (no kernel) need not re-read when the package code changes.
    _store(app.env)[docname] = (names, notebook, fingerprint(names, text if notebook else None))
    if notebook:
        source[0] = inject(text, chapter)


def _on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    from sphinx.util import logging

    stale = []
    for docname, (names, code, old) in sorted(_store(env).items()):
        if docname in added or docname in changed or docname in removed:
            continue
        text = Path(env.doc2path(docname)).read_text(encoding="utf-8") if code else None
        if fingerprint(names, text) != old:
            stale.append(docname)
    if stale:
        logging.getLogger(__name__).info(f"data or package code changed, re-reading: {', '.join(stale)}")
    return stale


def _on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _store(env).pop(docname, None)


def _on_env_merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    theirs = _store(other)
    _store(env).update({d: theirs[d] for d in docnames if d in theirs})


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _on_source_read)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
