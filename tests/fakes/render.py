"""A message the fakes recorded, as HTML that looks like the platform's client: a Discord message with its embed
and buttons, a Slack message with its Block Kit blocks. docs/screenshots.py photographs them for the README."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

_DISCORD_CSS = """
body{margin:0;background:#313338;font-family:'DejaVu Sans',sans-serif;color:#dbdee1;font-size:15px}
.msg{display:flex;padding:16px 20px;gap:14px;width:640px}
.avatar{width:40px;height:40px;border-radius:50%;background:#5865f2;color:#fff;display:flex;align-items:center;
 justify-content:center;font-weight:bold;flex:none}
.name{color:#fff;font-weight:600}.bot{background:#5865f2;color:#fff;font-size:10px;border-radius:3px;padding:1px 4px;
 margin-left:4px;vertical-align:2px}.time{color:#949ba4;font-size:12px;margin-left:6px}
.embed{margin-top:6px;background:#2b2d31;border-left:4px solid;border-radius:4px;padding:10px 16px 14px;max-width:520px}
.title{color:#fff;font-weight:700;font-size:16px;margin:4px 0 6px}.desc{margin-bottom:8px}
.field{margin-top:8px}.fname{color:#fff;font-weight:700;font-size:14px;margin-bottom:2px}
.fvalue{white-space:pre-wrap;line-height:1.45}.mention{background:#3c4270;color:#c9cdfb;border-radius:3px;padding:0 2px}
code{background:#1e1f22;border-radius:3px;padding:1px 3px;font-size:13px}
.row{display:flex;gap:8px;margin-top:8px}.button{border-radius:3px;padding:6px 14px;color:#fff;font-size:14px}
.s1{background:#5865f2}.s2{background:#4e5058}.s3{background:#248046}.s4{background:#da373c}
"""

_SLACK_CSS = """
body{margin:0;background:#fff;font-family:'DejaVu Sans',sans-serif;color:#1d1c1d;font-size:15px}
.msg{display:flex;padding:16px 20px;gap:10px;width:640px}
.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;display:flex;align-items:center;
 justify-content:center;font-weight:bold;flex:none}
.name{font-weight:900}.app{background:#e8e8e8;color:#616061;font-size:10px;border-radius:2px;padding:1px 3px;
 margin-left:4px;vertical-align:2px}.time{color:#616061;font-size:12px;margin-left:6px}
.header{font-size:18px;font-weight:900;margin:6px 0 4px}.section{margin:4px 0;line-height:1.45;white-space:pre-wrap}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin:6px 0}
.context{color:#616061;font-size:12px;margin:4px 0;display:flex;gap:12px;flex-wrap:wrap}.divider{border-top:1px solid #ddd;margin:10px 0}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
code{background:#f6f6f6;border:1px solid #ddd;border-radius:3px;padding:0 3px;color:#e01e5a;font-size:13px}
.row{display:flex;gap:8px;margin-top:8px}.button{border:1px solid #ccc;border-radius:4px;padding:5px 12px;font-weight:700;
 font-size:14px;white-space:nowrap}.primary{background:#007a5a;border-color:#007a5a;color:#fff}.danger{color:#e01e5a;border-color:#e01e5a}
.select{border:1px solid #ccc;border-radius:4px;padding:5px 12px;color:#616061}
.line{display:flex;justify-content:space-between;align-items:center;gap:12px}
.overflow{border:1px solid #ccc;border-radius:4px;padding:0 9px;font-weight:900;color:#616061}
"""


def _page(css: str, body: str) -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}</body></html>"


# ---- Discord ---------------------------------------------------------------------------------------------

def _relative(stamp: int, now: float | None) -> str:
    """`<t:…:R>` as Discord shows it: "in 4 minutes" (relative to when the message was recorded)."""
    if now is None:
        return "soon"
    seconds = round(stamp - now)
    amount, unit = (abs(seconds) // 60, "minute") if abs(seconds) >= 60 else (abs(seconds), "second")
    text = f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"in {text}" if seconds >= 0 else f"{text} ago"


def _discord_markdown(text: str, names: Mapping[str, str], now: float | None = None) -> str:
    out = re.sub(r"<t:(\d+):R>", lambda m: _relative(int(m[1]), now), text)
    out = html.escape(out)
    out = re.sub(r"&lt;@!?(\d+)&gt;", lambda m: f"<span class='mention'>@{html.escape(names.get(m[1], m[1]))}</span>",
                 out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", out)
    return re.sub(r"(?<![*\w])\*([^*]+)\*", r"<i>\1</i>", out)


def discord_message(message: Mapping[str, Any], *, author: str, names: Mapping[str, str], when: str) -> str:
    now = message.get("now")
    parts = [f"<div class='msg'><div class='avatar'>{html.escape(author[:1])}</div><div>"
             f"<span class='name'>{html.escape(author)}</span><span class='bot'>APP</span>"
             f"<span class='time'>{html.escape(when)}</span>"]
    if message.get("content"):
        parts.append(f"<div>{_discord_markdown(message['content'], names)}</div>")
    for embed in message.get("embeds") or []:
        colour = f"#{int(embed.get('color') or 0x5865F2):06x}"
        parts.append(f"<div class='embed' style='border-color:{colour}'>")
        if embed.get("title"):
            parts.append(f"<div class='title'>{_discord_markdown(embed['title'], names)}</div>")
        if embed.get("description"):
            parts.append(f"<div class='desc'>{_discord_markdown(embed['description'], names)}</div>")
        for field in embed.get("fields") or []:
            parts.append(f"<div class='field'><div class='fname'>{_discord_markdown(field['name'], names)}</div>"
                         f"<div class='fvalue'>{_discord_markdown(field['value'], names, now)}</div></div>")
        parts.append("</div>")
    for row in message.get("components") or []:
        parts.append("<div class='row'>")
        for item in row.get("components") or []:
            emoji = (item.get("emoji") or {}).get("name") or ""
            label = f"{emoji} {item.get('label') or ''}".strip()
            if item.get("type") == 2:
                parts.append(f"<span class='button s{int(item.get('style') or 2)}'>{html.escape(label)}</span>")
            else:
                parts.append(f"<span class='button s2'>{html.escape(item.get('placeholder') or 'Choose…')}</span>")
        parts.append("</div>")
    parts.append("</div></div>")
    return _page(_DISCORD_CSS, "".join(parts))


# ---- Slack -----------------------------------------------------------------------------------------------

def _mrkdwn(text: str, names: Mapping[str, str]) -> str:
    out = re.sub(r"<!date\^\d+\^[^|>]*\|([^>]*)>", r"\1", text)  # a client shows it in the reader's zone
    out = html.escape(out)
    out = re.sub(r"&lt;@(\w+)&gt;", lambda m: f"<span class='mention'>@{html.escape(names.get(m[1], m[1]))}</span>",
                 out)
    out = re.sub(r"&lt;!(here|channel|everyone)&gt;", r"<span class='mention'>@\1</span>", out)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]+)&gt;", r"<u>\2</u>", out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(?<![\w*])\*([^*\n]+)\*", r"<b>\1</b>", out)
    return re.sub(r"(?<![\w_])_([^_\n]+)_", r"<i>\1</i>", out)


def _text(obj: Mapping[str, Any] | None, names: Mapping[str, str]) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return _mrkdwn(obj.get("text", ""), names)
    return html.escape(obj.get("text", ""))


def _element(element: Mapping[str, Any], names: Mapping[str, str]) -> str:
    if element.get("type") == "button":
        style = element.get("style") or ""
        return f"<span class='button {style}'>{_text(element.get('text'), names)}</span>"
    if element.get("type") in {"mrkdwn", "plain_text"}:
        return f"<span>{_text(element, names)}</span>"
    if element.get("type") == "overflow":
        return "<span class='overflow'>⋮</span>"
    placeholder = _text(element.get("placeholder"), names) or html.escape(element.get("type", ""))
    return f"<span class='select'>{placeholder} ▾</span>"


def slack_message(blocks: list[Mapping[str, Any]], *, author: str, names: Mapping[str, str], when: str) -> str:
    parts = [f"<div class='msg'><div class='avatar'>{html.escape(author[:1])}</div><div style='flex:1'>"
             f"<span class='name'>{html.escape(author)}</span><span class='app'>APP</span>"
             f"<span class='time'>{html.escape(when)}</span>"]
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            parts.append(f"<div class='header'>{_text(block.get('text'), names)}</div>")
        elif kind == "section":  # an accessory sits at the right of the section's text
            parts.append("<div class='line'><div>")
            if block.get("text"):
                parts.append(f"<div class='section'>{_text(block['text'], names)}</div>")
            if block.get("fields"):
                parts.append("<div class='fields'>" + "".join(
                    f"<div class='section'>{_text(f, names)}</div>" for f in block["fields"]) + "</div>")
            parts.append("</div>")
            if block.get("accessory"):
                parts.append(_element(block["accessory"], names))
            parts.append("</div>")
        elif kind == "context":
            parts.append("<div class='context'>" + " ".join(
                _element(e, names) for e in block.get("elements") or []) + "</div>")
        elif kind == "divider":
            parts.append("<div class='divider'></div>")
        elif kind == "actions":
            parts.append("<div class='row'>" + "".join(
                _element(e, names) for e in block.get("elements") or []) + "</div>")
    parts.append("</div></div>")
    return _page(_SLACK_CSS, "".join(parts))
