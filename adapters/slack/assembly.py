"""The Slack adapter assembled: the adapter (what every listener shares) and the listeners on its bolt app.

Assembled here rather than in adapter.py, so the listeners (events, commands, actions) may name the adapter
they serve without the adapter importing them back.
"""

from __future__ import annotations

from typing import Any

from adapters.slack import actions, commands, events
from adapters.slack.adapter import SlackAdapter
from adapters.slack.client import web_client
from adapters.slack.settings import SlackSettings
from bot.bootstrap import App


def assemble(app: App, settings: SlackSettings, *, client: Any = None, board_interval: float = 1.0) -> SlackAdapter:
    """The adapter with its Web API client (SLACK_API_URL unless given one) and every listener registered."""
    adapter = SlackAdapter(app, settings, client=client or web_client(settings, metrics=app.metrics), board_interval=board_interval)
    events.register(adapter.bolt, adapter)
    commands.register(adapter.bolt, adapter)
    actions.register(adapter.bolt, adapter)
    return adapter
