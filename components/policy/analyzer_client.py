"""Drive a Pulumi policy pack over the Analyzer gRPC protocol, exactly as the Pulumi engine does.

The engine starts a Python pack with the ``pulumi-analyzer-policy-python`` shim, which runs
``<virtualenv>/bin/python -u -m pulumi.policy <engine-address> .`` in the pack's directory with
the stack's config in ``PULUMI_CONFIG`` (plus ``PULUMI_PROJECT`` / ``PULUMI_STACK`` /
``PULUMI_DRY_RUN`` / ``PULUMI_ORGANIZATION``). The pack prints its port on stdout; the engine
then calls ``Handshake`` (optional), ``ConfigureStack``, ``GetAnalyzerInfo``, ``Configure`` with
the policy config (schema defaults filled in, validated against each policy's schema),
``Analyze`` for every resource and ``AnalyzeStack`` once with all of them. This module does the
same, with a small in-process Engine gRPC server on 127.0.0.1 for the pack to log to.

Usage (the planner)::

    from components.mockengine import run_program
    from components.policy.analyzer_client import analyze

    capture = run_program("__main__.py", config=stack_config, stack="dev")
    violations = analyze(capture.resources, {"stack-ceilings": {"maxAccelerators": {"dev": 8}}},
                         stack="dev", stack_config=stack_config)
    blocking = [v for v in violations if v.enforcement_level == "mandatory"]

Nothing here needs the Pulumi CLI or a network beyond 127.0.0.1.
"""

from __future__ import annotations

import functools
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PACK = REPO_ROOT / "policies" / "overprovisioning"
#: The packs `aiinfra plan` evaluates, as `pulumi preview --policy-pack A --policy-pack B` would.
DEFAULT_PACKS: tuple[Path, ...] = (DEFAULT_PACK, REPO_ROOT / "policies" / "security")

# What the engine sends for an unknown value (pulumi.runtime.rpc.UNKNOWN) and for a secret.
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - the secret marker, not a secret

# How the pack joins a violation's message and fix (components.policy.rules.FIX_SEPARATOR; any
# pack's messages pass through whole when they do not use it).
FIX_SEPARATOR = "\nFix: "

# pulumirpc.EnforcementLevel values, in enum order (ADVISORY=0, MANDATORY=1, DISABLED=2, REMEDIATE=3)
LEVELS = ("advisory", "mandatory", "disabled", "remediate")


class PolicyPackError(Exception):
    """The pack did not start, or an RPC failed."""


class PolicyConfigError(PolicyPackError):
    """The policy config names an unknown policy or does not match a policy's schema."""


@dataclass(frozen=True)
class Violation:
    """One diagnostic the pack returned (what ``pulumi preview`` prints under "Policies")."""

    policy: str
    enforcement_level: str  # advisory | mandatory | remediate | disabled
    message: str  # the rule's own message (the policy description prefix and the fix removed)
    description: str
    urn: str = ""
    type: str | None = None
    name: str | None = None
    pack: str = ""
    pack_version: str = ""
    fix: str = ""  # the fix the pack appended after "\nFix: " ("" when none)

    def as_dict(self) -> dict[str, Any]:
        """The planner's JSON shape: policy, enforcementLevel, message, fix, and type/name/urn when set."""
        out: dict[str, Any] = {
            "policy": self.policy,
            "enforcementLevel": self.enforcement_level,
            "message": self.message,
        }
        if self.fix:
            out["fix"] = self.fix
        if self.urn:
            out.update({"urn": self.urn, "type": self.type, "name": self.name})
        return out


@dataclass(frozen=True)
class PolicyInfo:
    """A policy as ``GetAnalyzerInfo`` describes it."""

    name: str
    description: str
    enforcement_level: str
    scope: str  # resource | stack
    config_schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalyzerInfo:
    name: str
    version: str
    supports_config: bool
    policies: tuple[PolicyInfo, ...]


