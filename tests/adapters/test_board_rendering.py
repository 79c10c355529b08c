"""The README's board pictures come from the fakes' recorded payloads: the HTML shows the members by name,
the queue in order and the buttons, as the platform's client would."""

from __future__ import annotations

from tests.fakes.render import discord_message, slack_message


def test_a_discord_board_renders_names_times_and_buttons() -> None:
    message = {"now": 1000.0, "embeds": [{"title": "🎙️ Weekly AMA", "description": "Pricing", "color": 5793266,
                                          "fields": [{"name": "Speakers (1/5)", "value": "<@11> · ⏳ <t:1180:R>"},
                                                     {"name": "Queue (1)", "value": "`#1` <@12> *(away)*"}]}],
               "components": [{"type": 1, "components": [
                   {"type": 2, "style": 1, "label": "Raise hand", "emoji": {"name": "✋"}},
                   {"type": 2, "style": 4, "label": "Deny…"}]}]}
    page = discord_message(message, author="Podium", names={"11": "Carol", "12": "Dave"}, when="now")
    assert "@Carol</span> · ⏳ in 3 minutes" in page and "<code>#1</code> <span class='mention'>@Dave" in page
    assert "<i>(away)</i>" in page and "border-color:#586654" not in page and "#5865f2" in page
    assert "class='button s1'>✋ Raise hand</span>" in page and "class='button s4'>Deny…" in page


def test_a_slack_board_renders_blocks() -> None:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Weekly AMA"}},
              {"type": "section", "text": {"type": "mrkdwn", "text": "*#1* <@U1> until <!date^60^{time}|00:01 UTC>"},
               "accessory": {"type": "overflow", "options": []}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "4 in the huddle"}]},
              {"type": "actions", "elements": [{"type": "button", "style": "primary",
                                                "text": {"type": "plain_text", "text": "Raise hand"}}]}]
    page = slack_message(blocks, author="Podium", names={"U1": "carol"}, when="now")
    assert "<div class='header'>Weekly AMA</div>" in page
    assert "<b>#1</b> <span class='mention'>@carol</span> until 00:01 UTC" in page
    assert "class='overflow'>⋮" in page and "class='button primary'>Raise hand" in page
