"""The chair's seam: steers sent from a console or the terminal UI into a running debate.

``Steering`` holds the steers not yet taken, plus a pause switch. A theme's debate takes the steers
meant for it (or for no theme in particular) at each of its steps: before every turn, and while
its review waits for the chair's approval. A steer for another theme stays until that theme takes
it. Each steer is logged with the step that took it, so the steers of an earlier attempt of a run
can be preloaded and are taken again at the same steps: a resumed or replayed run is steered as
the original was.
"""

from __future__ import annotations

import asyncio

from orchestration.events import HumanSteer, SteerKind

VERDICTS = ("approve", "send_back")


class Steering:
    def __init__(self, recorded_only: bool = False) -> None:
        """``recorded_only``: a replay, where nobody is at the console to steer."""
        self.recorded_only = recorded_only
        self._waiting: list[HumanSteer] = []
        self._changed = asyncio.Event()
        self._recorded: dict[tuple[str, int | None], list[HumanSteer]] = {}
        self._stepless_verdicts: dict[str, list[HumanSteer]] = {}  # logs made before steps
        self._running = asyncio.Event()
        self._running.set()

    def send(
        self,
        kind: SteerKind,
        text: str = "",
        target: str | None = None,
        theme_id: str | None = None,
    ) -> None:
        self._waiting.append(HumanSteer(kind=kind, text=text, target=target, theme_id=theme_id))
        self._pulse()

    def preload(self, steers: list[HumanSteer]) -> None:
        """Steers recorded in an earlier attempt, each taken again at the step that took it.

        A pause the run stopped in (no resume after it) is left out: continuing the run is what
        ends that pause."""
        for steer in _without_trailing_pauses(steers):
            if steer.theme_id is None:
                continue
            if steer.step is not None:
                self._recorded.setdefault((steer.theme_id, steer.step), []).append(steer)
            elif steer.kind in VERDICTS:
                self._stepless_verdicts.setdefault(steer.theme_id, []).append(steer)

    def drain(self, theme_id: str | None = None, step: int | None = None) -> list[HumanSteer]:
        """The steers recorded for this step of ``theme_id``, then the live ones for it (and for
        no theme) in the order they were sent."""
        taken = self._recorded.pop((theme_id, step), []) if theme_id is not None else []
        taken += [s for s in self._waiting if s.theme_id in (None, theme_id)]
        self._waiting = [s for s in self._waiting if s.theme_id not in (None, theme_id)]
        for steer in taken:
            if steer.kind == "pause":
                self._running.clear()
            elif steer.kind == "resume":
                self._running.set()
        if any(s.kind in ("pause", "resume") for s in taken):
            self._pulse()
        return taken

    def discard(self, theme_id: str) -> list[HumanSteer]:
        """Take away the steers meant for ``theme_id`` alone (its debate has ended), recorded
        ones included."""
        late = [
            s
            for key in sorted(k for k in self._recorded if k[0] == theme_id)
            for s in self._recorded.pop(key)
        ]
        late += [s for s in self._waiting if s.theme_id == theme_id]
        self._waiting = [s for s in self._waiting if s.theme_id != theme_id]
        return late

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def _pulse(self) -> None:
        """Wake every debate waiting for a steer or for the pause to end."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _next(self, theme_id: str | None, step: int | None) -> list[HumanSteer]:
        while True:
            changed = self._changed
            if taken := self.drain(theme_id, step):
                return taken
            self._nothing_recorded(theme_id)
            await changed.wait()

    async def wait_while_paused(
        self, theme_id: str | None = None, step: int | None = None
    ) -> list[HumanSteer]:
        """Block while paused; return the steers that arrived meanwhile (resume included)."""
        seen: list[HumanSteer] = []
        while True:
            changed = self._changed
            seen += self.drain(theme_id, step)
            if not self.paused:
                return seen
            self._nothing_recorded(theme_id)
            await changed.wait()

    def _nothing_recorded(self, theme_id: str | None) -> None:
        """In a replay nobody will steer: waiting for the chair is the end of the recording."""
        if self.recorded_only:
            raise ValueError(
                f"The recorded run stopped while theme {theme_id} waited for the chair; "
                "there is nothing more to replay."
            )

    async def next_steers(self, theme_id: str, step: int | None = None) -> list[HumanSteer]:
        """Wait for the chair at ``step``: the steers recorded for it, or live ones."""
        verdicts = self._stepless_verdicts.get(theme_id)
        if verdicts and (theme_id, step) not in self._recorded:
            return [verdicts.pop(0)]
        return await self._next(theme_id, step) + await self.wait_while_paused(theme_id, step)


def _without_trailing_pauses(steers: list[HumanSteer]) -> list[HumanSteer]:
    """``steers`` less the pauses that no later resume ended."""
    ended = False
    kept: list[HumanSteer] = []
    for steer in reversed(steers):
        if steer.kind == "resume":
            ended = True
        elif steer.kind == "pause" and not ended:
            continue
        kept.append(steer)
    return kept[::-1]
