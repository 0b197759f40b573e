"""The chair's seam: steers sent from a console or the terminal UI into a running debate.

``Steering`` is an asyncio queue plus a pause switch; the debate drains it before every turn.
"""

from __future__ import annotations

import asyncio

from orchestration.events import HumanSteer, SteerKind


class Steering:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[HumanSteer] = asyncio.Queue()
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
            steer = self._queue.get_nowait()
            if steer.kind == "pause":
                self._running.clear()
            elif steer.kind == "resume":
                self._running.set()
            steers.append(steer)
        return steers

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
