#!/bin/bash
# The Debian package, end to end: built with CPack from this build tree, installed with dpkg into a
# throw-away root (an overlay of this machine's own Debian 12 over /, in a private mount namespace, so
# that the package's dependencies are those already installed and nothing reaches the real system), the
# installed units' command lines started as their User= with their capabilities, a file through the share
# and a mail through LMTP, the officer UI answering, the audit rotation of the timer's unit, a backup
# while the service runs, then removal and purge.
#   tests/package/package_test.sh BUILD_DIR SOURCE_DIR
# Exit 77 (skipped) without root, dpkg/cpack, or an overlay mount (e.g. an unprivileged container).
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)

skip() { echo "SKIPPED package test: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i into a throw-away root)"
for tool in cpack dpkg dpkg-deb unshare chroot setpriv /usr/bin/python3; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
done
grep -q '^MUGAIKA_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && skip "a sanitizer build is not packaged"

work=$(mktemp -d /tmp/mugaika-package-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/upper" "$work/overlay-work" "$work/root"
unshare -m --propagation private true 2>/dev/null || skip "cannot make a private mount namespace"
unshare -m --propagation private \
    mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/overlay-work" "$work/root" 2>/dev/null ||
    skip "cannot mount an overlay over / (no CAP_SYS_ADMIN?)"

echo "== building the package (cpack)"
cpack -G DEB --config "$build/CPackConfig.cmake" -D CPACK_OUTPUT_FILE_PREFIX="$work/cpack" -B "$work/cpack-tmp" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/cpack/mugaika_*.deb)
echo "$deb"
dpkg-deb -I "$deb" >"$work/info"
dpkg-deb -c "$deb" >"$work/contents"
fail() { echo "FAIL: $*"; exit 1; }
grep -q '^ Depends:.*adduser' "$work/info" || fail "Depends lacks adduser"
grep -q '^ Depends:.*libpoco' "$work/info" || fail "Depends lacks the shared libraries (shlibdeps)"
grep -q '^ Recommends:.*clamav-daemon' "$work/info" || fail "Recommends lacks clamav-daemon"
for f in ./usr/bin/mugaika ./etc/mugaika/mugaika.toml ./lib/systemd/system/mugaika.service \
         ./lib/systemd/system/mugaika-officer-ui.service ./lib/systemd/system/mugaika-audit-rotate.timer \
         ./usr/share/man/man8/mugaika.8.gz ./usr/share/doc/mugaika/copyright ./usr/share/doc/mugaika/ja/README.md; do
    grep -q " $f\$" "$work/contents" || fail "the package lacks $f"
done
if grep -q 'mugaika-worker' "$build/build.ninja" 2>/dev/null; then
    grep -q ' ./usr/bin/mugaika-worker$' "$work/contents" || fail "the package lacks the worker beside mugaika"
fi
control=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)   # not piped into grep -q: pipefail and SIGPIPE
grep -qx './conffiles' <<<"$control" || fail "no conffiles"
grep -qx ' Description: Content Disarm and Reconstruction gateway.*' "$work/info" || fail "Description's synopsis"

cp "$deb" "$work/mugaika.deb"
ports=$(/usr/bin/python3 -c '
import socket
s=[socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1",0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
# Everything else happens inside the private mount namespace, in the overlay root.
unshare -m --propagation private bash "$source/tests/package/inside_root.sh" "$work" $ports
echo "PASS"
