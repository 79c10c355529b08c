"""Stage wiring through the gateway: Discord's request to speak, the bot's buttons, the floor, time and presence."""

from __future__ import annotations

from bot.domain import errors
from bot.i18n.message import Duration
from tests.support.discord import (  # noqa: F401 - fixtures
    bot, dms, embed_text, mention, podium_errors, refusal, reply, world)

VOICE_PATCH = "PATCH /guilds/{guild_id}/voice-states/{user_id}"


async def open_stage(bot, world, **rules):
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    if rules:
        changes = " ".join(f"{k}={v}" for k, v in rules.items())
        assert reply(await bot.command(world, world.bob, "stage", "rules", changes=changes)).startswith("Rules updated")
    return await bot.stage_id(world)


def suppressed(world, user) -> bool:
    state = world.fake.voice_state(world.guild, user)
    return state is not None and state.suppress


async def test_discords_request_to_speak_raises_and_lowers_a_hand(world, bot):
    fake = world.fake
    await open_stage(bot, world)
    fake.member_request_to_speak(world.guild, world.carol)
    fake.member_request_to_speak(world.guild, world.dave)
    await bot.settle()
    assert (await bot.roster(world)).hands == (str(world.carol.id), str(world.dave.id))
    assert f"`#1` {mention(world.carol)}" in bot.board_text(world)
    fake.member_withdraw_request(world.guild, world.carol)
    await bot.settle()
    assert (await bot.roster(world)).hands == (str(world.dave.id),)
    assert any("You're next" in text for text in dms(fake, world.dave))


async def test_the_board_buttons_raise_and_lower_hands_too(world, bot):
    stage_id = await open_stage(bot, world)
    raised = await bot.press(world, world.carol, f"podium:raise:{stage_id}")
    assert reply(raised) == "Hand raised, you are #1." and raised.ack_delay < 3
    again = await bot.press(world, world.carol, f"podium:raise:{stage_id}")
    assert reply(again) == refusal(errors.AlreadyRaised, position=1)
    away = await bot.press(world, world.erin, f"podium:raise:{stage_id}")  # not in the stage channel
    assert reply(away) == refusal(errors.NotPresent)
    assert reply(await bot.press(world, world.carol, f"podium:lower:{stage_id}")) == "Hand lowered."
    assert (await bot.roster(world)).hands == ()


async def test_approval_unsuppresses_and_the_audience_suppresses(world, bot):
    fake = world.fake
    stage_id = await open_stage(bot, world)
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    picker = await bot.press(world, world.bob, f"podium:approve:{stage_id}")
    options = picker.original.components[0]["components"][0]["options"]
    assert [(o["label"], o["value"]) for o in options] == [("#1 Carol", str(world.carol.id))]
    chosen = await bot.press(world, world.bob, f"podium:pick:approve:{stage_id}", message=picker.original,
                             values=[str(world.carol.id)])
    assert reply(chosen) == f"{mention(world.carol)} is now a speaker."
    assert not suppressed(world, world.carol)
    assert (await bot.roster(world)).speakers == {str(world.carol.id)}
    assert "Speakers (1/5)" in bot.board_text(world)
    back = await bot.command(world, world.bob, "speaker", "audience", member=str(world.carol.id))
    assert reply(back) == f"{mention(world.carol)} is back in the audience."
    assert suppressed(world, world.carol) and (await bot.roster(world)).speakers == set()
    assert [c.json["suppress"] for c in fake.calls(VOICE_PATCH)] == [False, True]  # no echo acted upon


async def test_deny_from_the_pick_list_lowers_the_hand_and_tells_the_member(world, bot):
    fake = world.fake
    stage_id = await open_stage(bot, world)
    fake.member_request_to_speak(world.guild, world.dave)
    await bot.settle()
    refused = await bot.press(world, world.carol, f"podium:deny:{stage_id}")
    assert reply(refused) == refusal(errors.NotModerator)
    picker = await bot.press(world, world.bob, f"podium:deny:{stage_id}")
    await bot.press(world, world.bob, f"podium:pick:deny:{stage_id}", message=picker.original,
                    values=[str(world.dave.id)])
    assert (await bot.roster(world)).hands == ()
    assert fake.voice_state(world.guild, world.dave).request_to_speak_timestamp is None  # withdrawn in Discord too
    assert "A moderator lowered your hand on “Weekly AMA”." in dms(fake, world.dave)


async def test_next_gives_the_floor_to_the_head_of_the_queue(world, bot):
    fake = world.fake
    stage_id = await open_stage(bot, world)
    fake.member_request_to_speak(world.guild, world.dave)
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    assert reply(await bot.press(world, world.bob, f"podium:next:{stage_id}")) == (
        f"{mention(world.dave)} is now a speaker.")
    assert not suppressed(world, world.dave) and suppressed(world, world.carol)


