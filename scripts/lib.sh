# Shared bootstrap for scripts/*.sh and the Makefile. Source it from bash; it does nothing
# by itself. Sets ROOT (the repository root) and defines:
#   ensure_uv             put uv on PATH, installing it with pip when it is missing
#   sync_app [--frozen]   uv sync the app's environment (frozen only when uv.lock exists)
#   ensure_services_venv  create/update var/services-venv from scripts/services-requirements.txt
#   devsvc ARGS...        python -m atrium.devservices ARGS (stdlib only: runs before any sync)
#   load_env_file FILE    export the KEY=VALUE lines of FILE, read literally (never evaluated)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

_find_uv() {
  local dir
  command -v uv >/dev/null 2>&1 && return 0
  for dir in "$HOME/.local/bin" "$HOME/.cargo/bin" \
    "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)" \
    "$(python3 -m site --user-base 2>/dev/null)/bin"; do
    if [ -n "$dir" ] && [ -x "$dir/uv" ]; then
      PATH="$dir:$PATH"
      export PATH
      return 0
    fi
  done
  # the `uv` wheel knows where it put its binary, wherever pip installed it
  dir="$(python3 -c 'import os, uv; print(os.path.dirname(uv.find_uv_bin()))' 2>/dev/null)" || return 1
  [ -x "$dir/uv" ] || return 1
  PATH="$dir:$PATH"
  export PATH
}

ensure_uv() {
  _find_uv && return 0
  log "uv not found: installing it with pip"
  python3 -m pip install --quiet --user uv 2>/dev/null ||
    python3 -m pip install --quiet --user --break-system-packages uv ||
    python3 -m pip install --quiet uv ||
    die "could not install uv: install it ('pip install uv') and retry"
  hash -r
  _find_uv || die "uv was installed but is not on PATH: add its directory to PATH"
}

sync_app() {
  cd "$ROOT" || die "cannot cd to $ROOT"
  if [ "${1:-}" = "--frozen" ] && [ -f uv.lock ]; then
    uv sync --frozen
  else
    uv sync
  fi
}

devsvc() {
  local py="$ROOT/.venv/bin/python"
  [ -x "$py" ] || py=python3
  PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" "$py" -m atrium.devservices "$@"
}

ensure_services_venv() {
  devsvc venv >/dev/null
}

load_env_file() {
  local line key
  [ -f "$1" ] || die "missing env file $1"
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
    '' | '#'*) continue ;;
    esac
    key="${line%%=*}"
    export "$key=${line#*=}"
  done <"$1"
}
