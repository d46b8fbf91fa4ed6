#!/bin/sh
# Run once by the postgres image on an empty data volume: a database and a role of the
# same name for each service in SERVICE_DATABASES, the role owning its database and no
# other role able to connect to it (as the launcher provisions them, packages/devinfra).
# Each password comes from <NAME>_DB_PASSWORD (deploy/compose/.env).
set -eu
for name in $SERVICE_DATABASES; do
  variable="$(echo "$name" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$variable" || true)"
  if [ -z "$password" ]; then
    echo "init-databases: $variable is not set" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
