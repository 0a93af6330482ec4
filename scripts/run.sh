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
# Malware scanning ([scan]) needs clamd with signatures, which freshclam fetches (the Internet segment
# has a connection). Without any, this demo runs with scanning switched off, and says so.
config=config/mugaika.toml
mkdir -p var/in/総務課 var/in/財政課
if ls /var/lib/clamav/*.c[lv]d >/dev/null 2>&1 || timeout 120 freshclam --quiet; then
  if ! pgrep -x clamd >/dev/null; then
    mkdir -p /run/clamav && chown clamav: /run/clamav 2>/dev/null || true
    clamd   # Debian's /etc/clamav/clamd.conf: unix:/run/clamav/clamd.ctl; items wait until it has loaded
  fi
else
  echo "mugaika: WARNING: no ClamAV signatures (freshclam could not fetch them); this demo runs WITHOUT" \
       "malware scanning ([scan] enabled = false in var/demo-config.toml)" >&2
  sed '/^\[scan\]/,/^\[/ s/^enabled = true/enabled = false/' config/mugaika.toml > var/demo-config.toml
  config=var/demo-config.toml
fi
cp samples/* var/in/総務課/
echo "mugaika: watching var/in/{総務課,財政課}; output in var/out, held items in the encrypted quarantine"
echo "  officer UI: two admins at the console (each their own password and TOTP; four-eyes needs both):"
echo "              build/gateway/mugaika user add NAME --role admin --bootstrap --config $config"
echo "              then build/gateway/mugaika officer-ui --config $config (https://127.0.0.1:8443 with tls_cert);"
echo "              an admin adds people there, each enrols with the one-time code, the other admin confirms roles"
# --init: the first run makes the quarantine key and database under var/ (later runs find them; without
# --init a missing key or database is an error, never a silent new one).
exec build/gateway/mugaika serve --init --config "$config"
