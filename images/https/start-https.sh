#!/bin/sh
# Refuse to start without a usable domain, saying what to set, rather than fail inside Caddy.
set -eu
if [ -z "${COURSEHUB_DOMAIN:-}" ]; then
  echo "coursehub https: set COURSEHUB_DOMAIN in .env to the hub's public name (e.g. hub.example.org)" >&2
  exit 2
fi
case "$COURSEHUB_DOMAIN" in
  *[!a-zA-Z0-9.-]* | .* | *. )
    echo "coursehub https: COURSEHUB_DOMAIN='$COURSEHUB_DOMAIN' is not a host name" >&2
    exit 2 ;;
esac
case "${COURSEHUB_TLS:-acme}" in
  acme | internal) ;;
  *) echo "coursehub https: COURSEHUB_TLS='$COURSEHUB_TLS': use acme (Let's Encrypt) or internal" >&2
     exit 2 ;;
esac
exec caddy run --config /etc/caddy/Caddyfile --adapter caddyfile
