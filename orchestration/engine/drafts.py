"""What models write in structured form: the editor's draft review and a panelist's sign-off,
with the JSON schemas that constrain them (``orchestration.engine.reviewing`` checks what they hold)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from orchestration.review_models import ACTION_FIELDS, GapKind, Priority


class DraftGap(BaseModel):
    kind: GapKind
    text: str = Field(max_length=400)
    evidence: list[str] = Field(default_factory=list, max_length=3)


class DraftRecommendation(BaseModel):
    action: Literal["add", "change"]
    objective: str | None = None
    text: str = Field(max_length=400)
    priority: Priority = "medium"
    evidence: list[str] = Field(default_factory=list, max_length=3)
    owner: str | None = Field(default=None, max_length=160)
    measure: str | None = Field(default=None, max_length=160)
    baseline: str | None = Field(default=None, max_length=160)
    due: str | None = Field(default=None, max_length=160)
    resource: str | None = Field(default=None, max_length=160)


class EditorDraft(BaseModel):
    """What the editor model writes (the rest of a ThemeReview is computed)."""

    coverage_summary: str = Field(max_length=600)
    gaps: list[DraftGap] = Field(default_factory=list, max_length=4)
    recommendations: list[DraftRecommendation] = Field(default_factory=list, max_length=4)


class SignOff(BaseModel):
    stance: Literal["agree", "dissent"]
    reason: str = Field(max_length=150)


def draft_schema(allowed_ids: list[str], action_fields: bool = False) -> dict[str, Any]:
    """EditorDraft's JSON schema, narrowed for constrained decoding.

    Evidence ids may only be those the panel was shown; every part is required, with at least
    one gap and one recommendation; lengths are capped so the reply fits its token budget. A
    recommendation's owner, measure, baseline, date and resource are offered (never required)
    only with ``action_fields``: a small model would fill them with whatever comes to it.
    """
    schema = EditorDraft.model_json_schema()
    recommendation = schema["$defs"]["DraftRecommendation"]["properties"]
    for name in ACTION_FIELDS:
        if action_fields:
            recommendation[name] = {"type": "string", "maxLength": 160}
        else:
            del recommendation[name]
    schema["required"] = ["coverage_summary", "gaps", "recommendations"]
    schema["properties"]["coverage_summary"]["maxLength"] = 300
    for key in ("gaps", "recommendations"):
        schema["properties"][key].update({"minItems": 1, "maxItems": 3})
    for name in ("DraftGap", "DraftRecommendation"):
        definition = schema["$defs"][name]
        definition["properties"]["text"].update({"minLength": 12, "maxLength": 220})
        definition["properties"]["evidence"].update({"maxItems": 2})
        optional = ("objective", *ACTION_FIELDS)
        definition["required"] = [k for k in definition["properties"] if k not in optional]
        if allowed_ids:
            definition["properties"]["evidence"]["items"] = {"enum": allowed_ids}
    schema["$defs"]["DraftRecommendation"]["properties"]["objective"] = {
        "type": "string",
        "maxLength": 120,
    }
    return schema


class DebatePoint(BaseModel):
    evidence: str = Field(description="The one evidence id the point rests on.")
    text: str = Field(max_length=300)


class DebatePoints(BaseModel):
    """A debate turn as short points, each tied to one passage (small models; constrained)."""

    points: list[DebatePoint] = Field(default_factory=list, max_length=4)


class Objection(BaseModel):
    panelist: str
    evidence: str = Field(description="The evidence id the objection is about or rests on.")
    text: str = Field(max_length=300)


class Objections(BaseModel):
    """The critic's turn as objections, each naming a panelist and a passage (small models)."""

    objections: list[Objection] = Field(default_factory=list, max_length=4)


def points_schema(
    model: type[DebatePoints] | type[Objections], allowed_ids: list[str], panelists: list[str]
) -> dict[str, Any]:
    """The turn's JSON schema for constrained decoding: ids from the agent's pack only, one or
    two short points, and (for objections) a panelist of the panel."""
    schema = model.model_json_schema()
    key, item = ("points", "DebatePoint") if model is DebatePoints else ("objections", "Objection")
    schema["required"] = [key]
    schema["properties"][key].update({"minItems": 1, "maxItems": 2})
    definition = schema["$defs"][item]
    definition["required"] = list(definition["properties"])
    definition["properties"]["text"].update({"minLength": 20, "maxLength": 160})
    if allowed_ids:
        definition["properties"]["evidence"]["enum"] = allowed_ids
    if "panelist" in definition["properties"]:
        definition["properties"]["panelist"]["enum"] = panelists
    return schema
