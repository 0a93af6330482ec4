#!/bin/bash
# The part of package_test.sh that runs in a private mount namespace: the overlay root, dpkg -i, the
# installed units' command lines, a file and a mail through them, rotation, backup, removal and purge.
#   inside_root.sh WORK LMTP_PORT HTTP_PORT UI_PORT
set -euo pipefail
work=$1 lmtp_port=$2 http_port=$3 ui_port=$4
root=$work/root
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; tail -n 40 "$f"; done; exit 1; }

mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/overlay-work" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
# A fresh /run (no systemd here: the maintainer scripts skip systemctl as on any system without it) and /tmp.
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
cp "$work/mugaika.deb" "$root/tmp/"
here=$(cd "$(dirname "$0")" && pwd)
in_root() {
    unshare -m --propagation private "$here/enter_root.sh" "$root" \
        /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"
}
mode() { in_root stat -c '%U:%G %a' "$1"; }

echo "== dpkg -i"
in_root env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/mugaika.deb >"$work/dpkg-install.log" 2>&1 ||
    fail "dpkg -i"
in_root getent passwd mugaika | grep -q ':/var/lib/mugaika:/usr/sbin/nologin$' || fail "no system user mugaika"
[ "$(mode /var/lib/mugaika/keys/quarantine.key)" = "mugaika:mugaika 600" ] || fail "key: $(mode /var/lib/mugaika/keys/quarantine.key)"
grep -Eqx '[0-9a-f]{64}' "$root/var/lib/mugaika/keys/quarantine.key" || fail "the key is not 64 hex digits"
key_before=$(cat "$root/var/lib/mugaika/keys/quarantine.key")
[ "$(mode /etc/mugaika/mugaika.toml)" = "root:mugaika 640" ] || fail "config: $(mode /etc/mugaika/mugaika.toml)"
[ "$(mode /var/lib/mugaika)" = "mugaika:mugaika 750" ] || fail "state: $(mode /var/lib/mugaika)"
[ "$(mode /var/log/mugaika)" = "mugaika:adm 2750" ] || fail "logs: $(mode /var/log/mugaika)"
[ "$(mode /srv/mugaika/in)" = "mugaika:mugaika 2770" ] || fail "share: $(mode /srv/mugaika/in)"
[ -x "$root/usr/bin/mugaika" ] || fail "/usr/bin/mugaika"
if grep -Eq '"(sqlite:)?var/' "$root/etc/mugaika/mugaika.toml"; then fail "relative paths in /etc/mugaika/mugaika.toml"; fi
man -l "$root/usr/share/man/man8/mugaika.8.gz" >/dev/null 2>&1 || fail "man page"
if command -v systemd-analyze >/dev/null; then
    # Offline check of the unit files' syntax (no systemd runs here).
    in_root systemd-analyze verify /lib/systemd/system/mugaika.service /lib/systemd/system/mugaika-officer-ui.service \
        /lib/systemd/system/mugaika-audit-rotate.service /lib/systemd/system/mugaika-audit-rotate.timer \
        >"$work/analyze.log" 2>&1 || true
    if grep -E 'mugaika.*(Unknown|Invalid|Failed to parse|bad|not executable)' "$work/analyze.log"; then fail "unit files"; fi
fi

echo "== a second dpkg -i (an upgrade) keeps the key"
in_root env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/mugaika.deb >"$work/dpkg-upgrade.log" 2>&1 || fail "dpkg -i again"
[ "$(cat "$root/var/lib/mugaika/keys/quarantine.key")" = "$key_before" ] || fail "the upgrade replaced the key"

echo "== the site's settings (ports for this test, no clamd here)"
conf=$root/etc/mugaika/mugaika.toml
sed -i -e "s/127.0.0.1:10025/127.0.0.1:$lmtp_port/" -e "s/127.0.0.1:9925/127.0.0.1:$http_port/" \
       -e "s/127.0.0.1:8443/127.0.0.1:$ui_port/" \
       -e '/^\[scan\]/,/^\[/ s/^enabled = true/enabled = false/' \
       -e '/^\[worker\]/,/^\[/ s/^count = 0 /count = 1 /' "$conf"

