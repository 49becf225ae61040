#!/usr/bin/env bash
# Install (from Debian's packages) and start, on loopback only, what the scale-out and report tests
# talk to: PostgreSQL with a `bpo` user allowed to create test databases, and Redis. nginx and
# docker-compose are installed for the checks of deploy/nginx.conf and docker-compose.yml, not
# started. Safe to run again.
#
# Prints the settings for the tests on standard output, so CI can do:
#   eval "$(scripts/ci-services.sh)"      # sets TEST_DB_URL and TEST_REDIS_URL
# Without them the tests start throw-away servers of their own from the same packages.
set -euo pipefail
log() { echo "ci-services: $*" >&2; }

db_user=bpo db_password=bpo-ci db_name=bpo_test
pg_port=${CI_PG_PORT:-5432} redis_port=${CI_REDIS_PORT:-6379}

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
fi
# Debian's docker-compose (Compose v1) lets tests/test_compose.py run `docker-compose config` on
# docker-compose.yml; it needs no Docker engine, and none is installed.
if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
  log "installing docker-compose"
  export DEBIAN_FRONTEND=noninteractive
  [ ${#missing[@]} -gt 0 ] || apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends docker-compose >&2
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
  > "/etc/postgresql/$version/$cluster/conf.d/bpo-ci.conf"
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
    --logfile /tmp/ci-redis.log >&2
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.5; done
fi

echo "export TEST_DB_URL=postgresql://$db_user:$db_password@127.0.0.1:$pg_port/$db_name"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$redis_port/15"
