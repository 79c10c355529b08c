"""The table of Web API methods the fake serves, and what their handlers share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .state import Channel, SlackState, User


class SlackError(Exception):
    """A Slack `{"ok": false, "error": ...}` answer (HTTP 200), with optional extra fields."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Ctx:
    state: SlackState
    args: dict[str, Any]
    actor: User  # whose token made the call: the bot, or a person for a user token
    origin: str = ""  # the fake's own http://host:port, for answers that point back at it

    def get(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)

    def flag(self, name: str) -> bool:
        value = self.args.get(name)
        return value is True or value == 1 or (isinstance(value, str) and value.lower() in ("true", "1"))

    def channel(self, *, must_be_member: bool = True, name: str = "channel") -> Channel:
        """The conversation named by `name`, refused the way Slack refuses it."""
        ref = self.args.get(name)
        ch = self.state.resolve_channel(str(ref)) if ref else None
        if ch is None:
            raise SlackError("channel_not_found")
        member = self.actor.id in ch.members
        if (ch.is_private or ch.is_im) and not member:
            raise SlackError("channel_not_found")  # private conversations are invisible to outsiders
        if must_be_member and ch.is_archived:
            raise SlackError("is_archived")
        if must_be_member and not member:
            raise SlackError("not_in_channel")
        return ch

    def user(self, name: str = "user") -> User:
        uid = self.args.get(name)
        if not uid or uid not in self.state.users:
            raise SlackError("user_not_found")
        return self.state.users[uid]


Handler = Callable[[Ctx], dict[str, Any]]
METHODS: dict[str, Handler] = {}
APP_LEVEL: set[str] = set()  # methods called with an app-level token (xapp-...), and only with one


def method(name: str, *, app_level: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        if app_level:
            APP_LEVEL.add(name)
        return fn
    return register


def split_ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]
