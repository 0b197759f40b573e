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


def test_recorded_steers_are_taken_again_at_their_step_and_a_trailing_pause_is_dropped():
    from orchestration.events import HumanSteer

    steering = Steering()
    steering.preload(
        [
            HumanSteer(kind="redirect", text="digital skills", theme_id="talent", step=0),
            HumanSteer(kind="interject", text="Retention?", theme_id="talent", step=2),
            HumanSteer(kind="pause", theme_id="talent", step=3),  # the run stopped paused
        ]
    )
    assert [s.text for s in steering.drain("talent", 0)] == ["digital skills"]
    assert steering.drain("talent", 1) == []
    assert [s.text for s in steering.drain("talent", 2)] == ["Retention?"]
    assert steering.drain("talent", 3) == [] and not steering.paused


def test_a_resume_taken_by_one_theme_releases_every_theme():
    async def scenario() -> None:
        steering = Steering()
        steering.send("pause", theme_id="talent")
        steering.drain("talent")
        talent = asyncio.create_task(steering.wait_while_paused("talent"))
        inclusion = asyncio.create_task(steering.wait_while_paused("inclusion"))
        await asyncio.sleep(0.05)
        steering.send("resume")  # for no theme: whichever theme takes it, both go on
        await asyncio.wait_for(asyncio.gather(talent, inclusion), 2)

    asyncio.run(scenario())
