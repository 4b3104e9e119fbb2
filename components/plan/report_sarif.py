"""SARIF 2.1.0 of the plan's policy violations, for GitHub code scanning.

Each violation becomes a result whose location is the stack file and the line of the spec
item it concerns (the GPU pool, TPU slice or storage item, else the cluster), so the alert
lands on the line a reviewer would change. Mandatory violations are ``error``, advisory
ones ``warning``; stacks that are invalid or could not be built are reported as results of
the ``aiinfra/invalid-spec`` rule. Upload with ``github/codeql-action/upload-sarif``.

Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html and GitHub's subset:
https://docs.github.com/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from components.plan.engine import OUTSIDE_SPEC, PlanReport, StackPlan

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "note", "disabled": "none"}
INVALID_RULE = "aiinfra/invalid-spec"
WARNING_RULE = "aiinfra/spec-warning"


def _uri(file: str) -> str:
    """The file relative to the working directory (the repository root in CI), POSIX style."""
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return os.path.normpath(p).replace(os.sep, "/")


def _location(file: str, line: int | None) -> dict[str, Any]:
    loc: dict[str, Any] = {"artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"}}
    loc["region"] = {"startLine": line or 1}
    return {"physicalLocation": loc}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _invalid_results(s: StackPlan) -> list[dict[str, Any]]:
    if s.status == "ok":
        return [
            {
                "ruleId": WARNING_RULE,
                "level": "warning",
                "message": {"text": f"{i.path}: {i.message}" + (f" ({i.hint})" if i.hint else "")},
                "locations": [_location(s.file, i.line)],
                "partialFingerprints": {"aiinfra/v1": _fingerprint(s.file, i.path, i.message)},
            }
            for i in s.issues
            if i.severity == "warning"
        ]
    if s.status == "invalid" and s.issues:
        return [
            {
                "ruleId": INVALID_RULE,
                "level": "error" if i.severity == "error" else "warning",
                "message": {"text": f"{i.path}: {i.message}" + (f" ({i.hint})" if i.hint else "")},
                "locations": [_location(s.file, i.line)],
                "partialFingerprints": {"aiinfra/v1": _fingerprint(s.file, i.path, i.message)},
            }
            for i in s.issues
        ]
    if s.status != "ok":
        return [
            {
                "ruleId": INVALID_RULE,
                "level": "error",
                "message": {"text": s.error or "the stack could not be planned"},
                "locations": [_location(s.file, s.line_of("clusters"))],
                "partialFingerprints": {"aiinfra/v1": _fingerprint(s.file, s.error or "")},
            }
        ]
    return []


def render(report: PlanReport) -> dict[str, Any]:
    """The SARIF log as a JSON-able dict."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for s in report.stacks:
        results += _invalid_results(s)
        for v in s.violations:
            rules.setdefault(
                v.policy,
                {
                    "id": v.policy,
                    "name": v.policy,
                    "shortDescription": {"text": v.policy.replace("-", " ")},
                    "help": {"text": "See docs/plan.md and the policy pack (policies/overprovisioning)."},
                    "defaultConfiguration": {"level": LEVELS.get(v.enforcement_level, "warning")},
                    "properties": {"tags": ["ai-infra", "policy"]},
                },
            )
            path = s.locate(v)
            text = v.message
            if v.name:
                text = f"{v.type} '{v.name}' ({path or OUTSIDE_SPEC}): {text}"
            results.append(
                {
                    "ruleId": v.policy,
                    "level": LEVELS.get(v.enforcement_level, "warning"),
                    "message": {"text": text},
                    "locations": [_location(s.file, s.violation_line(v, path))],
                    "partialFingerprints": {"aiinfra/v1": _fingerprint(s.stack, v.policy, v.urn or "", path)},
                    "properties": {
                        "stack": s.stack,
                        "enforcementLevel": v.enforcement_level,
                        "specPath": path,
                        # the fix is its own field, never folded into the message
                        **({"fix": v.fix} if v.fix else {}),
                        **({"urn": v.urn} if v.urn else {}),
                    },
                }
            )
    if any(s.status != "ok" for s in report.stacks):
        rules[INVALID_RULE] = {
            "id": INVALID_RULE,
            "name": "invalid-spec",
            "shortDescription": {"text": "the fleet spec is invalid or cannot be built"},
            "defaultConfiguration": {"level": "error"},
        }
    if any(r["ruleId"] == WARNING_RULE for r in results):
        rules[WARNING_RULE] = {
            "id": WARNING_RULE,
            "name": "spec-warning",
            "shortDescription": {"text": "the fleet spec is valid but probably not what was meant"},
            "defaultConfiguration": {"level": "warning"},
        }
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aiinfra plan",
                        "semanticVersion": _version(),
                        "rules": [rules[k] for k in sorted(rules)],
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def _version() -> str:
    import components

    return str(components.__version__)
