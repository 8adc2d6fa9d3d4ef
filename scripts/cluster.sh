#!/usr/bin/env bash
# A real PostgreSQL cluster for Tongxin on this machine: a primary and a streaming replica
# (pg_basebackup -R) in a temporary directory, on free ports, run by the `postgres` user. The
# machine's own PostgreSQL and its configuration are not touched.
#
#   scripts/cluster.sh start              start both; prints the directory, writes DIR/env
#   scripts/cluster.sh stop DIR           stop both and remove DIR
#   scripts/cluster.sh replica-stop DIR   stop the replica only (the fallback tests)
#   scripts/cluster.sh replica-start DIR  start it again
#   scripts/cluster.sh test [PYTEST ARGS] start, migrate, run `pytest -m cluster tests/cluster`
#                                         with TONGXIN_REPLICA_URL, RQ on Redis, then stop
#   scripts/cluster.sh bench [ARGS]       start, run `python -m bench --db postgresql` (ARGS, by
#                                         default --only replica_offload,rq_throughput), stop
#   scripts/cluster.sh up                 (`make cluster`) start, load the demo town, run two
#                                         app servers, an RQ worker and the scheduler; Ctrl-C
#                                         stops everything and removes the cluster
#
# DIR/env holds DATABASE_URL (the primary), TONGXIN_REPLICA_URL and TONGXIN_CLUSTER_DIR, as
# `export` lines: `. DIR/env` to use the cluster from a shell.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
DB_NAME=tongxin

say() { printf 'cluster: %s\n' "$*" >&2; }

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_ctl_() { as_postgres "$PGBIN/pg_ctl" "$@"; }

start() {
  [ -x "$PGBIN/initdb" ] || { say "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"; exit 2; }
  local dir p1 p2
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tongxin-cluster.XXXXXX")
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  p1=$(free_port)
  p2=$(free_port)
  while [ "$p2" = "$p1" ]; do p2=$(free_port); done

  as_postgres "$PGBIN/initdb" -D "$dir/primary" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$dir/initdb.log"
  cat >>"$dir/primary/postgresql.conf" <<EOF
port = $p1
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 5
hot_standby = on
# Statement counts per server for the smoke test (tests/cluster/test_smoke.py).
shared_preload_libraries = 'pg_stat_statements'
# A throwaway cluster: speed over durability.
fsync = off
full_page_writes = off
synchronous_commit = off
EOF
  pg_ctl_ -D "$dir/primary" -l "$dir/primary.log" -w start >/dev/null
  as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$p1" -U postgres "$DB_NAME"
  as_postgres "$PGBIN/psql" -q -h 127.0.0.1 -p "$p1" -U postgres -d "$DB_NAME" \
    -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

  # The replica: a base backup of the primary that follows its WAL stream (-R writes
  # primary_conninfo and standby.signal).
  as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres -D "$dir/replica" -R -X stream \
    --checkpoint=fast --no-sync
  echo "port = $p2" >>"$dir/replica/postgresql.conf"
  pg_ctl_ -D "$dir/replica" -l "$dir/replica.log" -w start >/dev/null

  cat >"$dir/env" <<EOF
export TONGXIN_CLUSTER_DIR=$dir
export DATABASE_URL=postgres://postgres@127.0.0.1:$p1/$DB_NAME
export TONGXIN_REPLICA_URL=postgres://postgres@127.0.0.1:$p2/$DB_NAME
EOF
  say "primary on 127.0.0.1:$p1, streaming replica on 127.0.0.1:$p2 (logs in $dir)"
  echo "$dir"
}

stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  for node in replica primary; do
    if [ -f "$dir/$node/postmaster.pid" ]; then
      pg_ctl_ -D "$dir/$node" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$dir"
}

run_tests() {
  local rc=0
  CLUSTER_DIR=$(start)
  trap 'stop "$CLUSTER_DIR"' EXIT
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/env"
  export TONGXIN_TASK_BACKEND=rq TONGXIN_SESSIONS=cache
  export TONGXIN_REDIS_URL=${TONGXIN_CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/9}
  export TONGXIN_CLUSTER=1
  cd "$ROOT"
  say "migrating the primary"
  .venv/bin/python manage.py migrate --noinput -v0
  .venv/bin/pytest -m cluster tests/cluster -p no:cacheprovider "$@" </dev/null || rc=$?
  return $rc
}

bench() {
  local rc=0
  CLUSTER_DIR=$(start)
  trap 'stop "$CLUSTER_DIR"' EXIT
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/env"
  export TONGXIN_TASK_BACKEND=rq TONGXIN_SESSIONS=cache
  export TONGXIN_REDIS_URL=${TONGXIN_CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/10}
  cd "$ROOT"
  [ $# -gt 0 ] || set -- --only replica_offload,rq_throughput
  .venv/bin/python -m bench --db postgresql "$@" </dev/null || rc=$?
  return $rc
}

up() {
  local pids=() a b
  CLUSTER_DIR=$(start)
  # shellcheck disable=SC2064
  trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; stop "$CLUSTER_DIR"' EXIT
  trap 'exit 0' INT TERM
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/env"
  export TONGXIN_TASK_BACKEND=rq TONGXIN_SESSIONS=cache TONGXIN_DEBUG=0 TONGXIN_DEV_KEYS=${TONGXIN_DEV_KEYS:-1}
  export TONGXIN_REDIS_URL=${TONGXIN_CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/8}
  cd "$ROOT"
  say "migrating the primary and loading the demo town"
  .venv/bin/python manage.py migrate --noinput -v0
  .venv/bin/python manage.py demo --scale town --seed 1 --if-empty
  .venv/bin/python manage.py collectstatic --noinput -v0
  a=$(free_port)
  b=$(free_port)
  for port in "$a" "$b"; do
    .venv/bin/gunicorn config.wsgi -b "127.0.0.1:$port" -w 2 --threads 4 \
      >"$CLUSTER_DIR/app-$port.log" 2>&1 &
    pids+=($!)
  done
  .venv/bin/python manage.py supervise >"$CLUSTER_DIR/worker.log" 2>&1 &
  pids+=($!)
  say "app servers: http://127.0.0.1:$a/  http://127.0.0.1:$b/  (same database, same Redis)"
  say "RQ worker and scheduler: manage.py supervise (log $CLUSTER_DIR/worker.log)"
  say "primary $DATABASE_URL, replica $TONGXIN_REPLICA_URL; Ctrl-C stops everything"
  wait
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?directory}" ;;
  replica-stop) pg_ctl_ -D "${2:?directory}/replica" -m fast -w stop >/dev/null ;;
  replica-start) pg_ctl_ -D "${2:?directory}/replica" -l "$2/replica.log" -w start >/dev/null ;;
  test) shift; run_tests "$@" ;;
  bench) shift; bench "$@" ;;
  up) up ;;
  *) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
