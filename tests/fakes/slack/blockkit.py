"""A light Block Kit check: the refusals Slack gives for malformed blocks and views.

Messages: `invalid_blocks_format` when `blocks` is not an array, `invalid_blocks` for a bad block
(with `response_metadata.messages` naming it by json-pointer), `msg_too_long`, `no_text`,
`too_many_attachments`. Views: `invalid_arguments`, as Slack answers views.* with a bad view.
Only limits Slack documents are enforced; unknown block types are refused too.
"""

from __future__ import annotations

import copy
import json
import secrets
import string
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELD = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_ID = 255
MAX_MESSAGE_TEXT = 40000  # Slack refuses longer `text` with msg_too_long
MAX_ATTACHMENTS = 100
MAX_VIEW_TITLE = 24

BLOCK_TYPES = frozenset({"section", "divider", "image", "actions", "context", "input", "header", "rich_text",
                         "video", "file", "markdown", "table", "call", "context_actions"})
INTERACTIVE = frozenset({"button", "static_select", "external_select", "users_select", "conversations_select",
                         "channels_select", "multi_static_select", "multi_external_select", "multi_users_select",
                         "multi_conversations_select", "multi_channels_select", "overflow", "datepicker",
                         "timepicker", "datetimepicker", "checkboxes", "radio_buttons", "plain_text_input",
                         "email_text_input", "url_text_input", "number_input", "rich_text_input",
                         "file_input", "workflow_button"})


class BlockKitError(Exception):
    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error, messages)
        self.error = error
        self.messages = messages or []


def decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def with_block_ids(blocks: Any) -> Any:
    """A copy of `blocks` where each block lacking a block_id has one, as Slack stores them."""
    if not isinstance(blocks, list):
        return blocks
    stored = copy.deepcopy(blocks)
    for block in stored:
        if isinstance(block, dict) and "block_id" not in block:
            block["block_id"] = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(5))
    return stored


