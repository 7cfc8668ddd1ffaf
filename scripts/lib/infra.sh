# Sourced by scripts/up and scripts/test: installs (as root, from Debian packages) and starts
# PostgreSQL and RabbitMQ when they are not already answering, and exports the connection
# strings the services read. Idempotent: a second run finds them up and does nothing.

HEARTBEAT_PG_PASSWORD="${HEARTBEAT_PG_PASSWORD:-heartbeat}"
export ConnectionStrings__Postgres="${ConnectionStrings__Postgres:-Host=127.0.0.1;Port=5432;Username=heartbeat;Password=${HEARTBEAT_PG_PASSWORD};Database=heartbeat}"
export ConnectionStrings__RabbitMq="${ConnectionStrings__RabbitMq:-amqp://guest:guest@127.0.0.1:5672/}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

apt_updated=""
STARTED_POSTGRES=""
STARTED_RABBITMQ=""

# Stops only what ensure_infrastructure started, so a machine's own running servers are left alone.
stop_started_infrastructure() {
  if [ -n "$STARTED_RABBITMQ" ]; then log "stopping RabbitMQ"; rabbitmqctl -q stop >/dev/null 2>&1 || true; fi
  if [ -n "$STARTED_POSTGRES" ]; then log "stopping PostgreSQL"; pg_ctlcluster "$STARTED_POSTGRES" main stop || true; fi
}
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "need the Debian packages: $* (run as root, or install them yourself)"; return 1
  fi
  if [ -z "$apt_updated" ]; then apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"; apt_install postgresql
  fi
  local version; version="$(ls /etc/postgresql | sort -n | tail -1)"
  if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    log "starting PostgreSQL $version"
    pg_ctlcluster "$version" main start
    STARTED_POSTGRES="$version"
  fi
  local i
  for i in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
  pg_isready -q -h 127.0.0.1 || { log "PostgreSQL did not become ready"; return 1; }
  # The role and database the services use; the services create their own schemas.
  su postgres -c "psql -q -v ON_ERROR_STOP=1" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'heartbeat') THEN
    CREATE ROLE heartbeat LOGIN CREATEDB PASSWORD '${HEARTBEAT_PG_PASSWORD}';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE heartbeat OWNER heartbeat' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'heartbeat')\gexec
SQL
}

ensure_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null; then
    log "installing RabbitMQ"; apt_install rabbitmq-server
  fi
  if rabbitmqctl -q status >/dev/null 2>&1; then return 0; fi
  log "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  STARTED_RABBITMQ=1
  # Right after -detached, await_startup fails at once (node not running yet): retry, bounded.
  local i
  for i in $(seq 1 60); do
    rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "RabbitMQ did not start within 60 s"; return 1
}

# A RabbitMQ virtual host of its own, so tests never share queues with a running platform.
ensure_rabbitmq_vhost() {
  local vhost="$1"
  rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$vhost" || rabbitmqctl -q add_vhost "$vhost" >/dev/null
  rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
}

ensure_infrastructure() {
  ensure_postgres
  ensure_rabbitmq
  log "PostgreSQL and RabbitMQ are up"
}
