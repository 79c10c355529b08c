"""Identity, gateway discovery, the application, and application commands."""

from __future__ import annotations

from typing import Any

from . import commands as cmds
from . import errors
from .routes import Call, Reply, route


@route("GET /users/@me")
async def get_me(call: Call) -> dict[str, Any]:
    return {**call.store.bot.payload(), "verified": True, "mfa_enabled": False, "locale": "en-US", "email": None}


@route("GET /users/{user_id}")
async def get_user(call: Call) -> dict[str, Any]:
    return call.store.user(call.params["user_id"]).payload()


@route("GET /gateway")
async def get_gateway(call: Call) -> dict[str, Any]:
    return {"url": call.fake.gateway_url}


@route("GET /gateway/bot")
async def get_gateway_bot(call: Call) -> dict[str, Any]:
    return {
        "url": call.fake.gateway_url,
        "shards": max(1, -(-len(call.store.guilds) // 1000)),  # Discord recommends one shard per 1,000 guilds
        "session_start_limit": {"total": 1000, "remaining": 1000 - call.fake.hub.identifies,
                                "reset_after": 86_400_000, "max_concurrency": call.fake.hub.max_concurrency},
    }


# Application flags of an unverified app whose privileged intents are on (verified apps get 1 << 12/14/18).
INTENT_FLAGS = {"presence": 1 << 13, "members": 1 << 15, "message_content": 1 << 19}


def application_flags(store: Any) -> int:
    return sum(flag for name, flag in INTENT_FLAGS.items() if name in store.privileged_intents)


def application(call: Call) -> dict[str, Any]:
    store = call.store
    flags = application_flags(store)
    return {
        "id": str(store.application_id),
        "name": store.bot.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot": store.bot.payload(),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": flags,
        "flags_new": str(flags),
        "owner": store.owner.payload(),
        "team": None,
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "event_webhooks_url": None,
        "event_webhooks_status": 1,
        "event_webhooks_types": [],
        "approximate_guild_count": len(store.guilds),
        "approximate_user_install_count": 0,
        "tags": [],
        "integration_types_config": {"0": {}},
        "rpc_origins": [],
    }


@route("GET /applications/@me", "GET /oauth2/applications/@me")
async def get_application(call: Call) -> dict[str, Any]:
    return application(call)


# -- application commands ----------------------------------------------------------


def _pool(call: Call) -> tuple[dict[int, dict[str, Any]], int | None]:
    if str(call.params["application_id"]) != str(call.store.application_id):
        raise errors.missing_access()
    if "guild_id" in call.params:
        guild = call.store.guild(call.params["guild_id"])
        return call.store.guild_commands.setdefault(guild.id, {}), guild.id
    return call.store.global_commands, None


@route("GET /applications/{application_id}/commands", "GET /applications/{application_id}/guilds/{guild_id}/commands")
async def list_commands(call: Call) -> list[dict[str, Any]]:
    pool, _ = _pool(call)
    return list(pool.values())


@route("PUT /applications/{application_id}/commands", "PUT /applications/{application_id}/guilds/{guild_id}/commands")
async def overwrite_commands(call: Call) -> list[dict[str, Any]]:
    pool, guild_id = _pool(call)
    bodies = call.json if isinstance(call.json, list) else []
    cmds.check_unique(bodies)
    by_key = {(c["type"], c["name"]): c for c in pool.values()}
    fresh = [cmds.stored_command(b, call.store.application_id, guild_id, by_key.get((b.get("type") or 1, b["name"]))) for b in bodies]
    pool.clear()
    for command in fresh:
        pool[int(command["id"])] = command
    return fresh


@route("POST /applications/{application_id}/commands", "POST /applications/{application_id}/guilds/{guild_id}/commands")
async def create_command(call: Call) -> Reply:
    pool, guild_id = _pool(call)
    body = call.body()
    old = next((c for c in pool.values() if c["name"] == body["name"] and c["type"] == (body.get("type") or 1)), None)
    command = cmds.stored_command(body, call.store.application_id, guild_id, old)
    pool[int(command["id"])] = command
    return Reply(200 if old else 201, command)


def _command(call: Call) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    pool, _ = _pool(call)
    command = pool.get(int(call.params["command_id"]))
    if command is None:
        raise errors.unknown_command()
    return pool, command


@route("GET /applications/{application_id}/commands/{command_id}", "GET /applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
async def get_command(call: Call) -> dict[str, Any]:
    return _command(call)[1]


@route("PATCH /applications/{application_id}/commands/{command_id}", "PATCH /applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
async def edit_command(call: Call) -> dict[str, Any]:
    _, command = _command(call)
    command.update({k: v for k, v in call.body().items() if k in command or k == "options"})
    return command


@route("DELETE /applications/{application_id}/commands/{command_id}", "DELETE /applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
async def delete_command(call: Call) -> None:
    pool, command = _command(call)
    del pool[int(command["id"])]


@route("GET /users/@me/guilds")
async def my_guilds(call: Call) -> list[dict[str, Any]]:
    store = call.store
    return [
        {"id": str(g.id), "name": g.name, "icon": None, "banner": None, "owner": False, "features": [],
         "permissions": str(store.bot_permissions(g))}
        for g in store.guilds.values()
    ]
