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


def _import_script(modules: list[str]) -> str:
    return (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print('\\n'.join(sys.modules))"
    )


# the composition roots: they build the model runtime (agents.runtime.assembly)
BUILDS_THE_RUNTIME = ("orchestration.engine.run", "orchestration.record.followup")
AUTOGEN = ("autogen_core", "autogen_agentchat", "autogen_ext")
ROOMS = [
    ("orchestration.engine", ("orchestration.cli", "orchestration.record.audit")),
    ("orchestration.record", ("orchestration.cli",)),
    ("orchestration.report", ("orchestration.cli", "orchestration.engine.run")),
]


def _groups() -> dict[str, list[str]]:
    """The groups of modules checked; each is imported together in a fresh interpreter."""
    return {
        "core": _modules(agents) + _modules(tools) + _modules(orchestration),
        "free of the runtime": [
            m
            for package in (agents, tools, orchestration)
            for m in _modules(package)
            if not m.startswith(("agents.runtime", "orchestration.cli", *BUILDS_THE_RUNTIME))
        ],
        **{room: [m for m in _modules(orchestration) if m.startswith(room)] for room, _ in ROOMS},
    }


@pytest.fixture(scope="module")
def imports() -> dict[str, tuple[int, str, str]]:
    """Per group: the exit status, output and errors of an interpreter that imported it and
    printed ``sys.modules``; the interpreters run at the same time, as each takes seconds."""
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", _import_script(modules)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, modules in _groups().items()
        if modules
    }
    results = {}
    for name, process in processes.items():
        out, err = process.communicate()
        results[name] = (process.returncode, out, err)
    return results


def _loaded(imports: dict[str, tuple[int, str, str]], group: str) -> set[str]:
    """Every module loaded by importing ``group``."""
    assert group in imports, f"there are no {group} modules"
    code, out, err = imports[group]
    assert code == 0, f"importing the {group} modules failed:\n{err}"
    return set(out.split())


def test_core_never_imports_textual(imports):
    loaded = _loaded(imports, "core")
    assert not {m for m in loaded if m == "textual" or m.startswith(("textual.", "tui"))}


def test_only_the_runtime_and_its_builders_load_autogen(imports):
    loaded = _loaded(imports, "free of the runtime")
    assert not {m for m in loaded if m.startswith(AUTOGEN)}


@pytest.mark.parametrize(("room", "must_not_load"), ROOMS)
def test_rooms_depend_one_way(imports, room, must_not_load):
    assert not {m for m in _loaded(imports, room) if m.startswith(must_not_load)}


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
