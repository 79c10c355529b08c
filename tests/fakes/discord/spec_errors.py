"""Translating JSON Schema failures into Discord's 50035 ``errors`` codes and messages."""

from __future__ import annotations

import re
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from . import errors


def leaves(error: ValidationError) -> list[ValidationError]:
    """For anyOf/oneOf failures, the errors of the branch the body meant.

    A branch whose discriminator (``type``) or JSON type already fails is
    skipped when another branch got further; among the rest the branch with
    the fewest errors wins.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else None, []).append(sub)

    def misses_discriminator(errs: list[ValidationError]) -> bool:
        return any(
            (list(e.relative_path) == ["type"] and e.validator in ("enum", "const"))
            or (not e.relative_path and e.validator == "type")
            for e in errs
        )

    candidates = [errs for errs in branches.values() if not misses_discriminator(errs)]
    if not candidates:
        enums = [e for e in error.context if list(e.relative_path) == ["type"] and e.validator == "enum"]
        if enums:
            choices = sorted({v for e in enums for v in e.validator_value})
            enums[0].validator_value = choices
            return [enums[0]]
        return [best_match(error.context) or error]
    chosen = min(candidates, key=len)
    return [leaf for sub in chosen for leaf in leaves(sub)]


_TYPE_CODES = {
    "integer": ("NUMBER_TYPE_COERCE", 'Value "{v}" is not int.'),
    "number": ("NUMBER_TYPE_COERCE", 'Value "{v}" is not a number.'),
    "boolean": ("BOOLEAN_TYPE_COERCE", 'Value "{v}" is not a bool.'),
    "object": ("MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"),
    "array": ("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"),
    "string": ("STRING_TYPE_CONVERT", "Could not interpret \"{v}\" as string."),
}


def to_discord(error: ValidationError) -> dict[str, Any]:
    path = list(error.absolute_path)
    kind = error.validator
    value = error.instance
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return errors.field_error([*path, *(missing[:1])], "BASE_TYPE_REQUIRED", "This field is required")
    if kind == "maxLength":
        return errors.field_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {error.validator_value} or fewer in length.")
    if kind == "minLength":
        return errors.field_error(path, "BASE_TYPE_MIN_LENGTH", f"Must be {error.validator_value} or more in length.")
    if kind == "maxItems":
        return errors.field_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {error.validator_value} or fewer in length.")
    if kind == "minItems":
        return errors.field_error(path, "BASE_TYPE_MIN_LENGTH", f"Must be {error.validator_value} or more in length.")
    if kind in ("enum", "const"):
        choices = error.validator_value if kind == "enum" else [error.validator_value]
        return errors.field_error(path, "BASE_TYPE_CHOICES", f"Value must be one of {set(choices)}.")
    if kind in ("maximum", "exclusiveMaximum"):
        return errors.field_error(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {error.validator_value}.")
    if kind in ("minimum", "exclusiveMinimum"):
        return errors.field_error(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {error.validator_value}.")
    if kind == "pattern":
        return errors.field_error(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
    if kind == "type":
        wanted = error.validator_value
        first = next((t for t in (wanted if isinstance(wanted, list) else [wanted]) if t != "null"), "string")
        code, message = _TYPE_CODES.get(first, ("BASE_TYPE_BAD_TYPE", "Invalid type."))
        return errors.field_error(path, code, message.format(v=value))
    return errors.field_error(path, "BASE_TYPE_INVALID", error.message[:200])


def query_problem(schema: dict[str, Any], value: str) -> tuple[str, str] | None:
    kinds = schema.get("type")
    if "$ref" in schema and schema["$ref"].endswith("/SnowflakeType"):
        return None if value.isdigit() else ("NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "boolean" in kinds and value.lower() not in ("true", "false", "1", "0", "yes", "no"):
        return ("BOOLEAN_TYPE_COERCE", f'Value "{value}" is not a bool.')
    if "integer" in kinds:
        try:
            number = int(value)
        except ValueError:
            return ("NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        if "maximum" in schema and number > schema["maximum"]:
            return ("NUMBER_TYPE_MAX", f"int value should be less than or equal to {schema['maximum']}.")
        if "minimum" in schema and number < schema["minimum"]:
            return ("NUMBER_TYPE_MIN", f"int value should be greater than or equal to {schema['minimum']}.")
    return None
