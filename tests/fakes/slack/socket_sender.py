"""SocketSender: what `SlackSender` posts over HTTP, delivered as Socket Mode envelopes instead.

The payloads are the ones Slack would POST, built the same way from the fake's state (payloads.py,
events.py), as JSON objects: a slash command's form fields (all strings), the interactive payload object,
the Events API `event_callback` body. Each call returns the `Delivery` once the app acked it (or after
`timeout` without an ack), so a test reads the same in both modes:

    async with FakeSlack() as fake:
        ...  # the app connects with fake.app_token
        slack = SocketSender(fake)
        acked = await slack.slash_command("/stage", "open", user=alice, channel=room)
        assert acked.in_time and acked.payload["response_url"] in fake.response_urls

Slack marks slash commands and interactive payloads `accepts_response_payload` (the ack may carry the
answer, or a view_submission's `response_action`), not events; an event envelope carries `retry_attempt`
and `retry_reason` (docs.slack.dev/apis/events-api/using-socket-mode).
"""

from __future__ import annotations

from typing import Any

from . import events as ev
from . import payloads as pl
from .registry import Ctx
from .server import FakeSlack
from .socket_mode import Delivery
from .state import Channel, Message, User, View
from .views import view_object


class SocketSender:
    def __init__(self, fake: FakeSlack, *, api_app_id: str | None = None, timeout: float = 5.0) -> None:
        self.fake = fake
        self.api_app_id = api_app_id or fake.bot.app_id or "A0PODIUM1"
        self.timeout = timeout  # how long to wait for an ack; Slack itself gives up after 3 s

    async def slash_command(self, command: str, text: str = "", *, user: User | str,
                            channel: Channel | str) -> Delivery:
        """A slash command; its trigger_id and response_url work as in `SlackSender.slash_command`."""
        u, ch = self._user(user), self._channel(channel)
        form = pl.slash_command_form(
            self.fake.state, command=command, text=text, user=u, channel=ch, api_app_id=self.api_app_id,
            trigger_id=self.fake.issue_trigger(u.id),
            response_url=self.fake.new_response_url("commands", channel=ch.id, user=u.id))
        return await self._send("slash_commands", form, accepts_response_payload=True)

    async def block_action(self, action_id: str, *, user: User | str, message: Message | None = None,
                           view: View | None = None, value: Any = None) -> Delivery:
        """A click on the element `action_id` of a message the bot posted, or of a view it opened."""
        u = self._user(user)
        if message is not None:
            block_id, element = pl.find_element(message.blocks or [], action_id)
            response_url = self.fake.new_response_url("actions", channel=message.channel, user=u.id,
                                                      message_ts=message.ts)
            view_payload = None
        elif view is not None:
            block_id, element = pl.find_element(view.payload.get("blocks", []), action_id)
            response_url, view_payload = None, self._view_object(view)
        else:
            raise ValueError("a click happens in a message or in a view")
        payload = pl.block_actions(
            self.fake.state, action=pl.action_of(element, block_id, value=value), user=u,
            api_app_id=self.api_app_id, trigger_id=self.fake.issue_trigger(u.id), message=message,
            view=view_payload, response_url=response_url)
        return await self._send("interactive", payload, accepts_response_payload=True)

    async def view_submission(self, view: View, *, user: User | str, values: dict[str, Any]) -> Delivery:
        """Submit of the modal `view` with {action_id: value} typed into its inputs."""
        u = self._user(user)
        payload = pl.view_submission(self.fake.state, view=self._view_object(view),
                                     values=pl.input_values(view, values), user=u, api_app_id=self.api_app_id,
                                     trigger_id=self.fake.issue_trigger(u.id))
        delivery = await self._send("interactive", payload, accepts_response_payload=True)
        if delivery.ack is not None and not delivery.response:
            view.closed = True  # an ack without a response_action closes the modal
        return delivery

    async def event(self, event: dict[str, Any], *, event_id: str | None = None) -> Delivery:
        """An Events API `event_callback` wrapping `event` (build it with `tests.fakes.slack.events`)."""
        body = ev.envelope(self.fake.state, event, api_app_id=self.api_app_id,
                           event_id=event_id or ev.new_event_id(), event_time=int(self.fake.state.now()))
        return await self._send("events_api", body, accepts_response_payload=False, retry_attempt=0)

    async def retry(self, first: Delivery, *, attempt: int = 1, reason: str = "timeout") -> Delivery:
        """Slack's redelivery of an event it saw no ack for: a new envelope, the same body and event_id."""
        return await self._send("events_api", first.payload, accepts_response_payload=False,
                                retry_attempt=attempt, retry_reason=reason)

    async def _send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool,
                    retry_attempt: int | None = None, retry_reason: str = "") -> Delivery:
        return await self.fake.socket.deliver(kind, payload, accepts_response_payload=accepts_response_payload,
                                              retry_attempt=retry_attempt, retry_reason=retry_reason,
                                              timeout=self.timeout)

    def _user(self, user: User | str) -> User:
        return user if isinstance(user, User) else self.fake.state.users[user]

    def _channel(self, channel: Channel | str) -> Channel:
        return channel if isinstance(channel, Channel) else self.fake.state.channels[channel]

    def _view_object(self, view: View) -> dict[str, Any]:
        return view_object(Ctx(self.fake.state, {}, self.fake.bot), view)
