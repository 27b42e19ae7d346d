"""Code placed by where it runs: the Sphinx side (szhk_sphinx, tools/) never imports the kernel helpers (szhk)
or pandas; the kernel helpers import one another without a circle; the code fingerprint is the helper package as a
whole; the names both sides share (szhk_names) are declared once."""
from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BOOK, DATA, ROOT, TOOLS

import szhk_sphinx.reexecution as reexecution
from szhk import deps

# Where each project package lives: the import graph is followed through these.
PROJECT_PACKAGES = {"szhk_names": BOOK / "szhk_names.py", "szhk": BOOK / "szhk", "szhk_sphinx": BOOK / "szhk_sphinx", "szhk_kernels": BOOK / "szhk_kernels",
                    "pybtex_gbt7714": BOOK / "gbt7714" / "pybtex_gbt7714", "szhk_hant": BOOK / "szhk_hant"}
# The warm process (szhk_kernels/zygote.py) imports the kernels' libraries by design; the provisioner beside it runs
# in the Sphinx process.
SPHINX_SIDE = [*sorted((BOOK / "szhk_sphinx").glob("*.py")), *sorted(TOOLS.glob("*.py")),
               BOOK / "szhk_kernels" / "__init__.py", BOOK / "szhk_kernels" / "provisioner.py"]
FORBIDDEN = ("szhk", "pandas")  # kernel code, and what it drags in (the Sphinx process must stay light)


def module_name(path: Path) -> str:
    for package, folder in PROJECT_PACKAGES.items():
        if path == folder:
            return package
        if path.is_relative_to(folder):
            parts = path.relative_to(folder).with_suffix("").parts
            return ".".join([package, *[p for p in parts if p != "__init__"]])
    return f"tools.{path.stem}"


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module a source file imports, anywhere in it (functions too), relative imports made absolute."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return found


def file_of(module: str) -> Path | None:
    """The project file of a module name (None for modules from elsewhere)."""
    top, *rest = module.split(".")
    folder = PROJECT_PACKAGES.get(top)
    if folder is None:
        return None
    if folder.suffix == ".py":  # a top-level module
        return folder if not rest else None
    path = folder.joinpath(*rest)
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def forbidden_imports(start: list[Path]) -> dict[str, list[str]]:
    """Forbidden module -> the import chain that reaches it, following imports through the project's files."""
    reached: dict[str, list[str]] = {}
    todo = [(path, [module_name(path)]) for path in start]
    seen: set[Path] = set()
    while todo:
        path, chain = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in sorted(imports_of(path.read_text(encoding="utf-8"), module_name(path),
                                      path.name == "__init__.py")):
            if name.split(".")[0] in FORBIDDEN:
                reached.setdefault(name, chain + [name])
            target = file_of(name)
            if target is not None:
                todo.append((target, chain + [name]))
    return reached


def test_the_sphinx_side_never_imports_kernel_code_or_pandas() -> None:
    assert len(SPHINX_SIDE) >= 6, SPHINX_SIDE  # szhk_sphinx's modules and tools/build.py
    reached = forbidden_imports(SPHINX_SIDE)
    assert not reached, "the Sphinx side imports kernel code:\n" + "\n".join(" -> ".join(c) for c in reached.values())


def test_the_import_reader_sees_every_kind_of_import() -> None:
    """The check above can fail: each way of importing szhk or pandas is found."""
    source = ("import os\nfrom . import web\ndef f():\n    from szhk.data import data_dir\n"
              "    import pandas as pd\nfrom szhk import deps\n")
    found = imports_of(source, "szhk_sphinx.pdf")
    assert {"szhk.data", "pandas", "szhk", "szhk.deps", "szhk_sphinx.web"} <= found
    assert forbidden_imports([BOOK / "szhk" / "data.py"]), "data.py imports pandas: the walk must see it"


