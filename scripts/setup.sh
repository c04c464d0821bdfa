#!/usr/bin/env bash
# Make the project environment from scratch: Debian's MLIR/LLVM tools (for the
# interop tests), a virtualenv at .venv, and qkv-opt with its dev and torch
# extras.  Idempotent: a second run only checks.  Sourced by test.sh and demo.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${QKV_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3.11}"
EXTRAS="${QKV_EXTRAS:-dev,torch}"

log() { printf '==> %s\n' "$*" >&2; }

install_debian_tools() {
  if command -v mlir-opt-22 >/dev/null && command -v FileCheck-22 >/dev/null; then
    return
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      log "mlir-opt-22 missing and not root: interop tests will be unsupported"; return
    fi
  fi
  log "installing mlir-22-tools and llvm-22-tools (Debian)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq mlir-22-tools llvm-22-tools >/dev/null
}

make_venv() {
  if ! command -v "$PYTHON" >/dev/null; then PYTHON=python3; fi
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
  fi
  # torch==2.13.0 is pinned in pyproject.toml: pip takes the CPU wheel on this
  # machine instead of a multi-GB CUDA build.
  log "installing qkv-opt[$EXTRAS] into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  # pip's own warnings about this machine's local indexes and setuptools' build
  # notices are noise here; a real failure shows in the import check below.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT[$EXTRAS]" \
    > "$VENV/pip-install.log" 2>&1 || { cat "$VENV/pip-install.log" >&2; exit 1; }
  "$VENV/bin/python" -c "import qkv_opt, xdsl, torch" \
    || { log "installation failed"; exit 1; }
}

install_debian_tools
make_venv
export PATH="$VENV/bin:$PATH"