# Starts a unit's ExecStart the way systemd would: its User/Group, WorkingDirectory, UMask, capabilities,
# NoNewPrivileges and RuntimeDirectory.
unit_value() { sed -n "s/^$2=//p" "$root/lib/systemd/system/$1" | head -n1; }
as_unit() {
    local unit=$1; shift
    local user group wd umask caps bounding runtime flags=()
    user=$(unit_value "$unit" User) group=$(unit_value "$unit" Group) wd=$(unit_value "$unit" WorkingDirectory)
    umask=$(unit_value "$unit" UMask) caps=$(unit_value "$unit" AmbientCapabilities)
    runtime=$(unit_value "$unit" RuntimeDirectory)
    bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$root/lib/systemd/system/$unit" | head -n1)
    flags+=(--reuid="$user" --regid="$group" --init-groups --bounding-set=-all)
    for c in $bounding; do flags[-1]+=",+$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"; done
    for c in $caps; do
        c=$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')
        flags+=(--inh-caps=+"$c" --ambient-caps=+"$c")
    done
    [ "$(unit_value "$unit" NoNewPrivileges)" = yes ] && flags+=(--no-new-privs)
    if [ -n "$runtime" ]; then install -d -o "$(in_root id -u "$user")" -g "$(in_root id -g "$group")" "$root/run/$runtime"; fi
    in_root setpriv "${flags[@]}" -- /bin/sh -c "cd ${wd:-/} && umask ${umask:-0022} && exec $*"
}
exec_start() { unit_value "$1" ExecStart; }

echo "== the sandbox, as the service's user with the unit's capabilities"
# The service refuses to start without its disarm workers' sandbox (mugaika-worker beside mugaika, user
# namespaces allowed): checked first, with the layers in the log when it fails.
as_unit mugaika.service "/usr/bin/mugaika selftest sandbox --config /etc/mugaika/mugaika.toml" >"$work/selftest.log" 2>&1 ||
    fail "mugaika selftest sandbox"
grep -q '^sandbox complete' "$work/selftest.log" || fail "selftest sandbox: not complete"

echo "== starting the installed units: $(exec_start mugaika.service)"
as_unit mugaika.service "$(exec_start mugaika.service)" >"$work/serve.log" 2>&1 &
serve_pid=$!
as_unit mugaika-officer-ui.service "$(exec_start mugaika-officer-ui.service)" >"$work/officer-ui.log" 2>&1 &
ui_pid=$!
# $serve_pid and $ui_pid are the background subshells running as_unit; each unit's command is its
# subshell's one child (unshare, enter_root.sh, env, setpriv and sh each exec the next). The signal goes
# to that child, as systemd's would: killing the subshell alone left the service running after the test.
tree() { local p; for p in $(pgrep -P "$1"); do echo "$p"; tree "$p"; done; }
alive() { local p; for p in "$@"; do [ -n "$(ps -o stat= -p "$p" 2>/dev/null | grep -v '^Z')" ] && echo "$p"; done; true; }
stop_all() {
    local procs left _
    procs=$(tree "$serve_pid"; tree "$ui_pid")
    pkill -TERM -P "$serve_pid" 2>/dev/null || true
    pkill -TERM -P "$ui_pid" 2>/dev/null || true
    # The workers and converters go with the service (zombies until reaped count as gone). Polled, not
    # waited for: a service that ignores SIGTERM fails here, it does not hang the test.
    for _ in $(seq 1 60); do
        left=$(alive $procs)
        if [ -z "$left" ]; then wait "$serve_pid" "$ui_pid" 2>/dev/null || true; return 0; fi
        sleep 0.5
    done
    ps -o pid,user,stat,args -p "$(echo $left | tr ' ' ',')" >&2 || true
    kill -KILL $left 2>/dev/null || true
    wait "$serve_pid" "$ui_pid" 2>/dev/null || true
    return 1
}
trap stop_all EXIT

http_get() { /usr/bin/python3 -c '
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5); print(r.status)
except urllib.error.HTTPError as e: print(e.code)
except Exception: print(0)' "$1"; }
for _ in $(seq 1 120); do [ "$(http_get "http://127.0.0.1:$http_port/healthz")" = 200 ] && break; sleep 0.5; done
[ "$(http_get "http://127.0.0.1:$http_port/healthz")" = 200 ] || fail "/healthz of the installed service"
for _ in $(seq 1 60); do code=$(http_get "http://127.0.0.1:$ui_port/"); [ "$code" != 0 ] && break; sleep 0.5; done
case "$code" in 200|302|303) ;; *) fail "officer UI answered $code" ;; esac

