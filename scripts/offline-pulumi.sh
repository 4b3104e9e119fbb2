#!/usr/bin/env bash
# The Pulumi engine, offline: the `pulumi` CLI and its language hosts, built from the Go module
# proxy when no `pulumi` is installed, cached under ~/.cache/ai-infra/pulumi/<version>.
#
#   scripts/offline-pulumi.sh [build]   make sure a CLI is there (build it if needed) and the npm cache the engine
#                                       tier's TypeScript example installs from; print the CLI's bin dir
#   scripts/offline-pulumi.sh env       print `export` lines for `eval`: the CLI, the language hosts and
#                                       the stand-in provider plugins on PATH, a file backend in a temp dir
#   scripts/offline-pulumi.sh version   print the pinned CLI version
#
# A `pulumi` already on PATH (a user's official install) is used as it is, unless
# AIINFRA_PULUMI_BUILD=1 asks for the pinned build anyway. Needs Go (go.mod of pkg/v3 says which).
set -euo pipefail

# The one place the engine's version is pinned: at or above the `pulumi` Python SDK we install,
# and served by the Go module proxy (github.com/pulumi/pulumi/pkg/v3 and sdk/v3 at this tag).
PULUMI_VERSION="3.274.1"

# Language hosts to build beside the CLI, one per line: name, then where its Go main package comes
# from. `local:DIR` is source in this repository (built against pkg/v3 and sdk/v3 at
# PULUMI_VERSION); `module:PACKAGE@VERSION` is a main package the proxy serves, installed with
# `go install` (its module's own go.mod decides the rest), e.g. for YAML programs:
#   yaml module:github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v1.25.0
# Adding a host changes what a cached build holds: bump the cache by deleting
# ~/.cache/ai-infra/pulumi/<version> (or set AIINFRA_PULUMI_CACHE). The official Python host's module (github.com/pulumi/pulumi/sdk/python/cmd/
# pulumi-language-python/v3) is not served by the proxy (403 "This module version is not
# available"), so python is ai-infra's host, built from the same sdk/v3 toolchain package.
# The official Node.js host's module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
# is not served either: nodejs is ai-infra's host around pkg/v3's Node.js code generator and
# @pulumi/pulumi's own program runner (from npm). The YAML host is the official one.
LANGUAGE_HOSTS="
python local:scripts/offline-pulumi/pulumi-language-python
nodejs local:scripts/offline-pulumi/pulumi-language-nodejs
yaml module:github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v1.25.0
"

# npm packages the engine tier installs offline (npm_config_offline, from this cache): those of
# examples/typescript/package.json, and those of the TypeScript SDK `pulumi package add`
# generates for the component package (its package.json, written by pkg/v3's code generator).
SDK_NPM_DEPENDENCIES='{"@pulumi/pulumi": "^3.269.0", "@types/node": "^20", "typescript": "^4.7.0"}'

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${AIINFRA_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-infra/pulumi}"
prefix="$cache_root/$PULUMI_VERSION"
bin="$prefix/bin"
npm_cache="$cache_root/npm"

log() { echo "offline-pulumi: $*" >&2; }

# The wrapper modules below have no go.sum of their own: let go fill it in from the proxy.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

# The bin dir of a `pulumi` already on PATH, or nothing.
installed_cli_dir() {
  [ "${AIINFRA_PULUMI_BUILD:-}" = "1" ] && return 0
  local found
  found="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin" | paste -sd: -)" command -v pulumi || true)"
  [ -n "$found" ] && dirname "$found"
  return 0
}

# A throwaway module that requires pkg/v3 and sdk/v3 at one version: their own go.mod files carry
# `replace` directives (sdk/v3 => ../sdk, a clipboard fork), so `go install pkg@version` refuses.
# The clipboard replace is repeated here, as the CLI's own build has it.
wrapper_module() {
  local dir="$1"
  mkdir -p "$dir"
  cat > "$dir/go.mod" <<MOD
module aiinfra.local/offline-pulumi

go 1.26

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
  (cd "$dir" && go get "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" >&2)
}

ldflags() {
  echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
}

