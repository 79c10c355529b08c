"""Sentences as Slack shows them: catalogue messages rendered with <@U…> mentions and escaped user text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.surface.table import TABLE

Say = Callable[[Message], str]

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_GROUP = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_GROUP_ID = re.compile(r"S[A-Z0-9]{2,}")


class Markup(str):
    """Slack markup the adapter built itself (a date token, a mention): inserted into a sentence as it is."""


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def group_mention(group_id: str) -> str:
    return f"<!subteam^{group_id}>"


def escape(text: str) -> str:
    """User text in mrkdwn: `<`, `>` and `&` would otherwise make links, mentions or @channel pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """What Slack sends in a slash command's text is escaped the same way."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _safe(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Message):
        return safe(value)
    return value


def safe(message: Message) -> Message:
    return replace(message, params={name: _safe(value) for name, value in message.params.items()})


# Slack gives Podium one slash command: a sentence's `/help` or `/follow tag …` is typed `/stage help` there
# (`/help` alone is Slack's own). The words are the table's, as the Slack grammar reads them after `/stage`.
_TYPED = {row.path[1] if row.path[0] == "stage" and len(row.path) > 1 else row.path[0] for row in TABLE}
_HINT = re.compile(r"(?<![\w/<&])/(" + "|".join(sorted(map(re.escape, _TYPED - {"stage"}), key=len, reverse=True))
                   + r")\b")


def slash_hints(sentence: str) -> str:
    return _HINT.sub(r"/stage \1", sentence)


def say(message: Message, locale: str) -> str:
    return render(safe(message), locale, mention=mention, hints=slash_hints)


def sayer(locale: str) -> Say:
    return lambda message: say(message, locale)



def user_id(token: str) -> str | None:
    """The member a command names: an escaped mention `<@U…|name>`, or a bare id."""
    found = _USER.fullmatch(token.strip())
    if found:
        return found.group(1)
    return token if _USER_ID.fullmatch(token.strip()) else None


def plain_ids(text: str) -> str:
    """Mentions of members and user groups as bare ids (rules name user groups by id)."""
    return _GROUP.sub(lambda m: m.group(1), _USER.sub(lambda m: m.group(1), text))


def is_user_id(value: str) -> bool:
    return bool(_USER_ID.fullmatch(value))


def is_group_id(value: str) -> bool:
    return bool(_GROUP_ID.fullmatch(value))


def date_token(at: datetime, fmt: str = "{time_secs}") -> Markup:
    """Slack shows it in each reader's own time zone; the fallback (for clients that cannot) is UTC, with the
    date when the format shows one."""
    utc = at.astimezone(UTC)
    fallback = f"{utc:%Y-%m-%d %H:%M} UTC" if "{date" in fmt else f"{utc:%H:%M:%S} UTC"
    return Markup(f"<!date^{int(at.timestamp())}^{fmt}|{fallback}>")
