"""One deserialisation per Analyze/AnalyzeStack (components.policy.shared_stack), shared by the policies.

The verdicts with sharing are checked end to end by the pack's gRPC tests and the plan goldens;
these tests check the sharing itself: only inside one call, by identity (kept alive), and
pass-through everywhere else.
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


def test_install_wraps_analyze_and_analyze_stack_once() -> None:
    assert shared_stack.install() is True
    wrapped = pp._PolicyAnalyzerServicer.AnalyzeStack, pp._PolicyAnalyzerServicer.Analyze
    deserialize = pp.deserialize_properties
    assert shared_stack.install() is True
    assert (pp._PolicyAnalyzerServicer.AnalyzeStack, pp._PolicyAnalyzerServicer.Analyze) == wrapped
    assert pp.deserialize_properties is deserialize


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
    # another message with equal content is its own input (two resources may have equal properties)
    assert all(x is not y for x, y in zip(first, equal, strict=True)) and equal[3] == first[3]
    assert first[0] is not different[0] and different[3] == {"x": 2.0}
    assert first[3] == {"x": 1.0, "tags": {"k": "v"}} == outside[0][3]
    assert steps(a)[0] is not first[0]  # the call's table is gone


def test_memo_is_per_call_and_keyed_by_identity_and_value() -> None:
    calls: list[str] = []

    def make(tag: str) -> Any:
        def fn() -> list[str]:
            calls.append(tag)
            return [tag]

        return fn

    a, b = {"x": 1}, {"x": 1}
    assert shared_stack.memo("k", [a], make("out")) is not shared_stack.memo("k", [a], make("out"))
    assert calls == ["out", "out"]  # outside a call: computed every time
    calls.clear()
    with shared_stack.shared():
        first = shared_stack.memo("k", [a], make("1"))
        assert shared_stack.memo("k", [a], make("2")) is first
        assert shared_stack.memo("k", [b], make("3")) is not first  # equal, not the same input
        assert shared_stack.memo("k", [a], make("4"), extra="other") is not first
        assert shared_stack.memo("other-kind", [a], make("5")) is not first
    assert calls == ["1", "3", "4", "5"]


def test_stack_config_is_read_once_per_call_and_per_version_of_its_file(
    monkeypatch: Any, tmp_path: Any
) -> None:
    import json

    from components.policy import pack

    config = tmp_path / "config.json"
    config.write_text(json.dumps({"aiinfra:fleet": '{"environment": "dev"}'}), encoding="utf-8")
    monkeypatch.setenv("AIINFRA_PULUMI_CONFIG_FILE", str(config))
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    reads: list[str] = []
    real = pack._read_stack_config_value
    monkeypatch.setattr(pack, "_read_stack_config_value", lambda key: reads.append(key) or real(key))
    with shared_stack.shared():
        assert pack.stack_config_value("aiinfra:fleet") == '{"environment": "dev"}'
        assert pack.stack_config_value("aiinfra:fleet") == '{"environment": "dev"}'
        assert pack.stack_config_value("aiinfra:prices") is None
    assert reads == ["aiinfra:fleet", "aiinfra:prices"]
    # a new version of the file is read again (its cache is keyed by its size and mtime)
    config.write_text(json.dumps({"aiinfra:fleet": '{"environment": "prod"}'}), encoding="utf-8")
    assert pack.stack_config_value("aiinfra:fleet") == '{"environment": "prod"}'
    # without the file: PULUMI_CONFIG, as the engine passes it
    monkeypatch.delenv("AIINFRA_PULUMI_CONFIG_FILE")
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"aiinfra:fleet": '{"environment": "staging"}'}))
    assert pack.stack_config_value("aiinfra:fleet") == '{"environment": "staging"}'
