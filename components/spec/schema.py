"""Shape checks: the fleet JSON Schema, with its errors turned into readable ``SpecIssue``s.

jsonschema's own messages ("Additional properties are not allowed ('maxNode' was
unexpected)") are rewritten to name the key, suggest the closest allowed one, and list the
allowed values for enums.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from components.spec.errors import SpecIssue, article, choices_hint, did_you_mean, join_path
from components.spec.limits import clip
from components.terminal import counted

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@functools.cache
def fleet_schema() -> dict[str, Any]:
    """The fleet JSON Schema (draft 2020-12) shipped with the package."""
    text = resources.files("components.spec").joinpath("fleet.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(fleet_schema())


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {clip(json.dumps(value))}"
    return f"the value {clip(repr(value))}"


def _first_sentence(text: str | None) -> str:
    if not text:
        return ""
    return text.split(". ")[0].rstrip(".")


def _issues_for(err: Any) -> Iterator[SpecIssue]:
    parts = list(err.absolute_path)
    path = join_path(*parts) if parts else ""
    kind = err.validator
    schema = err.schema if isinstance(err.schema, Mapping) else {}
    value = err.instance

    if kind == "additionalProperties" and isinstance(value, Mapping):
        allowed = list(schema.get("properties", {}))
        for key in value:
            if key in allowed:
                continue
            dym = did_you_mean(str(key), allowed)
            hint = (dym + " " if dym else "") + "allowed keys: " + ", ".join(allowed)
            yield SpecIssue(join_path(*parts, clip(str(key))), f"unknown key '{clip(str(key))}'", hint)
        return
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else str(err.validator_value)
        yield SpecIssue(
            join_path(*parts, missing),
            f"missing required key '{missing}'",
            _first_sentence(schema.get("properties", {}).get(missing, {}).get("description")) or None,
        )
        return
    if kind == "enum":
        options = [str(v) for v in err.validator_value]
        yield SpecIssue(path, f"{_describe(value)} is not allowed here", choices_hint(str(value), options))
        return
    if kind == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        names = " or ".join(_TYPE_NAMES.get(str(w), str(w)) for w in wanted)
        yield SpecIssue(path, f"expected {names}, got {_describe(value)}")
        return
    if kind == "pattern":
        rule = _first_sentence(schema.get("description")) or f"must match {err.validator_value}"
        yield SpecIssue(path, f"{_describe(value)} is not valid: {rule}")
        return
    if kind == "propertyNames":
        yield SpecIssue(
            path,
            f"label key {clip(json.dumps(value))} is not valid" if not isinstance(value, Mapping) else err.message,
            "label keys start with a lowercase letter, then lowercase letters, digits, '_' or '-', at most 63",
        )
        return
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        word = {
            "minimum": "at least",
            "exclusiveMinimum": "more than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }[kind]
        yield SpecIssue(path, f"must be {word} {err.validator_value}, got {clip(value)}")
        return
    if kind in ("minLength", "maxLength"):
        word = "at least" if kind == "minLength" else "at most"
        yield SpecIssue(path, f"must be {word} {err.validator_value} characters, got {len(value)}")
        return
    if kind == "minItems":
        yield SpecIssue(path, f"must list at least {counted(int(err.validator_value), 'item')}")
        return
    if kind == "uniqueItems" and isinstance(value, list):
        twice = sorted({json.dumps(v) for v in value if value.count(v) > 1})
        yield SpecIssue(path, f"lists {', '.join(twice)} more than once", "list each item once")
        return
    if kind == "maxItems":
        yield SpecIssue(
            path,
            f"lists {len(value):,} items; at most {err.validator_value} are allowed",
            "split the fleet into stacks",
        )
        return
    if kind == "maxProperties":
        yield SpecIssue(
            path,
            f"has {len(value):,} entries; at most {err.validator_value} are allowed",
            "AWS and Azure take at most 50 tags per resource, and ai-infra adds its own",
        )
        return
    if kind == "not" and isinstance(value, Mapping) and "version" in value and "existingCluster" in value:
        yield SpecIssue(
            path,
            "give either 'version' (create a cluster) or 'existingCluster' (attach to one), not both",
        )
        return
    yield SpecIssue(path, clip(err.message, 200))


def _non_string_keys(node: Any, prefix: tuple[str | int, ...]) -> Iterator[SpecIssue]:
    """YAML allows ``1:``, ``true:`` or ``null:`` as keys; every key in a spec is a string."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if not isinstance(key, str):
                yield SpecIssue(
                    join_path(*prefix, str(key)),
                    f"key {key!r} is {article(type(key).__name__)}, not a string",
                    f"quote it: '{key}'",
                )
            else:
                yield from _non_string_keys(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _non_string_keys(value, (*prefix, i))


def schema_issues(doc: Any) -> list[SpecIssue]:
    """Every shape problem in ``doc`` (empty when it matches the schema)."""
    if not isinstance(doc, Mapping):
        return [
            SpecIssue(
                "",
                f"the fleet spec must be a mapping with a 'clusters' list, got {_describe(doc)}",
                "see stacks/Pulumi.dev.yaml for an example",
            )
        ]
    return validator_issues(_validator(), doc)


def validator_issues(validator: Any, doc: Any) -> list[SpecIssue]:
    """Every problem a jsonschema validator finds in ``doc``, as readable ``SpecIssue``s.

    Shared by every YAML contract ai-infra reads (the fleet spec, the ``aiinfra size``
    workload file), so their messages read the same.
    """
    out: list[SpecIssue] = list(_non_string_keys(doc, ()))
    if out:
        return out
    errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    for err in errors:
        out.extend(_issues_for(err))
    return out
