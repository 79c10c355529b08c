"""A loopback fake Slack for tests.

- `FakeSlack`: the Web API (and response_url host) the real `AsyncWebClient(base_url=fake.api_url)`
  calls; records calls, checks them against Slack's API description, can rate-limit.
- `SlackSender`: posts really signed slash commands, clicks, view submissions and events to an app.
- `serve_bolt_app`: serves a real bolt `AsyncApp` on 127.0.0.1 for the sender to reach.
- Socket Mode: `apps.connections.open` with `fake.app_token` hands out the fake's WebSocket (`fake.socket`:
  connections, deliveries and their acks, refresh/drop/cut); `SocketSender` sends what `SlackSender` posts,
  as envelopes on it.
- `events`: Events API payloads (huddles, App Home, channel joins, messages).

    async with FakeSlack() as fake:
        alice = fake.add_user("alice", is_admin=True)
        room = fake.add_channel("stage", members=[alice.id])
        app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=fake.token, base_url=fake.api_url))
        ...  # listeners
        async with serve_bolt_app(app) as url, SlackSender(url, SECRET, fake) as slack:
            acked = await slack.slash_command("/stage", "open", user=alice, channel=room)
            [post] = await fake.wait_for("chat.postMessage", channel=room.id)
        fake.assert_no_spec_violations()
"""

from . import events
from .appserver import serve_bolt_app
from .server import FakeSlack, RecordedCall, ResponseUrl
from .signing import AppResponse, SlackSender, sign
from .socket_mode import Delivery
from .socket_sender import SocketSender
from .spec import SpecViolation
from .state import Channel, Message, Team, User, UserGroup, View

__all__ = [
    "AppResponse", "Channel", "Delivery", "FakeSlack", "Message", "RecordedCall", "ResponseUrl", "SlackSender",
    "SocketSender", "SpecViolation", "Team", "User", "UserGroup", "View", "events", "serve_bolt_app", "sign",
]
