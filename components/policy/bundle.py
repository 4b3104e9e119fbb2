"""Bundle a policy pack (``overprovisioning`` or ``security``) into a self-contained directory for
``pulumi policy publish``.

Locally the pack runs in the repository's virtualenv (PulumiPolicy.yaml ``virtualenv:
../../.venv``), where ``components`` is installed. A published pack is a tarball of its
directory that the CLI unpacks and installs from ``requirements.txt`` on every machine that
enforces it, so the bundle copies the pure-Python rules (``components/policy``), the catalog
(``components/catalog``, data included) and ``components/terminal.py`` (``counted``: "1 pool",
"2 pools" in the rules' messages; it imports only the standard library, rich only when a table is
drawn) beside ``__main__.py`` and drops the ``virtualenv`` pointer. None of them imports a provider
SDK, so the bundle installs only pulumi, pulumi-policy, PyYAML and jsonschema.

Usage::

    .venv/bin/python -m components.policy.bundle dist/overprovisioning
    .venv/bin/python -m components.policy.bundle dist/security --pack security
    cd dist/overprovisioning && pulumi policy publish <org>
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PACKS = ("overprovisioning", "security")
PACK = REPO / "policies" / "overprovisioning"
PACKAGES = ("components/catalog", "components/policy")
#: Single modules the packages import, copied beside them.
MODULES = ("components/__init__.py", "components/terminal.py")


def bundle(out: Path, pack: str = "overprovisioning") -> Path:
    """Write the self-contained ``pack`` (one of ``PACKS``) to ``out`` (replaced if it exists)."""
    if pack not in PACKS:
        raise ValueError(f"unknown pack {pack!r}: one of {', '.join(PACKS)}")
    source = REPO / "policies" / pack
    out = out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("__main__.py", "requirements.txt"):
        shutil.copy2(source / name, out / name)
    doc = yaml.safe_load((source / "PulumiPolicy.yaml").read_text("utf-8"))
    # the CLI creates this virtualenv next to the unpacked pack and installs requirements.txt
    doc["runtime"] = {"name": "python", "options": {"virtualenv": "venv"}}
    (out / "PulumiPolicy.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    (out / "components").mkdir()
    for module in MODULES:
        shutil.copy2(REPO / module, out / module)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for pkg in PACKAGES:
        shutil.copytree(REPO / pkg, out / pkg, ignore=ignore)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write (replaced)")
    parser.add_argument("--pack", choices=PACKS, default="overprovisioning", help="which pack (default: %(default)s)")
    args = parser.parse_args(argv)
    path = bundle(args.out, args.pack)
    print(f"bundled the policy pack into {path}; publish with: cd {path} && pulumi policy publish <org>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
