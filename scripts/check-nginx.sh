#!/bin/bash
# Renders deploy/nginx.conf.template into a temp prefix and has nginx validate it (`nginx -t`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/media"
DATA_DIR=$tmp NGINX_PREFIX=$tmp/nginx WEB_ROOT=$root/web MEDIA_ROOT=$tmp/media \
RELAY_ADDRS="127.0.0.1:8083 127.0.0.1:8093" \
    "$root/deploy/render-nginx.sh" "$root/deploy/nginx.conf.template" "$tmp/nginx.conf"
nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx.conf" -e "$tmp/nginx/logs/error.log"
echo "nginx: rendered deploy/nginx.conf.template is valid"
