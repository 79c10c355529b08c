"""Authority on Slack: a block holds against a workspace admin on every path; a click naming another
workspace's stage finds nothing."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.slack import eventually, slack_world

NOT_MODERATOR = render(Message(N_("Only the host and moderators can do that.")), "en")


async def test_a_blocked_workspace_admin_keeps_no_power_on_the_stage(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("carol", "open Blocks")  # carol hosts; alice is a workspace admin
        await w.command("carol", f"mod add <@{w['bob'].id}|bob>")
        await w.command("dave", "raise")
        blocked = await w.command("bob", f"block <@{w['alice'].id}|alice> trolling")
        assert "blocked" in blocked.text
        stage_id = await w.stage_id()
        before = await w.app.queries.board(stage_id)
        for text in ("next", f"unblock <@{w['alice'].id}|alice>", "topic Mine", "close", "lock"):
            answer = await w.command("alice", text)
            assert answer.text == NOT_MODERATOR, text
        clicked = await w.click("alice", "podium_next")
        assert clicked.text == NOT_MODERATOR
        after = await w.app.queries.board(stage_id)
        assert after.version == before.version
        assert (await w.app.queries.roster(stage_id)).blocked == {w["alice"].id}
        lifted = await w.command("carol", f"unblock <@{w['alice'].id}|alice>")
        assert "blocked" not in lifted.text.lower() or "no longer" in lifted.text.lower()
        assert "speaker" in (await w.command("alice", "next")).text


UNKNOWN = "Slack knows no member {user} in this workspace; nothing was changed."


async def test_members_named_by_id_are_checked_with_slack_before_anything_names_them(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Ids")
        stage_id = await w.stage_id()
        before = await w.app.queries.board(stage_id)
        for text in ("approve U0NOPE01", "mod add <@U0NOPE01|ghost>", "invite U0NOPE01", "block U0NOPE01"):
            answer = await w.command("alice", text)
            assert answer.text == render(Message(UNKNOWN, {"user": "U0NOPE01"}), "en"), text
        assert (await w.app.queries.board(stage_id)).version == before.version
        assert "U0NOPE01" not in w.fake.dms
        asked = [c for c in w.fake.calls if c.method == "users.info" and c.args.get("user") == "U0NOPE01"]
        assert len(asked) == 1  # an unknown id is remembered, not asked about again and again


async def test_a_forged_menu_naming_a_member_slack_does_not_know_is_refused(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Menu")
        stage_id = await w.stage_id()
        payload = w.slack.block_actions("podium_next", user=w["alice"], message=w.board())
        payload["actions"][0] = {"action_id": "podium_queue_0", "block_id": "q", "type": "overflow",
                                 "selected_option": {"text": {"type": "plain_text", "text": "x"},
                                                     "value": f"approve:{stage_id}:U0NOPE01"}}
        response = await w.slack.post(urlencode({"payload": json.dumps(payload)}),
                                      "application/x-www-form-urlencoded", payload=payload)
        assert response.status == 200 and response.in_time
        hook = w.fake.response_urls[payload["response_url"]]
        await eventually(lambda: hook.posts, what="an answer")
        assert hook.posts[-1]["text"] == render(Message(UNKNOWN, {"user": "U0NOPE01"}), "en")
        assert not (await w.app.queries.roster(stage_id)).speakers


async def test_a_member_slack_does_not_know_is_told_so_not_that_something_went_wrong(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Ghosts")
        ghost = w.fake.add_user("ghost")
        w.people["ghost"] = ghost
        form = w.slack.slash_command_form("/stage", "raise", user=ghost, channel=w.room)
        del w.fake.state.users[ghost.id]  # deactivated and gone between the click and the lookup
        response = await w.slack.post(urlencode(form), "application/x-www-form-urlencoded", payload=form)
        assert response.status == 200 and response.in_time
        hook = w.fake.response_urls[form["response_url"]]
        await eventually(lambda: hook.posts, what="an answer")
        assert hook.posts[-1]["text"] == render(Message(UNKNOWN, {"user": ghost.id}), "en")
        assert (await w.app.queries.roster(await w.stage_id())).hands == ()


async def test_hand_roles_naming_everyone_are_refused_on_slack(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await w.command("alice", "open Roles")
        before = (await w.app.queries.board(await w.stage_id())).rules
        answer = await w.command("alice", "rules hand_mode=role hand_roles=<!channel>,<!here>")
        assert "hand_roles" in answer.text and "not mentions" in answer.text
        assert "<!channel>" not in answer.text  # quoted escaped, never a ping
        assert (await w.app.queries.board(await w.stage_id())).rules == before
