#!/usr/bin/env bash
# Everything `make test` needs besides Python, from Debian's packages: Chromium for the web chat's
# browser tests (Playwright drives it; no browser is ever downloaded), PostgreSQL and Redis started
# on loopback for the scale-out, fault and report tests, and nginx and docker-compose (no Docker
# engine) for the checks of deploy/nginx.conf and docker-compose.yml. Safe to run again: what is
# installed and running is left as it is.
#
# Prints the settings for the tests on standard output, so `make test` does:
#   eval "$(scripts/test-services.sh)"      # sets TEST_DB_URL and TEST_REDIS_URL
# Where a package is missing and can't be installed (not root, no apt-get), it installs nothing,
# prints the one command that fixes it, and fails: no test runs half-prepared.
set -euo pipefail
log() { echo "test-services: $*" >&2; }

db_user=bpo db_password=bpo-ci db_name=bpo_test
pg_port=${CI_PG_PORT:-5432} redis_port=${CI_REDIS_PORT:-6379}

missing=()
command -v chromium >/dev/null || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
# Compose v1 parses docker-compose.yml without an engine; Compose v2 (the plugin) does too.
compose=()
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || compose=(docker-compose)
if [ $((${#missing[@]} + ${#compose[@]})) -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "make test needs packages this machine lacks: ${missing[*]} ${compose[*]}"
    log "install them once (Debian/Ubuntu), then run make test again:"
    log "  sudo apt-get install -y ${missing[*]} ${compose[*]}"
    exit 1
  fi
  log "installing ${missing[*]} ${compose[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  [ ${#missing[@]} -eq 0 ] || apt-get install -y -qq "${missing[@]}" >&2
  # Compose only: its recommended Docker engine can't run here and isn't needed to parse the file.
  [ ${#compose[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${compose[@]}" >&2
fi

if [ "$(id -u)" != 0 ]; then
  # Starting the system's PostgreSQL cluster needs root; the tests then start throw-away servers
  # of their own from the same packages (tests/services.py).
  log "not root: the tests start their own PostgreSQL and Redis from the installed packages"
  exit 0
fi

# PostgreSQL: the cluster Debian's package made, listening on loopback only.
read -r version cluster < <(pg_lsclusters --no-header | awk '{print $1, $2; exit}')
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1) cluster=main
  log "creating PostgreSQL cluster $version/$cluster"
  pg_createcluster "$version" "$cluster" >&2
fi
# Debian's postgresql.conf reads conf.d/, so the settings stay in a file of our own.
printf "listen_addresses = '127.0.0.1'\nport = %s\n" "$pg_port" \
  > "/etc/postgresql/$version/$cluster/conf.d/bpo-test.conf"
if ! pg_lsclusters --no-header | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c' | grep -q online; then
  log "starting PostgreSQL $version/$cluster on 127.0.0.1:$pg_port"
  pg_ctlcluster "$version" "$cluster" start >&2
fi
psql_admin() { runuser -u postgres -- psql -p "$pg_port" -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 30); do psql_admin -c 'select 1' >/dev/null 2>&1 && break; sleep 1; done
if [ "$(psql_admin -c "select 1 from pg_roles where rolname = '$db_user'")" = 1 ]; then
  psql_admin -c "alter role $db_user with login createdb password '$db_password'" >&2
else
  psql_admin -c "create role $db_user with login createdb password '$db_password'" >&2
fi
if [ "$(psql_admin -c "select 1 from pg_database where datname = '$db_name'")" != 1 ]; then
  psql_admin -c "create database $db_name owner $db_user" >&2
fi

# Redis: a daemon on loopback, nothing written to disk.
if redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
  log "Redis already answers on 127.0.0.1:$redis_port"
else
  log "starting Redis on 127.0.0.1:$redis_port"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --logfile /tmp/test-redis.log >&2
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.5; done
fi

echo "export TEST_DB_URL=postgresql://$db_user:$db_password@127.0.0.1:$pg_port/$db_name"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$redis_port/15"