async def test_max_speakers_holds_on_the_real_voice_states(world, bot):
    fake = world.fake
    await open_stage(bot, world, max_speakers=1)
    # A Discord moderator brings carol up with Discord's own controls: the core approves, there is room.
    world.guild.voice_states[world.carol.id].suppress = False
    fake.emit_voice_state(world.guild, world.guild.voice_states[world.carol.id])
    await bot.settle()
    assert (await bot.roster(world)).speakers == {str(world.carol.id)}
    # Then dave: the stage is full, so the bot puts him back and tells him why.
    world.guild.voice_states[world.dave.id].suppress = False
    fake.emit_voice_state(world.guild, world.guild.voice_states[world.dave.id])
    await bot.settle()
    assert suppressed(world, world.dave) and (await bot.roster(world)).speakers == {str(world.carol.id)}
    assert refusal(errors.SpeakersFull, limit=1) in dms(fake, world.dave)
    # A speaker who steps down in Discord leaves the floor in the core.
    world.guild.voice_states[world.carol.id].suppress = True
    fake.emit_voice_state(world.guild, world.guild.voice_states[world.carol.id])
    await bot.settle()
    assert (await bot.roster(world)).speakers == set()


async def test_speaking_time_expires_on_the_real_voice_state(world, bot):
    fake = world.fake
    await open_stage(bot, world, speaking_time_limit="2m", warn_before="30s")
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    await bot.command(world, world.bob, "speaker", "next")
    assert not suppressed(world, world.carol)
    assert "⏳ <t:" in bot.board_text(world)
    await bot.advance(95)
    assert "Speaking time left on “Weekly AMA”: 25 s." in dms(fake, world.carol)
    await bot.advance(30)
    assert suppressed(world, world.carol)
    assert "Your speaking time on “Weekly AMA” is up; you are back in the audience." in dms(fake, world.carol)
    assert (await bot.roster(world)).speakers == set()


async def test_leaving_the_stage_channel_keeps_the_place_for_the_grace_period(world, bot):
    fake = world.fake
    await open_stage(bot, world, grace_period="60s")
    for user in (world.carol, world.dave):
        fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    fake.member_leave_voice(world.guild, world.carol)
    await bot.settle()
    await bot.advance(30)
    fake.member_join_voice(world.guild, world.carol, world.stage)
    await bot.settle()
    assert (await bot.roster(world)).hands == (str(world.carol.id), str(world.dave.id))
    fake.member_leave_voice(world.guild, world.carol)
    await bot.settle()
    assert "(away)" in bot.board_text(world)
    await bot.advance(61)
    assert (await bot.roster(world)).hands == (str(world.dave.id),)
    assert "You left “Weekly AMA” for too long; your hand was lowered." in dms(fake, world.carol)


async def test_a_speaker_who_leaves_loses_the_floor(world, bot):
    fake = world.fake
    await open_stage(bot, world)
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    await bot.command(world, world.bob, "speaker", "next")
    fake.member_leave_voice(world.guild, world.carol)
    await bot.settle()
    roster = await bot.roster(world)
    assert roster.speakers == set() and str(world.carol.id) not in roster.present


async def test_refused_native_hands_are_withdrawn_in_discord_with_the_reason(world, bot):
    fake = world.fake
    vip = fake.add_role(world.guild, "VIP", 0)
    world.guild.members[world.carol.id].roles.append(vip.id)
    fake.dispatch("GUILD_MEMBER_UPDATE", {**world.guild.members[world.carol.id].payload(),
                                          "guild_id": str(world.guild.id)})
    await open_stage(bot, world, hand_mode="role", hand_roles="VIP")
    fake.member_request_to_speak(world.guild, world.dave)
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    assert (await bot.roster(world)).hands == (str(world.carol.id),)
    assert fake.voice_state(world.guild, world.dave).request_to_speak_timestamp is None
    assert refusal(errors.RoleRequired, roles="VIP") in dms(fake, world.dave)
    await bot.command(world, world.bob, "stage", "lock")
    world.fake.member_withdraw_request(world.guild, world.carol)
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    assert refusal(errors.HandsLocked) in dms(fake, world.carol)


async def test_auto_approve_fair_queue_cooldown_and_queue_length(world, bot):
    fake = world.fake
    vip = fake.add_role(world.guild, "VIP", 0)
    world.guild.members[world.carol.id].roles.append(vip.id)
    fake.dispatch("GUILD_MEMBER_UPDATE", {**world.guild.members[world.carol.id].payload(),
                                          "guild_id": str(world.guild.id)})
    stage_id = await open_stage(bot, world, auto_approve="VIP", hand_cooldown="60s", max_queue_length=1,
                                queue_mode="fair")
    fake.member_request_to_speak(world.guild, world.carol)  # a VIP: approved at once, unsuppressed
    await bot.settle()
    assert not suppressed(world, world.carol)
    assert reply(await bot.press(world, world.dave, f"podium:raise:{stage_id}")) == "Hand raised, you are #1."
    assert reply(await bot.press(world, world.bob, f"podium:raise:{stage_id}")) == refusal(errors.QueueFull, limit=1)
    await bot.press(world, world.dave, f"podium:lower:{stage_id}")
    assert reply(await bot.press(world, world.dave, f"podium:raise:{stage_id}")) == refusal(
        errors.CoolingDown, wait=Duration(60))
