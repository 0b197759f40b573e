"""The chair's seam: steers sent from a console or the terminal UI into a running debate.

``Steering`` holds the steers not yet taken, plus a pause switch. A theme's debate takes the steers
meant for it (or for no theme in particular) before every turn, and a theme held for the chair's
approval waits for them; a steer for another theme stays until that theme takes it. Steers recorded
in an earlier attempt of a run can be preloaded per theme, so resuming or replaying a run meets
the same verdicts.
"""

from __future__ import annotations

import asyncio

from orchestration.events import HumanSteer, SteerKind


class Steering:
    def __init__(self, recorded_only: bool = False) -> None:
        """``recorded_only``: a replay, where nobody is at the console to give a verdict."""
        self.recorded_only = recorded_only
        self._waiting: list[HumanSteer] = []
        self._arrived = asyncio.Event()
        self._recorded: dict[str, list[HumanSteer]] = {}
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
        self._arrived.set()

    def drain(self, theme_id: str | None = None) -> list[HumanSteer]:
        """The steers for ``theme_id`` (and for no theme), in the order they were sent."""
        taken = [s for s in self._waiting if s.theme_id in (None, theme_id)]
        self._waiting = [s for s in self._waiting if s.theme_id not in (None, theme_id)]
        for steer in taken:
            if steer.kind == "pause":
                self._running.clear()
            elif steer.kind == "resume":
                self._running.set()
        return taken

    def discard(self, theme_id: str) -> list[HumanSteer]:
        """Take away the steers meant for ``theme_id`` alone (its debate has ended)."""
        late = [s for s in self._waiting if s.theme_id == theme_id]
        self._waiting = [s for s in self._waiting if s.theme_id != theme_id]
        return late

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    async def _next(self, theme_id: str | None) -> list[HumanSteer]:
        while not (taken := self.drain(theme_id)):
            self._arrived.clear()
            await self._arrived.wait()
        return taken

    async def wait_while_paused(self, theme_id: str | None = None) -> list[HumanSteer]:
        """Block while paused; return the steers that arrived meanwhile (resume included)."""
        seen: list[HumanSteer] = []
        while self.paused:
            seen += await self._next(theme_id)
        return seen

    def preload(self, steers: list[HumanSteer]) -> None:
        """Recorded approvals and send-backs, delivered to their theme when it waits for one."""
        for steer in steers:
            if steer.theme_id and steer.kind in ("approve", "send_back"):
                self._recorded.setdefault(steer.theme_id, []).append(steer)

    async def next_steers(self, theme_id: str) -> list[HumanSteer]:
        """Wait for the chair: the next recorded verdict for ``theme_id``, or live steers."""
        if recorded := self._recorded.get(theme_id):
            return [recorded.pop(0)]
        if self.recorded_only:
            raise ValueError(
                f"The recorded run stopped while theme {theme_id} waited for the chair's "
                "approval; there is nothing more to replay."
            )
        return await self._next(theme_id) + await self.wait_while_paused(theme_id)
