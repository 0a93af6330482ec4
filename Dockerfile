# syntax=docker/dockerfile:1
# mugaika in a container, built in two stages:
#   build  the toolchain and the -dev packages (scripts/install-deps.sh --build), the Release build and
#          the Debian package made from it (CPack, the same package as scripts/package.sh)
#   run    Debian 12 with that package installed: apt brings exactly the runtime libraries it depends on
# Build and run (or `docker compose up`, compose.yaml, with clamd and Postfix):
#   docker build -t mugaika .
#   docker run -d --name mugaika --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     -v mugaika-state:/var/lib/mugaika -v mugaika-spool:/var/spool/mugaika \
#     -v mugaika-audit:/var/log/mugaika -v mugaika-share:/srv/mugaika mugaika
# The disarm workers create user, mount, PID, IPC, UTS and network namespaces of their own; Docker's
# default seccomp profile refuses that: hence seccomp=unconfined (the worker brings its own, stricter
# filter), or [worker] isolation = "degraded" (docs/service.md, "Sandbox").
# Check the sandbox where the image runs (each layer on/off, exit 0 when complete):
#   docker run --rm --security-opt seccomp=unconfined --security-opt apparmor=unconfined mugaika selftest sandbox --config /etc/mugaika/mugaika.toml

FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh --build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMUGAIKA_BUILD_TESTS=OFF \
 && cmake --build /build \
 && cd /build && cpack -G DEB

FROM debian:12
COPY --from=build /build/package/ /tmp/package/
COPY docker/container-config.sh /usr/local/sbin/mugaika-container-config
# The package's postinst makes a quarantine key on a first install: removed in the same step, so that no
# layer of the image ever holds one. The service makes the key in the state volume at its first start.
# Fonts: PDFs that do not embed their Japanese or base-14 fonts still render readable text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/package/mugaika_*.deb \
      fonts-ipafont-gothic fonts-ipafont-mincho fonts-noto-cjk fonts-urw-base35 \
 && rm -f /var/lib/mugaika/keys/quarantine.key \
 && rm -rf /tmp/package /var/lib/apt/lists/* \
 && mugaika-container-config /etc/mugaika/mugaika.toml \
 && install -d -o mugaika -g mugaika -m 0750 /etc/mugaika/tls \
 && install -d -o mugaika -g mugaika -m 2770 /srv/mugaika/in/総務課 /srv/mugaika/in/財政課

# State (quarantine, key, database, reports), the queue, the audit log, the share and drop folders.
VOLUME ["/var/lib/mugaika", "/var/spool/mugaika", "/var/log/mugaika", "/srv/mugaika"]
USER mugaika
WORKDIR /var/lib/mugaika
# LMTP for Postfix ([lmtp] listen); the officer UI (HTTPS) when run as `officer-ui`.
EXPOSE 10025 8443
STOPSIGNAL SIGTERM
# /healthz on loopback inside the container: 200 once the service is up and clamd answers (clamd fetches
# its signatures at its first start: a few minutes).
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
  CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9925 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/bin/mugaika"]
# --init: the state folders are declared VOLUMEs (never a mistyped path), so an empty one is a new
# installation: the first start makes the quarantine key and database (no key is baked into a layer).
CMD ["serve", "--init", "--config", "/etc/mugaika/mugaika.toml"]
