#!/bin/sh
# Nightly pg_dump of the application database (docker-compose service `backup`).
# Takes one dump at start when none is younger than a day, then one every night at
# BACKUP_AT (UTC, HH:MM); keeps the BACKUP_KEEP newest. Restore one with
# `npm run restore <file>` (scripts/restore.ts).
# Connection: PGHOST, PGUSER, PGPASSWORD, PGDATABASE from the environment.
# BACKUP_ONCE=1 takes one dump and exits (test/deploy/backup-restore.test.ts runs it so).
set -eu

dir="${BACKUP_TARGET:-/backups}"
keep="${BACKUP_KEEP:-14}"
at="${BACKUP_AT:-02:30}"

dump() {
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  file="$dir/${PGDATABASE}-${stamp}.dump"
  # Custom format: compressed, restored table by table by pg_restore.
  if pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$PGDATABASE"; then
    mv "$file.partial" "$file"
    date -u +%Y-%m-%dT%H:%M:%SZ > "$dir/.last-ok"
    echo "backup: $file ($(du -h "$file" | cut -f1))"
  else
    rm -f "$file.partial"
    echo "backup: pg_dump of $PGDATABASE failed" >&2
  fi
  # Keep the newest $keep dumps.
  ls -1t "$dir"/"${PGDATABASE}"-*.dump 2>/dev/null | tail -n +"$((keep + 1))" | while read -r old; do rm -f "$old"; done
}

seconds_until() {
  now=$(date -u +%s)
  next=$(date -u -d "$(date -u +%Y-%m-%d) $1" +%s)
  [ "$next" -le "$now" ] && next=$((next + 86400))
  echo $((next - now))
}

mkdir -p "$dir"
if [ "${BACKUP_ONCE:-0}" = 1 ]; then
  dump
  exit 0
fi
if [ -z "$(find "$dir" -maxdepth 1 -name "${PGDATABASE}-*.dump" -mmin -1440 2>/dev/null)" ]; then dump; fi
while :; do
  sleep "$(seconds_until "$at")"
  dump
done