def check_message(text: Any, blocks: Any, attachments: Any, *, require_content: bool = True) -> None:
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        raise BlockKitError("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise BlockKitError("invalid_blocks_format", ["[ERROR] must provide an array [json-pointer:/blocks]"])
        problems = check_blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
        if problems:
            raise BlockKitError("invalid_blocks", problems)
    if attachments is not None:
        if not isinstance(attachments, list):
            raise BlockKitError("invalid_attachments")
        if len(attachments) > MAX_ATTACHMENTS:
            raise BlockKitError("too_many_attachments")
    if require_content and not text and not blocks and not attachments:
        raise BlockKitError("no_text")


def check_view(view: Any, *, expect: str | None = None) -> None:
    """Raises invalid_arguments for a view Slack would refuse."""
    if not isinstance(view, dict):
        raise BlockKitError("invalid_arguments", ["[ERROR] must be an object [json-pointer:/view]"])
    problems: list[str] = []
    vtype = view.get("type")
    if vtype not in ("modal", "home"):
        problems.append("[ERROR] must be one of modal, home [json-pointer:/view/type]")
    elif expect and vtype != expect:
        problems.append(f"[ERROR] must be {expect} for this method [json-pointer:/view/type]")
    if vtype == "modal":
        problems += _text_problems(view.get("title"), "/view/title", MAX_VIEW_TITLE, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                problems += _text_problems(view[key], f"/view/{key}", MAX_VIEW_TITLE, plain_only=True)
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view/blocks]")
    else:
        problems += check_blocks(blocks, "/view/blocks", MAX_VIEW_BLOCKS)
        if vtype == "modal" and "submit" not in view and any(
                isinstance(b, dict) and b.get("type") == "input" for b in blocks):
            problems.append("[ERROR] must provide submit when blocks contain input [json-pointer:/view/submit]")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id", ""))) > MAX_ID:
        problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    if problems:
        raise BlockKitError("invalid_arguments", problems)


def check_blocks(blocks: list[Any], pointer: str, limit: int) -> list[str]:
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{pointer}/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:{at}]")
            continue
        btype = block["type"]
        if btype not in BLOCK_TYPES:
            problems.append(f"[ERROR] unsupported type: {btype} [json-pointer:{at}/type]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id or len(block_id) > MAX_ID:
                problems.append(f"[ERROR] invalid block_id [json-pointer:{at}/block_id]")
            elif block_id in block_ids:
                problems.append(f"[ERROR] duplicate block_id: {block_id} [json-pointer:{at}/block_id]")
            block_ids.add(str(block_id))
        problems += _block_problems(block, at)
        for el_at, element in _elements(block, at):
            problems += _element_problems(element, el_at, action_ids)
    return problems


def _block_problems(block: dict[str, Any], at: str) -> list[str]:
    btype = block["type"]
    if btype == "section":
        if "text" not in block and "fields" not in block:
            return [f"[ERROR] must provide text or fields [json-pointer:{at}]"]
        problems = _text_problems(block["text"], f"{at}/text", MAX_SECTION_TEXT) if "text" in block else []
        fields = block.get("fields", [])
        if not isinstance(fields, list) or len(fields) > 10:
            problems.append(f"[ERROR] no more than 10 items allowed [json-pointer:{at}/fields]")
        else:
            for j, f in enumerate(fields):
                problems += _text_problems(f, f"{at}/fields/{j}", MAX_SECTION_FIELD)
        return problems
    if btype == "header":
        return _text_problems(block.get("text"), f"{at}/text", MAX_HEADER_TEXT, plain_only=True)
    if btype in ("actions", "context"):
        elements = block.get("elements")
        cap = 25 if btype == "actions" else 10
        if not isinstance(elements, list) or not elements:
            return [f"[ERROR] must provide a non-empty array [json-pointer:{at}/elements]"]
        if len(elements) > cap:
            return [f"[ERROR] no more than {cap} items allowed [json-pointer:{at}/elements]"]
        if btype == "context":  # a text object holds at most 3,000 characters, wherever it is
            return [problem for j, e in enumerate(elements) if isinstance(e, dict) and e.get("type") != "image"
                    for problem in _text_problems(e, f"{at}/elements/{j}", MAX_SECTION_TEXT)]
    if btype == "input":
        problems = _text_problems(block.get("label"), f"{at}/label", 2000, plain_only=True)
        if not isinstance(block.get("element"), dict):
            problems.append(f"[ERROR] missing required field: element [json-pointer:{at}]")
        return problems
    return []


def _elements(block: dict[str, Any], at: str) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if block["type"] == "actions" and isinstance(block.get("elements"), list):
        found += [(f"{at}/elements/{j}", e) for j, e in enumerate(block["elements"]) if isinstance(e, dict)]
    if isinstance(block.get("accessory"), dict):
        found.append((f"{at}/accessory", block["accessory"]))
    if block["type"] == "input" and isinstance(block.get("element"), dict):
        found.append((f"{at}/element", block["element"]))
    return [(p, e) for p, e in found if e.get("type") in INTERACTIVE]


def _element_problems(element: dict[str, Any], at: str, action_ids: set[str]) -> list[str]:
    problems: list[str] = []
    action_id = element.get("action_id")
    if action_id is not None:
        if not isinstance(action_id, str) or not action_id or len(action_id) > MAX_ID:
            problems.append(f"[ERROR] invalid action_id [json-pointer:{at}/action_id]")
        elif action_id in action_ids:
            problems.append(f"[ERROR] duplicate action_id: {action_id} [json-pointer:{at}/action_id]")
        action_ids.add(str(action_id))
    if element["type"] == "button":
        problems += _text_problems(element.get("text"), f"{at}/text", MAX_BUTTON_TEXT, plain_only=True)
        if len(str(element.get("value", ""))) > 2000:
            problems.append(f"[ERROR] must be less than 2001 characters [json-pointer:{at}/value]")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"[ERROR] must be one of primary, danger [json-pointer:{at}/style]")
    return problems


def _text_problems(obj: Any, at: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"[ERROR] missing required field: text object [json-pointer:{at}]"]
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in allowed:
        return [f"[ERROR] must be one of {', '.join(allowed)} [json-pointer:{at}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"[ERROR] must be more than 0 characters [json-pointer:{at}/text]"]
    if len(text) > limit:
        return [f"[ERROR] must be less than {limit + 1} characters [json-pointer:{at}/text]"]
    return []
