"""The chair's seam: steers sent from a console or the terminal UI into a running debate.

``Steering`` is an asyncio queue plus a pause switch; the debate drains it before every turn, and
a theme held for the chair's approval waits on it. Steers recorded in an earlier attempt of a run
can be preloaded per theme, so that resuming or replaying a run meets the same verdicts.
"""

from __future__ import annotations

import asyncio

from orchestration.events import HumanSteer, SteerKind


class Steering:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[HumanSteer] = asyncio.Queue()
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
        self._queue.put_nowait(HumanSteer(kind=kind, text=text, target=target, theme_id=theme_id))

    def drain(self) -> list[HumanSteer]:
        steers = []
        while not self._queue.empty():
            steers.append(self._switch(self._queue.get_nowait()))
        return steers

    def _switch(self, steer: HumanSteer) -> HumanSteer:
        if steer.kind == "pause":
            self._running.clear()
        elif steer.kind == "resume":
            self._running.set()
        return steer

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    async def wait_while_paused(self) -> list[HumanSteer]:
        """Block while paused; return the steers that arrived meanwhile (resume included)."""
        seen: list[HumanSteer] = []
        while self.paused:
            steer = await self._queue.get()
            if steer.kind == "resume":
                self._running.set()
            seen.append(steer)
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
        seen = [self._switch(await self._queue.get()), *self.drain()]
        return seen + await self.wait_while_paused()
