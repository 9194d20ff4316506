"""The layers of ARCHITECTURE.md, checked on the source: data flows down, never up.

- no channel app imports the ledger (histories, balances and refusals come from domain functions);
- no domain app imports a channel (the console, the cash desk, training, the cabinet, USSD, the API);
- no function imports a project module (a function-level import hides an import cycle; AppConfig.ready is the one
  place Django asks for one, since models cannot be imported while the app registry is filling);
- no domain module is longer than 400 lines (one purpose each, small enough to read whole)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = ("cabinet", "ussd", "api", "appclient", "staff", "cashdesk", "training")
DOMAIN = ("core", "ledger", "wallet", "accounts", "services", "sms", "audit", "casework")
NOT_APP_CODE = {"tests", "bench", "migrations", "locale", ".venv", "node_modules"}
PROJECT = {path.name for path in ROOT.iterdir() if (path / "__init__.py").exists() and path.name not in NOT_APP_CODE}
MAX_DOMAIN_MODULE_LINES = 400


def _modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] in PROJECT and not NOT_APP_CODE & set(path.relative_to(ROOT).parts)
    )


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def _app(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for node in ast.walk(_tree(path)) for name in _imported(node)}


def test_the_rules_see_the_project():
    """The walk finds the apps and their modules (a rule over no files would pass for nothing)."""
    apps = {_app(path) for path in _modules()}
    assert set(CHANNELS) | set(DOMAIN) <= apps
    assert len(_modules()) > 150


@pytest.mark.parametrize("channel", CHANNELS)
def test_no_channel_imports_the_ledger(channel):
    offenders = [str(p.relative_to(ROOT)) for p in _modules() if _app(p) == channel and "ledger" in _imports(p)]
    assert offenders == []


@pytest.mark.parametrize("domain", DOMAIN)
def test_no_domain_app_imports_a_channel(domain):
    offenders = [
        f"{p.relative_to(ROOT)} -> {sorted(_imports(p) & set(CHANNELS))}"
        for p in _modules()
        if _app(p) == domain and _imports(p) & set(CHANNELS)
    ]
    assert offenders == []


def _function_level_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id == "AppConfig" for base in node.bases
        ):
            continue
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            for name in _imported(inner):
                if name.split(".")[0] in PROJECT:
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno} {name}")
    return found


def _app_config_ready_imports_only(path: Path) -> list[str]:
    """Function-level imports outside AppConfig.ready (ast.walk visits the class's methods again as functions, so
    the lines inside an AppConfig are taken out afterwards)."""
    tree = _tree(path)
    allowed = {
        getattr(inner, "lineno", 0)
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id == "AppConfig" for b in node.bases)
        for inner in ast.walk(node)
    }
    return [line for line in _function_level_imports(path) if int(line.split(":")[1].split()[0]) not in allowed]


def test_no_function_imports_a_project_module():
    offenders = [line for path in _modules() for line in _app_config_ready_imports_only(path)]
    assert offenders == []


def test_no_domain_module_is_over_400_lines():
    offenders = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if _app(p) in DOMAIN and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_DOMAIN_MODULE_LINES
    }
    assert offenders == {}


def test_no_import_cycle_between_project_modules():
    """Module-level imports only (the ones that run when a module is loaded)."""
    names = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p for p in _modules()}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        targets = set()
        for node in _tree(path).body:
            for imported in _imported(node):
                while imported and imported not in names:
                    imported = imported.rpartition(".")[0]
                if imported and imported != name:
                    targets.add(imported)
        graph[name] = targets
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []
