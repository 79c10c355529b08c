"""Discord saying no: 403, 404 and 5xx are told to the moderator in plain words and the stage goes on;
429s and retried 5xx still do each thing once."""

from __future__ import annotations

from tests.support.discord import (  # noqa: F401 - fixtures
    bot, channel_posts, dms, is_ephemeral, mention, podium_errors, reply, world)
from tests.fakes.discord import permissions as perms

VOICE_PATCH = "PATCH /guilds/{guild_id}/voice-states/{user_id}"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
MISSING = "I am missing a permission there."


def bot_role(world):
    return next(r for r in world.guild.roles.values() if r.name == "Podium")


async def open_with_hand(bot, world, user):
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    world.fake.member_request_to_speak(world.guild, user)
    await bot.settle()


async def test_a_missing_permission_is_told_to_the_moderator_and_the_stage_goes_on(world, bot):
    fake = world.fake
    await open_with_hand(bot, world, world.carol)
    fake.set_overwrite(world.stage, bot_role(world).id, type=0, deny=perms.MUTE_MEMBERS)
    approved = await bot.command(world, world.bob, "speaker", "approve", member=str(world.carol.id))
    assert reply(approved).startswith(f"{mention(world.carol)} is now a speaker.")
    told = [m for m in approved.followups if "could not" in m.content]
    assert [m.content for m in told] == [f"I could not give the floor to {mention(world.carol)}: {MISSING}"]
    assert all(m.flags & 64 for m in told)  # only the moderator sees it
    assert fake.calls(VOICE_PATCH, status=403)
    fake.member_request_to_speak(world.guild, world.dave)  # and the stage goes on
    await bot.settle()
    assert (await bot.roster(world)).hands == (str(world.dave.id),)


async def test_a_member_gone_from_discord_and_a_discord_outage_are_told_too(world, bot):
    fake = world.fake
    await open_with_hand(bot, world, world.carol)
    world.fake.member_request_to_speak(world.guild, world.dave)
    await bot.settle()
    world.guild.voice_states.pop(world.carol.id)  # left, and the gateway never said so
    gone = await bot.command(world, world.bob, "speaker", "approve", member=str(world.carol.id))
    assert f"I could not give the floor to {mention(world.carol)}: Discord no longer knows" in reply(gone)
    fake.fail_next(VOICE_PATCH, status=503)
    down = await bot.command(world, world.bob, "speaker", "approve", member=str(world.dave.id))
    assert f"I could not give the floor to {mention(world.dave)}: Discord did not answer" in reply(down)
    assert all(r.ack_delay < 3 for r in fake.interactions.records)


async def test_without_a_recent_moderator_the_stage_channel_is_told(world, bot, tmp_path):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    await bot.command(world, world.bob, "stage", "rules", changes="max_speakers=1")
    await bot.restart()  # whoever acted before is not around any more
    fake.set_overwrite(world.stage, bot_role(world).id, type=0, deny=perms.MUTE_MEMBERS)
    for user in (world.carol, world.dave):  # Discord's own controls bring two up; there is room for one
        world.guild.voice_states[user.id].suppress = False
        fake.emit_voice_state(world.guild, world.guild.voice_states[user.id])
    await bot.settle()
    posted = [m.content for m in channel_posts(fake, world.stage) if "could not" in m.content]
    assert posted == [f"I could not move {mention(world.dave)} back to the audience: {MISSING}"]


async def test_a_429_and_a_500_on_the_voice_state_still_give_the_floor_once(world, bot):
    fake = world.fake
    await open_with_hand(bot, world, world.carol)
    fake.fail_next(VOICE_PATCH, status=429, retry_after=0.2)
    fake.fail_next(VOICE_PATCH, status=500)
    approved = await bot.command(world, world.bob, "speaker", "next")
    await fake.wait_for(lambda: any(c.status == 204 for c in fake.calls(VOICE_PATCH)), timeout=5)
    await bot.settle()
    assert reply(approved) == f"{mention(world.carol)} is now a speaker."
    assert [c.status for c in fake.calls(VOICE_PATCH)] == [429, 500, 204]
    assert not fake.voice_state(world.guild, world.carol).suppress
    log = reply(await bot.command(world, world.bob, "stage", "log"))
    assert log.count(f"gave the floor to {mention(world.carol)}") == 1
    assert dms(fake, world.carol).count("You have the floor on “Weekly AMA”.") == 1


async def test_a_retried_interaction_answer_runs_the_command_once(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    fake.fail_next(CALLBACK, status=500)
    pressed = await bot.press(world, world.carol, f"podium:raise:{stage_id}")
    assert [c.status for c in fake.calls(CALLBACK)][-2:] == [500, 200]
    assert reply(pressed) == "Hand raised, you are #1." and pressed.ack_delay < 3
    log = reply(await bot.command(world, world.bob, "stage", "log"))
    assert log.count("raised a hand") == 1


async def test_a_board_that_cannot_be_posted_is_reported_to_whoever_opened_the_stage(world, bot):
    fake = world.fake
    fake.set_overwrite(world.stage, bot_role(world).id, type=0, deny=perms.SEND_MESSAGES)
    opened = await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    assert "Stage “Weekly AMA” is live." in reply(opened) and is_ephemeral(opened)
    assert f"I could not post the board in <#{world.stage.id}>: {MISSING}" in reply(opened)
    assert world.stage.id in world.guild.stage_instances  # the stage itself is on

