"""Imports run one way: the layer table below is the README's, and this test is what keeps it true.

Every `import` in the package counts, including those inside functions and under TYPE_CHECKING: a cycle
that only a type checker sees is still a cycle a reader has to hold in their head.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "nlpkit"

#: Layer of each top-level part of nlpkit, lowest first. A module may import its own layer or a lower one.
LAYERS: dict[str, int] = {
    # 0 core: the model and what it is made of, the input and output layer
    "errors": 0,
    "labels": 0,
    "prediction": 0,
    "text": 0,
    "embedding": 0,
    "heads": 0,
    "data": 0,
    "model": 0,
    "bundle": 0,
    "batch": 0,
    # 1 measuring: metrics and evaluators, training (no MLflow), what an analyst does next
    "evaluation": 1,
    "training": 1,
    "analysis": 1,
    # 2 recording: everything MLflow (runs, flavor, registry, views, sweeps, the UI and team servers)
    "tracking": 2,
    # 3 engines: other places the batch job runs (Apache Spark)
    "engines": 3,
    # 4 entry points: one module per command, and the `python -m nlpkit.<command>` shims
    "cli": 4,
    "predict": 4,
    "train": 4,
    "evaluate": 4,
    "digest": 4,
    "label": 4,
    "ui": 4,
    "server": 4,
    "distill": 4,
    "finetune": 4,
}
#: The only parts that may import MLflow.
MLFLOW_PARTS = {"tracking"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names this file imports (relative imports resolved), each as written, e.g. `nlpkit.data.inbox`."""
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    """nlpkit module -> the nlpkit modules it imports (names that are not modules, e.g. classes, dropped).

    The root package is left out: its `__init__` only imports lazily (`__getattr__`), and `nlpkit.__version__`
    is free for every layer to read.
    """
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py") if path != PACKAGE / "__init__.py"}
    return {
        name: {target for target in _imports(path) if target in files and target != name}
        for name, path in files.items()
    }


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_every_part_of_the_package_has_a_layer():
    parts = {_part(name) for name in _graph()}
    assert parts - set(LAYERS) == set(), "give each new top-level module or folder a layer in LAYERS (and the README)"


def test_no_import_cycle_between_modules():
    assert _cycle(_graph()) is None


def test_no_import_cycle_between_parts():
    graph = _graph()
    parts: dict[str, set[str]] = {}
    for source, targets in graph.items():
        parts.setdefault(_part(source), set()).update(_part(t) for t in targets if _part(t) != _part(source))
    assert _cycle(parts) is None


def test_imports_never_go_up_a_layer():
    upward = sorted(
        f"{source} imports {target}"
        for source, targets in _graph().items()
        for target in targets
        if LAYERS[_part(target)] > LAYERS[_part(source)]
    )
    assert upward == []


def test_nothing_imports_the_cli_but_an_entry_point():
    offenders = sorted(
        source
        for source, targets in _graph().items()
        if LAYERS[_part(source)] < LAYERS["cli"] and any(_part(t) == "cli" for t in targets)
    )
    assert offenders == []


def test_mlflow_is_imported_only_under_tracking():
    offenders = sorted(
        _module_name(path)
        for path in PACKAGE.rglob("*.py")
        if _part(_module_name(path)) not in MLFLOW_PARTS
        and any(name == "mlflow" or name.startswith("mlflow.") for name in _imports(path))
    )
    assert offenders == []


def test_the_checker_sees_a_cycle_and_an_upward_import():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert "nlpkit.data.inbox.record" in _graph()["nlpkit.data.inbox.files"]
