#!/usr/bin/env bash
# Schemathesis against the live OpenAPI document (/api/v1/openapi.json), as two users of
# different reach: zuzhibu (the whole city) and zhibu (one branch), each with an API token.
# A throwaway SQLite database with the demo town, served by gunicorn as `make run` serves it
# (no debug pages, development keys). Bounded: a few examples per operation and a time budget
# per user, so the whole run stays within a few minutes on two cores. One schemathesis worker:
# concurrent generation trips a CPython 3.11 bug in `ast` ("AST constructor recursion depth
# mismatch"). Any failure of the four checks fails the script (and CI).
#
#   scripts/schemathesis.sh                 # port 8765, or SCHEMATHESIS_PORT
#   SCHEMATHESIS_MAX_TIME=60 scripts/schemathesis.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${VENV:-.venv}/bin/python
PORT=${SCHEMATHESIS_PORT:-8765}
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-3}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-60}  # seconds per user
CHECKS=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance
REPORT_DIR=${SCHEMATHESIS_REPORT_DIR:-test-artifacts/schemathesis}

WORK=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Never the developer's or CI's database: a fresh SQLite file of its own.
unset DATABASE_URL TONGXIN_REDIS_URL
export TONGXIN_VAR_DIR=$WORK TONGXIN_UPLOAD_ROOT=$WORK/uploads TONGXIN_DEBUG=0 TONGXIN_DEV_KEYS=1

echo "demo town in $WORK"
$PY manage.py migrate --noinput -v0
$PY manage.py demo --scale town --seed 1 >/dev/null
tokens=$($PY manage.py shell -v0 -c "
from tongxin.accounts.models import User
from tongxin.accounts.services import api_token_create
for name in ('zuzhibu', 'zhibu'):
    user = User.objects.get(username=name)
    print(name, api_token_create(actor=user, user=user, name='schemathesis')[1])
")

${VENV:-.venv}/bin/gunicorn config.wsgi -b 127.0.0.1:"$PORT" -w 2 --threads 2 --timeout 120 \
  >"$WORK/server.log" 2>&1 &
server=$!
fetch() {  # fetch URL [FILE]: python rather than curl, which a CI image may lack
  $PY -c 'import sys, urllib.request
body = urllib.request.urlopen(sys.argv[1], timeout=180).read()
if len(sys.argv) > 2:
    open(sys.argv[2], "wb").write(body)' "$@"
}
for _ in $(seq 1 60); do
  fetch "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 1
done

# The document as the live server serves it, fetched once (its first rendering on a busy machine
# can take longer than schemathesis waits for a schema).
fetch "http://127.0.0.1:$PORT/api/v1/openapi.json" "$WORK/openapi.json"

mkdir -p "$REPORT_DIR"
status=0
while read -r user token; do
  echo "==== schemathesis as $user ===="
  ${VENV:-.venv}/bin/st run "$WORK/openapi.json" --url "http://127.0.0.1:$PORT" \
    -H "Authorization: Bearer $token" \
    --checks "$CHECKS" \
    --phases coverage,fuzzing \
    --max-examples "$EXAMPLES" \
    --max-time "$MAX_TIME" \
    --request-timeout 60 \
    --seed 1 \
    --workers 1 \
    --no-shrink \
    --report junit --report-junit-path "$REPORT_DIR/junit-$user.xml" \
    </dev/null || status=1
done <<<"$tokens"

if [ "$status" -ne 0 ]; then
  echo "schemathesis FAILED; server log:"
  tail -n 50 "$WORK/server.log"
fi
exit $status
