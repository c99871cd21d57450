#!/bin/bash
# Runs the whole app in the foreground: redis-server, the four services and nginx.
# Ctrl-C (or SIGTERM) stops every process this script started, and only those, then exits 0.
# If one of them dies on its own, the others are stopped and the script exits 1.
#
# Settings (environment, defaults in brackets):
#   PORT [8080]  HOST [127.0.0.1]       where nginx listens
#   DATA_DIR [./var]                     database, media, mail, redis and nginx files
#   PUBLIC_URL [http://127.0.0.1:$PORT]  the origin browsers use (must match for POST/WS)
#   BIN_DIR [.build/release]             where auth-svc, room-svc, relay-svc, mail-svc are
#   SOCKET_DIR [$DATA_DIR/run]           the services listen on Unix sockets here, and only here:
#                                        nginx (and relay-svc, for room-svc) reach them there
#   REDIS_PORT [6379]                    port of the redis-server started here (with a new password
#                                        each start, in $DATA_DIR/redis/redis.conf)
#   REDIS_URL                            use this Redis instead of starting one
#   LOG_LEVEL, PASSWORD_ITERATIONS, SMTP_URL, SMTP_STARTTLS, SMTP_USER, SMTP_PASSWORD, MAIL_FROM,
#   SEND_RATE_PER_MINUTE ...             passed to the services as they are
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

PORT=${PORT:-8080}
HOST=${HOST:-127.0.0.1}
DATA_DIR=$(realpath -m "${DATA_DIR:-./var}")
BIN_DIR=$(realpath -m "${BIN_DIR:-.build/release}")
REDIS_PORT=${REDIS_PORT:-6379}
SOCKET_DIR=$(realpath -m "${SOCKET_DIR:-$DATA_DIR/run}")
export PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:$PORT}
export DATA_DIR
export LOG_LEVEL=${LOG_LEVEL:-info}

say() { printf 'run-local: %s\n' "$*" >&2; }
fail() { say "$*"; stop_all; exit 1; }

declare -a pids=()
declare -A names=()
stopping=0

