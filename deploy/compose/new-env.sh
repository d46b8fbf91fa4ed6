#!/bin/sh
# Writes deploy/compose/.env from .env.example, each `change-me` replaced by a fresh
# random value (`change-me-base64`: 32 bytes in base64, as SIGNING_KEY_ENCRYPTION_KEY
# needs). Refuses to overwrite an existing .env: its secrets protect existing data.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/.env"
if [ -e "$target" ]; then
  echo "$target exists; remove it first to start over with new secrets" >&2
  exit 1
fi
random_hex() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
random_base64() { head -c 32 /dev/urandom | base64 | tr -d '\n'; }
umask 077
while IFS= read -r line; do
  case "$line" in
    *=change-me-base64) echo "${line%=*}=$(random_base64)" ;;
    *=change-me) echo "${line%=*}=$(random_hex)" ;;
    *) echo "$line" ;;
  esac
done < "$here/.env.example" > "$target"
echo "wrote $target (mode 600); keep it: the databases were created with these passwords"
