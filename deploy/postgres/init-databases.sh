#!/bin/sh
# One database and one owner role per service, created on the first start of an empty PostgreSQL
# data volume (the official postgres image runs /docker-entrypoint-initdb.d/*.sh then, and never
# again). Passwords come from HL_PG_<SERVICE>_PASSWORD. No service can connect to another's database:
# CONNECT is revoked from PUBLIC and granted to the owner only.
set -eu

for service in hazard enterprise reporting gateway tips webhooks; do
  var="HL_PG_$(echo "$service" | tr '[:lower:]' '[:upper:]')_PASSWORD"
  password=$(printenv "$var" || true)
  if [ -z "$password" ]; then
    echo "init-databases: $var is not set" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
       -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"role" TO :"role";
SQL
  echo "init-databases: database and role '$service' created"
done
