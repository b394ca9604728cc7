"""The layer rules of docs/architecture.md, checked on the source: what may import what, and how big a
module may grow. Imports inside functions count too: an import circle held together by a function-local
import is still a circle."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
APPS = ("audit", "cases", "partners", "sharing")
GROUND_FLOOR = "lib"
SETTINGS_PACKAGE = "prevent_panel"
# Long by nature, and allowed to be: schema history, synthetic data builders and benchmark scripts.
LENGTH_EXEMPT = ("migrations", "demo.py", "scale.py", "management/commands/seed_")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for top in (*APPS, GROUND_FLOOR, SETTINGS_PACKAGE):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(path: Path, module: str) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import statement in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, [alias.name for alias in node.names]))
    return found


def _resolve(name: str, names: list[str], modules: dict[str, Path]) -> list[str]:
    """The project modules an import statement reaches (`from cases import services` reaches
    cases.services when that is a module, else the package cases)."""
    reached = [f"{name}.{item}" for item in names if f"{name}.{item}" in modules]
    if name in modules and len(reached) < len(names):
        reached.append(name)
    while not reached and name:
        if name in modules:
            reached.append(name)
        name = name.rpartition(".")[0]
    return reached


def _graph() -> dict[str, set[str]]:
    modules = _sources()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        for name, names in _imports(path, module):
            for target in _resolve(name, names, modules):
                if target != module and not module.startswith(f"{target}."):
                    graph[module].add(target)
    return graph


def _is_tasks_pair(a: str, b: str) -> bool:
    """A service and its own Celery tasks may import each other (the service queues the task after
    commit; the task calls the service)."""
    for one, other in ((a, b), (b, a)):
        app, _, rest = one.partition(".")
        if rest == "tasks" and other.startswith(f"{app}.") and other != one:
            return True
    return False


class LayerRulesTestCase(SimpleTestCase):
    def test_the_ground_floor_imports_no_app(self) -> None:
        offenders = [
            f"{module} imports {target}"
            for module, targets in _graph().items()
            if module.split(".")[0] == GROUND_FLOOR
            for target in targets
            if target.split(".")[0] in (*APPS, SETTINGS_PACKAGE)
        ]
        self.assertEqual(offenders, [])

    def test_nothing_imports_the_settings_package(self) -> None:
        offenders = [
            f"{module} imports {target}"
            for module, targets in _graph().items()
            if module.split(".")[0] != SETTINGS_PACKAGE
            for target in targets
            if target.split(".")[0] == SETTINGS_PACKAGE
        ]
        self.assertEqual(offenders, [])

    def test_no_module_imports_another_modules_private_names(self) -> None:
        modules = _sources()
        offenders: list[str] = []
        for module, path in modules.items():
            for name, names in _imports(path, module):
                if name.split(".")[0] not in (*APPS, GROUND_FLOOR, SETTINGS_PACKAGE) or name == module:
                    continue
                private = [item for item in names if item.startswith("_") and not item.startswith("__")]
                offenders.extend(f"{module} imports {name}.{item}" for item in private)
        self.assertEqual(offenders, [])

    def test_there_is_no_import_circle(self) -> None:
        graph = _graph()
        circles = set()
        for start in list(graph):
            # Every shortest way back to `start` is a circle through it.
            paths = {start: [start]}
            frontier = [start]
            while frontier:
                following = []
                for module in frontier:
                    for target in sorted(graph.get(module, ())):
                        if target == start:
                            circle = paths[module]
                            if not (len(circle) == 2 and _is_tasks_pair(*circle)):
                                circles.add(" → ".join([*circle, start]))
                        elif target not in paths:
                            paths[target] = [*paths[module], target]
                            following.append(target)
                frontier = following
        self.assertEqual(sorted(circles), [])

    def test_no_module_is_longer_than_the_house_limit(self) -> None:
        too_long = []
        for path in _sources().values():
            relative = str(path.relative_to(ROOT))
            if any(part in relative for part in LENGTH_EXEMPT):
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{relative}: {lines} lines")
        self.assertEqual(too_long, [])
