#!/usr/bin/env bash
# The Windows build, checked on Linux: cross-builds bsr for x86_64-pc-windows-gnu, runs the
# library's unit tests under Wine and prepares bsr.exe and a Wine prefix for the end-to-end
# tests in tests/it/windows.rs (run by `cargo test` with the two variables printed at the end).
#
# Needs: rustup's x86_64-pc-windows-gnu target, Debian's gcc-mingw-w64-x86-64 and wine
# (.ci/run installs them). Ends with "windows unit tests under Wine: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
export WINEPREFIX="${WINEPREFIX:-$PWD/target/wine}"
export WINEDEBUG=-all
# No Mono or Gecko: bsr needs neither, and fetching them would reach the internet.
export WINEDLLOVERRIDES="mscoree,mshtml="

for tool in wine x86_64-w64-mingw32-gcc; do
    command -v "$tool" >/dev/null || { echo "windows-check: needs $tool (apt-get install wine gcc-mingw-w64-x86-64)" >&2; exit 1; }
done
rustup target list --installed | grep -qx "$target" || rustup target add "$target"

# Wine 8.0 (Debian 12) lacks ProcessPrng, which Rust's std calls at start-up; the prefix gets a
# one-function bcryptprimitives.dll built from scripts/wine/processprng.c.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    wineboot --init >/dev/null 2>&1
    wineserver --wait
fi
system32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$system32/bcryptprimitives.dll" ] ||
   ! grep -q ProcessPrng "$system32/bcryptprimitives.dll" 2>/dev/null; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$system32/bcryptprimitives.dll" \
        scripts/wine/processprng.c scripts/wine/bcryptprimitives.def -ladvapi32
fi

cargo build --locked --target "$target"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine \
    cargo test --locked --lib --target "$target" 2>&1 | tee "$log" || status=$?
passed=$(sed -n 's/^test result: .* \([0-9]*\) passed; \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^test result: .* \([0-9]*\) passed; \([0-9]*\) failed.*/\2/p' "$log" | tail -1)
echo
echo "windows unit tests under Wine: ${passed:-0} passed, ${failed:-?} failed"
echo "for the end-to-end tests: BSR_TEST_WINDOWS_EXE=$PWD/target/$target/debug/bsr.exe WINEPREFIX=$WINEPREFIX"
if [ "$status" -ne 0 ] || [ -z "$passed" ] || [ "${failed:-1}" -ne 0 ]; then
    exit 1
fi
