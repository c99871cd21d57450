#!/bin/sh
# One-shot job of docker-compose.yml (run as root in the redis image before Redis starts): makes the
# Redis password once and keeps it in the `secrets` volume, readable by no one but its two readers:
#   $SECRETS_DIR/redis-password  the password, owner APP_UID (the services, REDIS_PASSWORD_FILE;
#                                10001 is the `chat` user of the Dockerfile)
#   $SECRETS_DIR/redis.conf      `requirepass …`, owner REDIS_UID (redis-server's first argument;
#                                by default the image's own `redis` user)
# The password never appears on a command line or in the environment. Running it again keeps it.
set -eu
: "${SECRETS_DIR:=/secrets}"
: "${APP_UID:=10001}"
: "${REDIS_UID:=$(id -u redis)}"
umask 077
cd "$SECRETS_DIR"
if [ ! -s redis-password ]; then
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >redis-password.new
    mv redis-password.new redis-password
fi
printf 'requirepass %s\n' "$(cat redis-password)" >redis.conf.new
mv redis.conf.new redis.conf
chown "$APP_UID" redis-password
chown "$REDIS_UID" redis.conf
chmod 400 redis-password redis.conf
chmod 755 .
echo "redis-secret: password ready in $SECRETS_DIR"
