#!/usr/bin/env bash
# Run the app locally: services (dev profile), migrations, first admin, then API + worker +
# beat together, each line of their output prefixed with its name. Ctrl-C stops everything
# this script started, then the services.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_uv
sync_app
ensure_services_venv
ensure_console

CHILDREN=()

# Start "$@" in its own session (so its whole process tree can be stopped together), with
# each output line prefixed by NAME. The prefixer ignores SIGTERM so that shutdown messages
# still show; it ends when the command's output closes.
run_bg() {
  local name=$1
  shift
  setsid bash -c 'set -o pipefail; "$@" 2>&1 | (trap "" TERM; exec sed -u "s/^/[$0] /")' \
    "$name" "$@" &
  CHILDREN+=("$!")
}

stop_all() {
  local pid deadline
  trap - EXIT INT TERM
  for pid in "${CHILDREN[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + 10))
  for pid in "${CHILDREN[@]}"; do
    # kill -0 on the group: true while any process of it is left
    while kill -0 -- "-$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      warn "process group $pid did not stop in time: killing it"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  devsvc down --profile dev || warn "stopping the dev services failed: run 'make services-down'"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting the dev services"
devsvc up --profile dev
load_env_file "$ROOT/var/dev/services.env"

log "migrating the database"
uv run --no-sync atrium migrate || die "'atrium migrate' failed: fix it before starting the app"
log "seeding the first admin, roles and menus (idempotent)"
if [ -t 0 ]; then
  log "first run only: initdb asks for the first admin's password (unless ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD is set)"
else
  log "first run only: no terminal, so initdb prints a generated password for the first admin (unless ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD is set)"
fi
uv run --no-sync atrium initdb || die "'atrium initdb' failed: see above"

API_PORT="${ATRIUM_DEV_API_PORT:-8000}"
API="http://127.0.0.1:$API_PORT"
for role in worker beat; do
  run_bg "$role" uv run --no-sync atrium "$role"
done
run_bg api uv run --no-sync atrium serve --reload --port "$API_PORT"
API_PID=${CHILDREN[-1]}

cat <<INFO

  API           $API   (Socket.IO at /socket.io)
  Console       $API/console   (the web app; hot reload: cd console && npm run dev)
  Swagger UI    $API/docs    ReDoc $API/redoc    (no internet needed)
  log in        Swagger UI: Authorize, then the first admin ('admin' unless you set another) and
                the password you typed, or initdb printed above, or ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD
  readiness     $API/health/ready      metrics $API/metrics
  CLI           ./atrium --help        (or: make atrium ARGS="tasks list")
  services env  var/dev/services.env   (Ctrl-C stops everything)

INFO

status=0
wait "$API_PID" || status=$?
exit "$status"