# Stops the children: nginx and the services together first, then Redis (pids[0]), which they use
# until they have stopped. SIGTERM, then SIGKILL after 10 s.
stop_all() {
    ((${#pids[@]})) || return 0
    stop_pids "${pids[@]:1}"
    stop_pids "${pids[0]}"
    pids=()
}

stop_pids() {
    local pid
    for pid in "$@"; do
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
    done
    for pid in "$@"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            say "${names[$pid]} (pid $pid) did not stop within 10 s; killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
}
trap 'stopping=1' INT TERM

# start NAME COMMAND... : starts a child in the background and remembers its pid.
start() {
    local name=$1; shift
    "$@" &
    local pid=$!
    pids+=("$pid")
    names[$pid]=$name
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need() { command -v "$1" >/dev/null 2>&1 || fail "$1 not found: run 'make deps' (installs $2)"; }
need nginx nginx
need curl curl
need envsubst gettext-base
for svc in auth room relay mail; do
    [ -x "$BIN_DIR/$svc-svc" ] || fail "$BIN_DIR/$svc-svc not found: run 'make build' first"
done
port_free "$PORT" || fail "port $PORT is in use; set PORT"

# Only we and nginx's workers may enter DATA_DIR and SOCKET_DIR: the workers read the media and
# reach the services' sockets; nobody else may read the database or the mail (reset links), or
# reach a service, which trusts the identity headers nginx sets, and pose as someone.
protect() {
    mkdir -p "$1" || fail "cannot create $1"
    if [ "$(id -u)" = 0 ]; then
        read -r worker_user worker_group <<<"${NGINX_USER:-nobody nogroup}"
        chgrp "${worker_group:-$(id -gn "$worker_user")}" "$1" && chmod 750 "$1" || fail "cannot protect $1"
    else
        chmod 700 "$1" || fail "cannot protect $1"  # nginx's workers run as us
    fi
}
protect "$DATA_DIR"
mkdir -p "$DATA_DIR/media" "$DATA_DIR/mail" "$DATA_DIR/redis" || fail "cannot create $DATA_DIR"
chmod 755 "$DATA_DIR/media"
chmod 700 "$DATA_DIR/mail" "$DATA_DIR/redis"
# The services listen on Unix sockets only: cheaper per request and per WebSocket frame than
# loopback TCP, and no ports to collide.
protect "$SOCKET_DIR"
((${#SOCKET_DIR} <= 90)) || fail "SOCKET_DIR $SOCKET_DIR is too long for Unix socket paths; set a shorter one"

if [ -z "${REDIS_URL:-}" ]; then
    need redis-server redis-server
    port_free "$REDIS_PORT" || fail "port $REDIS_PORT is in use (another Redis?); set REDIS_PORT, or REDIS_URL to use it"
    # Redis asks for a password, new on every start. It reaches redis-server in a file only its
    # owner can read (a command line is visible to every user), and the services in their environment.
    redis_password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    redis_conf=$DATA_DIR/redis/redis.conf
    (umask 077 && printf 'requirepass %s\n' "$redis_password" >"$redis_conf") || fail "cannot write $redis_conf"
    start redis redis-server "$redis_conf" --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA_DIR/redis" \
        --appendonly yes --save "" --daemonize no --loglevel warning --logfile ""
    export REDIS_URL=redis://:$redis_password@127.0.0.1:$REDIS_PORT
    for _ in $(seq 50); do
        [ "$(REDISCLI_AUTH=$redis_password redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
        kill -0 "${pids[0]}" 2>/dev/null || fail "redis-server exited during start"
        sleep 0.1
    done
fi

export LISTEN=off ROOM_SVC_URL=unix:$SOCKET_DIR/room.sock
for svc in auth room relay mail; do
    LISTEN_UNIX=$SOCKET_DIR/$svc.sock start $svc-svc "$BIN_DIR/$svc-svc"
done

prefix=$DATA_DIR/nginx
conf=$prefix/nginx.conf
NGINX_LISTEN=$HOST:$PORT NGINX_PREFIX=$prefix WEB_ROOT=$root/web MEDIA_ROOT=$DATA_DIR/media \
AUTH_ADDR=unix:$SOCKET_DIR/auth.sock ROOM_ADDR=unix:$SOCKET_DIR/room.sock RELAY_ADDRS=unix:$SOCKET_DIR/relay.sock \
MAIL_ADDR=unix:$SOCKET_DIR/mail.sock NGINX_WORKERS=${NGINX_WORKERS:-auto} \
    "$root/deploy/render-nginx.sh" "$root/deploy/nginx.conf.template" "$conf" || fail "cannot render $conf"
nginx -q -t -p "$prefix" -c "$conf" -e "$prefix/logs/error.log" || fail "nginx rejected $conf"
start nginx nginx -p "$prefix" -c "$conf" -e "$prefix/logs/error.log"

# Ready when nginx and every service answer through nginx.
url=http://127.0.0.1:$PORT
deadline=$((SECONDS + ${START_TIMEOUT:-30}))
for svc in nginx auth room relay mail; do
    until curl -fsS -o /dev/null --max-time 2 "$url/_health/$svc" 2>/dev/null; do
        ((stopping)) && { stop_all; exit 0; }
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null || fail "${names[$pid]} exited during start (see its output above)"
        done
        ((SECONDS < deadline)) || fail "$svc did not answer $url/_health/$svc within ${START_TIMEOUT:-30} s"
        sleep 0.1
    done
done
say "ready: ${PUBLIC_URL} (nginx on $HOST:$PORT, data in $DATA_DIR); Ctrl-C stops everything"

# Wait until a signal arrives or a child exits.
while true; do
    died=""
    wait -n -p died "${pids[@]}"
    status=$?
    if ((stopping)); then
        say "stopping"
        stop_all
        exit 0
    fi
    if [ -n "$died" ]; then
        say "${names[$died]} (pid $died) exited with status $status; stopping the others"
        declare -a alive=()
        for pid in "${pids[@]}"; do [ "$pid" = "$died" ] || alive+=("$pid"); done
        pids=("${alive[@]}")
        stop_all
        exit 1
    fi
done
