"""One deserialisation per ``Analyze`` or ``AnalyzeStack``, shared by every policy of a pack.

pulumi-policy's ``AnalyzeStack`` builds each stack policy's arguments from scratch: for every
policy it turns every resource's properties from protobuf into a dict
(``json_format.MessageToDict``), deserialises it and wraps it in the unknown-checking proxy,
and our validators then copy the proxy into plain values (``values.plain``). With 10 stack
policies and a few hundred resources (or 5 policies and 2,000 resources) that repeated work
was most of the pack's time (benchmarks/plan_bench.py).

:func:`install` wraps pulumi-policy's servicer so that, for the length of one ``AnalyzeStack``
call (or one ``Analyze``, which does the same for each resource policy), each of those steps is
done once per distinct input and the result shared:

- ``MessageToDict`` by the identity of the request's Struct (protobuf returns the same object
  for a sub-message each time it is read, and the request does not change during the call);
- ``deserialize_properties`` and the proxy by the identity of their input, which the memo
  keeps alive for the call (so an id can never be reused by another object while it counts);
- :func:`plain_props` (the validators' copy) by the identity of the proxy, likewise;
- whatever a validator derives from those shared values (:func:`memo`: the normalised view).

The results are read-only to every policy (the proxy forbids nothing, but our rules only read;
``values.plain`` copies), so sharing them changes no verdict: the pack's gRPC tests and the
plan's golden files check the verdicts. Outside those calls and on any other pulumi-policy
layout, nothing is memoised: the wrappers pass straight through.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from components.policy.values import plain

_STATE = threading.local()
_MARK = "_aiinfra_shared_stack"


def _table() -> dict[Any, Any] | None:
    return getattr(_STATE, "table", None)


@contextmanager
def shared() -> Iterator[None]:
    """Share deserialised resources within this block, on this thread (one AnalyzeStack call)."""
    outer = _table()
    if outer is None:
        _STATE.table = {}
    try:
        yield
    finally:
        if outer is None:
            _STATE.table = None


def _by_identity(kind: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` memoised by the identity of its one argument while :func:`shared` is active."""

    @functools.wraps(fn)
    def wrapper(value: Any, *args: Any, **kwargs: Any) -> Any:
        table = _table()
        if table is None or args or kwargs:
            return fn(value, *args, **kwargs)
        key = (kind, id(value))
        hit = table.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        out = fn(value)
        table[key] = (value, out)  # keeps ``value`` alive: its id stays its own for the call
        return out

    setattr(wrapper, _MARK, True)
    return wrapper


class _SharedJsonFormat(ModuleType):
    """``google.protobuf.json_format`` with ``MessageToDict`` shared by wire bytes."""

    def __init__(self, real: ModuleType) -> None:
        super().__init__(real.__name__, real.__doc__)
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # protobuf's name
        table = _table()
        if table is None or args or kwargs:
            return self._real.MessageToDict(message, *args, **kwargs)
        # by identity: protobuf (upb) hands out one Python object per sub-message of the request,
        # which is read-only for the call; the table keeps it alive, so its id stays its own
        key = ("dict", id(message))
        hit = table.get(key)
        if hit is None or hit[0] is not message:
            hit = table[key] = (message, self._real.MessageToDict(message))
        return hit[1]


def memo(kind: str, inputs: list[Any], fn: Callable[[], Any], extra: Any = ()) -> Any:
    """``fn()`` once per distinct ``inputs`` (compared by identity) and ``extra`` (hashable,
    compared by value) within one ``Analyze`` or ``AnalyzeStack`` call.

    The policies of a pack all normalise the same resources; with the properties shared
    (:func:`plain_props`), equal identities mean equal inputs. The memo keeps ``inputs`` alive for
    the call, so no id is reused. Outside those calls, ``fn()`` runs every time.
    """
    table = _table()
    if table is None:
        return fn()
    key = (kind, tuple(id(x) for x in inputs), extra)
    hit = table.get(key)
    if hit is None:
        hit = table[key] = (inputs, fn())
    return hit[1]


def plain_props(props: Any) -> Any:
    """``values.plain`` of a resource's properties, shared across one AnalyzeStack's policies."""
    return _plain_shared(props)


_plain_shared = _by_identity("plain", plain)


def install() -> bool:
    """Wrap pulumi-policy's ``Analyze`` and ``AnalyzeStack`` (idempotent); False if its layout is
    not the known one (then nothing is shared and every policy deserialises for itself)."""
    try:
        from pulumi_policy import policy as pp
    except ImportError:
        return False
    servicer = getattr(pp, "_PolicyAnalyzerServicer", None)
    needed = ("json_format", "deserialize_properties", "unknown_checking_proxy")
    methods = ("Analyze", "AnalyzeStack")
    if servicer is None or not all(hasattr(pp, n) for n in needed) or not all(hasattr(servicer, m) for m in methods):
        return False
    if getattr(servicer.AnalyzeStack, _MARK, False):
        return True

    def sharing(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def call(self: Any, request: Any, context: Any) -> Any:
            with shared():
                return original(self, request, context)

        setattr(call, _MARK, True)
        return call

    if not isinstance(pp.json_format, _SharedJsonFormat):
        pp.json_format = _SharedJsonFormat(pp.json_format)
    for name, kind in (("deserialize_properties", "deserialized"), ("unknown_checking_proxy", "proxy")):
        setattr(pp, name, _by_identity(kind, getattr(pp, name)))
    for method in methods:
        setattr(servicer, method, sharing(getattr(servicer, method)))
    return True