# ----- properties as the engine marshals them -------------------------------------------------
def engine_value(value: Any) -> Any:
    """A captured input as the engine would send it: unknowns as the sentinel, secrets wrapped."""
    if isinstance(value, Mapping):
        if set(value) == {"secret"}:
            return {_SIG_KEY: _SECRET_SIG, "value": engine_value(value["secret"])}
        return {str(k): engine_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [engine_value(v) for v in value]
    if value == "<unknown>":
        return UNKNOWN_SENTINEL
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # protobuf Struct numbers are doubles
    return value


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(engine_value(dict(props)))
    return s


@dataclass(frozen=True)
class Resource:
    """What the client sends per resource (built from a mock-engine CapturedResource or a dict)."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    parent: str | None = None
    protect: bool = False
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @functools.cached_property
    def properties(self) -> struct_pb2.Struct:
        """The inputs as the engine sends them (a protobuf Struct), built once per resource.

        A resource goes out in an ``Analyze`` while the program registers and again in
        ``AnalyzeStack`` (to every pack that reads it); building the Struct from Python values
        was 0.2 s of the plan's wait for the packs on a 2,109-resource stack, copying it is not.
        Requests copy it, so it is never changed.
        """
        return _struct(self.inputs)


def as_resource(r: Any) -> Resource:
    """A ``components.mockengine.CapturedResource``, a ``Resource`` or a dict (type, name, urn, inputs)."""
    if isinstance(r, Resource):
        return r
    if isinstance(r, Mapping):
        return Resource(
            r["type"],
            r["name"],
            r.get("urn") or _urn(r["type"], r["name"]),
            r.get("inputs") or r.get("props") or {},
            r.get("parent"),
            bool(r.get("protect", False)),
            r.get("propertyDependencies") or {},
        )
    return Resource(
        r.type,
        r.name,
        r.urn,
        r.inputs,
        r.parent,
        bool(getattr(r, "protect", False)),
        dict(getattr(r, "property_dependencies", None) or {}),
    )


def _urn(type_: str, name: str, stack: str = "dev", project: str = "ai-infra") -> str:
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


# ----- the fake engine ------------------------------------------------------------------------------
class _Engine:
    """A minimal pulumirpc.Engine server: collects the pack's log messages."""

    def __init__(self) -> None:
        from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

        self.logs: list[tuple[int, str]] = []
        outer = self

        class Servicer(engine_pb2_grpc.EngineServicer):
            def Log(self, request: Any, context: Any) -> Any:
                outer.logs.append((request.severity, request.message))
                return empty_pb2.Empty()

            def GetRootResource(self, request: Any, context: Any) -> Any:
                return engine_pb2.GetRootResourceResponse(urn="")

            def SetRootResource(self, request: Any, context: Any) -> Any:
                return engine_pb2.SetRootResourceResponse()

        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(Servicer(), self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.address = f"127.0.0.1:{port}"
        self.server.start()

    def stop(self) -> None:
        self.server.stop(0)


# ----- starting the pack ---------------------------------------------------------------------------
def pack_python(pack_dir: Path) -> str:
    """The interpreter the engine's shim would use: PulumiPolicy.yaml's virtualenv, else this one."""
    import yaml

    try:
        doc = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError):
        doc = {}
    runtime = doc.get("runtime") if isinstance(doc, Mapping) else None
    venv = runtime.get("options", {}).get("virtualenv") if isinstance(runtime, Mapping) else None
    if isinstance(venv, str):
        candidate = (pack_dir / venv).resolve() / "bin" / "python"
        if candidate.exists():
            return str(candidate)
    return sys.executable


def pack_command(pack_dir: Path, engine_address: str, python: str | None = None) -> list[str]:
    """The command the engine runs for a Python pack (cwd: the pack directory)."""
    return [python or pack_python(pack_dir), "-u", "-m", "pulumi.policy", engine_address, "."]


# The stack config travels in a file (its path in this variable); ``PULUMI_CONFIG`` carries it too,
# as the engine does, only while it is small: an environment variable over 128 KiB makes exec fail
# with "Argument list too long" (Linux MAX_ARG_STRLEN), and a plan must never fail on that.
CONFIG_FILE_ENV = "AIINFRA_PULUMI_CONFIG_FILE"
MAX_ENV_CONFIG_BYTES = 32 * 1024


def config_json(stack_config: Mapping[str, Any]) -> str:
    """The stack config as ``PULUMI_CONFIG`` holds it: every value a string (objects as JSON)."""
    return json.dumps({k: v if isinstance(v, str) else json.dumps(v) for k, v in stack_config.items()})


def pack_env(
    *,
    project: str,
    stack: str,
    dry_run: bool,
    organization: str,
    stack_config: Mapping[str, Any] | None,
    config_file: str | None = None,
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": "true" if dry_run else "false",
            "PULUMI_ORGANIZATION": organization,
        }
    )
    env.pop("PULUMI_CONFIG", None)
    env.pop(CONFIG_FILE_ENV, None)
    if stack_config:
        text = config_json(stack_config)
        if len(text.encode("utf-8")) <= MAX_ENV_CONFIG_BYTES:
            env["PULUMI_CONFIG"] = text
    if config_file:
        env[CONFIG_FILE_ENV] = config_file
    return env


