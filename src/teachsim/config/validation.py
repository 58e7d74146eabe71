"""Turn pydantic validation failures into ConfigErrors that name file, key and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from teachsim.config.errors import ConfigError, did_you_mean


class Invalid(ValueError):
    """Raised by validators: what is wrong, how to fix it, and (for checks that span
    several fields) which key, relative to the table being validated, to blame."""

    def __init__(self, problem: str, fix: str, key: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.key = key


class Strict(BaseModel):
    """Base for every config table: unknown keys are refused, values are not coerced
    between kinds (a string is never silently read as a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


#: longest stretch of a user's value quoted back in a message
QUOTE_CHARS = 80


def quote(value: Any) -> str:
    """``repr(value)``, cut to about :data:`QUOTE_CHARS` characters: a bad value is shown,
    not echoed back whole (it may be megabytes)."""
    text = repr(value)
    if len(text) <= QUOTE_CHARS:
        return text
    return f"{text[:QUOTE_CHARS - 20]}...{text[-12:]} ({len(text):,} characters)"


_EXPECTED = {
    "int_type": "a whole number without quotes (e.g. 25)",
    "int_from_float": "a whole number (e.g. 25, not 25.5)",
    "float_type": "a number without quotes (e.g. 9000.0)",
    "bool_type": "true or false",
    "string_type": 'text in quotes (e.g. "traditional")',
    "list_type": 'a list in brackets (e.g. ["K", "1"])',
    "model_type": "a table ([section] or { key = value })",
    "dict_type": "a table ([section] or { key = value })",
    "finite_number": "a finite number (not nan or inf)",
}
_TOML_KIND = {"str": "text", "int": "whole number", "float": "decimal number",
              "bool": "boolean", "list": "list", "dict": "table"}


def _dotted(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _step(annotation: Any) -> tuple[Any, bool]:
    """The model a field's annotation leads to (through ``list[...]``, ``X | None`` and
    ``dict[str, Model]``), and whether it is a table of named tables (whose next location
    item is a name, not a key)."""
    origin = getattr(annotation, "__origin__", None)
    inner = getattr(annotation, "__args__", None) or ()
    if origin is dict and len(inner) == 2:
        value = inner[1]
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value, True
    candidates = [annotation, *inner]
    model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)),
                 None)
    return model, False


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, str | None, bool]:
    """Follow ``loc`` down the model tree: the model reached (None if the path leaves
    the tree), the last field's description, and whether the whole path was followed."""
    current: Any = model
    description = None
    skip_name = False
    for item in loc:
        if isinstance(item, int):
            continue
        if skip_name:  # the name of a named table, e.g. a day type
            skip_name = False
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or item not in fields:
            return current, description, False
        field = fields[item]
        description = field.description
        current, skip_name = _step(field.annotation)
        if current is None:
            return None, description, True
    return current, description, True


def _field_description(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """Walk the model tree along ``loc`` and return the target field's description."""
    return _walk(model, loc)[1]


def _valid_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current, _, whole = _walk(model, loc)
    if not whole or current is None:
        return []
    return sorted(getattr(current, "model_fields", {}))


def to_config_error(
    exc: ValidationError,
    model: type[BaseModel],
    origins: dict[str, Path],
    default_file: Path,
    prefix: str = "",
) -> ConfigError:
    """The first problem of ``exc`` as a ConfigError, pointing at the file that set the key."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(err["loc"])
    key = prefix + _dotted(loc)
    file = _origin_of(key, origins, default_file)
    kind = err["type"]
    description = _field_description(model, loc)
    wanted = f" ({description})" if description else ""
    value = err.get("input")
    if kind == "extra_forbidden":
        leaf = str(loc[-1])
        valid = _valid_keys(model, loc[:-1])
        hint = did_you_mean(leaf, valid)
        listing = ", ".join(valid) if valid else "none"
        return ConfigError(file, key, f"unknown key.{hint}",
                           f"remove or rename it; valid keys here: {listing}")
    if kind == "missing":
        return ConfigError(file, key, "is required but missing",
                           f"add {key} to the file{wanted}")
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        return ConfigError(file, key, f"is out of range: {err['msg'].lower()} (got {quote(value)})",
                           f"set {key} to a value in range{wanted}")
    if kind.endswith("_type") or kind in {"int_from_float", "model_type", "dict_type"}:
        got = _TOML_KIND.get(type(value).__name__, type(value).__name__)
        expected = _EXPECTED.get(kind, err["msg"].lower().removeprefix("input should be "))
        return ConfigError(file, key, f"has the wrong type: expected {expected}, got {got} "
                           f"{quote(value)}", f"write {key} as {expected}{wanted}")
    if kind in {"literal_error", "enum"}:
        return ConfigError(file, key, f"{err['msg']} (got {quote(value)})",
                           f"use one of the allowed values{wanted}")
    if kind == "value_error":
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, Invalid):
            if cause.key:
                key = f"{key}.{cause.key}" if key else cause.key
                file = _origin_of(prefix + key, origins, default_file)
            return ConfigError(file, key or None, cause.problem, cause.fix)
        return ConfigError(file, key, str(cause or err["msg"]), f"correct {key}{wanted}")
    if kind == "finite_number":
        return ConfigError(file, key, f"is not a finite number (got {quote(value)})",
                           f"write {key} as an ordinary number{wanted}")
    if kind in {"too_short", "too_long", "string_too_short", "string_too_long"}:
        return ConfigError(file, key, f"{err['msg'].lower()} (got {quote(value)})",
                           f"correct {key}{wanted}")
    return ConfigError(file, key, f"{err['msg']} (got {quote(value)})", f"correct {key}{wanted}")


def _origin_of(key: str, origins: dict[str, Path], default: Path) -> Path:
    probe = key.split("[")[0]
    while probe:
        if probe in origins:
            return origins[probe]
        probe = probe.rpartition(".")[0]
    return default
