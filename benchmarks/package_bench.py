"""Benchmark the component package on the real engine (run by hand).

    .venv/bin/python benchmarks/package_bench.py [--repeat 3]

Needs the offline engine (``scripts/offline-pulumi.sh build``: the CLI, the language hosts and the
npm cache). In a temp copy of the project with a file backend and the stand-in providers, the
wall time of: ``pulumi package get-schema provider/``; ``pulumi package add`` into a copy of
``examples/typescript`` (SDK generation, link, offline ``npm install``, the SDK's ``tsc``);
``tsc --noEmit`` of the program; and ``pulumi preview --policy-pack policies/overprovisioning``
of the gcp-train fleet from Python (``stacks/Pulumi.gcp-train.yaml``), Pulumi YAML
(``examples/yaml``) and TypeScript (``examples/typescript``). Previews: best of ``--repeat``
after one warm-up.
"""

# ruff: noqa: S603 - runs this repo's own commands and the pulumi CLI from PATH
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.engine.conftest import copy_project  # noqa: E402
from tests.engine.package import example_copy, offline_env, plugin_copy  # noqa: E402

STACK = "gcp-train"


def _env() -> dict[str, str]:
    import os

    out = subprocess.run(
        [str(REPO / "scripts" / "offline-pulumi.sh"), "env"], capture_output=True, text=True, check=True
    )
    env = dict(os.environ)
    for line in out.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return offline_env(env)


def _once(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    run = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return time.perf_counter() - start


def _best(argv: list[str], cwd: Path, env: dict[str, str], repeat: int) -> float:
    _once(argv, cwd, env)
    return min(_once(argv, cwd, env) for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = _env()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project")
        (Path(tmp) / "backend").mkdir()
        env["PULUMI_BACKEND_URL"] = f"file://{tmp}/backend"
        plugin = plugin_copy(Path(tmp) / "provider")
        pack = str(root / "policies" / "overprovisioning")
        yaml_dir = example_copy("yaml", root / "examples" / "yaml", plugin)
        ts_dir = example_copy("typescript", root / "examples" / "typescript", plugin)

        schema_s = _once(["pulumi", "package", "get-schema", str(plugin), "--non-interactive"], root, env)
        add_s = _once(["pulumi", "package", "add", str(plugin), "--non-interactive"], ts_dir, env)
        tsc_s = _once([str(ts_dir / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", "."], ts_dir, env)
        print(f"pulumi package get-schema provider/  {schema_s:6.1f}s")
        print(f"pulumi package add (TypeScript SDK)  {add_s:6.1f}s")
        print(f"tsc --noEmit (program + SDK types)   {tsc_s:6.1f}s")
        print(f"pulumi preview --policy-pack, best of {args.repeat}:")
        for label, cwd in (("Python", root), ("Pulumi YAML", yaml_dir), ("TypeScript", ts_dir)):
            init = ["pulumi", "stack", "init", STACK, "--non-interactive"]
            subprocess.run(init, cwd=cwd, env=env, capture_output=True)
            preview = ["pulumi", "preview", "--stack", STACK, "--policy-pack", pack, "--non-interactive"]
            print(f"  {label:<12} {_best(preview, cwd, env, args.repeat):6.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
