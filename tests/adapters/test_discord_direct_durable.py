"""A direct message is an effect of the outbox like any other: it is marked done once Discord accepted it,
not when it was handed to the adapter's paced sender (a kill in between would lose it for good)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from tests.support.discord import bot, dms, podium_errors, world  # noqa: F401 - fixtures

SEND = "POST /channels/{channel_id}/messages"
FLOOR = "You have the floor on “Town hall”."


def waiting(bot) -> list[str]:
    with bot.app.db.engine.connect() as conn:
        return [row.kind for row in conn.execute(text("SELECT kind FROM outbox ORDER BY position"))]


async def test_the_floor_dm_stays_in_the_outbox_until_discord_accepted_it(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Town hall")
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    fake.fail_next(SEND, status=429, retry_after=1.5)  # Discord holds the DM back for 1.5 s
    record = fake.run_slash_command(world.guild, world.stage, world.bob, "speaker", "next")
    await fake.wait_response(record)
    await fake.wait_for(lambda: fake.calls(SEND, status=429), timeout=5)
    await asyncio.sleep(0.3)  # the rest of the stage's work is done meanwhile
    assert FLOOR not in dms(fake, world.carol)
    assert waiting(bot) == ["tell"]
    await fake.wait_for(lambda: FLOOR in dms(fake, world.carol), timeout=5)
    await bot.settle()
    assert waiting(bot) == []
    assert dms(fake, world.carol).count(FLOOR) == 1
