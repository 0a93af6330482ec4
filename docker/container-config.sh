#!/bin/sh
# Turns the packaged configuration (FHS paths, loopback addresses) into the container's: LMTP and the
# officer UI listen on the container's network, LMTP takes mail only from the Postfix container, clamd is
# the clamd container, the officer UI speaks HTTPS with the certificate mounted at /etc/mugaika/tls.
# The addresses are those of compose.yaml's network (tests/gateway/container_config_test.cpp checks that
# they agree).
#   docker/container-config.sh /etc/mugaika/mugaika.toml
set -eu
file=$1
sed -i \
    -e '/^\[lmtp\]/,/^\[/ s|^listen = .*|listen = "0.0.0.0:10025"      # the Postfix container connects here|' \
    -e '/^\[lmtp\]/,/^\[/ s|^clients = .*|clients = ["172.28.0.10"]      # compose.yaml: postfix|' \
    -e '/^\[scan\]/,/^\[/ s|^clamd = .*|clamd = "172.28.0.30:3310"          # compose.yaml: clamd|' \
    -e '/^\[officer_ui\]/,/^\[/ s|^listen = .*|listen = "0.0.0.0:8443"|' \
    -e '/^\[officer_ui\]/,/^\[/ s|^tls_cert = .*|tls_cert = "/etc/mugaika/tls/officer.crt"   # mounted by compose.yaml|' \
    -e '/^\[officer_ui\]/,/^\[/ s|^tls_key = .*|tls_key = "/etc/mugaika/tls/officer.key"|' \
    "$file"
# Every line above must have matched: a key renamed in config/mugaika.toml must not slip by.
for want in 'listen = "0.0.0.0:10025"' 'clients = \["172.28.0.10"\]' 'clamd = "172.28.0.30:3310"' \
            'listen = "0.0.0.0:8443"' 'tls_cert = "/etc/mugaika/tls/officer.crt"' 'tls_key = "/etc/mugaika/tls/officer.key"'; do
    grep -q "^$want" "$file" || { echo "container-config.sh: '$want' not set in $file" >&2; exit 1; }
done
