"""Visibility, capacity, removal and blocking, carried by the stage channel's overwrites and user limit."""

from __future__ import annotations

import pytest

from bot.domain import errors
from tests.support.discord import bot, dms, mention, podium_errors, refusal, reply, world  # noqa: F401
from tests.fakes.discord import ChannelFull
from tests.fakes.discord import permissions as perms


def connect_overwrite(world, target_id: int) -> tuple[bool, bool] | None:
    """(allowed, denied) for CONNECT on the stage channel, or None when the target has no overwrite."""
    found = next((o for o in world.stage.permission_overwrites if o["id"] == target_id), None)
    return None if found is None else (bool(found["allow"] & perms.CONNECT), bool(found["deny"] & perms.CONNECT))


def may_connect(world, user) -> bool:
    return bool(perms.channel_permissions(world.guild, world.stage, user.id) & perms.CONNECT)


async def test_an_invite_only_stage_lets_in_the_invited_and_the_moderators_only(world, bot):
    fake = world.fake
    opened = await bot.command(world, world.alice, "stage", "open", title="Board meeting", visibility="invite-only")
    assert reply(opened) == "Stage “Board meeting” is live."
    assert connect_overwrite(world, world.guild.id) == (False, True)  # @everyone
    assert may_connect(world, world.alice) and may_connect(world, world.bob)  # host; moderator role
    assert not may_connect(world, world.erin)
    with pytest.raises(PermissionError):
        fake.member_join_voice(world.guild, world.erin, world.stage)
    invited = await bot.command(world, world.bob, "stage", "invite", member=world.erin.id)
    assert reply(invited) == f"{mention(world.erin)} is invited."
    assert may_connect(world, world.erin)
    assert "You are invited to the stage “Board meeting”." in dms(fake, world.erin)
    fake.member_join_voice(world.guild, world.erin, world.stage)
    await bot.settle()
    assert str(world.erin.id) in (await bot.roster(world)).present
    await bot.command(world, world.alice, "stage", "close")
    assert world.stage.permission_overwrites == [] or all(
        not (o["allow"] | o["deny"]) & perms.CONNECT for o in world.stage.permission_overwrites)


async def test_capacity_is_the_channels_user_limit(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Small room", capacity=4)
    assert world.stage.user_limit == 4
    with pytest.raises(ChannelFull):
        fake.member_join_voice(world.guild, world.erin, world.stage)
    await bot.command(world, world.alice, "stage", "close")
    assert world.stage.user_limit == 0


async def test_removing_disconnects_and_blocking_keeps_out(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    removed = await bot.command(world, world.bob, "stage", "remove", member=world.carol.id, reason="off topic")
    assert reply(removed) == f"{mention(world.carol)} was removed from this stage."
    assert fake.voice_state(world.guild, world.carol) is None
    fake.member_join_voice(world.guild, world.carol, world.stage)  # removal is not a block: back in
    await bot.settle()
    assert str(world.carol.id) in (await bot.roster(world)).present

    blocked = await bot.command(world, world.bob, "stage", "block", member=world.dave.id)
    assert reply(blocked) == f"{mention(world.dave)} is blocked from this stage and the space's next ones."
    assert fake.voice_state(world.guild, world.dave) is None and not may_connect(world, world.dave)
    # An administrator lifts the overwrite by hand: the core still refuses dave, so the bot takes him out.
    fake.set_overwrite(world.stage, world.dave.id, type=1)
    fake.member_join_voice(world.guild, world.dave, world.stage)
    await bot.settle()
    assert fake.voice_state(world.guild, world.dave) is None
    assert refusal(errors.Blocked) in dms(fake, world.dave)

    fake.set_overwrite(world.stage, world.dave.id, type=1, deny=perms.CONNECT)  # the block, put back
    unblocked = await bot.command(world, world.bob, "stage", "unblock", member=world.dave.id)
    assert reply(unblocked) == f"{mention(world.dave)} is no longer blocked."
    assert may_connect(world, world.dave) and connect_overwrite(world, world.dave.id) is None
    refused = await bot.command(world, world.carol, "stage", "block", member=world.bob.id)
    assert reply(refused) == refusal(errors.NotModerator)


async def test_the_invitations_permissions_are_enough_for_everything_the_bot_does(world, bot):
    from adapters.discord.invite import invite_url, required_permissions

    fake = world.fake
    granted = required_permissions()
    assert {name for name, on in granted if on} == {
        "read_messages", "send_messages", "embed_links", "read_message_history", "connect", "manage_channels",
        "manage_roles",
        "mute_members", "move_members", "create_events"}
    assert "scope=bot+applications.commands" in invite_url(42)
    guild = fake.add_guild("Strict", everyone_permissions=0, bot_permissions=granted.value)
    members = fake.add_role(guild, "Members", perms.EVERYONE_DEFAULT)
    stage = fake.add_stage_channel(guild, "strict-stage")
    host, guest, other = (fake.add_member(guild, name, roles=[members]).user for name in ("host", "guest", "other"))
    for user in (host, other):
        fake.member_join_voice(guild, user, stage)
    await bot.settle()

    async def run(user, *words, **options):
        record = fake.run_slash_command(guild, stage, user, *words, options=options)
        await fake.wait_response(record)
        await bot.settle()
        return reply(record)

    assert await run(host, "stage", "open", title="Strict", visibility="invite-only", capacity=5) == (
        "Stage “Strict” is live.")
    await run(host, "stage", "invite", member=guest.id)
    fake.member_join_voice(guild, guest, stage)
    fake.member_request_to_speak(guild, guest)
    await bot.settle()
    await run(host, "speaker", "next")
    assert not fake.voice_state(guild, guest).suppress
    await run(host, "stage", "block", member=other.id)
    await run(host, "stage", "close")
    assert fake.calls(status=403) == [] and bot.adapter.ctx.reporter.reported == []
    assert stage.user_limit == 0 and fake.voice_state(guild, guest).suppress
    assert any(m.embeds and "Recap of" in m.embeds[0].get("description", "")
               for m in fake.store.messages.values() if m.channel_id == stage.id)
