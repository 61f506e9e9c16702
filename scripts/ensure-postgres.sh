#!/usr/bin/env bash
# Make sure the local PostgreSQL answers on 127.0.0.1:5432 (start the cluster if it is down).
# Skipped when GALFRIDAY_TEST_DATABASE_URL points the tests at another server.
set -euo pipefail
if [ -n "${GALFRIDAY_TEST_DATABASE_URL:-}" ]; then
  exit 0
fi
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is down; starting it" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && exit 0
  sleep 1
done
echo "PostgreSQL is not reachable on 127.0.0.1:5432; the integration tests need it" >&2
exit 1
