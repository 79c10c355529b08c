"""A whole huddle stage on Slack, over HTTP with real signatures: the huddle starts, the stage opens and
follows it, hands are raised with the modal and the slash command, the floor is given and taken back,
timers run, a member leaves the huddle, and the huddle's end closes the stage."""

from __future__ import annotations

from pathlib import Path

from adapters.slack.blocks import NOTE_INPUT
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from tests.fakes.slack import events
from tests.support.slack import World, blocks_text, eventually, join_huddle, leave_huddle, slack_world, start_huddle


def en(msgid: str, **params: object) -> str:
    return render(Message(msgid, params), "en", mention=lambda u: f"<@{u}>")


def board_text(message) -> str:
    return blocks_text(message.blocks)


async def test_a_huddle_stage_from_the_first_hand_to_the_recap(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        ids = {name: user.id for name, user in w.people.items()}
        room_id = await start_huddle(w, "alice")
        opened = await w.command("alice", 'open "Weekly AMA" topic=Pricing follow=on')
        assert en(N_("Stage “{title}” is live."), title="Weekly AMA") in opened.text
        assert "cannot mute, unmute" in opened.text  # the host is told what Slack cannot enforce
        await eventually(lambda: [m for m in w.fake.messages(w.room.id) if m.thread_ts], what="thread board")
        channel_board, thread_board = w.board(), w.board(thread=w.fake.messages(w.room.id)[0].ts)
        assert channel_board.ts != thread_board.ts

        for name in ("bob", "carol"):
            await join_huddle(w, room_id, name)
        await w.until_present("alice", "bob", "carol")
        assert await w.present() == {ids["alice"], ids["bob"], ids["carol"]}

        # bob raises his hand with a note through the modal
        await w.click("bob", "podium_raise")
        [modal] = await eventually_modal(w, "bob")
        submitted = await w.slack.view_submission(modal, user=w["bob"], values={NOTE_INPUT: "about pricing"})
        assert submitted.status == 200 and submitted.in_time and modal.closed
        await eventually(lambda: any(e.user == ids["bob"] for e in w.fake.ephemerals), what="bob's answer")
        await w.settle()
        assert [e.text for e in w.fake.ephemerals if e.user == ids["bob"]] == [
            en(N_("Hand raised, you are #{position}."), position=1)]
        assert en(N_("You're next on “{title}”."), title="Weekly AMA") in w.dm_texts("bob")

        carol = await w.command("carol", "raise")
        assert carol.text == en(N_("Hand raised, you are #{position}."), position=2)
        await eventually(lambda: "about pricing" in board_text(w.board()), what="board edit")
        await eventually(lambda: "about pricing" in board_text(w.board(thread=thread_board.thread_ts)))

        # the floor: Slack cannot unmute, so bob is told, the board shows him, the thread announces him
        given = await w.click("alice", "podium_next")
        assert en(N_("{member} is now a speaker."), member=f"<@{ids['bob']}>") in given.text
        assert "cannot unmute" in given.text
        assert en(N_("You have the floor on “{title}”."), title="Weekly AMA") in w.dm_texts("bob")
        assert en(N_("You're next on “{title}”."), title="Weekly AMA") in w.dm_texts("carol")
        thread = [m.text for m in w.fake.messages(w.room.id) if m.thread_ts == thread_board.thread_ts]
        assert any(ids["bob"] in t and "has the floor" in t for t in thread)
        await eventually(lambda: f"🎙 <@{ids['bob']}>" in board_text(w.board()))

        # back to the audience, said publicly
        await w.click("alice", "podium_audience_0")
        back = en(N_("{member} is back in the audience."), member=f"<@{ids['bob']}>")
        assert back in [m.text for m in w.fake.messages(w.room.id)]
        assert en(N_("A moderator moved you back to the audience on “{title}”."), title="Weekly AMA") in w.dm_texts(
            "bob")

        # carol from the queue menu
        approved = await w.click("alice", "podium_queue_0", value=f"approve:{await w.stage_id()}:{ids['carol']}")
        assert en(N_("{member} is now a speaker."), member=f"<@{ids['carol']}>") in approved.text

        # the huddle ends: the stage follows it and closes, the boards become the recap
        ended = events.huddle_changed(w.fake.state, w.room, room_id, participants=[], ended=True)
        await w.event(ended)
        await eventually(lambda: w.board().blocks[-1]["type"] != "actions" and "Recap" in board_text(w.board()),
                         what="the board turned into the recap")
        await w.settle()
        assert not any(b["type"] == "actions" for b in w.board(thread=thread_board.thread_ts).blocks)
        recap = await w.command("alice", "recap")
        assert "Recap of “Weekly AMA”" in recap.text and f"<@{ids['bob']}>" in recap.text
        assert any(m.text.startswith("Recap of “Weekly AMA”") for m in w.fake.messages(w.room.id))
        gone = await w.command("bob", "raise")
        assert gone.text == en(N_("There is no live stage here."))


async def eventually_modal(w: World, name: str) -> list:
    await eventually(lambda: w.fake.modals(w[name].id), what="the raise-hand modal")
    return w.fake.modals(w[name].id)


async def test_speaking_time_warns_then_moves_the_speaker_back(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"speaking_time_limit": 60, "warn_before": 20}) as w:
        room_id = await start_huddle(w, "alice", "bob")
        await w.command("alice", 'open "Timed"')
        await w.until_present("bob")
        await w.command("bob", "raise")
        await w.command("alice", "next")
        await w.advance(39)
        assert not any("Speaking time left" in t for t in w.dm_texts("bob"))
        await w.advance(2)
        assert en(N_("Speaking time left on “{title}”: {left}."), title="Timed", left=Duration(19)) in w.dm_texts("bob")
        await w.advance(20)
        assert en(N_("Your speaking time on “{title}” is up; you are back in the audience."),
                  title="Timed") in w.dm_texts("bob")
        assert en(N_("{member} is back in the audience."), member=f"<@{w['bob'].id}>") in [
            m.text for m in w.fake.messages(w.room.id)]
        assert room_id


