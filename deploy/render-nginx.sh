#!/bin/sh
# Renders deploy/nginx.conf.template into a working nginx config and prepares its prefix.
#
#   render-nginx.sh [TEMPLATE] OUTPUT
#
# Reads (defaults in brackets):
#   NGINX_LISTEN  [127.0.0.1:8080]     address nginx listens on
#   AUTH_ADDR     [127.0.0.1:8081]     auth-svc
#   ROOM_ADDR     [127.0.0.1:8082]     room-svc
#   RELAY_ADDRS   [127.0.0.1:8083]     relay-svc instances, separated by spaces or commas
#   MAIL_ADDR     [127.0.0.1:8084]     mail-svc (health only)
#   WEB_ROOT      [./web]              static pages, scripts, styles
#   MEDIA_ROOT    [$DATA_DIR/media]    uploaded files (DATA_DIR defaults to ./var)
#   NGINX_PREFIX  [$DATA_DIR/nginx]    pid, logs and temp files
#   NGINX_WORKERS [auto]
#   NGINX_ERROR_LOG [$NGINX_PREFIX/logs/error.log]  NGINX_ACCESS_LOG [$NGINX_PREFIX/logs/access.log]
#   NGINX_USER    [nobody nogroup when run as root, else unset]  user of the worker processes
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 2 ]; then template=$1; out=$2; else template=$here/nginx.conf.template; out=${1:?usage: render-nginx.sh [TEMPLATE] OUTPUT}; fi

abspath() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$(pwd)" "${1#./}" ;; esac; }

data_dir=${DATA_DIR:-./var}
export NGINX_LISTEN=${NGINX_LISTEN:-127.0.0.1:8080}
export AUTH_ADDR=${AUTH_ADDR:-127.0.0.1:8081}
export ROOM_ADDR=${ROOM_ADDR:-127.0.0.1:8082}
export MAIL_ADDR=${MAIL_ADDR:-127.0.0.1:8084}
export WEB_ROOT=$(abspath "${WEB_ROOT:-./web}")
export MEDIA_ROOT=$(abspath "${MEDIA_ROOT:-$data_dir/media}")
export NGINX_PREFIX=$(abspath "${NGINX_PREFIX:-$data_dir/nginx}")
export NGINX_WORKERS=${NGINX_WORKERS:-auto}
export NGINX_ERROR_LOG=${NGINX_ERROR_LOG:-$NGINX_PREFIX/logs/error.log}
export NGINX_ACCESS_LOG=${NGINX_ACCESS_LOG:-$NGINX_PREFIX/logs/access.log}

servers=""
for addr in $(printf '%s' "${RELAY_ADDRS:-127.0.0.1:8083}" | tr ',' ' '); do
    servers="${servers}server ${addr}; "
done
export RELAY_SERVERS="$servers"

if [ -n "${NGINX_USER:-}" ]; then
    export NGINX_USER_LINE="user ${NGINX_USER};"
elif [ "$(id -u)" = 0 ]; then
    export NGINX_USER_LINE="user nobody nogroup;"
else
    export NGINX_USER_LINE=""
fi

command -v envsubst >/dev/null 2>&1 || { echo "render-nginx: envsubst not found (apt-get install gettext-base)" >&2; exit 1; }

mkdir -p "$NGINX_PREFIX/logs" "$NGINX_PREFIX/tmp" "$(dirname "$out")"
# Only these names are substituted; nginx's own $variables pass through untouched.
vars='${NGINX_USER_LINE} ${NGINX_WORKERS} ${NGINX_PREFIX} ${NGINX_ERROR_LOG} ${NGINX_ACCESS_LOG} ${NGINX_LISTEN} ${AUTH_ADDR} ${ROOM_ADDR} ${MAIL_ADDR} ${RELAY_SERVERS} ${WEB_ROOT} ${MEDIA_ROOT}'
envsubst "$vars" < "$template" > "$out.tmp"
mv "$out.tmp" "$out"
