#!/bin/sh
# Entry point of the hl-postgres image: the part of the official image's contract that the compose
# stack relies on. On an empty $PGDATA: initdb (UTF8, the superuser POSTGRES_USER with
# POSTGRES_PASSWORD, scram-sha-256 over the network), POSTGRES_DB, then every
# /docker-entrypoint-initdb.d/*.sh and *.sql against a server that listens on its socket only.
# Then, and on every later start, the server itself in the foreground.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

initialise() {
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "hl-postgres: POSTGRES_PASSWORD must be set" >&2
    exit 1
  fi
  password_file=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
  initdb --username="$POSTGRES_USER" --pwfile="$password_file" --encoding=UTF8 --locale=C.UTF-8 \
         --auth-local=trust --auth-host=scram-sha-256
  rm -f "$password_file"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
         -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "hl-postgres: running $script"; sh "$script" ;;
      *.sql) echo "hl-postgres: running $script"
             psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$script" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
}

if [ "${1:-}" = postgres ]; then
  shift
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    initialise
  fi
  exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
