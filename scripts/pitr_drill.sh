#!/usr/bin/env bash
# BKP-3 (SECURITY-PLAN): point-in-time recovery drill on a throwaway PostgreSQL cluster.
#
# Creates a temporary cluster (initdb in a temporary directory, its own port and socket directory; the main
# cluster and its databases are never touched), archives its WAL to a directory, takes a base backup, writes
# rows, notes a timestamp, writes more rows and drops a table (the "accident"), then restores the base backup
# plus the archived WAL to the timestamp (recovery_target_time) in a new data directory, starts it and checks
# that exactly the rows committed before the timestamp are there and the dropped table is back.
#
# Measures:
#   RPO: how long a committed row waits before its WAL reaches the archive with no manual switch
#        (bounded by archive_timeout; the drill's setting is ARCHIVE_TIMEOUT, default 60 s as in the runbook);
#   RTO: from the start of the restore (copying the base backup) to the restored server answering queries.
#
# Usage: scripts/pitr_drill.sh            (as root or as the postgres user; about 1 to 2 minutes)
#        ARCHIVE_TIMEOUT=10 scripts/pitr_drill.sh   (a quicker run)
#        PAD_MB=1024 scripts/pitr_drill.sh    (more WAL to replay between the backup and the target)
#        KEEP=1 scripts/pitr_drill.sh     (keep the temporary directory for inspection)
# Exit status 0 only if the restored data is exactly right. Runbook: docs/runbook-pitr.md.
set -euo pipefail

PG_VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql | sort -V | tail -n 1)}
BIN=/usr/lib/postgresql/$PG_VERSION/bin
ARCHIVE_TIMEOUT=${ARCHIVE_TIMEOUT:-60}
BEFORE_BACKUP=100 BEFORE_TARGET=200 AFTER_TARGET=50
PAD_MB=${PAD_MB:-256}  # data written between the backup and the target, so the restore has real WAL to replay

if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
elif [ "$(id -un)" = postgres ]; then
  as_pg() { "$@"; }
else
  echo "Run as root or as the postgres user." >&2
  exit 2
fi

free_port() {
  local port
  for port in $(seq 54329 54399); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [ ! -e "/var/run/postgresql/.s.PGSQL.$port" ]; then
      echo "$port"
      return
    fi
  done
  echo "no free port in 54329-54399" >&2
  exit 2
}

WORK=$(mktemp -d /tmp/pitr-drill.XXXXXX)
chmod 700 "$WORK"
chown postgres: "$WORK" 2>/dev/null || true
PRIMARY=$WORK/primary ARCHIVE=$WORK/archive BASE=$WORK/base RESTORED=$WORK/restored
PORT=$(free_port)
RUNNING=()

