"""The chair's steering queue: steers reach the theme they were meant for, pause holds."""

from __future__ import annotations

import asyncio

from orchestration.engine.steering import Steering


def test_a_steer_for_another_theme_waits_for_that_theme():
    steering = Steering()
    steering.send("interject", "About talent", theme_id="talent")
    steering.send("redirect", "digital skills")
    assert [s.text for s in steering.drain("inclusion")] == ["digital skills"]
    assert [s.text for s in steering.drain("talent")] == ["About talent"]
    assert steering.drain("talent") == []


def test_pause_holds_until_resume_and_returns_what_arrived_meanwhile():
    async def scenario() -> list[str]:
        steering = Steering()
        steering.send("pause", theme_id="talent")
        assert [s.kind for s in steering.drain("talent")] == ["pause"] and steering.paused
        waiting = asyncio.create_task(steering.wait_while_paused("talent"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        steering.send("interject", "While paused", theme_id="talent")
        steering.send("resume", theme_id="talent")
        return [s.kind for s in await asyncio.wait_for(waiting, 2)]

    assert asyncio.run(scenario()) == ["interject", "resume"]


def test_recorded_verdicts_come_before_live_ones():
    async def scenario() -> list[str]:
        steering = Steering()
        steering.preload([])
        from orchestration.events import HumanSteer

        steering.preload([HumanSteer(kind="send_back", text="More", theme_id="talent")])
        steering.send("approve", theme_id="talent")
        first = await steering.next_steers("talent")
        second = await steering.next_steers("talent")
        return [s.kind for s in first + second]

    assert asyncio.run(scenario()) == ["send_back", "approve"]


def test_a_replay_without_a_recorded_verdict_says_so_instead_of_waiting():
    import pytest

    steering = Steering(recorded_only=True)
    with pytest.raises(ValueError, match="waited for the chair"):
        asyncio.run(steering.next_steers("talent"))
