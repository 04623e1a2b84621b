#!/usr/bin/env bash
# Build the interop probes used by tests/interop_tools.py.  Idempotent, runs
# from any directory, never reads stdin.
#   - libical-dev + pkg-config (+ gcc) via apt-get when missing (root only)
#   - build/libical_utc compiled from libical_utc.c when missing or stale
#   - node_modules from package-lock.json (npm ci) when missing or stale
set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$HERE/build"
BIN="$BUILD/libical_utc"
SRC="$HERE/libical_utc.c"

log() { printf 'interop setup: %s\n' "$*"; }
die() { printf 'interop setup: ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$BUILD"
# Serialise concurrent runs (e.g. parallel test workers); best effort.
if command -v flock >/dev/null 2>&1 && { exec 9>"$BUILD/.setup.lock"; } 2>/dev/null; then
    flock 9
fi

# --- system packages -------------------------------------------------------
need_pkgs=()
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libical; then
    need_pkgs+=(libical-dev pkg-config)
fi
if ! command -v gcc >/dev/null 2>&1; then
    need_pkgs+=(gcc libc6-dev)
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    need_pkgs+=(nodejs npm)
fi
if ((${#need_pkgs[@]})); then
    if [[ "$(id -u)" -ne 0 ]]; then
        die "missing ${need_pkgs[*]} and not root; install them first, e.g.: sudo apt-get install ${need_pkgs[*]}"
    fi
    log "installing ${need_pkgs[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt_log="$BUILD/apt.log"
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"; } \
            </dev/null >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        die "apt-get failed (log above)"
    fi
    pkg-config --exists libical || die "libical still not found by pkg-config after install"
fi
log "libical $(pkg-config --modversion libical), node $(node --version)"

# --- libical probe ---------------------------------------------------------
if [[ ! -x "$BIN" || "$SRC" -nt "$BIN" ]]; then
    log "compiling $BIN"
    # shellcheck disable=SC2046  # word splitting of pkg-config output is intended
    gcc -std=c11 -O2 -Wall -Wextra -o "$BIN.tmp.$$" "$SRC" $(pkg-config --cflags --libs libical)
    mv -f "$BIN.tmp.$$" "$BIN"
else
    log "libical_utc up to date"
fi

# --- ical.js ---------------------------------------------------------------
stamp="$HERE/node_modules/.package-lock.json"
if [[ ! -f "$HERE/node_modules/ical.js/package.json" || ! -f "$stamp" \
      || "$HERE/package-lock.json" -nt "$stamp" ]]; then
    log "npm ci (ical.js)"
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
    touch "$stamp"
else
    log "node_modules up to date"
fi
log "ical.js $(node -p 'require(process.argv[1]).version' "$HERE/node_modules/ical.js/package.json")"
log "ready"