build_language_host() {
  local work="$1" name="$2" source="$3"
  case "$source" in
    local:*)
      local dir="$work/cmd/pulumi-language-$name"
      mkdir -p "$dir"
      cp "$repo/${source#local:}"/*.go "$dir/"
      (cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "$(ldflags)" \
        -o "$bin.partial/pulumi-language-$name" "./cmd/pulumi-language-$name")
      ;;
    module:*)
      # A module without replace directives installs as it is (its own go.mod pins its deps).
      GOBIN="$bin.partial" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "${source#module:}"
      [ -x "$bin.partial/pulumi-language-$name" ] || { log "${source#module:} did not give pulumi-language-$name"; return 1; }
      ;;
    *) log "unknown language host source '$source' for $name"; return 1 ;;
  esac
}

# What a finished build was made from: the version, the host table and the hosts' local sources.
# A cached build with another stamp (a host added, the host's source changed) is rebuilt; Go's
# own caches make that a link, not a compile.
stamp() {
  {
    echo "$PULUMI_VERSION"
    echo "$LANGUAGE_HOSTS"
    while read -r _ source; do
      case "$source" in local:*) cat "$repo/${source#local:}"/*.go ;; esac
    done <<< "$LANGUAGE_HOSTS"
  } | sha256sum | cut -d' ' -f1
}

build() {
  local want
  want="$(stamp)"
  if [ -f "$prefix/.complete" ] && [ "$(cat "$prefix/.complete")" = "$want" ]; then
    return 0
  fi
  # One build at a time (parallel test workers, two shells): wait for it, then look again.
  mkdir -p "$cache_root"
  exec 9> "$cache_root/$PULUMI_VERSION.lock"
  flock 9
  if [ -f "$prefix/.complete" ] && [ "$(cat "$prefix/.complete")" = "$want" ]; then
    return 0
  fi
  command -v go > /dev/null || { log "needs Go (https://go.dev/dl) to build the Pulumi CLI, or an installed pulumi on PATH"; exit 2; }
  local start work sdkdir
  start=$(date +%s)
  log "building Pulumi CLI v$PULUMI_VERSION from the Go module proxy into $prefix (a few minutes, once)"
  rm -rf "$bin.partial" "$prefix/work"
  mkdir -p "$bin.partial"
  work="$prefix/work"
  wrapper_module "$work"
  (cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "$(ldflags)" -o "$bin.partial/pulumi" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  while read -r name source; do
    [ -n "$name" ] || continue
    build_language_host "$work" "$name" "$source"
  done <<< "$LANGUAGE_HOSTS"
  # The Python host runs programs through pulumi-language-python-exec, which must sit beside it;
  # the dist scripts (dynamic providers) come from the same sdk/v3 module.
  sdkdir="$(cd "$work" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
  install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$bin.partial/"
  for script in "$sdkdir"/python/dist/*; do
    case "$script" in *.cmd) ;; *) install -m 0755 "$script" "$bin.partial/" ;; esac
  done
  rm -rf "$bin"
  mv "$bin.partial" "$bin"
  rm -rf "$work"
  echo "$want" > "$prefix/.complete"
  log "built in $(( $(date +%s) - start ))s: $("$bin/pulumi" version)"
}

# Fill the npm cache the engine tier installs from offline (see SDK_NPM_DEPENDENCIES); once per
# change of those dependencies. Without npm, say so: the TypeScript tests then fail with the reason.
warm_npm() {
  command -v npm > /dev/null || { log "no npm: the engine tier's TypeScript example needs Node.js and npm"; return 0; }
  local want tmp
  want="$( { cat "$repo/examples/typescript/package.json"; echo "$SDK_NPM_DEPENDENCIES"; } | sha256sum | cut -d' ' -f1)"
  if [ -f "$npm_cache/.complete" ] && [ "$(cat "$npm_cache/.complete")" = "$want" ]; then
    return 0
  fi
  tmp="$(mktemp -d)"
  mkdir -p "$tmp/example" "$tmp/sdk"
  # The example's own manifest, less the SDK `pulumi package add` links (file:sdks/aiinfra).
  node -e 'const m = require(process.argv[1]); delete (m.dependencies || {})["@pulumi/aiinfra"];
    require("fs").writeFileSync(process.argv[2], JSON.stringify(m))' \
    "$repo/examples/typescript/package.json" "$tmp/example/package.json"
  printf '{"name": "sdk-deps", "private": true, "dependencies": %s}\n' "$SDK_NPM_DEPENDENCIES" > "$tmp/sdk/package.json"
  for dir in "$tmp/example" "$tmp/sdk"; do
    (cd "$dir" && npm install --cache "$npm_cache" --no-audit --no-fund --ignore-scripts > /dev/null) \
      || { log "npm install for the engine tier's npm cache failed ($dir)"; rm -rf "$tmp"; exit 2; }
  done
  rm -rf "$tmp"
  echo "$want" > "$npm_cache/.complete"
  log "npm cache for the TypeScript example warmed in $npm_cache"
}

# The directory with `pulumi` in it, building it first when there is none.
cli_dir() {
  local installed
  installed="$(installed_cli_dir)"
  if [ -n "$installed" ]; then
    echo "$installed"
  else
    build
    echo "$bin"
  fi
}

print_env() {
  local dir state standins
  dir="$(cli_dir)"
  state="$(mktemp -d "${TMPDIR:-/tmp}/aiinfra-pulumi.XXXXXX")"
  mkdir -p "$state/backend" "$state/home"
  # Stand-in provider plugins (tests/engine): pulumi-resource-<pkg> executables for every
  # package the stand-ins cover, written by the stand-in module itself (its list is the one place).
  standins="$state/plugins"
  python="${AIINFRA_PYTHON:-$repo/.venv/bin/python}"
  if [ -x "$python" ]; then
    (cd "$repo" && "$python" -m tests.engine.standin install "$standins") > /dev/null || { log "could not write the stand-in providers"; exit 2; }
  else
    log "no $python: run 'python3 -m venv .venv && .venv/bin/pip install -e .[test]' for the stand-in providers"
  fi
  printf 'export PATH=%q\n' "$dir:$standins:$PATH"
  printf 'export PULUMI_BACKEND_URL=%q\n' "file://$state/backend"
  printf 'export PULUMI_HOME=%q\n' "$state/home"
  printf 'export PULUMI_CONFIG_PASSPHRASE=%q\n' "${PULUMI_CONFIG_PASSPHRASE:-aiinfra-offline}"
  printf 'export PULUMI_SKIP_UPDATE_CHECK=true\n'
  printf 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
  printf 'export AIINFRA_PULUMI_STATE=%q\n' "$state"
  printf 'export AIINFRA_NPM_CACHE=%q\n' "$npm_cache"
}

case "${1:-build}" in
  build) cli_dir; warm_npm ;;
  env) print_env ;;
  version) echo "$PULUMI_VERSION" ;;
  -h|--help|help) sed -n '2,13p' "$0" ;;
  *) log "unknown command '$1' (build | env | version)"; exit 2 ;;
esac
