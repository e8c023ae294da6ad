#!/bin/sh
# One image, three roles: the HTTP API, the BullMQ workers, or the schema migrations (a Kubernetes Job).
set -e
case "${1:-api}" in
  api) exec node dist/src/main.js ;;
  worker) exec node dist/src/worker.js ;;
  migrate) exec node dist/src/migrate.js ;;
  *) echo "usage: api | worker | migrate" >&2; exit 2 ;;
esac
