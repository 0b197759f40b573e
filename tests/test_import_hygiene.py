"""The core (agents, tools, orchestration) never imports the terminal UI, and only
``agents.runtime`` imports AutoGen (so swapping the agent runtime touches one package)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import agents
import orchestration
import tools


def _modules(package) -> list[str]:
    return [package.__name__] + [
        f"{package.__name__}.{m.name}"
        for m in pkgutil.walk_packages(package.__path__)
        if not m.ispkg
    ]


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_core_never_imports_textual():
    core = _modules(agents) + _modules(tools) + _modules(orchestration)
    loaded = _loaded_after_import(core)
    assert not {m for m in loaded if m == "textual" or m.startswith(("textual.", "tui"))}


def test_only_agents_runtime_imports_autogen_directly():
    offenders = []
    for package in (agents, tools, orchestration):
        for module in _modules(package):
            if module.startswith("agents.runtime"):
                continue
            source = sys.modules.get(module) or __import__(module, fromlist=["_"])
            text = open(source.__file__, encoding="utf-8").read()  # noqa: SIM115
            if "import autogen" in text or "from autogen" in text:
                offenders.append(module)
    assert offenders == []


def test_core_source_has_no_import_of_the_ui_even_a_deferred_one():
    import re
    from pathlib import Path

    ui_import = re.compile(r"^\s*(from|import) (textual|tui)\b", re.MULTILINE)
    offenders = [
        str(path)
        for package in ("agents", "tools", "orchestration")
        for path in Path(package).rglob("*.py")
        if ui_import.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
