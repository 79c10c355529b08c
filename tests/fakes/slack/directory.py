"""Who is who: auth.test, users.info, usergroups.users.list, team.info."""

from __future__ import annotations

from typing import Any

from .registry import Ctx, SlackError, method


@method("auth.test")
def auth_test(ctx: Ctx) -> dict[str, Any]:
    team, actor = ctx.state.team, ctx.actor
    answer: dict[str, Any] = {"url": f"https://{team.domain}.slack.com/", "team": team.name, "user": actor.name,
                              "team_id": team.id, "user_id": actor.id}
    if actor.is_bot:
        answer["bot_id"] = actor.bot_id
    answer["is_enterprise_install"] = False
    return answer


@method("users.info")
def users_info(ctx: Ctx) -> dict[str, Any]:
    user = ctx.user()
    return {"user": ctx.state.user_object(user, include_locale=ctx.flag("include_locale"))}


@method("usergroups.users.list")
def usergroups_users_list(ctx: Ctx) -> dict[str, Any]:
    group = ctx.state.usergroups.get(str(ctx.get("usergroup")))
    if group is None:
        raise SlackError("no_such_subteam")
    if group.disabled and not ctx.flag("include_disabled"):
        raise SlackError("no_such_subteam")
    return {"users": list(group.users)}


@method("team.info")
def team_info(ctx: Ctx) -> dict[str, Any]:
    team = ctx.state.team
    wanted = ctx.get("team")
    if wanted and wanted != team.id:
        raise SlackError("team_not_found")
    return {"team": {
        "id": team.id, "name": team.name, "url": f"https://{team.domain}.slack.com/", "domain": team.domain,
        "email_domain": team.email_domain, "is_verified": False, "discoverable": None,
        "avatar_base_url": "https://ca.slack-edge.com/",
        "icon": {"image_default": True, "image_34": "https://a.slack-edge.com/team_34.png",
                 "image_44": "https://a.slack-edge.com/team_44.png",
                 "image_68": "https://a.slack-edge.com/team_68.png"},
    }}