cleanup() {
  local dir
  for dir in "${RUNNING[@]}"; do
    as_pg "$BIN/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
sql() { as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PORT" -d drill -tAc "$1"; }
start() {
  as_pg "$BIN/pg_ctl" -D "$1" -l "$WORK/$(basename "$1").log" -o "-p $PORT -k $WORK -c listen_addresses=''" \
    -w -t 120 start >/dev/null
  RUNNING+=("$1")
}
stop() {
  as_pg "$BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null
  RUNNING=("${RUNNING[@]/$1}")
}

echo "PITR drill: PostgreSQL $PG_VERSION, temporary cluster in $WORK on port $PORT (socket only)"
as_pg mkdir -p "$ARCHIVE"
as_pg "$BIN/initdb" -D "$PRIMARY" --auth=trust --no-instructions -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg tee -a "$PRIMARY/postgresql.conf" >/dev/null <<EOF
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
archive_timeout = ${ARCHIVE_TIMEOUT}s
EOF
start "$PRIMARY"
as_pg "$BIN/createdb" -h "$WORK" -p "$PORT" drill
sql "CREATE TABLE drill (id integer PRIMARY KEY, stage text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
     CREATE TABLE victim (id integer PRIMARY KEY);
     INSERT INTO victim SELECT generate_series(1, 10);
     INSERT INTO drill (id, stage) SELECT g, 'before backup' FROM generate_series(1, $BEFORE_BACKUP) g;"

as_pg "$BIN/pg_basebackup" -h "$WORK" -p "$PORT" -D "$BASE" -Fp -X stream -c fast
echo "base backup taken ($(du -sh "$BASE" | cut -f1))"

sql "CREATE TABLE pad AS SELECT g AS id, repeat(md5(g::text), 30) AS filler
     FROM generate_series(1, $PAD_MB * 1024 * 1024 / 1000) g;"
sql "INSERT INTO drill (id, stage) SELECT g, 'after backup' FROM generate_series($BEFORE_BACKUP + 1, $BEFORE_BACKUP + $BEFORE_TARGET) g;"
EXPECTED=$(sql "SELECT count(*) FROM drill")
sleep 1
TARGET=$(sql "SELECT clock_timestamp()")
sleep 1
echo "target time $TARGET: $EXPECTED rows in drill, 10 in victim"
sql "INSERT INTO drill (id, stage) SELECT g, 'after target' FROM generate_series($EXPECTED + 1, $EXPECTED + $AFTER_TARGET) g;"
sql "DROP TABLE victim;"
echo "after the target: $AFTER_TARGET more rows written and table victim dropped"

# RPO: commit one row and wait, without pg_switch_wal(), until the segment holding it is archived.
ARCHIVED=$(sql "SELECT archived_count FROM pg_stat_archiver")
sql "INSERT INTO drill (id, stage) VALUES (-1, 'rpo probe')"
COMMITTED=$(now)
until [ "$(sql "SELECT archived_count FROM pg_stat_archiver")" -gt "$ARCHIVED" ]; do
  sleep 0.2
  if [ "$(seconds "$COMMITTED" "$(now)" | cut -d. -f1)" -gt $((ARCHIVE_TIMEOUT * 3)) ]; then
    echo "FAIL: nothing archived within 3 x archive_timeout" >&2
    exit 1
  fi
done
RPO=$(seconds "$COMMITTED" "$(now)")
FAILED=$(sql "SELECT failed_count FROM pg_stat_archiver")
echo "RPO: the committed row reached the archive after ${RPO} s (archive_timeout ${ARCHIVE_TIMEOUT} s; archive failures $FAILED)"
stop "$PRIMARY"  # the primary is lost

# RTO: restore the base backup and replay the archive to the target time.
RESTORE_START=$(now)
as_pg cp -a "$BASE" "$RESTORED"
as_pg touch "$RESTORED/recovery.signal"
as_pg tee -a "$RESTORED/postgresql.auto.conf" >/dev/null <<EOF
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
archive_mode = off
EOF
start "$RESTORED"
until [ "$(sql "SELECT pg_is_in_recovery()")" = f ]; do sleep 0.1; done
ROWS=$(sql "SELECT count(*) FROM drill")
RTO=$(seconds "$RESTORE_START" "$(now)")
STAGES=$(sql "SELECT string_agg(stage || ' ' || n, ', ' ORDER BY stage) FROM (SELECT stage, count(*) n FROM drill GROUP BY stage) s")
VICTIM=$(sql "SELECT count(*) FROM victim" 2>/dev/null || echo missing)
LATE=$(sql "SELECT count(*) FROM drill WHERE at > '$TARGET'")
WAL_MB=$(du -sm "$ARCHIVE" | cut -f1)
echo "restored to $TARGET in ${RTO} s: drill has $ROWS rows ($STAGES), victim has $VICTIM rows, $LATE rows after the target; archive ${WAL_MB} MB of WAL"
stop "$RESTORED"

if [ "$ROWS" = "$EXPECTED" ] && [ "$VICTIM" = 10 ] && [ "$LATE" = 0 ] && [ "$FAILED" = 0 ]; then
  echo "PASS: exactly the $EXPECTED rows committed before the target are back, and the dropped table with its 10 rows; RPO ${RPO} s, RTO ${RTO} s"
else
  echo "FAIL: expected $EXPECTED rows and 10 in victim, got $ROWS and $VICTIM ($LATE after the target)" >&2
  exit 1
fi
