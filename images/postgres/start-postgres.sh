#!/bin/sh
# First start: wait for the password the hub generates (in the shared database-secret volume),
# create the cluster, the role and the database "coursehub". Every start: run PostgreSQL.
# Connections over the network need the password; the Unix socket stays inside this container.
set -eu
secret=/run/coursehub/postgres_password
done_marker="$PGDATA/coursehub-initialized"
if [ ! -e "$done_marker" ]; then
  # Not set up, or set up halfway by an interrupted first start: from scratch.
  rm -rf "${PGDATA:?}"/* 2>/dev/null || true
  echo "coursehub postgres: waiting for the hub to generate the password in $secret"
  waited=0
  until [ -s "$secret" ]; do
    sleep 1
    waited=$((waited + 1))
    [ "$waited" -lt 300 ] || { echo "coursehub postgres: no password after 300 s: is the hub running?" >&2; exit 2; }
  done
  install -d -o postgres -g postgres -m 700 "$PGDATA"
  pwfile=$(mktemp)
  tr -d '\n' < "$secret" > "$pwfile"
  chown postgres "$pwfile"
  setpriv --reuid=postgres --regid=postgres --init-groups \
    initdb -D "$PGDATA" -U coursehub --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  setpriv --reuid=postgres --regid=postgres --init-groups \
    postgres -D "$PGDATA" -c listen_addresses='' -c unix_socket_directories=/tmp &
  until pg_isready -h /tmp -q; do sleep 0.2; done
  setpriv --reuid=postgres --regid=postgres --init-groups createdb -h /tmp -U coursehub -O coursehub coursehub
  setpriv --reuid=postgres --regid=postgres --init-groups pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  touch "$done_marker"
  echo "coursehub postgres: created the database coursehub"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups \
  postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp
