#!/usr/bin/env bash
# Lint the GitHub Actions workflows with actionlint (built from the Go module proxy once,
# cached under ~/.cache/ai-infra/tools). Arguments go to actionlint; none lints .github/workflows.
# shellcheck (Debian's package) is used for the run: scripts when it is installed.
set -euo pipefail
ACTIONLINT_VERSION="v1.7.12"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/ai-infra/tools/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$tools/actionlint" ]; then
  command -v go > /dev/null || { echo "actionlint.sh: needs Go to build actionlint" >&2; exit 2; }
  echo "actionlint.sh: building actionlint $ACTIONLINT_VERSION into $tools" >&2
  GOBIN="$tools" CGO_ENABLED=0 go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
fi
cd "$repo"
exec "$tools/actionlint" "$@"
