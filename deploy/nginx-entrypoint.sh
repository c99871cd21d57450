#!/bin/sh
# Container entrypoint for the nginx service in docker-compose.yml (official nginx image):
# renders the same template `make run` uses, then runs nginx in the foreground.
set -eu
: "${NGINX_PREFIX:=/var/cache/nginx/chat}"
export NGINX_PREFIX
export NGINX_ERROR_LOG="${NGINX_ERROR_LOG:-/dev/stderr}"
export NGINX_ACCESS_LOG="${NGINX_ACCESS_LOG:-/dev/stdout}"
mkdir -p "$NGINX_PREFIX"
sh /deploy/render-nginx.sh /deploy/nginx.conf.template "$NGINX_PREFIX/nginx.conf"
exec nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e stderr