def read_port(proc: subprocess.Popen[bytes], timeout: float) -> int:
    """The port the pack prints as its first stdout line."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    buf = b""
    while b"\n" not in buf:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PolicyPackError(f"the policy pack printed no port within {timeout:.0f}s")
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            raise PolicyPackError(f"the policy pack exited before printing its port (exit {proc.wait()}):\n{err}")
        buf += chunk
    line = buf.split(b"\n", 1)[0].strip()
    try:
        return int(line)
    except ValueError:
        raise PolicyPackError(f"the policy pack printed {line!r} instead of a port") from None


class PolicyPackProcess:
    """A running policy pack and a client for it. Use as a context manager; reusable across analyses."""

    def __init__(
        self,
        pack_dir: str | Path = DEFAULT_PACK,
        *,
        project: str = "ai-infra",
        stack: str = "dev",
        organization: str = "organization",
        dry_run: bool = True,
        stack_config: Mapping[str, Any] | None = None,
        stack_tags: Mapping[str, str] | None = None,
        python: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

        self._pb = analyzer_pb2
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.organization = project, stack, organization
        self.timeout = timeout
        self.engine = _Engine()
        self.stderr_lines: list[str] = []
        cmd = pack_command(self.pack_dir, self.engine.address, python)
        # the stack config in a private file, never only in the environment (see CONFIG_FILE_ENV)
        self._config_dir = tempfile.TemporaryDirectory(prefix="aiinfra-pack-")
        config_file = os.path.join(self._config_dir.name, "config.json")
        with open(config_file, "w", encoding="utf-8") as fh:
            fh.write(config_json(stack_config or {}))
        env = pack_env(
            project=project,
            stack=stack,
            dry_run=dry_run,
            organization=organization,
            stack_config=stack_config,
            config_file=config_file,
        )
        self.started = time.monotonic()
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and pack
            cmd, cwd=self.pack_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            self.port = read_port(self.proc, timeout)
        except BaseException:
            self.close()
            raise
        self.startup_seconds = time.monotonic() - self.started
        threading.Thread(target=self._drain, daemon=True).start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        try:
            self._handshake()
            self.stub.ConfigureStack(
                analyzer_pb2.AnalyzerStackConfigureRequest(
                    stack=stack,
                    project=project,
                    organization=organization,
                    dry_run=dry_run,
                    config={k: v if isinstance(v, str) else json.dumps(v) for k, v in (stack_config or {}).items()},
                    tags=dict(stack_tags or {}),
                ),
                timeout=timeout,
            )
            self.info = self.get_info()
        except grpc.RpcError as err:
            self.close()
            raise PolicyPackError(f"the policy pack failed a startup RPC: {err}") from err
        except BaseException:
            self.close()
            raise

    def _drain(self) -> None:
        if self.proc.stderr is None:
            return
        for line in iter(self.proc.stderr.readline, b""):
            self.stderr_lines.append(line.decode("utf-8", "replace").rstrip())

    def _handshake(self) -> None:
        req = self._pb.AnalyzerHandshakeRequest(
            engine_address=self.engine.address, root_directory=str(self.pack_dir), program_directory=str(self.pack_dir)
        )
        try:
            self.stub.Handshake(req, timeout=self.timeout)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:  # pulumi-policy packs do not implement it
                raise

    # ----- RPCs ---------------------------------------------------------------------------------
    def get_info(self) -> AnalyzerInfo:
        resp = self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=self.timeout)
        stack_type = self._pb.PolicyType.POLICY_TYPE_STACK
        policies = tuple(
            PolicyInfo(
                p.name,
                p.description,
                LEVELS[p.enforcementLevel],
                "stack" if p.policy_type == stack_type else "resource",
                json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {},
            )
            for p in resp.policies
        )
        return AnalyzerInfo(resp.name, resp.version, resp.supportsConfig, policies)

    def configure(self, policy_config: Mapping[str, Any] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
        """Send the policy config the way the CLI does: every policy, schema defaults filled in."""
        effective = effective_config(self.info, policy_config or {})
        req = self._pb.ConfigureAnalyzerRequest()
        for name, (level, props) in effective.items():
            pc = self._pb.PolicyConfig(enforcementLevel=LEVELS.index(level))  # type: ignore[arg-type]
            pc.properties.update(engine_value(props))
            req.policyConfig[name].CopyFrom(pc)
        self.stub.Configure(req, timeout=self.timeout)
        return effective

    def _analyzer_resource(self, r: Resource) -> Any:
        msg = self._pb.AnalyzerResource(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=r.properties,
            parent=r.parent or "",
            options=self._pb.AnalyzerResourceOptions(protect=r.protect, parent=r.parent or ""),
        )
        for key, urns in r.property_dependencies.items():
            msg.propertyDependencies[key].urns.extend(urns)
        return msg

    def _analyze_request(self, r: Resource) -> Any:
        return self._pb.AnalyzeRequest(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=r.properties,
            options=self._pb.AnalyzerResourceOptions(protect=r.protect, parent=r.parent or ""),
        )

    def analyze_resource(self, r: Resource) -> list[Violation]:
        resp = self.stub.Analyze(self._analyze_request(r), timeout=self.timeout)
        return self.resource_violations(resp, r)

    def analyze_resource_future(self, r: Resource) -> Any:
        """Send ``Analyze`` without waiting for the answer: a gRPC future of the response, for
        :meth:`resource_violations`. The pack serves several calls at once, so a client that keeps
        a few in flight never waits for one round trip before sending the next."""
        return self.stub.Analyze.future(self._analyze_request(r), timeout=self.timeout)

    def resource_violations(self, resp: Any, r: Resource) -> list[Violation]:
        # a resource policy's diagnostics concern the resource analyzed (the engine attributes them so)
        return self._violations(resp.diagnostics, {r.urn: r}, default=r)

    def analyze_stack(self, resources: Sequence[Resource]) -> list[Violation]:
        req = self._pb.AnalyzeStackRequest(resources=[self._analyzer_resource(r) for r in resources])
        resp = self.stub.AnalyzeStack(req, timeout=self.timeout)
        return self._violations(resp.diagnostics, {r.urn: r for r in resources})

    def _violations(
        self, diagnostics: Any, by_urn: Mapping[str, Resource], default: Resource | None = None
    ) -> list[Violation]:
        out = []
        for d in diagnostics:
            message = d.message
            if d.description and message.startswith(d.description):
                message = message[len(d.description) :].lstrip("\n")
            message, _, fix = message.partition(FIX_SEPARATOR)
            r = by_urn.get(d.urn) or default
            out.append(
                Violation(
                    policy=d.policyName,
                    enforcement_level=LEVELS[d.enforcementLevel],
                    message=message,
                    description=d.description,
                    urn=d.urn or (r.urn if r else ""),
                    type=r.type if r else None,
                    name=r.name if r else None,
                    pack=d.policyPackName,
                    pack_version=d.policyPackVersion,
                    fix=fix,
                )
            )
        return out

    @property
    def has_resource_policies(self) -> bool:
        """Whether ``Analyze`` can return anything: pulumi-policy's Analyze runs only resource policies.

        A pack of stack policies alone answers every ``Analyze`` with nothing, so a client may
        leave those round trips out and get the same verdicts.
        """
        return any(p.scope == "resource" for p in self.info.policies)

    def failed(self, err: grpc.RpcError) -> PolicyPackError:
        """An RPC failure during analysis, with the tail of the pack's stderr."""
        tail = "\n".join(self.stderr_lines[-20:])
        return PolicyPackError(f"the policy pack failed to analyze the stack: {err}\n{tail}")

    def analyze(self, resources: Sequence[Any], policy_config: Mapping[str, Any] | None = None) -> list[Violation]:
        """Configure, then Analyze each resource and AnalyzeStack once; all violations in that order."""
        items = [as_resource(r) for r in resources]
        self.configure(policy_config)
        out: list[Violation] = []
        try:
            for r in items:
                out.extend(self.analyze_resource(r))
            out.extend(self.analyze_stack(items))
        except grpc.RpcError as err:
            raise self.failed(err) from err
        return out

    def close(self) -> None:
        """Stop the pack and the engine server (idempotent)."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        self.engine.stop()
        self._config_dir.cleanup()

    def __enter__(self) -> PolicyPackProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def effective_config(info: AnalyzerInfo, policy_config: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """(level, properties) per policy, as the CLI computes it from ``--policy-pack-config`` JSON.

    Accepts ``{"all": "advisory", "<policy>": "mandatory" | {"enforcementLevel": ..., <prop>: ...}}``;
    fills schema defaults; validates each policy's properties against its schema.
    """
    import jsonschema

    known = {p.name: p for p in info.policies}
    unknown = [k for k in policy_config if k != "all" and k not in known]
    if unknown:
        raise PolicyConfigError(f"{_unknown_policies(unknown, known)}; the pack has: {', '.join(sorted(known))}")
    all_level = policy_config.get("all")
    if all_level is not None and all_level not in LEVELS:
        raise PolicyConfigError(f"all: enforcement level must be one of {', '.join(LEVELS)}")
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, p in known.items():
        level = all_level or p.enforcement_level
        props: dict[str, Any] = {
            k: v["default"] for k, v in p.config_schema.items() if isinstance(v, Mapping) and "default" in v
        }
        given = policy_config.get(name)
        if isinstance(given, str):
            level = given
        elif isinstance(given, Mapping):
            for k, v in given.items():
                if k == "enforcementLevel":
                    level = v
                else:
                    props[k] = v
        elif given is not None:
            raise PolicyConfigError(f"{name}: expected an enforcement level or an object")
        if level not in LEVELS:
            raise PolicyConfigError(f"{name}: enforcement level must be one of {', '.join(LEVELS)}, not {level!r}")
        schema = {"type": "object", "properties": dict(p.config_schema), "additionalProperties": False}
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(props), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            where = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in e.path).lstrip(".") or "(config)"
            raise PolicyConfigError(f"{name}: {where}: {e.message}")
        out[name] = (level, props)
    return out


@contextmanager
def running_pack(pack_dir: str | Path = DEFAULT_PACK, **kwargs: Any) -> Iterator[PolicyPackProcess]:
    proc = PolicyPackProcess(pack_dir, **kwargs)
    try:
        yield proc
    finally:
        proc.close()


def start_packs(
    *,
    pack_dirs: Sequence[str | Path] = DEFAULT_PACKS,
    project: str = "ai-infra",
    stack: str = "dev",
    stack_config: Mapping[str, Any] | None = None,
    stack_tags: Mapping[str, str] | None = None,
    dry_run: bool = True,
    timeout: float = 60.0,
) -> futures.Future[list[PolicyPackProcess]]:
    """Start the packs in the background, side by side (the planner runs the program meanwhile, as
    the engine starts analyzers before the program registers). Pass the future to
    :func:`analyze_packs` as ``started``; it closes them."""

    def start_all() -> list[PolicyPackProcess]:
        def one(pack_dir: str | Path) -> PolicyPackProcess:
            return PolicyPackProcess(
                pack_dir,
                project=project,
                stack=stack,
                stack_config=stack_config,
                stack_tags=stack_tags,
                dry_run=dry_run,
                timeout=timeout,
            )

        with futures.ThreadPoolExecutor(max_workers=len(pack_dirs) or 1) as inner:
            starting = [inner.submit(one, d) for d in pack_dirs]
        packs: list[PolicyPackProcess] = []
        error: BaseException | None = None
        for f in starting:
            try:
                packs.append(f.result())
            except BaseException as exc:  # keep the first error, still stop the packs that started
                error = error or exc
        if error is not None:
            for pk in packs:
                pk.close()
            raise error
        return packs

    pool = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="policy-packs")
    fut = pool.submit(start_all)
    pool.shutdown(wait=False)
    return fut


def analyze(
    resources: Sequence[Any],
    policy_config: Mapping[str, Any] | None = None,
    *,
    pack_dir: str | Path = DEFAULT_PACK,
    project: str = "ai-infra",
    stack: str = "dev",
    stack_config: Mapping[str, Any] | None = None,
    stack_tags: Mapping[str, str] | None = None,
    dry_run: bool = True,
    timeout: float = 60.0,
) -> list[Violation]:
    """Start the pack, run one full analysis of ``resources`` (mock-engine CapturedResources), stop it.

    ``policy_config`` is the ``--policy-pack-config`` JSON; ``stack_config`` the stack's config
    (``{"aiinfra:fleet": {...}}``: the pack reads the fleet spec's environment and budget from
    it); ``stack_tags`` the stack's tags (``aiinfra-environment``). Raises ``PolicyConfigError``
    for a config the CLI would reject and ``PolicyPackError`` when the pack fails.
    """
    with running_pack(
        pack_dir,
        project=project,
        stack=stack,
        stack_config=stack_config,
        stack_tags=stack_tags,
        dry_run=dry_run,
        timeout=timeout,
    ) as pack:
        return pack.analyze(resources, policy_config)


def _unknown_policies(unknown: Sequence[str], known: Iterable[str]) -> str:
    """``unknown policy 'pool-max-node' (did you mean 'pool-max-nodes'?)``."""
    import difflib

    options = list(known)

    def named(k: str) -> str:
        close = difflib.get_close_matches(k, options, n=1)
        return f"'{k}' (did you mean '{close[0]}'?)" if close else f"'{k}'"

    return f"unknown polic{'ies' if len(unknown) > 1 else 'y'} {', '.join(named(k) for k in sorted(unknown))}"


def split_config(infos: Sequence[AnalyzerInfo], policy_config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``--policy-pack-config`` object per pack from one object naming policies of any pack.

    ``all`` goes to every pack; a name no pack has is an error (as the CLI rejects it), listing
    every pack's policies.
    """
    known = [{p.name for p in info.policies} for info in infos]
    unknown = [k for k in policy_config if k != "all" and not any(k in names for names in known)]
    if unknown:
        every = sorted(set().union(*known))
        raise PolicyConfigError(f"{_unknown_policies(unknown, every)}; the packs have: {', '.join(every)}")
    return [{k: v for k, v in policy_config.items() if k == "all" or k in names} for names in known]


