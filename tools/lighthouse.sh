#!/usr/bin/env bash
# Lighthouse budgets (issue 19) over the login page, the 工作台, a list page (党员), the member
# card, the resident's home and the report page, served as in production: TONGXIN_DEBUG=0,
# gunicorn, collected and compressed static files, the demo town in a throw-away SQLite database.
# Staff and resident pages are measured logged in (a session cookie sent by Lighthouse).
#
#   tools/lighthouse.sh [--runs N]        (default 3, each budget checked on the median;
#                                          0: only the axe-core check of the same pages)
#
# Needs node/npm and /usr/bin/chromium; installs tools/frontend's pinned packages (npm ci) into
# tools/frontend/node_modules (git-ignored). Exit 1 when a budget fails, with page and audit named.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
RUNS=3
[ "${1:-}" = "--runs" ] && RUNS=$2
PORT=${TONGXIN_LIGHTHOUSE_PORT:-8108}
PY=$ROOT/.venv/bin/python
ARTIFACTS=$ROOT/test-artifacts
mkdir -p "$ARTIFACTS"

(cd tools/frontend && npm ci --no-audit --no-fund --loglevel=error)

WORK=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

export TONGXIN_DEBUG=0
export TONGXIN_SECRET_KEY="lighthouse-$(date +%s)-$RANDOM$RANDOM"
export TONGXIN_PII_KEY="lighthouse-pii-$RANDOM$RANDOM"
export TONGXIN_VAR_DIR=$WORK
unset DATABASE_URL

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py demo --scale town --seed 1 >/dev/null
"$PY" manage.py collectstatic --noinput -v0

# One session per demo user whose pages are measured, and the page list for Lighthouse.
"$PY" manage.py shell -v0 -c "
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore

def cookie(username):
    user = get_user_model().objects.get(username=username)
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f'{settings.SESSION_COOKIE_NAME}={s.session_key}'

base = 'http://127.0.0.1:$PORT'
pages = [
    ('登录页', '/accounts/login/', None),
    ('工作台', '/', 'zhibu'),
    ('党员列表', '/members/', 'zhibu'),
    ('党员卡', '/meetings/card/', 'dangyuan'),
    ('居民首页', '/sharing/', 'jumin'),
    ('报事', '/cases/report/', 'jumin'),
]
out = [{'name': n, 'url': base + p, 'cookie': cookie(u) if u else None} for n, p, u in pages]
json.dump(out, open('$WORK/pages.json', 'w'), ensure_ascii=False)
"

"$ROOT/.venv/bin/gunicorn" config.wsgi -b "127.0.0.1:$PORT" -w 2 --threads 2 \
  --log-level warning >"$WORK/gunicorn.log" 2>&1 &
server=$!
up=0
for _ in $(seq 1 100); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/"; then up=1; break; fi
  sleep 0.3
done
if [ "$up" -ne 1 ]; then
  echo "the server did not start on port $PORT:"; cat "$WORK/gunicorn.log"; exit 1
fi

status=0
node tools/frontend/axe-pages.mjs "$WORK/pages.json" || status=1
if [ "$RUNS" -gt 0 ]; then
  node tools/frontend/lighthouse-budgets.mjs "$WORK/pages.json" --runs "$RUNS" \
    --json "$ARTIFACTS/lighthouse.json" || status=1
fi
exit $status
