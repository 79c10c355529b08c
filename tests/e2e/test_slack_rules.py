"""Every stage rule, set and enforced through /stage on Slack (the rules themselves live in the core)."""

from __future__ import annotations

from pathlib import Path

from bot.domain.rules import Rules
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from tests.support.slack import World, slack_world, start_huddle


def en(msgid: str, **params: object) -> str:
    return render(Message(msgid, params), "en", mention=lambda u: f"<@{u}>")


RAISED = N_("Hand raised, you are #{position}.")


async def opened(w: World, *rules: str) -> None:
    await w.command("alice", 'open "Rules"')
    if rules:
        answer = await w.command("alice", "rules " + " ".join(rules))
        assert answer.text.startswith(en(N_("Rules updated: {changes}."), changes="")[:14]), answer.text


async def test_rules_are_listed_and_a_bad_value_changes_nothing(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await opened(w)
        listed = await w.command("bob", "rules")
        assert [line.split("`")[1] for line in listed.text.splitlines()] == list(Rules.names())
        refused = await w.command("alice", "rules max_speakers=2 warn_before=nonsense")
        assert "warn_before" in refused.text and "nonsense" in refused.text
        assert (await w.app.queries.board(await w.stage_id())).rules.max_speakers == 5
        unknown = await w.command("alice", "rules loudness=11")
        assert unknown.text.startswith(en(N_("Unknown rule “{rule}”. Rules: {rules}."), rule="loudness", rules="")[:24])


async def test_max_speakers_and_auto_approve(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}, moderators="") as w:
        vip = w.fake.add_usergroup("vip", [w["carol"].id])
        await opened(w, "max_speakers=1", f"auto_approve=<!subteam^{vip.id}|@vip>")
        assert (await w.command("carol", "raise")).text == en(N_("You were approved at once: you have the floor."))
        assert en(N_("You have the floor on “{title}”."), title="Rules") in w.dm_texts("carol")
        await w.command("bob", "raise")
        full = await w.command("alice", f"approve <@{w['bob'].id}|bob>")
        assert full.text == en(N_("The stage already has the maximum of {limit} speakers."), limit=1)


async def test_fair_queue_serves_who_has_spoken_less_first(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await opened(w, "queue_mode=fair")
        await w.command("bob", "raise")
        await w.command("alice", "next")
        await w.advance(30)
        await w.command("alice", f"audience <@{w['bob'].id}|bob>")
        await w.command("bob", "raise")
        await w.command("carol", "raise")  # raised later, has not spoken: goes first
        assert (await w.app.queries.roster(await w.stage_id())).hands == (w["carol"].id, w["bob"].id)


async def test_hand_modes_cooldown_queue_length_and_locks(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await opened(w, "hand_mode=off")
        assert (await w.command("bob", "raise")).text == en(N_("Raising hands is turned off on this stage."))
        await w.command("alice", "rules hand_mode=invited")
        assert (await w.command("bob", "raise")).text == en(N_("This stage is invite-only and you are not invited."))
        await w.command("alice", f"invite <@{w['bob'].id}|bob>")
        assert (await w.command("bob", "raise")).text == en(RAISED, position=1)
        await w.command("alice", "rules hand_mode=everyone hand_cooldown=45s max_queue_length=2")
        await w.command("bob", "lower")
        assert (await w.command("bob", "raise")).text == en(N_("You can raise your hand again in {seconds} s."),
                                                            seconds=45)
        await w.advance(45)
        assert (await w.command("bob", "raise")).text == en(RAISED, position=1)
        await w.command("carol", "raise")
        assert (await w.command("dave", "raise")).text == render(
            Message.of(N_("The queue is full (limit: {limit})."), limit=2), "fr")  # dave reads French
        await w.command("alice", "lock")
        assert (await w.command("frank", "raise")).text == en(N_("Hands are locked on this stage."))


async def test_presence_rules_and_capacity(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await start_huddle(w, "alice")  # seen: who is in the huddle is known, and bob is not
        await w.command("alice", 'open "Small" capacity=1')
        await w.until_present("alice")
        assert (await w.command("bob", "raise")).text == en(N_("Join the audio room before raising your hand."))
        await w.command("alice", "rules must_be_present=off grace_period=30s cues=on")
        assert (await w.command("bob", "raise")).text == en(RAISED, position=1)
        board = await w.app.queries.board(await w.stage_id())
        assert (board.rules.grace_period, board.rules.cues, board.capacity) == (30, True, 1)


async def test_a_speaker_limit_set_on_slack_runs_on_the_core_timer(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await opened(w, "speaking_time_limit=2m", "warn_before=30s")
        await w.command("bob", "raise")
        await w.command("alice", "next")
        await w.advance(90)
        assert en(N_("Speaking time left on “{title}”: {left}."), title="Rules", left=Duration(30)) in w.dm_texts("bob")
        await w.advance(30)
        assert (await w.app.queries.roster(await w.stage_id())).speakers == frozenset()


async def test_an_idle_stage_closes_itself_and_its_board_becomes_the_recap(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await opened(w, "idle_close=5m")
        await w.advance(299)
        assert await w.stage_id()
        await w.advance(2)
        assert (await w.command("alice", "status")).text == en(N_("There is no live stage here."))
        assert not any(b["type"] == "actions" for b in w.board().blocks)
        assert any(m.text.startswith("Recap of “Rules”") for m in w.fake.messages(w.room.id))
