"""The registry REST handlers add themselves to, and what a handler receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from .spec import truthy

if TYPE_CHECKING:
    from .server import FakeDiscord

Handler = Callable[["Call"], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}

#: Routes authenticated by the token in their path, not by ``Authorization``.
TOKEN_IN_PATH = ("/webhooks/{webhook_id}/{webhook_token}", "/interactions/")


def route(*keys: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``"METHOD /template"`` keys (templates as in the spec)."""

    def register(handler: Handler) -> Handler:
        for key in keys:
            HANDLERS[key] = handler
        return handler

    return register


@dataclass
class Reply:
    """A non-default answer: any status, JSON (dict/list) or no body (None)."""

    status: int
    body: Any = None


@dataclass
class Call:
    fake: FakeDiscord
    route: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    headers: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, content) of a multipart upload

    @property
    def store(self):  # noqa: ANN201 - the Store
        return self.fake.store

    def body(self) -> dict[str, Any]:
        return self.json if isinstance(self.json, dict) else {}

    def flag(self, name: str) -> bool:
        return truthy(self.query.get(name))

    def reason(self) -> str | None:
        return self.headers.get("X-Audit-Log-Reason")


def load_handlers() -> None:
    """Import the handler modules (they register themselves)."""
    from . import rest_core, rest_guild, rest_interactions, rest_messages, rest_roles, rest_voice  # noqa: F401
