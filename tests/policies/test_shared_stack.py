"""One deserialisation per AnalyzeStack (components.policy.shared_stack), shared by the stack policies.

The verdicts with sharing are checked end to end by the pack's gRPC tests and the plan goldens;
these tests check the sharing itself: only inside one AnalyzeStack call, by content for the
protobuf step and by identity (kept alive) for the others, and pass-through everywhere else.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2
from pulumi_policy import policy as pp

from components.policy import shared_stack


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def test_install_wraps_analyze_stack_once() -> None:
    assert shared_stack.install() is True
    wrapped = pp._PolicyAnalyzerServicer.AnalyzeStack
    deserialize = pp.deserialize_properties
    assert shared_stack.install() is True
    assert pp._PolicyAnalyzerServicer.AnalyzeStack is wrapped and pp.deserialize_properties is deserialize


def test_each_step_is_shared_only_within_one_call() -> None:
    shared_stack.install()
    a, b = _struct({"x": 1.0, "tags": {"k": "v"}}), _struct({"x": 1.0, "tags": {"k": "v"}})
    other = _struct({"x": 2.0})

    def steps(message: struct_pb2.Struct) -> tuple[Any, Any, Any, Any]:
        d = pp.json_format.MessageToDict(message)
        des = pp.deserialize_properties(d)
        proxy = pp.unknown_checking_proxy(des)
        return d, des, proxy, shared_stack.plain_props(proxy)

    outside = steps(a), steps(a)
    assert all(x is not y for x, y in zip(*outside, strict=True))  # no sharing outside a call
    with shared_stack.shared():
        first, again, equal, different = steps(a), steps(a), steps(b), steps(other)
    assert all(x is y for x, y in zip(first, again, strict=True))
    assert all(x is y for x, y in zip(first, equal, strict=True))  # equal content, one result
    assert first[0] is not different[0] and different[3] == {"x": 2.0}
    assert first[3] == {"x": 1.0, "tags": {"k": "v"}} == outside[0][3]
    assert steps(a)[0] is not first[0]  # the call's table is gone
