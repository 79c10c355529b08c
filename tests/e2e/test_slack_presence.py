"""Slack presence that can be unknown. Podium sees who is in a huddle only once it has observed that huddle;
until then, unknown presence is not absence: with the default must_be_present, a hand is taken (and its owner
told to join the audio room), and the moderators can give the floor. Once a huddle is observed, the rule
applies; when it ends, presence is unknown again."""

from __future__ import annotations

from pathlib import Path

from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.fakes.slack import events
from tests.support.slack import World, blocks_text, eventually, slack_world, start_huddle

RAISED = N_("Hand raised, you are #{position}.")
RAISED_UNSEEN = N_("Hand raised, you are #{position}. Join the audio room to be given the floor.")
NOT_PRESENT = N_("Join the audio room before raising your hand.")


def en(msgid: str, **params: object) -> str:
    return render(Message(msgid, params), "en", mention=lambda u: f"<@{u}>")


async def hands(w: World) -> tuple[str, ...]:
    return (await w.app.queries.roster(await w.stage_id())).hands


async def test_with_no_huddle_seen_a_hand_is_taken_and_its_owner_told_to_join(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:  # the default rules: must_be_present is on
        await w.command("alice", 'open "No huddle yet"')

        bob, carol = await w.command("bob", "raise"), await w.command("carol", "raise")

        assert bob.text == en(RAISED_UNSEEN, position=1)
        assert carol.text == en(RAISED_UNSEEN, position=2)
        assert await hands(w) == (w["bob"].id, w["carol"].id)
        # The board shows both hands and calls nobody away, nor counts a huddle nobody has seen.
        await eventually(lambda: f"<@{w['carol'].id}>" in blocks_text(w.board().blocks), what="carol on the board")
        shown = blocks_text(w.board().blocks)
        assert "(away)" not in shown and "in the huddle" not in shown, shown
        # Nobody is refused for being away while nobody can see the room: the floor can be given.
        given = await w.command("alice", "next")
        assert given.text.startswith(en(N_("{member} is now a speaker."), member=f"<@{w['bob'].id}>"))
        assert await hands(w) == (w["carol"].id,)


async def test_once_the_huddle_is_observed_the_rule_applies_and_when_it_ends_presence_is_unknown_again(
        tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await w.command("alice", 'open "Then a huddle"')
        assert (await w.command("frank", "raise")).text == en(RAISED_UNSEEN, position=1)

        room_id = await start_huddle(w, "alice", "bob")
        await w.until_present("alice", "bob")
        refused = await w.command("carol", "raise")
        taken = await w.command("bob", "raise")

        assert refused.text == en(NOT_PRESENT)
        assert taken.text == en(RAISED, position=2)
        assert await hands(w) == (w["frank"].id, w["bob"].id)  # frank's hand waits; he is away once it is seen
        await eventually(lambda: "(away)" in blocks_text(w.board().blocks), what="frank shown away")
        assert blocks_text(w.board().blocks).count("(away)") == 1

        await w.event(events.huddle_changed(w.fake.state, w.room, room_id, participants=[], ended=True))
        await w.until(lambda: _nobody(w), what="everyone out of the ended huddle")
        again = await w.command("carol", "raise")
        assert again.text == en(RAISED_UNSEEN, position=3)


async def test_a_stage_opened_in_a_running_huddle_applies_the_rule_at_once(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await start_huddle(w, "alice", "bob")
        await w.command("alice", 'open "In the huddle"')
        await w.until_present("bob")

        assert (await w.command("carol", "raise")).text == en(NOT_PRESENT)
        assert (await w.command("bob", "raise")).text == en(RAISED, position=1)
        assert await hands(w) == (w["bob"].id,)


async def _nobody(w: World) -> bool:
    return not await w.present()
