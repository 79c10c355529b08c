"""Discord's own stage controls against a block: a blocked member given the floor or a request to speak with them
(by themselves, as a Discord stage moderator, or by anyone else: Discord does not say who) is put back in the
audience by the bot, told why, and the attempt is in the stage's audit log. An unblocked member brought up the
same way is judged by the rules as before."""

from __future__ import annotations

from bot.domain import errors
from bot.domain.members import Actor
from bot.i18n.catalog import render
from tests.fakes.discord.permissions import STAGE_MODERATOR
from tests.support.discord import (  # noqa: F401 - fixtures
    Bot, World, bot, dms, podium_errors, refusal, reply, world)

MEMBER = 1


def suppressed(world: World, user) -> bool:  # type: ignore[no-untyped-def]
    state = world.fake.voice_state(world.guild, user)
    return state is not None and state.suppress and state.request_to_speak_timestamp is None


async def audit(bot: Bot, world: World) -> list[str]:
    assert bot.app is not None
    lines = await bot.app.queries.log(await bot.stage_id(world), Actor(str(world.alice.id)))
    return [render(line.message, "en", mention=lambda u: f"<@{u}>") for line in lines]


async def blocked_moderator_stays(bot: Bot, world: World) -> None:
    """carol moderates the stage channel in Discord; Discord refuses the bot's disconnects, so a block cannot take
    anyone out of the channel: carol and dave, both blocked, are still in it."""
    fake = world.fake
    fake.set_overwrite(world.stage, world.carol.id, type=MEMBER, allow=STAGE_MODERATOR)
    await bot.command(world, world.alice, "stage", "open", title="Held")
    fake.fail_next("PATCH /guilds/{guild_id}/members/{user_id}", status=403, times=2)
    for user in (world.carol, world.dave):
        blocked = await bot.command(world, world.alice, "stage", "block", member=user.id)
        assert "blocked" in reply(blocked), reply(blocked)
    assert fake.voice_state(world.guild, world.carol) is not None


async def test_a_blocked_stage_moderator_giving_themselves_the_floor_is_put_back_and_audited(
        world: World, bot: Bot) -> None:
    await blocked_moderator_stays(bot, world)
    world.fake.moderator_set_speaker(world.guild, world.carol, world.carol)
    await bot.settle()
    assert suppressed(world, world.carol)
    roster = await bot.roster(world)
    assert not roster.speakers and not roster.hands
    assert refusal(errors.Blocked) in dms(world.fake, world.carol)
    carol = f"<@{world.carol.id}>"
    assert f"{carol} is blocked: put back in the audience (given the floor with the platform's own controls)" \
        in await audit(bot, world)


async def test_a_blocked_member_invited_to_speak_or_asking_is_put_back_each_time(world: World, bot: Bot) -> None:
    await blocked_moderator_stays(bot, world)
    fake = world.fake
    fake.moderator_set_speaker(world.guild, world.carol, world.dave)  # carol invites dave, blocked too
    await bot.settle()
    assert suppressed(world, world.dave)
    fake.member_request_to_speak(world.guild, world.carol)  # carol asks to speak herself
    await bot.settle()
    assert suppressed(world, world.carol)
    fake.set_overwrite(world.stage, world.bob.id, type=MEMBER, allow=STAGE_MODERATOR)
    fake.moderator_set_speaker(world.guild, world.bob, world.dave)  # bob, not blocked, tries again
    await bot.settle()
    assert suppressed(world, world.dave)
    roster = await bot.roster(world)
    assert not roster.speakers and not roster.hands
    lines = await audit(bot, world)
    dave, carol = f"<@{world.dave.id}>", f"<@{world.carol.id}>"
    assert [line for line in lines if "put back" in line] == [
        f"{dave} is blocked: put back in the audience (given the floor with the platform's own controls)",
        f"{carol} is blocked: put back in the audience (a request to speak with the platform's own controls)",
        f"{dave} is blocked: put back in the audience (given the floor with the platform's own controls)"], lines
    assert dms(fake, world.dave).count(refusal(errors.Blocked)) == 2


async def test_once_unblocked_a_member_brought_up_with_discords_controls_is_a_speaker(world: World, bot: Bot) -> None:
    await blocked_moderator_stays(bot, world)
    await bot.command(world, world.alice, "stage", "unblock", member=world.dave.id)
    world.fake.member_leave_voice(world.guild, world.dave)  # back in the room as anyone would come
    world.fake.member_join_voice(world.guild, world.dave, world.stage)
    await bot.settle()
    world.fake.moderator_set_speaker(world.guild, world.carol, world.dave)
    await bot.settle()
    assert (await bot.roster(world)).speakers == {str(world.dave.id)}
    assert not [line for line in await audit(bot, world) if "put back" in line]
