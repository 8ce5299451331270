"""The import graph between apps has no cycle, and no import hides inside a function.

``lint-imports`` keeps the layers (docs/architecture.md); these checks say what the layers
alone do not: that no two apps import each other (whatever ``ignore_imports`` lets through;
an app's surface part, its views, templates' tags and printouts, counts apart from its
domain modules, as the layers place it), and that no ``from tousu…`` sits inside a function to dodge a cycle. Django's
``AppConfig.ready()`` is the documented place for imports that need every app loaded, and
a few other places are listed below with their reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]  # the tousu package

# Imports inside functions that stay, each with its reason.
INSIDE_FUNCTIONS: dict[str, str] = {
    # Heavy libraries a web worker may never need, loaded on first use (docs/decisions.md,
    # "Registration seals a new case's rows in one batch": some 50 MiB per worker).
    "documents/render.py:render_pdf": "WeasyPrint, on the first document printed",
    "evidence/services.py:pipeline": "Pillow and pypdf, on the first file taken",
    "reports/background.py:_ledger": "openpyxl, in the job worker that builds exports",
    "reports/background.py:_dossier": "openpyxl, in the job worker that builds exports",
}


# The modules of an app that are its surface part (docs/architecture.md, layer 7), and its
# AppConfig that plugs both parts in at start-up: they may
# use the web layer, so they count as a node of their own, above the app's domain modules.
SURFACE_PARTS = {"views", "urls", "templatetags", "desk", "printouts", "api", "apps"}


def _app(module: str) -> str:
    parts = module.split(".")
    app = ".".join(parts[:2])
    if parts[1] not in {"desk", "portal", "api", "reports", "orgadmin"} and SURFACE_PARTS & set(
        parts[2:]
    ):
        return f"{app} (surface part)"
    return app


def test_no_two_apps_import_each_other() -> None:
    graph = grimp.build_graph("tousu")
    apps: dict[str, set[str]] = {}
    for module in graph.modules:
        if ".tests" in module or module.endswith(".conftest") or ".migrations" in module:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith("tousu.") or ".tests" in imported:
                continue
            a, b = _app(module), _app(imported)
            if a != b:
                apps.setdefault(a, set()).add(b)
    # Tarjan's strongly connected components over the app graph.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in apps.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for app in sorted(apps):
        if app not in index:
            visit(app)
    assert cycles == []


def _inside_functions() -> set[str]:
    found: set[str] = set()
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(relative.parts) or path.name == "conftest.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and func.name == "ready":
                continue  # Django's place for what needs every app loaded
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.ImportFrom)
                    and (node.module or "").startswith("tousu")
                    or isinstance(node, ast.Import)
                    and any(a.name.startswith("tousu") for a in node.names)
                ):
                    found.add(f"{relative}:{func.name}")
    return found


def test_no_import_hides_inside_a_function() -> None:
    assert sorted(_inside_functions() - set(INSIDE_FUNCTIONS)) == []


def test_every_listed_exception_still_exists() -> None:
    assert sorted(set(INSIDE_FUNCTIONS) - _inside_functions()) == []
