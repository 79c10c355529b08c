"""The Slack adapter's own pieces: coalesced board edits, App Home, the /stage grammar, escaping, the manifest."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from adapters.slack import commands, events
from adapters.slack.cli import manifest
from adapters.slack.grammar import GRAMMAR, ROWS, parse
from bot.surface.errors import DidYouMean, LeftOver
from adapters.slack.text import plain_ids, user_id
from bot.i18n.catalog import supported_locale
from bot.domain import commands as c
from bot.domain.errors import UnknownCommand
from tests.support.slack import blocks_text, eventually, slack_world
from tests.fakes.slack import events as slack_events


async def test_board_edits_are_coalesced_to_one_chat_update_per_second(tmp_path: Path) -> None:
    async with slack_world(tmp_path, board_interval=1.0, rules={"must_be_present": False}) as w:
        await w.command("alice", 'open "Busy"')
        members = [w.fake.add_user(f"m{i}") for i in range(20)]
        stage_id = await w.stage_id()
        started = time.monotonic()
        sent = [w.slack.slash_command("/stage", "raise", user=m, channel=w.room) for m in members]
        assert all(r.status == 200 for r in await asyncio.gather(*sent))
        await w.until(lambda: _queue_length(w, stage_id, 20), what="20 hands")
        await eventually(lambda: "*Queue (20)*" in blocks_text(w.board().blocks), what="the last board")
        elapsed = time.monotonic() - started
        updates = w.fake.calls_to("chat.update")
        assert 1 <= len(updates) <= elapsed + 1
        gaps = [b.time - a.time for a, b in zip(updates, updates[1:])]
        assert all(gap >= 0.95 for gap in gaps), gaps
        assert "and 10 more" in blocks_text(w.board().blocks)


async def _queue_length(w, stage_id: str, count: int) -> bool:
    return len((await w.app.queries.roster(stage_id)).hands) == count


async def test_board_and_notes_escape_what_members_type(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", 'open "<!channel> & friends"')
        await w.command("bob", "raise <!here> look")
        await eventually(lambda: "look" in blocks_text(w.board().blocks))
        text = blocks_text(w.board().blocks)
        assert "<!here>" not in text and "&lt;!here&gt; look" in text
        opened = [m.text for m in w.fake.messages(w.room.id) if m.user == w.fake.bot.id][0]
        assert "<!channel>" not in opened and "&lt;!channel&gt; &amp; friends" in opened


async def test_app_home_shows_live_stages_queue_places_and_upcoming_stages(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", 'open "Town hall"')
        await w.command("carol", "raise")
        await w.command("bob", "raise")
        start = (w.clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
        await w.app.bus.handle(c.ScheduleStage(actor=await w.adapter.actor(w["alice"].id), platform="slack",
                                               space_id=w.fake.team.id, channel_id=w.room.id, title="Next AMA",
                                               start=start, timezone="UTC"))
        await w.event(slack_events.app_home_opened(w.fake.state, w["bob"]))
        await eventually(lambda: w.fake.home_view(w["bob"].id) is not None, what="bob's home")
        text = blocks_text(w.fake.home_view(w["bob"].id).payload["blocks"])
        assert "Town hall" in text and "#2 of 2" in text and "Next AMA" in text
        # lowering the hand from App Home answers by direct message and refreshes the tab
        home = w.fake.home_view(w["bob"].id)
        await w.slack.block_action("podium_lower_0", user=w["bob"], view=home)
        await eventually(lambda: w.fake.count("views.publish", user_id=w["bob"].id) == 2, what="home refreshed")
        assert "Raise hand" in blocks_text(w.fake.home_view(w["bob"].id).payload["blocks"])
        assert w.dm_texts("bob")[-1] == "Hand lowered."


async def test_the_modal_opened_from_app_home_raises_the_hand(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", 'open "From home"')
        await w.event(slack_events.app_home_opened(w.fake.state, w["bob"]))
        await eventually(lambda: w.fake.home_view(w["bob"].id) is not None)
        await w.slack.block_action("podium_raise_0", user=w["bob"], view=w.fake.home_view(w["bob"].id))
        await eventually(lambda: w.fake.modals(w["bob"].id), what="modal")
        [modal] = w.fake.modals(w["bob"].id)
        await w.slack.view_submission(modal, user=w["bob"], values={})
        await w.until(lambda: _queue_length(w, modal_stage(modal), 1), what="bob's hand")
        assert [e.text for e in w.fake.ephemerals if e.user == w["bob"].id] == ["Hand raised, you are #1."]


def modal_stage(modal) -> str:
    return re.search(r'"stage": "(\w+)"', modal.payload["private_metadata"]).group(1)


async def test_a_stage_opened_while_huddle_events_are_handled_starts_with_everyone_and_one_thread_board(
        tmp_path: Path) -> None:
    from tests.support.slack import start_huddle

    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await start_huddle(w, "alice", "bob", "carol")  # acked; Podium is still handling them
        await w.command("alice", 'open "Right away"')
        wanted = {w[n].id for n in ("alice", "bob", "carol")}
        await w.until(lambda: _all_present(w, wanted), timeout=5, what="the huddle's people on the stage")
        thread = next(m.ts for m in w.fake.messages(w.room.id) if m.subtype == "huddle_thread")
        in_thread = [m for m in w.fake.messages(w.room.id) if m.thread_ts == thread and m.user == w.fake.bot.id]
        assert len(in_thread) == 1


async def _all_present(w, wanted: set[str]) -> bool:
    return wanted <= await w.present()


# ---- the grammar and the text


def test_every_subcommand_of_the_issue_has_a_row_and_a_usage() -> None:
    wanted = {"open", "close", "topic", "rules", "lock", "unlock", "status", "log", "raise", "lower", "queue",
              "next", "approve", "deny", "audience", "mod add", "mod remove", "invite", "help"}
    assert wanted <= {row.flat for row in ROWS}
    assert all(GRAMMAR.usage(row).msgid.startswith("/stage " + row.flat) for row in ROWS)


@pytest.mark.parametrize("text, name, values", [
    ("", "help", {"command": ""}),
    ('open “Weekly AMA” topic="Pricing plans" follow=on', "stage open",
     {"title": "Weekly AMA", "topic": "Pricing plans", "follow": True}),
    ("open Weekly AMA", "stage open", {"title": "Weekly AMA", "topic": "", "follow": False}),
    ("raise I'd like to ask about &lt;pricing&gt;", "hand raise", {"note": "I'd like to ask about <pricing>"}),
    ("MOD add <@U0BOB|bob>", "mod add", {"member": "<@U0BOB|bob>"}),
    ("deny <@U0BOB|bob> not now", "speaker deny", {"member": "<@U0BOB|bob>", "reason": "not now"}),
    ('topic "Pricing, again"', "stage topic", {"topic": "Pricing, again"}),
])
def test_parse(text: str, name: str, values: dict[str, object]) -> None:
    parsed = parse(text)
    assert parsed.row.name == name
    assert {k: parsed.values[k] for k in values} == values


def test_unknown_subcommands_and_leftovers() -> None:
    with pytest.raises(UnknownCommand):
        parse("dance")
    with pytest.raises(DidYouMean) as guess:
        parse("statuz")  # `stauts` is as close to `stats`
    assert guess.value.params == {"command": "/stage statuz", "suggestion": "/stage status"}
    with pytest.raises(LeftOver) as left:
        parse("next <@U0CAROL|carol>")
    assert left.value.params["words"] == "<@U0CAROL|carol>"


def test_mentions_locales_and_group_ids() -> None:
    assert user_id("<@U0BOB|bob>") == "U0BOB" and user_id("W0ENT1") == "W0ENT1" and user_id("bob") is None
    assert plain_ids("<!subteam^S0VIP|@vip>,<@U0BOB>") == "S0VIP,U0BOB"
    assert [supported_locale(tag) for tag in ("fr-FR", "en-GB", "fr", "de-DE", "", None)] == [
        "fr", "en", "fr", None, None, None]


# ---- the manifest


def test_the_manifest_asks_for_exactly_what_the_adapter_uses() -> None:
    app = yaml.safe_load(manifest("https://podium.example.org/slack/events"))
    assert [c["command"] for c in app["features"]["slash_commands"]] == ["/stage"]
    assert app["features"]["slash_commands"][0]["should_escape"] is True  # mentions arrive as <@U…>
    assert app["features"]["app_home"]["home_tab_enabled"] is True
    assert set(app["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "message.channels", "message.groups", "user_huddle_changed"}
    assert app["settings"]["interactivity"]["is_enabled"] is True
    assert set(app["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "users:read", "usergroups:read", "channels:read", "groups:read",
        "channels:history", "groups:history", "im:history", "im:write", "channels:join", "groups:write"}
    urls = {app["settings"]["event_subscriptions"]["request_url"], app["settings"]["interactivity"]["request_url"],
            app["features"]["slash_commands"][0]["url"]}
    assert urls == {"https://podium.example.org/slack/events"}
    socket = yaml.safe_load(manifest(socket_mode=True))
    assert socket["settings"]["socket_mode_enabled"] is True and "request_url" not in socket["settings"][
        "interactivity"]
    # the Web API methods the adapter calls, each covered by a scope above
    source = "".join(p.read_text() for p in Path(events.__file__).parent.glob("*.py"))
    called = set(re.findall(r"client\.(\w+)", source))  # called there, or handed over to be called
    # At start auth.test (no scope) checks SLACK_BOT_TOKEN, and apps.connections.open SLACK_APP_TOKEN with
    # that app-level token, whose scope connections:write is set on the token, not among the bot's scopes.
    assert called == {"chat_postMessage", "chat_update", "chat_postEphemeral", "conversations_join",
                      "conversations_info", "conversations_invite", "conversations_kick", "users_info",
                      "usergroups_users_list", "views_open", "views_publish", "auth_test", "apps_connections_open",
                      "conversations_history", "conversations_replies", "conversations_open"}


async def test_the_two_paths_to_a_huddles_thread_board_post_it_once(tmp_path: Path) -> None:
    # A new stage's board and the huddle's start event both post the board in the huddle's thread.
    async with slack_world(tmp_path) as w:
        await w.command("alice", 'open "Twice?"')
        board = await w.app.queries.board(await w.stage_id())
        thread = w.fake.messages(w.room.id)[-1].ts
        await asyncio.gather(*(w.adapter.keeper.post_in_thread(board, "R0HUDDLE1", thread) for _ in range(3)))
        assert w.fake.count("chat.postMessage", thread_ts=thread) == 1
