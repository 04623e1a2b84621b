#!/usr/bin/env bash
# Install the accessibility harness's npm packages (axe-core, playwright-core; pinned in
# package-lock.json) into tests/a11y/node_modules with `npm ci`, when missing or older than the
# lock file. Idempotent, runs from any directory, never reads stdin, downloads no browser: the
# harness drives the system Chromium (apt-get install chromium), which .ci/run installs.
set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'a11y setup: %s\n' "$*"; }
die() { printf 'a11y setup: ERROR: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
    || die "Node.js and npm are needed (apt-get install nodejs npm)"

stamp="$HERE/node_modules/.package-lock.json"
if [[ ! -f "$HERE/node_modules/axe-core/axe.min.js" || ! -f "$HERE/node_modules/playwright-core/package.json" \
      || ! -f "$stamp" || "$HERE/package-lock.json" -nt "$stamp" ]]; then
    log "npm ci (axe-core, playwright-core)"
    # playwright-core itself downloads nothing on install; the variable makes sure of it.
    (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error </dev/null)
    touch "$stamp"
else
    log "node_modules up to date"
fi
version() { node -p 'require(process.argv[1]).version' "$HERE/node_modules/$1/package.json"; }
log "axe-core $(version axe-core), playwright-core $(version playwright-core), node $(node --version)"
