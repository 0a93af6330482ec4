# mugaika on Debian 12. The package list comes from scripts/install-deps.sh (the same script the
# README's commands run), so the image and a bare machine cannot drift apart.
FROM debian:12

WORKDIR /opt/mugaika
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMUGAIKA_BUILD_TESTS=OFF \
 && cmake --build build \
 && install -m 0755 build/gateway/mugaika build/gateway/mugaika-worker /usr/local/bin/ \
 && install -d -m 0750 /var/lib/mugaika /etc/mugaika \
 && install -m 0644 config/mugaika.toml /etc/mugaika/mugaika.toml

# Items are disarmed in sandboxed workers (mugaika-worker: user, mount, PID, IPC, UTS and network
# namespaces of their own, seccomp, Landlock). Docker's default seccomp profile refuses namespace
# creation: run with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined` (the worker
# brings its own, stricter filter), or set [worker] isolation = "degraded" (docs/service.md, "Sandbox").
# `docker run ... mugaika selftest sandbox` prints each layer.
WORKDIR /var/lib/mugaika
EXPOSE 10025
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/mugaika"]
CMD ["serve", "--config", "/etc/mugaika/mugaika.toml"]
