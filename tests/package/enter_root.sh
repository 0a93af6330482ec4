#!/bin/bash
# enter_root.sh ROOT COMMAND...: runs COMMAND with ROOT as the root of a new mount namespace. pivot_root,
# not chroot: the kernel refuses new user namespaces to a chrooted process (clone: EPERM), and the
# installed service starts its disarm workers (mugaika-worker) in user namespaces of their own.
#   unshare -m --propagation private tests/package/enter_root.sh ROOT COMMAND...
set -euo pipefail
root=$1
shift
cd "$root"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
exec "$@"
