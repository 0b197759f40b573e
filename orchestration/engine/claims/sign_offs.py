"""Sign-offs that mean what they say: a reason that is junk, or that contradicts its stance, is
no valid sign-off (counted neither as agreement nor as dissent)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from orchestration.engine.claims.checker import ClaimChecker, Statement
from orchestration.review_models import SetAside

_AGAINST = re.compile(
    r"\b(disagree|dissent|reject|oppose|object to|cannot (?:agree|support|endorse)|can't "
    r"(?:agree|support)|do not (?:agree|support|endorse)|don't (?:agree|support)|not acceptable|"
    r"(?:say|saying|said|says) no|no to|not (?:agree|support|endorse|accept)|refuse)\b",
    re.IGNORECASE,
)
_FOR = re.compile(
    r"^\W*(?:i |we )?(?:fully |broadly )?(?:agree|support|endorse|content|happy|no objection)\b",
    re.IGNORECASE,
)

Standing = Literal["agree", "dissent", "invalid"]


@dataclass(frozen=True)
class JudgedSignOff:
    agent: str
    standing: Standing
    reason: str  # the clean reason, or the original when invalid
    set_aside: SetAside | None = None


def contradiction(stance: str, reason: str) -> str | None:
    """Why ``reason`` contradicts ``stance``, if it does."""
    if stance == "agree" and (found := _AGAINST.search(reason)):
        return f"says “agree” but its reason says “{found.group(0)}”"
    if stance == "dissent" and (found := _FOR.search(reason)):
        return f"says “dissent” but its reason says “{found.group(0).strip()}”"
    return None


def judge_sign_off(
    checker: ClaimChecker, agent: str, stance: str, reason: str, grounded: set[str] | None = None
) -> JudgedSignOff:
    """Agreement, dissent, or no valid sign-off (with its reasons, to be listed); ``grounded``:
    the theme's own words, which alone give no reason."""
    where = "dissent" if stance == "dissent" else "sign-off"
    checked = checker.check([Statement(where, agent, reason)], grounded)[0]
    problem = contradiction(stance, checked.text)
    if checked.passed and problem is None:
        return JudgedSignOff(agent, stance, checked.text)  # type: ignore[arg-type]
    extra = [problem] if problem else []
    aside = checked.set_aside(extra).model_copy(update={"text": f"{stance}: {reason}"})
    return JudgedSignOff(agent, "invalid", reason, aside)
