"""What a click or a modal carries, read into typed values, or refused as unreadable.

Podium wrote every button value, select option and private_metadata itself, but Slack hands back whatever the
request says: a value without its separator, an option naming `U1> <!channel` as a member, metadata that is
not JSON. Each is read here, inside the work the click runs, so a forged one is answered with a localized
refusal (never a listener error, a 500 or a 3-second timeout).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from adapters.slack.text import is_user_id
from bot.surface.errors import Unreadable
from bot.surface.values import reference


def stage(value: Any) -> str:
    """A stage id as a board button carries it."""
    found = reference(value)
    if found is None:
        raise Unreadable()
    return found


def stage_and_member(value: Any) -> tuple[str, str]:
    """`<stage>:<user>`, as the board's "Back to audience" buttons carry it."""
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 2 or not is_user_id(parts[1]):
        raise Unreadable()
    return stage(parts[0]), parts[1]


def verb_stage_member(value: Any, verbs: Iterable[str]) -> tuple[str, str, str]:
    """`<verb>:<stage>:<user>`, as the queue's menus carry it."""
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 3 or parts[0] not in set(verbs) or not is_user_id(parts[2]):
        raise Unreadable()
    return parts[0], stage(parts[1]), parts[2]


def chosen(action: dict[str, Any]) -> Any:
    option = action.get("selected_option")
    return option.get("value") if isinstance(option, dict) else None


@dataclass(frozen=True, slots=True)
class ModalMeta:
    """What the raise-hand modal remembers: the stage, where to answer, whether it came from App Home."""

    stage: str
    channel: str | None
    thread: str | None
    home: bool


_SLACK_ID = re.compile(r"[A-Z0-9]{2,40}")
_TS = re.compile(r"\d{1,12}\.\d{1,8}")


def modal_meta(text: Any) -> ModalMeta:
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Unreadable()
    channel, thread = data.get("channel"), data.get("thread")
    if channel is not None and not (isinstance(channel, str) and _SLACK_ID.fullmatch(channel)):
        raise Unreadable()
    if thread is not None and not (isinstance(thread, str) and _TS.fullmatch(thread)):
        raise Unreadable()
    return ModalMeta(stage(data.get("stage")), channel, thread, data.get("home") is True)
