"""Where price overlays come from, and the one rule for reading them.

Three places name overlays, all with the same value: a file path, an inline overlay object
(the file's JSON), or a list of those (later ones win row by row; discounts of all apply).

- ``aiinfra plan --prices FILE`` (repeatable);
- the stack setting ``aiinfra:prices`` in ``stacks/Pulumi.<stack>.yaml``;
- the policy pack's config, ``{"<policy>": {"prices": ...}}`` (``--policy-config`` /
  ``pulumi preview --policy-pack-config``).

Relative paths are relative to the Pulumi project directory (the one with ``Pulumi.yaml``);
for a published pack, give the overlay inline. ``aiinfra plan`` resolves the prices once and
hands the pack the same overlays inline, so the plan and the pack price from the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from components.prices.overlay import Overlay, OverlayError, load_overlay, parse_overlay

#: The stack setting (Pulumi config key) naming the stack's price overlays.
STACK_KEY = "aiinfra:prices"
#: The policy config property (on any policy) naming price overlays.
POLICY_KEY = "prices"


def project_dir(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding ``Pulumi.yaml`` (else ``start``)."""
    start = start.resolve()
    for d in [start, *start.parents]:
        if (d / "Pulumi.yaml").is_file():
            return d
    return start


def parse_value(value: Any, where: str) -> Any:
    """A stack-config value as Pulumi hands it over: JSON text for objects and lists."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise OverlayError(f"{where}: not valid JSON: {exc.msg}") from None
    return value


def load_sources(value: Any, base: Path, where: str) -> list[Overlay]:
    """Overlays named by ``value`` (path, inline object, or a list); raises OverlayError."""
    value = parse_value(value, where)
    if value is None:
        return []
    items: Sequence[Any] = value if isinstance(value, list) else [value]
    out: list[Overlay] = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]" if isinstance(value, list) else where
        if isinstance(item, str):
            path = Path(item)
            try:
                out.append(load_overlay(path if path.is_absolute() else base / path))
            except OverlayError as exc:  # say which setting named the file
                raise OverlayError(f"{at}: {exc}") from None
        elif isinstance(item, dict):
            out.append(parse_overlay(item, at))
        else:
            raise OverlayError(f"{at}: a price overlay is a file path or an overlay object, not {type(item).__name__}")
    return out


def inline(overlays: Sequence[Overlay]) -> list[dict[str, Any]]:
    """Overlays as inline objects (what the plan hands the pack through its policy config)."""
    return [ov.to_json() for ov in overlays]


def for_plan(
    cli: Sequence[Overlay] | None,
    policy_config: Mapping[str, Any],
    stack_config: Mapping[str, Any],
    base: Path,
) -> tuple[list[Overlay], str | None]:
    """The overlays a plan prices with, and where they were named (None: catalog prices).

    ``--prices`` first, then a ``prices`` entry in the policy config (the pack's own setting,
    so the plan agrees with it), then the stack setting ``aiinfra:prices``.
    """
    if cli:
        return list(cli), "--prices"
    for name, cfg in policy_config.items():
        if isinstance(cfg, Mapping) and cfg.get(POLICY_KEY) is not None:
            return load_sources(cfg[POLICY_KEY], base, f"--policy-config {name}.{POLICY_KEY}"), (
                f"policy config {name}.{POLICY_KEY}"
            )
    value = stack_config.get(STACK_KEY)
    if value is not None:
        return load_sources(value, base, f"stack setting {STACK_KEY}"), f"stack setting {STACK_KEY}"
    return [], None


def policy_config_with(
    policy_config: Mapping[str, Any], overlays: Sequence[Overlay], policies: Sequence[str]
) -> dict[str, Any]:
    """``policy_config`` with every policy's ``prices`` set to ``overlays`` inline (the pack then
    prices from exactly the rows the plan used)."""
    out = dict(policy_config)
    if not overlays:
        return out
    docs = inline(overlays)
    for name in policies:
        given = out.get(name)
        if isinstance(given, str):
            out[name] = {"enforcementLevel": given, POLICY_KEY: docs}
        elif isinstance(given, Mapping):
            out[name] = {**given, POLICY_KEY: docs}
        else:
            out[name] = {POLICY_KEY: docs}
    return out
