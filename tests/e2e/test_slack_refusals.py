"""Who may do what on Slack: refusals are ephemeral, localized, and change nothing; the moderators are
workspace admins and owners plus SLACK_MODERATORS; guests are not members; invite-only stages keep their
private channel's membership in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.slack import slack_world, start_huddle


def en(msgid: str, **params: object) -> str:
    return render(Message(msgid, params), "en", mention=lambda u: f"<@{u}>")


NOT_MODERATOR = N_("Only the host and moderators can do that.")


@pytest.mark.parametrize("text", ["close", "topic New topic", "rules max_speakers=2", "lock", "unlock", "log",
                                  "next", "approve <@{carol}|carol>", "deny <@{carol}|carol>",
                                  "audience <@{carol}|carol>", "mod add <@{carol}|carol>",
                                  "invite <@{carol}|carol>", "remove <@{carol}|carol>", "block <@{carol}|carol>"])
async def test_members_are_refused_moderation_ephemerally_and_nothing_changes(tmp_path: Path, text: str) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("carol", 'open "Mine"')  # carol hosts
        await w.command("dave", "raise")
        before = await w.app.queries.board(await w.stage_id())
        answer = await w.command("bob", text.format(carol=w["carol"].id))
        assert answer.text == en(NOT_MODERATOR)
        assert answer.posts[-1]["response_type"] == "ephemeral"
        assert [e.user for e in w.fake.ephemerals] == [w["carol"].id, w["dave"].id, w["bob"].id]
        after = await w.app.queries.board(await w.stage_id())
        assert after.version == before.version


async def test_a_member_clicking_a_moderator_button_is_refused_ephemerally(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("carol", 'open "Buttons"')
        await w.command("dave", "raise")
        stage_id = await w.stage_id()
        for action, value in [("podium_next", None), ("podium_queue_0", f"approve:{stage_id}:{w['dave'].id}")]:
            answer = await w.click("bob", action, value=value)
            assert answer.text == en(NOT_MODERATOR)
            assert answer.posts[-1] == {"text": en(NOT_MODERATOR), "response_type": "ephemeral",
                                        "replace_original": False}
        assert (await w.app.queries.roster(stage_id)).hands == (w["dave"].id,)


async def test_refusals_speak_the_members_slack_language(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await start_huddle(w, "alice")  # seen, without dave in it
        await w.command("alice", 'open "Bonjour"')
        await w.until_present("alice")
        answer = await w.command("dave", "raise")  # dave's Slack is in fr-FR
        assert answer.text == render(Message(N_("Join the audio room before raising your hand.")), "fr")
        assert answer.text != en(N_("Join the audio room before raising your hand."))
        unknown = await w.command("dave", "dance")
        assert "/stage dance" in unknown.text
        assert await w.app.locales.for_member("slack", w.fake.team.id, w["dave"].id) == "fr"


async def test_admins_and_slack_moderators_moderate_everywhere_and_guests_are_not_members(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}, moderators="S0CREW001") as w:
        w.fake.add_usergroup("stage-crew", [w["frank"].id], id="S0CREW001")
        await w.command("carol", 'open "Members" visibility=members')
        await w.command("bob", "raise")
        assert (await w.command("alice", "lock")).text == en(N_("Hands are locked."))  # workspace admin
        assert (await w.command("frank", "unlock")).text == en(N_("Hands are unlocked."))  # in the user group
        guest = await w.command("erin", "raise")
        assert guest.text == en(N_("This stage is open to members of the space only."))


async def test_rules_name_user_groups_as_slack_mentions_them(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        speakers = w.fake.add_usergroup("speakers", [w["bob"].id])
        await w.command("alice", 'open "Roles"')
        changed = await w.command("alice", f"rules hand_mode=role hand_roles=<!subteam^{speakers.id}|@speakers>")
        assert speakers.id in changed.text
        assert (await w.command("bob", "raise")).text == en(N_("Hand raised, you are #{position}."), position=1)
        refused = await w.command("carol", "raise")
        assert refused.text == en(N_("Only members with one of these roles can raise a hand: {roles}."),
                                  roles=speakers.id)


async def test_invite_only_stages_live_in_private_channels(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        refused = await w.command("alice", 'open "Secret" visibility=invite-only')
        assert "private channel" in refused.text
        private = w.fake.add_channel("backstage", members=[w["alice"].id], is_private=True)
        await w.command("alice", 'open "Secret" visibility=invite-only', channel=private)
        assert w["frank"].id not in private.members
        invited = await w.command("alice", f"invite <@{w['frank'].id}|frank>", channel=private)
        assert invited.text == en(N_("{member} is invited."), member=f"<@{w['frank'].id}>")
        assert w["frank"].id in private.members
        assert en(N_("You are invited to the stage “{title}”."), title="Secret") in w.dm_texts("frank")
        blocked = await w.command("alice", f"block <@{w['frank'].id}|frank> trolling", channel=private)
        assert blocked.text == en(N_("{member} is blocked from this stage and the space's next ones."), member=f"<@{w['frank'].id}>")
        assert w["frank"].id not in private.members
        # removed (the kick), then kept out (already out: nothing more to do)
        assert [c.error for c in w.fake.calls_to("conversations.kick")] == [None, "not_in_channel"]
        hidden = w.fake.add_channel("hidden", members=[w["alice"].id], is_private=True, bot_member=False)
        outside = await w.command("alice", 'open "Hidden" visibility=invite-only', channel=hidden)
        assert "add the app" in outside.text