class PackSession:
    """Packs analysing a stack while its program registers, as the engine drives its analyzers.

    The engine calls ``Analyze`` for each resource as the program registers it and
    ``AnalyzeStack`` once the program is done. A session does the same: :meth:`add` sends each
    resource's ``Analyze`` without waiting for the answer (thread-safe: the mock engine registers
    from the SDK's worker threads; resources added while the packs are still starting are sent
    once a background thread has configured them), and :meth:`finish` reads the answers in the
    order sent, sends ``AnalyzeStack`` to every pack side by side and closes the packs. The packs
    are separate processes, so their work overlaps the program's.

    ``started``: the future of :func:`start_packs`. ``select`` maps a pack's name to the
    resources it is sent (every resource otherwise). A pack with no resource policies gets no
    ``Analyze`` (pulumi-policy would answer each with nothing); it still gets ``AnalyzeStack``.
    """

    def __init__(
        self,
        started: futures.Future[list[PolicyPackProcess]],
        policy_config: Mapping[str, Any] | None = None,
        select: Mapping[str, Callable[[Any], bool]] | None = None,
    ) -> None:
        self._started = started
        self._config = dict(policy_config or {})
        self._select = dict(select or {})
        self._packs: list[PolicyPackProcess] = []
        # per pack with resource policies: what it is sent, and its Analyze calls in the order sent
        self._feeds: list[tuple[PolicyPackProcess, Callable[[Any], bool] | None, list[tuple[Any, Resource]]]] = []
        self._errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._closed = False
        self._prepared = False  # the packs are configured: add() sends at once
        self._pending: list[Any] = []  # added before that
        # what each added resource was sent as, by identity (the entry keeps it alive), so that
        # AnalyzeStack reuses its Struct (Resource.properties)
        self._sent_as: dict[int, tuple[Any, Resource]] = {}
        # started and configured in the background: a failure is raised by finish()
        self._ready = threading.Thread(target=self._prepare, name="policy-session", daemon=True)
        self._ready.start()

    def _prepare(self) -> None:
        try:
            packs = self._started.result()
            self._packs = packs
            configs = split_config([p.info for p in packs], self._config)
            for pack, config in zip(packs, configs, strict=True):
                pack.configure(config)
        except BaseException as exc:  # reported by finish()
            self._errors.append(exc)
            return
        with self._lock:
            self._feeds = [(p, self._select.get(p.info.name), []) for p in packs if p.has_resource_policies]
            for r in self._pending:  # registered before the packs were ready
                self._send(r)
            self._pending.clear()
            self._prepared = True

    def _send(self, r: Any) -> None:
        # Sent from the registering thread, without waiting, so nothing is left queued when the
        # program ends. (A thread per pack that sent and read answers got the interpreter lock
        # only between the program's steps and still had about half its resources queued then;
        # on 2 cores the plan took the same time either way: docs/plan.md, third round.)
        res: Resource | None = None
        for pack, keep, sent in self._feeds:
            if keep is None or keep(r):
                if res is None:
                    res = as_resource(r)
                    self._sent_as[id(r)] = (r, res)
                try:
                    sent.append((pack.analyze_resource_future(res), res))
                except BaseException as exc:  # reported by finish()
                    self._errors.append(exc)

    def add(self, resource: Any) -> None:
        """Send one registered resource's ``Analyze`` (a CapturedResource, Resource or dict)."""
        with self._lock:
            if self._closed or self._errors:
                return
            if self._prepared:
                self._send(resource)
            elif self._ready.is_alive():  # the packs are still starting: sent when they are ready
                self._pending.append(resource)

    def _as_sent(self, r: Any) -> Resource:
        """``as_resource(r)``: the one sent in its ``Analyze``, if it was sent."""
        seen = self._sent_as.get(id(r))
        return seen[1] if seen is not None and seen[0] is r else as_resource(r)

    def finish(self, resources: Sequence[Any]) -> list[Violation]:
        """Read every ``Analyze`` answer, run ``AnalyzeStack`` on ``resources``, close the packs.

        Violations come pack by pack (the order of the packs started), each pack's ``Analyze``
        findings in registration order, then its ``AnalyzeStack`` findings.
        """
        try:
            self._ready.join()
            if self._errors:
                raise self._errors[0]
            found: dict[PolicyPackProcess, list[Violation]] = {}
            for pack, _, sent in self._feeds:
                mine = found.setdefault(pack, [])
                try:
                    for fut, res in sent:
                        mine.extend(pack.resource_violations(fut.result(), res))
                except grpc.RpcError as err:
                    raise pack.failed(err) from err
            items = [self._as_sent(r) for r in resources]

            def stack(pack: PolicyPackProcess) -> list[Violation]:
                keep = self._select.get(pack.info.name)
                try:
                    return pack.analyze_stack([r for r in items if keep(r)] if keep else items)
                except grpc.RpcError as err:
                    raise pack.failed(err) from err

            with futures.ThreadPoolExecutor(max_workers=len(self._packs) or 1) as pool:
                stacks = list(pool.map(stack, self._packs))
            return [v for p, more in zip(self._packs, stacks, strict=True) for v in (*found.get(p, ()), *more)]
        finally:
            self.close()

    def close(self) -> None:
        """Stop the packs (idempotent; also when they failed to start or the program failed)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for _, _, sent in self._feeds:
                for fut, _ in sent:
                    fut.cancel()  # answers no one will read
        try:
            packs = self._started.result()
        except BaseException:  # they never started: nothing to stop
            return
        for p in packs:
            p.close()


def analyze_packs(
    resources: Sequence[Any],
    policy_config: Mapping[str, Any] | None = None,
    *,
    pack_dirs: Sequence[str | Path] = DEFAULT_PACKS,
    project: str = "ai-infra",
    stack: str = "dev",
    stack_config: Mapping[str, Any] | None = None,
    stack_tags: Mapping[str, str] | None = None,
    dry_run: bool = True,
    timeout: float = 60.0,
    started: futures.Future[list[PolicyPackProcess]] | PackSession | None = None,
    select: Mapping[str, Callable[[Any], bool]] | None = None,
) -> list[Violation]:
    """``analyze`` with several packs, as ``pulumi preview --policy-pack A --policy-pack B`` runs them.

    The packs start side by side (their start-up dominates a plan), or were started already
    (``started``: the future of :func:`start_packs`, or a :class:`PackSession` that was fed the
    resources as they registered); ``policy_config`` may name the policies of any pack
    (``split_config``). ``select`` maps a pack's name to the resources it is sent (every
    resource otherwise). Violations come pack by pack, in ``pack_dirs`` order.
    """
    if isinstance(started, PackSession):
        return started.finish(resources)
    if started is None:
        started = start_packs(
            pack_dirs=pack_dirs,
            project=project,
            stack=stack,
            stack_config=stack_config,
            stack_tags=stack_tags,
            dry_run=dry_run,
            timeout=timeout,
        )
    session = PackSession(started, policy_config, select)
    for r in resources:
        session.add(r)
    return session.finish(resources)
