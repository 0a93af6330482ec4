# mugaika on Debian 12. The package list comes from scripts/install-deps.sh (the same script the
# README's commands run), so the image and a bare machine cannot drift apart.
FROM debian:12

WORKDIR /opt/mugaika
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMUGAIKA_BUILD_TESTS=OFF \
 && cmake --build build \
 && install -m 0755 build/gateway/mugaika /usr/local/bin/mugaika \
 && install -d -m 0750 /var/lib/mugaika /etc/mugaika \
 && install -m 0644 config/mugaika.toml /etc/mugaika/mugaika.toml

# Items are disarmed in child processes that drop into a private network namespace; the container
# itself needs no network beyond what the service listens on.
WORKDIR /var/lib/mugaika
EXPOSE 10025
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/mugaika"]
CMD ["serve", "--config", "/etc/mugaika/mugaika.toml"]
