"""What Slack sends an app, built from the fake's state: shared by the HTTP and the Socket Mode senders.

Each method returns the payload only; how it travels (a signed form post, a JSON post, a Socket Mode
envelope) is the sender's business.
"""

from __future__ import annotations

from typing import Any

from . import events as ev
from . import payloads as pl
from .server import FakeSlack
from .state import Channel, Message, User, View


class SlackRequests:
    def __init__(self, fake: FakeSlack, *, api_app_id: str | None = None) -> None:
        self.fake = fake
        self.api_app_id = api_app_id or fake.bot.app_id or "A0PODIUM1"

    def slash_command_form(self, command: str, text: str, *, user: User | str,
                           channel: Channel | str) -> dict[str, str]:
        """Its trigger_id is registered with the fake (views.open takes it for 3 s) and its response_url is
        served by the fake (what the app posts there lands in `fake.responses`)."""
        u, ch = self._user(user), self._channel(channel)
        return pl.slash_command_form(
            self.fake.state, command=command, text=text, user=u, channel=ch, api_app_id=self.api_app_id,
            trigger_id=self.fake.issue_trigger(u.id),
            response_url=self.fake.new_response_url("commands", channel=ch.id, user=u.id))

    def block_actions(self, action_id: str, *, user: User | str, message: Message | None = None,
                      view: View | None = None, value: Any = None) -> dict[str, Any]:
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
        return pl.block_actions(
            self.fake.state, action=pl.action_of(element, block_id, value=value), user=u,
            api_app_id=self.api_app_id, trigger_id=self.fake.issue_trigger(u.id), message=message,
            view=view_payload, response_url=response_url)

    def view_submission(self, view: View, *, user: User | str, values: dict[str, Any]) -> dict[str, Any]:
        """Submit of the modal `view` with {action_id: value} typed into its inputs."""
        u = self._user(user)
        return pl.view_submission(self.fake.state, view=self._view_object(view),
                                  values=pl.input_values(view, values), user=u, api_app_id=self.api_app_id,
                                  trigger_id=self.fake.issue_trigger(u.id))

    def event_callback(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """An Events API `event_callback` wrapping `event` (build it with `tests.fakes.slack.events`)."""
        return ev.envelope(self.fake.state, event, api_app_id=self.api_app_id,
                           event_id=event_id or ev.new_event_id(), event_time=int(self.fake.state.now()))

    def _user(self, user: User | str) -> User:
        return user if isinstance(user, User) else self.fake.state.users[user]

    def _channel(self, channel: Channel | str) -> Channel:
        return channel if isinstance(channel, Channel) else self.fake.state.channels[channel]

    def _view_object(self, view: View) -> dict[str, Any]:
        from .registry import Ctx
        from .views import view_object

        return view_object(Ctx(self.fake.state, {}, self.fake.bot), view)
