"""Coerce a caller's or an extractor's value to a need's declared type."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from nlactions.catalog import NeedSpec
from nlactions.kit.limits import MAX_DEPTH, too_deep

_TRUE = {"true", "yes", "y", "1", "on", "t"}
_FALSE = {"false", "no", "n", "0", "off", "f"}
_DEEP_OBJECT = f"expected a JSON object nested at most {MAX_DEPTH} levels"
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")


class CoercionError(ValueError):
    """The value cannot be read as the need's type; the message says what was expected."""


def _number_text(value: str) -> str:
    text = value.strip().replace("_", "")
    if not text or not _NUMBER.match(text) or text in {"+", "-", "."}:
        raise CoercionError(f"expected a number, got {value!r}")
    return text.replace(",", "")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CoercionError("expected a whole number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CoercionError(f"expected a whole number, got {value}")
    if isinstance(value, str):
        number = float(_number_text(value))
        if number.is_integer():
            return int(number)
        raise CoercionError(f"expected a whole number, got {value!r}")
    raise CoercionError(f"expected a whole number, got {type(value).__name__}")


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise CoercionError("expected a number, got a boolean")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(_number_text(value))
    raise CoercionError(f"expected a number, got {type(value).__name__}")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise CoercionError(f"expected true or false, got {value!r}")


def _to_datetime(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).isoformat()
        except ValueError as exc:
            raise CoercionError(f"expected an ISO 8601 date-time, got {value!r}") from exc
    raise CoercionError(f"expected an ISO 8601 date-time, got {type(value).__name__}")


def _to_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError as exc:
            raise CoercionError(f"expected a date as YYYY-MM-DD, got {value!r}") from exc
    raise CoercionError(f"expected a date as YYYY-MM-DD, got {type(value).__name__}")


def _to_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise CoercionError("expected a JSON object") from exc
        except RecursionError:
            raise CoercionError(_DEEP_OBJECT) from None
        if too_deep(parsed):
            raise CoercionError(_DEEP_OBJECT)
        if isinstance(parsed, dict):
            return parsed
    raise CoercionError("expected an object of keys and values")


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        if too_deep(value):
            raise CoercionError(f"expected text, got a value nested deeper than {MAX_DEPTH} levels")
        return json.dumps(value)
    raise CoercionError(f"expected text, got {type(value).__name__}")


_SCALAR = {
    "str": _to_str,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "datetime": _to_datetime,
    "date": _to_date,
    "dict": _to_dict,
}


def coerce_scalar(value: Any, type_: str) -> Any:
    """Coerce one scalar value to a need type name (``any`` passes through)."""
    convert = _SCALAR.get(type_)
    return value if convert is None else convert(value)


def coerce(value: Any, need: NeedSpec) -> Any:
    """Coerce ``value`` to ``need``'s type; list needs accept a list or a comma-separated string."""
    if need.list:
        if isinstance(value, str):
            items: list[Any] = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            items = [value]
        return [coerce_scalar(item, need.type) for item in items]
    if isinstance(value, list) and need.type not in ("any", "dict"):
        if len(value) != 1:
            raise CoercionError(f"expected one value, got a list of {len(value)}")
        value = value[0]
    return coerce_scalar(value, need.type)