def test_the_sphinx_process_of_a_build_imports_neither_pandas_nor_szhk(one_page_project) -> None:
    """A tiny extension records sys.modules at the end of a real `jupyter-book build` (the kernel provisioner, which
    runs in this process, included)."""
    project = one_page_project.root
    (project / "modules_probe.py").write_text(
        "import json, re, sys\n"
        "def _record(app, exception):\n"
        "    names = sorted(n for n in sys.modules if re.match(r'(pandas|szhk)(\\.|$)', n))\n"
        "    open(app.confdir + '/modules.json', 'w').write(json.dumps({'forbidden': names, "
        "'sphinx_side': 'szhk_sphinx' in sys.modules, 'forked': 'szhk_kernels.provisioner' in sys.modules}))\n"
        "def setup(app):\n    app.connect('build-finished', _record)\n    return {'parallel_read_safe': True}\n",
        encoding="utf-8")
    config = project / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  extra_extensions:\n", "  local_extensions:\n    modules_probe: ./\n  extra_extensions:\n"), encoding="utf-8")
    done = one_page_project.build(JUPYTER_PATH=str(TOOLS))  # kernels forked, as tools/build.py has them
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    record = json.loads((project / "modules.json").read_text(encoding="utf-8"))
    assert record["sphinx_side"], "the probe ran in a process without the extension"
    assert record["forked"], "the kernel was not started by szhk_kernels' provisioner"
    assert record["forbidden"] == [], f"the Sphinx process imported {record['forbidden']}"
    page = (project / "_build" / "html" / "page.html").read_text(encoding="utf-8")
    assert "探针数值为" in page and "41" in page  # the kernel (another process) did load the data


# ----------------------------------------------------------------------------------------------------------------
# No import circle inside the kernel helpers: each module imports only modules below it
# ----------------------------------------------------------------------------------------------------------------
def helper_imports(folder: Path = BOOK / "szhk") -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (anywhere in it, functions too). `from . import x`
    imports x; the package's __init__ is left out: it only hands `load` on (Python runs it before any of its
    modules, whoever imports them, so it is no arrow between them)."""
    modules = {module_name(p): p for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = imports_of(path.read_text(encoding="utf-8"), name)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle of `graph`, each once, as its modules in order (graphlib finds one at a time)."""
    from graphlib import CycleError, TopologicalSorter

    found: list[list[str]] = []
    edges = {node: set(targets) for node, targets in graph.items()}
    while True:
        try:
            tuple(TopologicalSorter(edges).static_order())
            return found
        except CycleError as error:
            loop = list(error.args[1])  # [a, b, …, a]: each imports the one after it (graphlib: dependency order)
            found.append(loop)
            edges[loop[1]].discard(loop[0])  # break this one to find the next


def test_the_kernel_helpers_import_one_another_without_a_circle() -> None:
    graph = helper_imports()
    assert {"szhk.data", "szhk.validation", "szhk.claims", "szhk.descriptor"} <= graph.keys()
    assert "szhk.validation" in graph["szhk.data"], "the walk must see data's late import of validation"
    loops = circles(graph)
    assert not loops, "import circles in book/szhk:\n" + "\n".join(" -> ".join(loop) for loop in loops)


def test_the_circle_finder_finds_a_circle_through_a_late_import(tmp_path: Path) -> None:
    """The check above can fail: a function-level import that closes a loop is a circle."""
    package = tmp_path / "szhk"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("from . import b\n", encoding="utf-8")
    (package / "b.py").write_text("from .c import f\n", encoding="utf-8")
    (package / "c.py").write_text("def f():\n    from .a import g\n", encoding="utf-8")
    (package / "d.py").write_text("import szhk.a\n", encoding="utf-8")
    original = dict(PROJECT_PACKAGES)
    try:
        PROJECT_PACKAGES["szhk"] = package
        loops = circles(helper_imports(package))
    finally:
        PROJECT_PACKAGES.clear()
        PROJECT_PACKAGES.update(original)
    assert len(loops) == 1 and set(loops[0]) == {"szhk.a", "szhk.b", "szhk.c"}, loops


