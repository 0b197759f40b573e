"""What ``review compare`` finds between two saved runs, A (the earlier draft) and B (the later):
``CompareSettings`` (the similarity thresholds) and the ``Comparison`` model it returns, with its
parts. Every model is plain pydantic, so a comparison prints as JSON as it is."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestration.review_models import Citation, Origin, Strength

STRENGTH_ORDER: dict[str, int] = {"weak": 0, "partial": 1, "strong": 2}
FindingKind = Literal["gap", "recommendation"]
Status = Literal["resolved", "open", "new"]
Source = Literal["strategy file", "report"]


class CompareSettings(BaseModel):
    """How two runs are matched by meaning (cosine similarity of the embedding model's vectors)."""

    model_config = ConfigDict(extra="forbid")

    same_meaning: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="Similarity at or above which an objective, gap or recommendation of run A "
        "and one of run B say the same thing (matched; 'reworded' when their words differ).",
    )
    same_theme: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Similarity (name and objectives) at or above which two themes with "
        "different ids and names are taken to be the same theme.",
    )
    covers: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Similarity at or above which an objective that is new or reworded in B "
        "covers a gap or recommendation of A (which then counts as resolved by it).",
    )


class StrategySide(BaseModel):
    """Where one run's strategy was read from."""

    run_id: str
    title: str
    path: str
    source: Source
    note: str = Field(default="", description="Why the report was read instead of the file.")
    themes: int
    objectives: int


class ThemeChange(BaseModel):
    change: Literal["added", "removed", "renamed"]
    before: str | None = Field(default=None, description="The theme's name in A.")
    after: str | None = Field(default=None, description="The theme's name in B.")
    similarity: float | None = None


class ObjectiveChange(BaseModel):
    change: Literal["added", "removed", "reworded"]
    theme: str = Field(description="The theme's name (in B, when it is there).")
    before: str | None = Field(default=None, description="The objective's title in A.")
    after: str | None = Field(default=None, description="The objective's title in B.")
    before_description: str = ""
    after_description: str = ""
    similarity: float | None = None


class StrategyChanges(BaseModel):
    a: StrategySide
    b: StrategySide
    themes: list[ThemeChange] = Field(default_factory=list)
    objectives: list[ObjectiveChange] = Field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.themes and not self.objectives


class Finding(BaseModel):
    """A gap or recommendation as one run's report words it, with its citations."""

    kind: FindingKind
    text: str
    origin: Origin = "panel"
    evidence_ids: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Covering(BaseModel):
    """An objective new or reworded in B that covers a finding of A."""

    theme: str
    objective: str
    similarity: float


class ItemChange(BaseModel):
    """A finding resolved (raised in A only), still open (raised in both) or new (in B only)."""

    status: Status
    kind: FindingKind
    before: Finding | None = Field(default=None, description="As run A's report has it.")
    after: Finding | None = Field(default=None, description="As run B's report has it.")
    similarity: float | None = Field(default=None, description="Of A's and B's (still open).")
    covered_by: Covering | None = None

    @property
    def latest(self) -> Finding:
        """B's wording when B raises it, else A's."""
        found = self.after or self.before
        assert found is not None
        return found


class LabelMove(BaseModel):
    """An objective matched across the runs whose coverage label changed."""

    objective: str = Field(description="Its title in B.")
    objective_before: str = Field(description="Its title in A (the same unless reworded).")
    before: Strength
    after: Strength
    score_before: float
    score_after: float
    evidence_before: list[Citation] = Field(default_factory=list)
    evidence_after: list[Citation] = Field(default_factory=list)

    @property
    def improved(self) -> bool:
        return STRENGTH_ORDER[self.after] > STRENGTH_ORDER[self.before]


class ThemeComparison(BaseModel):
    theme_id: str
    name: str = Field(description="The theme's name (in B, when B reviewed it).")
    name_before: str | None = Field(default=None, description="Its name in A, when A reviewed it.")
    reviewed: Literal["both", "a_only", "b_only"]
    note: str = Field(default="", description="Why findings were or were not compared.")
    items: list[ItemChange] = Field(default_factory=list)
    labels: list[LabelMove] = Field(default_factory=list)

    def with_status(self, status: Status) -> list[ItemChange]:
        return [item for item in self.items if item.status == status]


class Comparison(BaseModel):
    """What changed between run A (the earlier draft) and run B (the later)."""

    run_a: str
    run_b: str
    embedding_model: str
    settings: CompareSettings
    strategy: StrategyChanges
    themes: list[ThemeComparison] = Field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(len(theme.with_status(status)) for theme in self.themes)

    def label_moves(self) -> list[tuple[str, LabelMove]]:
        return [(theme.name, move) for theme in self.themes for move in theme.labels]
