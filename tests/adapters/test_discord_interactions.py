"""Answering within Discord's 3 seconds, once per interaction."""

from __future__ import annotations

from bot.domain.members import SYSTEM
from tests.support.discord import bot, podium_errors, reply, world  # noqa: F401 - fixtures


async def test_slow_work_is_deferred_then_answered_by_a_follow_up(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    async with bot.app.bus._lock(stage_id):  # noqa: SLF001 - another command holds the stage meanwhile
        record = fake.press_button(bot.board(world), f"podium:raise:{stage_id}", world.carol)
        response = await fake.wait_response(record)
        assert response.type == 5 and 1.4 < response.delay < 2.5  # "thinking…", in time
        assert record.original.flags & 64 and not reply(record)
    await fake.wait_for(lambda: reply(record), timeout=3)
    assert reply(record) == "Hand raised, you are #1." and len(record.followups) == 1
    assert record.followups[0].flags & 64


async def test_an_interaction_delivered_twice_runs_once(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    record = await bot.press(world, world.carol, f"podium:raise:{stage_id}")
    fake.dispatch("INTERACTION_CREATE", record.payload)  # a second delivery (two processes on one token)
    await bot.settle()
    assert reply(record) == "Hand raised, you are #1." and len(record.responses) == 1 and not record.refused
    log = await bot.app.queries.log(stage_id, SYSTEM)
    assert sum(1 for line in log if "raised a hand" in line.message.msgid) == 1


async def test_a_deferred_answer_comes_only_once_the_command_committed(world, bot):
    # "Thinking…" first; the answer may only follow once the hand is stored: whenever the member reads
    # "Hand raised", another connection to the database already sees the hand.
    from sqlalchemy import create_engine, text

    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    reader = create_engine(f"sqlite:///{bot.database}")
    stored_when_answered: list[bool] = []

    def stored() -> bool:
        with reader.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM participant WHERE stage_id = :s AND user_id = :u AND hand_raised_at IS NOT NULL"),
                                {"s": stage_id, "u": str(world.carol.id)}).scalar_one() == 1

    def answered() -> bool:
        if reply(record) and not stored_when_answered:
            stored_when_answered.append(stored())
        return bool(reply(record))

    try:
        async with bot.app.bus._lock(stage_id):  # noqa: SLF001 - another command holds the stage meanwhile
            record = fake.press_button(bot.board(world), f"podium:raise:{stage_id}", world.carol)
            response = await fake.wait_response(record)
            assert response.type == 5 and not answered()  # deferred, nothing said yet
            assert not stored()
        await fake.wait_for(answered, timeout=3)
        assert reply(record) == "Hand raised, you are #1." and stored_when_answered == [True]
    finally:
        reader.dispose()
