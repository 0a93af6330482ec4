#!/usr/bin/env bash
# Installs what is needed, builds (Release) and runs the gateway on the embedded default configuration
# (config/mugaika.toml: folders under ./var, LMTP for Postfix on 127.0.0.1:10025, /metrics on
# 127.0.0.1:9925). The shipped samples are dropped into the 総務課 section of the watched share so
# that their disarmed copies appear in var/out/総務課/; what cannot be made safe is held in the encrypted
# quarantine (var/quarantine-store, var/quarantine.db) for the officer UI (`mugaika officer-ui`).
# Stop with Ctrl-C (SIGTERM): nothing accepted is lost, unfinished jobs resume at the next start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMUGAIKA_BUILD_TESTS=OFF
cmake --build build -j"$(nproc)"
mkdir -p var/in/総務課 var/in/財政課
cp samples/* var/in/総務課/
echo "mugaika: watching var/in/{総務課,財政課}; output in var/out, held items in the encrypted quarantine"
echo "  officer UI: build/gateway/mugaika user add NAME --role admin --bootstrap --config config/mugaika.toml,"
echo "              then build/gateway/mugaika officer-ui --config config/mugaika.toml (https://127.0.0.1:8443 with tls_cert)"
exec build/gateway/mugaika serve --config config/mugaika.toml
