"""Import hygiene, checked on what each module actually loads (``sys.modules`` in a fresh
interpreter), as harlequin does: the core (agents, tools, orchestration) never loads the terminal
UI; only ``agents.runtime`` (and the modules that build it) load AutoGen; and the rooms of
``orchestration`` depend one way: the command line on everything, nothing on the command line."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import agents
import orchestration
import tools


def _modules(package) -> list[str]:
    """Every module of ``package``, subpackages included."""
    return [package.__name__] + [
        m.name
        for m in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
        if not m.ispkg and not m.name.endswith("__main__")
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


# the composition roots: they build the model runtime (agents.runtime.assembly)
BUILDS_THE_RUNTIME = ("orchestration.engine.run", "orchestration.record.followup")
AUTOGEN = ("autogen_core", "autogen_agentchat", "autogen_ext")


def test_only_the_runtime_and_its_builders_load_autogen():
    free = [
        m
        for package in (agents, tools, orchestration)
        for m in _modules(package)
        if not m.startswith(("agents.runtime", "orchestration.cli", *BUILDS_THE_RUNTIME))
    ]
    loaded = _loaded_after_import(free)  # all at once: one interpreter, a few seconds
    assert not {m for m in loaded if m.startswith(AUTOGEN)}


@pytest.mark.parametrize(
    ("room", "must_not_load"),
    [
        ("orchestration.engine", ("orchestration.cli", "orchestration.record.audit")),
        ("orchestration.record", ("orchestration.cli",)),
        ("orchestration.report", ("orchestration.cli", "orchestration.engine.run")),
    ],
)
def test_rooms_depend_one_way(room, must_not_load):
    modules = [m for m in _modules(orchestration) if m.startswith(room)]
    loaded = _loaded_after_import(modules)
    assert modules and not {m for m in loaded if m.startswith(must_not_load)}


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
