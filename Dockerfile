# One image for the four services; docker-compose.yml picks the command.
#   docker build -t chat-app .        (override the toolchain with --build-arg SWIFT_IMAGE=...)

ARG SWIFT_IMAGE=swift:6.3-bookworm

# ---- build: release binaries with the Swift runtime linked in statically -----------------------
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libhiredis-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.swift names the test targets too, so their folders must exist for SwiftPM to plan.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib \
        --product auth-svc --product room-svc --product relay-svc --product mail-svc \
 && mkdir -p /out \
 && for s in auth room relay mail; do install -s ".build/release/$s-svc" "/out/$s-svc"; done \
 && install -D -m 644 -t /out/share/chat Sources/auth-svc/Resources/common-passwords.txt \
        Sources/auth-svc/Resources/common-passwords.LICENSE.txt

# ---- runtime: the binaries plus the C libraries they link to -----------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libhiredis0.14 libsqlite3-0 libcurl4 libssl3 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin chat \
 && mkdir -p /data/media /data/mail \
 && chown -R chat:chat /data \
 && chmod 755 /data /data/media \
 && chmod 700 /data/mail
# auth-svc's common-password list goes where AuthConfig.findCommonPasswords looks: <exe dir>/../share/chat.
COPY --from=build /out/share/ /usr/local/share/
COPY --from=build /out/*-svc /usr/local/bin/
# Fail the build, not the first start, when a C library the binaries link to is missing here.
RUN ! ldd /usr/local/bin/auth-svc /usr/local/bin/room-svc /usr/local/bin/relay-svc /usr/local/bin/mail-svc \
        | grep "not found"
USER chat
ENV DATA_DIR=/data
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["auth-svc"]