echo "== a file through the share"
[ -d "$root/srv/mugaika/in/総務課" ] || fail "the service did not make the section folder"
printf '氏名,所属\n山田太郎,総務課\n' > "$root/srv/mugaika/in/総務課/名簿.csv"
chgrp "$(in_root id -g mugaika)" "$root/srv/mugaika/in/総務課/名簿.csv"; chmod 0660 "$root/srv/mugaika/in/総務課/名簿.csv"
for _ in $(seq 1 120); do [ -s "$root/srv/mugaika/out/総務課/名簿.csv" ] && break; sleep 0.5; done
[ -s "$root/srv/mugaika/out/総務課/名簿.csv" ] || fail "no output in /srv/mugaika/out/総務課"
grep -q '山田太郎' "$root/srv/mugaika/out/総務課/名簿.csv" || fail "output content"
ls "$root"/var/lib/mugaika/reports/*.json >/dev/null 2>&1 || fail "no report in /var/lib/mugaika/reports"

echo "== a mail through LMTP"
/usr/bin/python3 - "$lmtp_port" <<'PY' || fail "LMTP"
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "sender@example.jp"; m["To"] = "somu@city.example.lg.jp"; m["Subject"] = "パッケージ試験"
m.set_content("本文です。")
m.add_attachment("a,b\n1,2\n".encode(), maintype="text", subtype="csv", filename="data.csv")
with smtplib.LMTP("127.0.0.1", int(sys.argv[1])) as s:
    refused = s.send_message(m, "sender@example.jp", ["somu@city.example.lg.jp"])
    assert not refused, refused
PY
for _ in $(seq 1 120); do ls "$root"/srv/mugaika/mail/new/* >/dev/null 2>&1 && break; sleep 0.5; done
mail=$(ls "$root"/srv/mugaika/mail/new/* 2>/dev/null | head -n1)
[ -n "$mail" ] || fail "no mail in the Maildir /srv/mugaika/mail/new"
/usr/bin/python3 - "$mail" <<'PY' || fail "the released mail"
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert m["X-Mugaika-ID"], "no X-Mugaika-ID"
assert "パッケージ試験" in str(m["Subject"]), m["Subject"]
names = [p.get_filename() for p in m.iter_attachments()]
assert "data.csv" in names, names
PY

echo "== the timer's rotation, audit verify, a backup while the service runs"
rotate=$(exec_start mugaika-audit-rotate.service)
as_unit mugaika-audit-rotate.service "$rotate" >"$work/rotate.log" 2>&1 || fail "audit rotate"
ls "$root"/var/log/mugaika/audit.log.2* >/dev/null 2>&1 || fail "no archived audit log"
as_unit mugaika.service "/usr/bin/mugaika audit verify --config /etc/mugaika/mugaika.toml" >"$work/verify.log" 2>&1 ||
    fail "audit verify"
grep -q 'audit.log.2.*: OK' "$work/verify.log" || fail "audit verify did not follow the rotation"
[ "$(mode /var/backups/mugaika)" = "mugaika:mugaika 700" ] || fail "backups: $(mode /var/backups/mugaika)"
as_unit mugaika.service "/usr/bin/mugaika backup create /var/backups/mugaika/test --config /etc/mugaika/mugaika.toml" \
    >"$work/backup.log" 2>&1 || fail "backup create"
as_unit mugaika.service "/usr/bin/mugaika backup verify /var/backups/mugaika/test" >>"$work/backup.log" 2>&1 ||
    fail "backup verify"

echo "== stop, remove, purge"
trap - EXIT
stop_all || fail "processes of the units (service, converters, officer UI) left after SIGTERM"
in_root dpkg -r mugaika >"$work/dpkg-remove.log" 2>&1 || fail "dpkg -r"
[ ! -e "$root/usr/bin/mugaika" ] || fail "/usr/bin/mugaika left after remove"
[ -e "$root/etc/mugaika/mugaika.toml" ] || fail "remove must keep the conffile"
in_root dpkg -P mugaika >"$work/dpkg-purge.log" 2>&1 || fail "dpkg -P"
[ ! -e "$root/etc/mugaika/mugaika.toml" ] || fail "purge must remove the conffile"
[ "$(cat "$root/var/lib/mugaika/keys/quarantine.key")" = "$key_before" ] || fail "purge must keep the key"
[ -s "$root/var/log/mugaika/audit.log" ] || fail "purge must keep the audit log"
echo "== installing again after a purge keeps the key that is there"
in_root env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/mugaika.deb >"$work/dpkg-reinstall.log" 2>&1 || fail "dpkg -i after purge"
[ "$(cat "$root/var/lib/mugaika/keys/quarantine.key")" = "$key_before" ] || fail "a reinstall replaced the key"