def test_the_names_both_sides_share_are_declared_once() -> None:
    """SZHK_* variables, the data folder, the front-matter key and the digest live in szhk_names, which imports
    only the standard library; no other module of the project spells a variable's name again."""
    shared = BOOK / "szhk_names.py"
    tree = ast.parse(shared.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, f"szhk_names imports {imported}"
    declared = {node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}
    assert {"SZHK_BUILD", "SZHK_ROOT", "SZHK_DATA_DIR", "SZHK_CACHE_DIR"} <= declared
    code = [*sorted((BOOK / "szhk").glob("*.py")), *sorted((BOOK / "szhk_sphinx").glob("*.py")),
            *sorted(TOOLS.glob("*.py")), *sorted((BOOK / "szhk_kernels").glob("*.py"))]
    again = [f"{path.relative_to(ROOT)}: {node.value!r}" for path in code
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("SZHK_")]
    assert not again, "declared again outside szhk_names:\n" + "\n".join(again)


# ----------------------------------------------------------------------------------------------------------------
# The code fingerprint: the chapter-helper package as a whole
# ----------------------------------------------------------------------------------------------------------------
def test_the_code_fingerprint_is_the_whole_helper_package() -> None:
    # and the HK edition's converter, with its phrase table: the kernels draw the figures' Traditional labels with it
    import hashlib

    helpers, converter = reexecution.tree_digest(BOOK / "szhk"), reexecution.tree_digest(BOOK / "szhk_hant")
    assert reexecution.kernel_code_digest() == hashlib.sha256(f"{helpers}\0{converter}".encode()).hexdigest()


def test_editing_any_file_of_the_helper_package_changes_its_digest(tmp_path: Path) -> None:
    package = shutil.copytree(BOOK / "szhk", tmp_path / "szhk", ignore=shutil.ignore_patterns("__pycache__"))
    files = sorted(p for p in package.rglob("*") if p.is_file())
    assert {"__init__.py", "data.py", "figures.py", "house.mplstyle"} <= {p.name for p in files}
    original = reexecution.tree_digest(package)
    for path in files:
        content = path.read_bytes()
        path.write_bytes(content + b"\n")
        assert reexecution.tree_digest(package) != original, f"editing {path.name} leaves the digest unchanged"
        path.write_bytes(content)
    assert reexecution.tree_digest(package) == original
    (package / "new_helper.py").write_text("X = 1\n", encoding="utf-8")
    assert reexecution.tree_digest(package) != original, "a new helper module leaves the digest unchanged"
    (package / "new_helper.py").unlink()
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "data.cpython-311.pyc").write_bytes(b"compiled")
    assert reexecution.tree_digest(package) == original, "compiled files count as code"


def test_both_sides_compute_the_same_resource_digest() -> None:
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert len(descriptor["resources"]) >= 10
    for resource in descriptor["resources"]:
        content = (DATA / resource["path"]).read_bytes()
        kernel = deps.resource_digest(resource, content)
        assert kernel == reexecution.resource_digest(resource, content), resource["name"]
        assert kernel != deps.resource_digest(resource, content + b"\n"), "the digest ignores the file's bytes"
    # What the guard cell carries is what the kernel checks against.
    digests = reexecution.resource_digests(["gii_ranks"], DATA)
    gii = next(r for r in descriptor["resources"] if r["name"] == "gii_ranks")
    assert digests["gii_ranks"] == deps.resource_digest(gii, (DATA / gii["path"]).read_bytes())


def test_no_pythonpath_in_the_repository() -> None:
    variable = "PYTHON" + "PATH"  # spelt in two parts so that this file does not name it either
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True,
                             check=True).stdout.split()
    found = [name for name in tracked if (ROOT / name).is_file()
             and variable in (ROOT / name).read_text(encoding="utf-8", errors="replace")]
    assert not found, f"{variable} is still named in {found}"


@pytest.mark.parametrize("module", ["szhk_sphinx", "szhk_sphinx.reexecution", "szhk_sphinx.web", "szhk_sphinx.pdf",
                                    "szhk_sphinx.figure_downloads"])
def test_each_sphinx_module_is_installed_from_this_repository(module: str) -> None:
    imported = __import__(module, fromlist=["_"])
    assert Path(imported.__file__).resolve().is_relative_to(BOOK / "szhk_sphinx")


def test_citing_pages_are_written_again_when_the_references_anchors_renumber() -> None:
    """sphinxcontrib-bibtex renumbers the references page's anchors when an entry is added and asks for no page to be
    written again: szhk_sphinx.citation_links asks for every citing page then, and for none when nothing moved."""
    from types import SimpleNamespace

    from szhk_sphinx import citation_links

    def env(citations):
        domain = SimpleNamespace(citations=[SimpleNamespace(key=k, citation_id=i) for k, i in citations],
                                 citation_refs=[SimpleNamespace(docname=d) for d in ("book/06", "book/02", "book/06")])
        return SimpleNamespace(get_domain=lambda name: domain)

    first = env([("gii-2017", "id1"), ("imd-2023", "id2")])
    assert citation_links.citing_pages_to_write(None, first) == ["book/02", "book/06"]  # a first build: all
    assert citation_links.citing_pages_to_write(None, first) == []  # nothing moved
    renumbered = env([("gii-2017", "id1"), ("imd-2023", "id3")])
    renumbered.szhk_citation_anchors = first.szhk_citation_anchors
    assert citation_links.citing_pages_to_write(None, renumbered) == ["book/02", "book/06"]
