"""Gateway outages and restarts: RESUME replays what was missed; a new session or a restart reconciles the
stage with the voice states Discord reports, so no hand and no speaker is lost and no stale view is acted on."""

from __future__ import annotations

from tests.support.discord import bot, dms, mention, podium_errors, reply, world  # noqa: F401


async def test_a_dropped_gateway_resumes_and_applies_what_happened_meanwhile(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    client = bot.adapter.client
    async with fake.gateway_outage():
        fake.member_request_to_speak(world.guild, world.carol)
        fake.member_leave_voice(world.guild, world.dave)
    await fake.wait_for(lambda: fake.hub.sessions[client.ws.session_id].resumes == 1)
    await bot.settle()
    roster = await bot.roster(world)
    assert roster.hands == (str(world.carol.id),) and str(world.dave.id) not in roster.present
    assert fake.hub.identifies == 1 and fake.hub.connect_paths[-1] == "/resume-gateway"


async def test_a_new_session_reconciles_from_the_guilds_voice_states(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    runs = bot.adapter.client.reconciler.runs
    fake.hub.sessions.clear()  # Discord forgot the session: no replay, a fresh IDENTIFY
    async with fake.gateway_outage():
        fake.member_request_to_speak(world.guild, world.dave)
        fake.member_request_to_speak(world.guild, world.carol)
        fake.member_join_voice(world.guild, world.erin, world.stage)
    await fake.wait_for(lambda: fake.hub.identifies == 2)
    await fake.wait_for(lambda: bot.adapter.client.reconciler.runs > runs)
    await bot.settle()
    roster = await bot.roster(world)
    assert roster.hands == (str(world.dave.id), str(world.carol.id))  # in the order they were raised
    assert str(world.erin.id) in roster.present and fake.hub.invalid_sessions == 1


async def test_a_restart_in_the_middle_of_a_stage_loses_no_hand_and_no_speaker(world, bot):
    fake = world.fake
    frank = fake.add_member(world.guild, "frank").user
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    for user in (world.carol, world.dave):
        fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    await bot.command(world, world.bob, "speaker", "next")  # carol speaks
    await bot.press(world, world.bob, f"podium:raise:{stage_id}")  # bob's hand, by the button
    board_id = bot.board(world).id
    await bot.stop()

    fake.member_join_voice(world.guild, frank, world.stage)  # while the bot is away
    fake.member_request_to_speak(world.guild, frank)
    fake.member_leave_voice(world.guild, world.alice)
    world.guild.voice_states[world.carol.id].suppress = True  # and Discord lost carol's floor
    await bot.start()
    await bot.settle()

    roster = await bot.roster(world)
    assert roster.speakers == {str(world.carol.id)}
    assert not fake.voice_state(world.guild, world.carol).suppress  # the floor is given back
    assert roster.hands == (str(world.dave.id), str(world.bob.id), str(frank.id))
    assert str(world.alice.id) not in roster.present and str(frank.id) in roster.present
    assert bot.board(world).id == board_id and f"`#3` {mention(frank)}" in bot.board_text(world)


async def test_a_speaker_who_left_while_the_bot_was_away_is_removed(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    await bot.command(world, world.bob, "speaker", "next")
    await bot.stop()
    fake.member_leave_voice(world.guild, world.carol)
    await bot.start()
    await bot.settle()
    roster = await bot.roster(world)
    assert roster.speakers == set() and str(world.carol.id) not in roster.present


async def test_hands_raised_in_discord_before_the_stage_opened_join_its_queue(world, bot):
    fake = world.fake
    fake.member_request_to_speak(world.guild, world.dave)
    fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    await bot.settle()
    assert (await bot.roster(world)).hands == (str(world.dave.id), str(world.carol.id))


async def test_a_request_withdrawn_in_discord_while_the_bot_was_away_lowers_that_hand_only(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    fake.member_request_to_speak(world.guild, world.carol)
    fake.member_request_to_speak(world.guild, world.dave)
    await bot.settle()
    await bot.press(world, world.bob, f"podium:raise:{stage_id}")  # bob's hand, by the button: no request
    await bot.stop()

    fake.member_withdraw_request(world.guild, world.carol)  # while the bot is away
    await bot.start()
    await bot.settle()

    roster = await bot.roster(world)
    assert roster.hands == (str(world.dave.id), str(world.bob.id))
    assert roster.native_hands == {str(world.dave.id)}
    assert f"`#1` {mention(world.dave)}" in bot.board_text(world)


async def test_after_a_restart_the_board_is_shown_before_speakers_get_their_floor_back(world, bot):
    # Voice states are paced (a few a second); a board waiting behind them was seconds late after a kill.
    fake = world.fake
    panel = [fake.add_member(world.guild, f"panel{n}").user for n in range(6)]
    for user in panel:
        fake.member_join_voice(world.guild, user, world.stage)
    bot.rules["max_speakers"] = 10
    await bot.restart()
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    for user in panel:
        fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    for _ in panel:
        await bot.command(world, world.bob, "speaker", "next")
    await bot.stop()
    for user in panel:  # Discord lost their floor while the bot was away
        world.guild.voice_states[user.id].suppress = True
    since = len(fake.requests)
    await bot.start()
    await bot.settle()
    after = [c.route for c in fake.requests[since:]]
    board_edit = after.index("PATCH /channels/{channel_id}/messages/{message_id}")
    floors = [i for i, route in enumerate(after) if route == "PATCH /guilds/{guild_id}/voice-states/{user_id}"]
    assert len(floors) == 6 and not any(fake.voice_state(world.guild, u).suppress for u in panel)
    assert board_edit < floors[1], after  # at most one floor went out before it, not all six


async def test_after_a_restart_a_server_is_reconciled_as_it_arrives_not_once_discord_py_says_ready(world, bot):
    # discord.py says "ready" only once no server arrived for guild_ready_timeout (2 s by default): boards
    # that waited for it were 2 s late after a restart. Here "ready" would come long after the test.
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    await bot.stop()
    fake.member_request_to_speak(world.guild, world.carol)  # while the bot is away
    bot.guild_ready_timeout = 600.0
    await bot.start(ready=False)
    await fake.wait_for(lambda: mention(world.carol) in bot.board_text(world), timeout=10)
    assert not bot.adapter.client.is_ready()
    assert bot.adapter.client.reconciler.runs == 1


async def test_a_server_reconciled_as_it_arrived_is_not_reconciled_again_when_discord_py_says_ready(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    await bot.stop()
    fake.member_request_to_speak(world.guild, world.carol)
    fake.member_request_to_speak(world.guild, world.dave)
    await bot.start()
    await bot.settle()
    assert bot.adapter.client.is_ready() and bot.adapter.client.reconciler.runs == 1
    assert (await bot.roster(world)).hands == (str(world.carol.id), str(world.dave.id))
