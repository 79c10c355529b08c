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

from .requests import SlackRequests
from .server import FakeSlack
from .socket_mode import Delivery
from .state import Channel, Message, User, View


class SocketSender(SlackRequests):
    def __init__(self, fake: FakeSlack, *, api_app_id: str | None = None, timeout: float = 5.0) -> None:
        super().__init__(fake, api_app_id=api_app_id)
        self.timeout = timeout  # how long to wait for an ack; Slack itself gives up after 3 s

    async def slash_command(self, command: str, text: str = "", *, user: User | str,
                            channel: Channel | str) -> Delivery:
        form = self.slash_command_form(command, text, user=user, channel=channel)
        return await self._send("slash_commands", form, accepts_response_payload=True)

    async def block_action(self, action_id: str, *, user: User | str, message: Message | None = None,
                           view: View | None = None, value: Any = None) -> Delivery:
        payload = self.block_actions(action_id, user=user, message=message, view=view, value=value)
        return await self._send("interactive", payload, accepts_response_payload=True)

    async def view_submission(self, view: View, *, user: User | str, values: dict[str, Any]) -> Delivery:
        payload = super().view_submission(view, user=user, values=values)
        delivery = await self._send("interactive", payload, accepts_response_payload=True)
        if delivery.ack is not None and not delivery.response:
            view.closed = True  # an ack without a response_action closes the modal
        return delivery

    async def event(self, event: dict[str, Any], *, event_id: str | None = None) -> Delivery:
        return await self._send("events_api", self.event_callback(event, event_id=event_id),
                                accepts_response_payload=False, retry_attempt=0)

    async def retry(self, first: Delivery, *, attempt: int = 1, reason: str = "timeout") -> Delivery:
        """Slack's redelivery of an event it saw no ack for: a new envelope, the same body and event_id."""
        return await self._send("events_api", first.payload, accepts_response_payload=False,
                                retry_attempt=attempt, retry_reason=reason)

    async def _send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool,
                    retry_attempt: int | None = None, retry_reason: str = "") -> Delivery:
        return await self.fake.socket.deliver(kind, payload, accepts_response_payload=accepts_response_payload,
                                              retry_attempt=retry_attempt, retry_reason=retry_reason,
                                              timeout=self.timeout)
