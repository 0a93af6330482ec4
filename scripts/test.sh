#!/usr/bin/env bash
# Installs what is needed, builds and runs the whole test suite through CTest.
#   MUGAIKA_SANITIZE=1 scripts/test.sh   the same under AddressSanitizer and UBSan (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
if [ "${MUGAIKA_SANITIZE:-0}" = 1 ]; then
  dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMUGAIKA_SANITIZE=ON)
else
  dir=build; flags=(-DCMAKE_BUILD_TYPE=Release)
fi
cmake -S . -B "$dir" -G Ninja "${flags[@]}" -DMUGAIKA_BUILD_TESTS=ON
cmake --build "$dir" -j"$(nproc)"
cd "$dir" && ctest --output-on-failure -j"$(nproc)" --timeout 900
