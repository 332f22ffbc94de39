#!/usr/bin/env bash
# Run the test suite against real local services: `scripts/test.sh [pytest args...]`.
# Starts the `test` profile's services (free ports, throwaway data), runs pytest with their
# addresses in the environment, and always stops them again. Exits with pytest's code.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_uv
sync_app --frozen
ensure_services_venv
ensure_chromium
ensure_browser_js
ensure_console

stop_services() {
  devsvc down --profile test >/dev/null || warn "stopping the test services failed: run 'make services-down'"
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting the test services"
devsvc up --profile test
load_env_file "$ROOT/var/test/services.env"

status=0
uv run --no-sync pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  printf 'error: pytest collected no tests (exit 5): treating it as a failure\n' >&2
  status=1
fi
exit "$status"
