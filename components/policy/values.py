"""Plain-data helpers for resource properties as a policy pack receives them.

Properties arrive camelCase, numbers as floats, and values that are unknown at preview as
sentinel strings (the engine's ``04da6b54-...`` UUIDs, or ``"<unknown>"`` from the mock engine's
capture). ``plain`` turns pulumi-policy's unknown-checking proxies into ordinary dicts and lists
with every unknown replaced by the ``UNKNOWN`` singleton, so reading a property never raises;
``num``/``text``/``get`` then read them defensively.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

#: Longest value a message quotes back: the same as the spec loader's
#: ``components.spec.limits.ECHO_CHARS`` (a published pack bundles only ``components.policy``,
#: ``components.catalog`` and ``components.terminal``, so it cannot import the spec's helper; a test
#: keeps the two alike).
ECHO_CHARS: Final = 60


class _Unknown:
    """A value the engine does not know yet (preview)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Final = _Unknown()

# The sentinels the engine uses for unknown values (pulumi_policy.proxy and pulumi.runtime.rpc),
# plus the mock engine's rendering.
UNKNOWN_SENTINELS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (what the engine sends for any unknown)
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
        "<unknown>",  # components.mockengine capture
    }
)

_PROXY_TYPES = ("_DictProxy", "_ListProxy")


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in UNKNOWN_SENTINELS)


def plain(value: Any) -> Any:
    """A plain copy of ``value``: proxies unwrapped, unknowns as ``UNKNOWN``, secrets unwrapped."""
    if type(value).__name__ in _PROXY_TYPES:
        value = value["__target"]  # pulumi_policy.proxy's escape hatch: no unknown check
    if isinstance(value, Mapping):
        if set(value) == {"secret"}:  # the mock engine's rendering of a secret
            return plain(value["secret"])
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    if is_unknown(value):
        return UNKNOWN
    return value


def get(props: Any, path: str, default: Any = None) -> Any:
    """``props["a"]["b"][0]["c"]`` for ``path="a.b.0.c"``; ``default`` where missing, UNKNOWN where unknown."""
    cur = props
    for part in path.split("."):
        if cur is UNKNOWN:
            return UNKNOWN
        if isinstance(cur, Mapping):
            if part not in cur or cur[part] is None:
                return default
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit():
            idx = int(part)
            if idx >= len(cur):
                return default
            cur = cur[idx]
        else:
            return default
    return cur


def num(value: Any) -> Any:
    """A number from a float, int or numeric string (``"36000"``); UNKNOWN stays UNKNOWN; else None.

    (Typed ``Any``: callers compare with ``UNKNOWN`` by identity, which type checkers cannot narrow.)
    """
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def text(value: Any) -> Any:
    """A string, UNKNOWN, or None."""
    if value is UNKNOWN:
        return UNKNOWN
    return value if isinstance(value, str) else None


def flag(value: Any) -> Any:
    """A boolean (accepting "true"/"false" strings), UNKNOWN, or None."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_list(value: Any) -> Any:
    """A list (None -> []), or UNKNOWN."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, list):
        return value
    return []


def tag_map(value: Any) -> dict[str, str]:
    """Labels / tags as a dict: from a mapping, or from a ``[{key, value}]`` list (ASG tags)."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    if isinstance(value, list):
        out: dict[str, str] = {}
        for item in value:
            if isinstance(item, Mapping) and isinstance(item.get("key"), str) and isinstance(item.get("value"), str):
                out[item["key"]] = item["value"]
        return out
    return {}


def fmt_int(value: float) -> str:
    """``12345.0`` -> ``12,345``."""
    return f"{round(value):,}"


def fmt_usd(value: float) -> str:
    """``5632.0`` -> ``$5,632``; below $100 with cents unless whole (``$0.81``, ``$50``)."""
    if value >= 100 or float(value).is_integer():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def clip(value: Any, limit: int = ECHO_CHARS) -> str:
    """``str(value)`` cut to ``limit`` characters with the full length said: for echoing a
    resource's name, label or property value in a message, so a 10,000-character name costs
    one line, not a page (and never a message the engine or a PR comment refuses)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def quote(value: Any) -> str:
    """``'h100'``: a value as messages quote it, clipped (``clip``)."""
    return f"'{clip(value)}'"
