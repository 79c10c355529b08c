"""The board, the recap and the raise-hand modal as Block Kit; every word comes from the catalogues.

Buttons carry the stage id in their value, so a click names its stage wherever the board is (the channel,
the huddle's thread, an ephemeral status). Action ids are unique within a message, as Slack requires.
"""

from __future__ import annotations

import json
from datetime import timedelta
from collections.abc import Mapping
from typing import Any

from adapters.slack.text import Markup, Say, date_token, escape, mention
from bot.domain.members import Recap
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.i18n.terms import term
from bot.services.board import Board
from bot.surface.show import recap_messages, rules_summary

RAISE, LOWER, NEXT = "podium_raise", "podium_lower", "podium_next"
AUDIENCE, QUEUE = "podium_audience", "podium_queue"  # + "_{index}"
RAISE_MODAL, NOTE_BLOCK, NOTE_INPUT = "podium_raise_modal", "podium_note", "podium_note_input"
SHOWN_SPEAKERS = 10


def _t(say: Say, msgid: str, **params: object) -> str:
    return say(Message(msgid, params))


def _section(text: str, accessory: dict[str, Any] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def _context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text[:75], "emoji": True},
                               "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def board_summary(board: Board, say: Say) -> str:
    """The notification text of a board message (and what screen readers get). With no huddle seen, who is
    in the audio room is unknown: no count is shown rather than a false zero."""
    if not board.presence_known:
        return _t(say, N_("“{title}” · {state} · {visibility}"), title=board.ref.title, state=term(board.state),
                  visibility=term(board.visibility))
    return _t(say, N_("“{title}” · {state} · {visibility} · {present} in the huddle"), title=board.ref.title,
              state=term(board.state), visibility=term(board.visibility), present=board.present_count)


def _status(board: Board, say: Say) -> str:
    if not board.presence_known:
        return _t(say, N_("{state} · {visibility}"), state=term(board.state), visibility=term(board.visibility))
    return _t(say, N_("{state} · {visibility} · {present} in the huddle"), state=term(board.state),
              visibility=term(board.visibility), present=board.present_count)


def board_blocks(board: Board, say: Say, *, buttons: bool = True,
                 marks: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """`marks`: a member's badges as emoji, shown beside their name."""
    stage_id, rules = board.ref.stage_id, board.rules

    def named(user_id: str) -> str:
        mark = (marks or {}).get(user_id)
        return f"{mention(user_id)} {mark}" if mark else mention(user_id)

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": board.ref.title[:150], "emoji": True}},
        _context(_status(board, say), *([_t(say, N_("Topic: {topic}"), topic=board.topic)] if board.topic else [])),
        _section("*" + _t(say, N_("Speakers ({count}/{limit})"), count=len(board.speakers),
                          limit=rules.max_speakers) + "*"),
    ]
    for index, speaker in enumerate(board.speakers[:SHOWN_SPEAKERS]):
        line = "🎙 " + named(speaker.user_id)
        if speaker.seconds_left is not None:
            until = board.taken_at + timedelta(seconds=speaker.seconds_left)
            line += " · " + _t(say, N_("until {time}"), time=date_token(until))
        blocks.append(_section(line, button(_t(say, N_("Back to audience")), f"{AUDIENCE}_{index}",
                                            f"{stage_id}:{speaker.user_id}") if buttons else None))
    if not board.speakers:
        blocks.append(_context(_t(say, N_("Nobody has the floor."))))
    elif len(board.speakers) > SHOWN_SPEAKERS:
        blocks.append(_context(_t(say, N_("and {count} more"), count=len(board.speakers) - SHOWN_SPEAKERS)))
    blocks.append(_section("*" + _t(say, N_("Queue ({count})"), count=board.queue_length) + "*"))
    for index, line in enumerate(board.queue):
        text = f"#{line.position} {named(line.user_id)}"
        if line.note:
            text += " " + _t(say, N_("“{note}”"), note=line.note)
        if line.away:
            text += " " + _t(say, N_("(away)"))
        blocks.append(_section(text, _queue_menu(say, index, stage_id, line.user_id) if buttons else None))
    if not board.queue:
        blocks.append(_context(_t(say, N_("No hands raised."))))
    elif board.queue_length > len(board.queue):
        blocks.append(_context(_t(say, N_("and {count} more"), count=board.queue_length - len(board.queue))))
    footer = [say(rules_summary(rules))]
    if board.hands_locked:
        footer.append(_t(say, N_("Hands are locked.")))
    if board.rules.record:  # a Slack stage is never recorded (bots get no huddle audio), but the rule is shown
        footer.append(_t(say, N_("Recording is on, but Slack gives bots no huddle audio: nothing is recorded.")))
    if board.moderators:
        footer.append(_t(say, N_("Moderators: {names}"),
                         names=Markup(", ".join(mention(m) for m in board.moderators))))
    if board.links:  # in blocks, a link unfurls nothing
        blocks.append(_context(*(f"🔗 {link.number}. <{escape(link.url)}|{escape(link.label or link.url)}>"
                                 for link in board.links)))
    blocks.append(_context(*footer))
    if buttons:
        blocks.append({"type": "actions", "elements": [
            button(_t(say, N_("Raise hand")), RAISE, stage_id, "primary"),
            button(_t(say, N_("Lower hand")), LOWER, stage_id),
            button(_t(say, N_("Next speaker")), NEXT, stage_id),
        ]})
        blocks.append(_context(_t(say, N_("Slack cannot mute or unmute anyone in a huddle: whoever has the "
                                          "floor unmutes themselves, everyone else stays muted."))))
    return blocks


def _queue_menu(say: Say, index: int, stage_id: str, user_id: str) -> dict[str, Any]:
    def option(msgid: str, verb: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": _t(say, msgid)[:75]}, "value": f"{verb}:{stage_id}:{user_id}"}

    return {"type": "overflow", "action_id": f"{QUEUE}_{index}",
            "options": [option(N_("Give the floor"), "approve"), option(N_("Deny hand"), "deny")]}


def recap_lines(title: str, recap: Recap, say: Say) -> list[str]:
    return [say(line) for line in recap_messages(title, recap)]


def closed_blocks(board: Board, recap: Recap, say: Say) -> list[dict[str, Any]]:
    """The board once the stage has ended: no buttons, the recap instead of the queue."""
    lines = recap_lines(board.ref.title, recap, say)
    return [
        {"type": "header", "text": {"type": "plain_text", "text": board.ref.title[:150], "emoji": True}},
        _context(_status(board, say)),
        _section(lines[0]),
        *([_context("\n".join(lines[1:11]))] if len(lines) > 1 else []),
    ]


def raise_modal(say: Say, *, stage_id: str, title: str, channel_id: str, thread_ts: str | None,
                from_home: bool = False) -> dict[str, Any]:
    metadata = json.dumps({"stage": stage_id, "channel": channel_id, "thread": thread_ts, "home": from_home})
    return {
        "type": "modal", "callback_id": RAISE_MODAL, "private_metadata": metadata,
        "title": {"type": "plain_text", "text": _t(say, N_("Raise your hand"))[:24]},
        "submit": {"type": "plain_text", "text": _t(say, N_("Raise"))[:24]},
        "close": {"type": "plain_text", "text": _t(say, N_("Cancel"))[:24]},
        "blocks": [
            _section("*" + escape(title) + "*"),
            {"type": "input", "block_id": NOTE_BLOCK, "optional": True,
             "label": {"type": "plain_text", "text": _t(say, N_("A note for the moderators (optional)"))},
             "element": {"type": "plain_text_input", "action_id": NOTE_INPUT, "max_length": 100}},
        ],
    }
