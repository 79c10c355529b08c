"""Authority on Discord is decided from the stage a button names, never from the channel it is pressed in."""

from __future__ import annotations

from dataclasses import replace

from tests.fakes.discord.interactions import MESSAGE_COMPONENT
from tests.fakes.discord.models import snowflake
from tests.fakes.discord.permissions import STAGE_MODERATOR
from tests.support.discord import (  # noqa: F401 - fixtures
    Bot, World, bot, podium_errors, refusal, reply, world)
from bot.domain.errors import NotModerator

MEMBER = 1


def board_in(world: World, channel_id: int):  # type: ignore[no-untyped-def]
    boards = [m for m in world.fake.store.messages.values()
              if m.channel_id == channel_id and m.author.id == world.fake.store.bot.id and m.embeds and m.components]
    assert boards, "no board in that channel"
    return boards[-1]


async def forge(world: World, bot: Bot, user, custom_id: str, message,  # type: ignore[no-untyped-def]
                picked: str | None = None):
    """A press, from `message`'s channel, of a button carrying `custom_id` (a copy of another stage's
    board posted there, as a forwarded or crafted message would carry it)."""
    channel = world.fake.store.channel(message.channel_id)
    kind = 3 if ":pick:" in custom_id else 2
    crafted = replace(message, id=snowflake(), components=[{"type": 1, "components": [
        {"type": kind, "custom_id": custom_id, **({"style": 2, "label": "x"} if kind == 2 else {"options": []})}]}])
    world.fake.store.messages[crafted.id] = crafted
    data = {"custom_id": custom_id, "component_type": kind, **({"values": [picked or str(world.dave.id)]} if kind == 3 else {})}
    record = world.fake.interactions.create(MESSAGE_COMPONENT, user=user, guild=world.fake.store.guild_of(channel),
                                            channel=channel,
                                            data=data, message=crafted)
    await world.fake.wait_response(record)
    await bot.settle()
    return record


async def test_a_moderator_of_another_stage_channel_cannot_press_this_stages_buttons(world: World, bot: Bot) -> None:
    fake = world.fake
    other = fake.add_stage_channel(world.guild, "side-room")
    fake.set_overwrite(other, world.carol.id, type=MEMBER, allow=STAGE_MODERATOR)  # carol runs the side room
    fake.member_join_voice(world.guild, world.carol, other)
    await bot.command(world, world.alice, "stage", "open", title="Main")
    main_id = await bot.stage_id(world)
    await bot.press(world, world.dave, f"podium:raise:{main_id}")
    assert (await bot.roster(world)).hands == (str(world.dave.id),)
    await bot.command(world, world.carol, "stage", "open", title="Side", where=other)
    side_board = board_in(world, other.id)

    for action in ("next", "approve", "deny"):
        pressed = await forge(world, bot, world.carol, f"podium:{action}:{main_id}", side_board)
        assert reply(pressed) == refusal(NotModerator), action
    picked = await forge(world, bot, world.carol, f"podium:pick:approve:{main_id}", side_board)
    assert reply(picked) == refusal(NotModerator)
    roster = await bot.roster(world)
    assert roster.hands == (str(world.dave.id),) and not roster.speakers

    # The same press by a moderator of the main stage, from the side room, is theirs to make.
    pressed = await forge(world, bot, world.bob, f"podium:next:{main_id}", side_board)
    assert "speaker" in reply(pressed)
    assert (await bot.roster(world)).speakers == {str(world.dave.id)}


async def test_a_button_naming_a_stage_of_another_server_finds_no_stage(world: World, bot: Bot) -> None:
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Main")
    main_id = await bot.stage_id(world)
    guild = fake.add_guild("Elsewhere")
    stage = fake.add_stage_channel(guild, "theirs")
    mallory = fake.add_member(guild, "mallory").user
    fake.set_overwrite(stage, mallory.id, type=MEMBER, allow=STAGE_MODERATOR)
    copied = replace(bot.board(world), id=snowflake(), channel_id=stage.id, guild_id=guild.id)
    record = await forge(world, bot, mallory, f"podium:next:{main_id}", copied)
    assert reply(record) == "There is no live stage here."


async def test_a_forged_pick_naming_someone_outside_the_server_is_refused(world: World, bot: Bot) -> None:
    await bot.command(world, world.alice, "stage", "open", title="Main")
    main_id = await bot.stage_id(world)
    await bot.press(world, world.dave, f"podium:raise:{main_id}")
    for forged in ("123456789012345678", "<@everyone>", "1" * 40):
        picked = await forge(world, bot, world.bob, f"podium:pick:approve:{main_id}", bot.board(world), forged)
        assert reply(picked) == f"There is no member called “{forged}” here.", forged
    assert not (await bot.roster(world)).speakers
