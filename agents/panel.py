"""The five panelists: name, colour, persona prompt (``agents/personas/<name>.md``), default
evidence scope, the retrieval focus of their evidence packs, and their output contract."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class PanelistSpec:
    name: str
    colour: str
    scopes: tuple[str, ...]
    focus: str
    contract: str  # "{words}": the reply's length in words, from the turn's token budget
    role: str  # the remit in a few words, for people choosing whom to ask

    @property
    def persona(self) -> str:
        return persona_text(self.name)

    def contract_for(self, tokens: int) -> str:
        """The output contract for a reply of at most ``tokens`` tokens (about 3 words to 4)."""
        return self.contract.format(words=tokens * 3 // 4)


DEBATER_CONTRACT = (
    "Reply in at most {words} words: two or three bullet points, each ending with the evidence ids "
    "it rests on in square brackets, e.g. [LEEDS-OWS-2024#7], or (no evidence in corpus)."
)

SPECS: dict[str, PanelistSpec] = {
    "national-policy": PanelistSpec(
        "national-policy",
        "blue",
        ("national", "regional"),
        "national policy and integrated care system expectations for",
        DEBATER_CONTRACT,
        "national and regional direction",
    ),
    "leeds-local": PanelistSpec(
        "leeds-local",
        "green",
        ("place",),
        "Leeds partnership programmes and local evidence on",
        DEBATER_CONTRACT,
        "Leeds priorities and local evidence",
    ),
    "inclusion": PanelistSpec(
        "inclusion",
        "magenta",
        (),
        "equality, diversity, inclusion and health inequalities in",
        DEBATER_CONTRACT,
        "equity: who is left out",
    ),
    "critic": PanelistSpec(
        "critic",
        "red",
        (),
        "evidence that tests claims about",
        "Reply in at most {words} words: OBJECTION: lines, then OPEN OBJECTIONS: N.",
        "tests each claim against its passage",
    ),
    "editor": PanelistSpec(
        "editor",
        "yellow",
        (),
        "the strongest evidence on",
        "Reply with the JSON object asked for, citing only the evidence ids listed.",
        "writes the theme's consensus review",
    ),
}


@cache
def persona_text(name: str) -> str:
    """The persona prompt the team edits, read from ``agents/personas/<name>.md``."""
    return (
        resources.files("agents")
        .joinpath("personas", f"{name}.md")
        .read_text(encoding="utf-8")
        .strip()
    )


PANEL: tuple[str, ...] = tuple(SPECS)
"""The agents' names, in the order they are listed and open a theme."""
