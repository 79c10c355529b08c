"""Follows on Slack: signed slash commands into the real bolt app and the fake Slack (dave's Slack speaks
French); a stage opening with a followed tag or host DMs each follower once, with the channel to join."""

from __future__ import annotations

from pathlib import Path

from tests.support.slack import World, eventually, slack_world


async def dms_of(w: World, name: str, count: int) -> list[str]:
    await eventually(lambda: len(w.dm_texts(name)) >= count, what=f"{count} DMs to {name}")
    await w.settle()
    return w.dm_texts(name)


async def test_follow_commands_and_one_dm_per_follower_when_a_stage_opens(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        alice = w["alice"].id
        followed = await w.command("bob", "follow tag pricing, design")
        assert followed.text == "You follow #pricing #design: a direct message tells you when their stages open " \
                                "or are scheduled."
        french = await w.command("dave", f"follow host <@{alice}|alice>")
        assert french.text == f"Vous suivez <@{alice}> : un message privé vous prévient quand leurs scènes ouvrent " \
                              "ou sont programmées."
        await w.command("carol", "follow tag design")
        await w.command("carol", f"follow host <@{alice}>")
        assert (await w.command("carol", "follows")).text.splitlines() == [
            "You follow 2 tags and hosts (at most 50):", "Tags: #design", f"Host: <@{alice}>"]
        await w.command("alice", "follow tag pricing")  # the host herself
        await w.command("alice", "open Weekly AMA tags=pricing,design")
        bob = await dms_of(w, "bob", 1)
        assert bob == [f"🔔 Live now: “Weekly AMA”, hosted by <@{alice}> · #pricing #design. "
                       f"You follow #pricing #design.\n<#{w.room.id}>"]
        dave = await dms_of(w, "dave", 1)
        assert dave == [f"🔔 En direct : « Weekly AMA », animée par <@{alice}> · #pricing #design. "
                        f"Vous suivez <@{alice}>.\n<#{w.room.id}>"]
        assert len(await dms_of(w, "carol", 1)) == 1  # a tag and the host: one message
        assert not any("Weekly AMA" in t for t in w.dm_texts("alice"))
        dm = [c for c in w.fake.calls_to("chat.postMessage") if c.args.get("channel") == w["bob"].id][-1]
        assert dm.args.get("unfurl_links") in (False, "false", "0")


async def test_follow_off_and_refusals_in_french(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("dave", "follow tag pricing")
        assert (await w.command("dave", "follow off tag pricing")).text == "Vous ne suivez plus #pricing."
        assert (await w.command("dave", "follow off tag pricing")).text == "Vous ne suiviez pas #pricing."
        assert (await w.command("dave", "follows")).text == "Vous ne suivez aucune étiquette ni aucun hôte ici. " \
                                                            "Essayez /stage follow tag prix ou /stage follow host @quelquun."
        refused = await w.command("dave", "follow tag c++")
        assert refused.text == "Une étiquette ne contient que des lettres, des chiffres, - et _ ; pas « c++ »."
        mine = await w.command("dave", f"follow host <@{w['dave'].id}>")
        assert mine.text == "Vos propres scènes, c’est vous qui les ouvrez : suivez quelqu’un d’autre."
        await w.command("alice", "open Weekly AMA tags=pricing")
        await w.settle()
        assert not any("Weekly AMA" in t for t in w.dm_texts("dave"))


async def test_the_commands_a_sentence_names_are_written_as_slack_members_type_them(tmp_path: Path) -> None:
    """Slack gives Podium the one `/stage`: `/help` alone is Slack's own help, `/follow` is no command there."""
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        assert (await w.command("bob", "follows")).text == "You follow no tag and no host here. Try " \
                                                           "/stage follow tag pricing or /stage follow host @someone."
        assert (await w.command("bob", "zzz")).text.endswith("Type /stage help for the list.")
        assert (await w.command("dave", "zzz")).text.endswith("Tapez /stage help pour voir la liste.")
        assert (await w.command("bob", "help")).text  # and what the hint names answers