async def test_a_member_who_leaves_the_huddle_keeps_their_place_for_the_grace_period(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"grace_period": 60}) as w:
        room_id = await start_huddle(w, "alice", "bob", "carol")
        await w.command("alice", 'open "Grace"')
        await w.until_present("carol")
        await w.command("bob", "raise")
        await w.command("carol", "raise")
        await leave_huddle(w, room_id, "bob")
        await eventually(lambda: "(away)" in board_text(w.board()), what="bob shown away")
        await w.advance(59)
        assert (await w.app.queries.roster(await w.stage_id())).hands == (w["bob"].id, w["carol"].id)
        await w.advance(2)
        assert (await w.app.queries.roster(await w.stage_id())).hands == (w["carol"].id,)
        assert en(N_("You left “{title}” for too long; your hand was lowered."), title="Grace") in w.dm_texts("bob")
        assert en(N_("You're next on “{title}”."), title="Grace") in w.dm_texts("carol")

        # coming back within the grace period keeps the place
        await join_huddle(w, room_id, "bob")
        await w.until_present("bob")
        assert (await w.command("bob", "raise")).text == en(N_("Hand raised, you are #{position}."), position=2)
        await leave_huddle(w, room_id, "carol")
        await w.until(lambda: _absent(w, "carol"), what="carol away")
        await w.advance(30)
        await join_huddle(w, room_id, "carol")
        await w.until_present("carol")
        await w.advance(60)
        assert (await w.app.queries.roster(await w.stage_id())).hands == (w["carol"].id, w["bob"].id)


async def test_a_stage_not_following_its_huddle_stays_open_when_the_huddle_ends(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        room_id = await start_huddle(w, "alice", "bob")
        await w.command("alice", 'open "Stays"')
        await w.until_present("bob")
        await w.event(events.huddle_changed(w.fake.state, w.room, room_id, participants=[], ended=True))
        await w.until(lambda: _empty(w.present()), what="everyone out of the huddle")
        status = await w.command("bob", "status")
        assert status.posts[-1]["blocks"][0]["text"]["text"] == "Stays"

        # a new huddle in the channel binds the live stage and posts its board in the new thread
        second = await start_huddle(w, "bob")
        second_thread = [m for m in w.fake.messages(w.room.id) if m.subtype == "huddle_thread"][-1].ts
        await eventually(lambda: [m for m in w.fake.messages(w.room.id) if m.thread_ts == second_thread
                                  and m.user == w.fake.bot.id], what="a board in the new huddle's thread")
        await w.until_present("bob")
        assert second != room_id


async def _empty(found) -> bool:
    return not await found


async def _absent(w: World, name: str) -> bool:
    return w[name].id not in await w.present()
