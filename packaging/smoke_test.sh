#!/usr/bin/env bash
# CI proof of the desktop bundle: build it on this machine (packaging/build.sh), then run what is inside it with a
# bare environment from an empty folder: the CLI generates a sprite sheet, exports a collection and stylizes an
# image, `assetgan train` says torch is absent, and the app starts offscreen, prints READY and exits 0.
#
#   packaging/smoke_test.sh              # build, then test
#   packaging/smoke_test.sh --no-build   # test the bundle already in packaging/dist/assetgan
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/packaging/dist/assetgan

if [ "${1:-}" != "--no-build" ]; then
  t0=$(date +%s)
  bash packaging/build.sh
  echo "smoke: bundle built in $(( $(date +%s) - t0 )) s"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/home"
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
# No Python on PATH, no PYTHON* variables, not run from the checkout: the bundle must stand on its own.
run() {
  (cd "$TMP" && env -i HOME="$TMP/home" PATH=/usr/bin:/bin LANG=C.UTF-8 XDG_DATA_HOME="$TMP/data" \
    XDG_CONFIG_HOME="$TMP/config" XDG_CACHE_HOME="$TMP/cache" QT_QPA_PLATFORM=offscreen "$@")
}

# 1. The CLI from inside the bundle: shipped model found, sprite sheet written.
run "$B/assetgan" models > "$TMP/models.txt" || fail "assetgan models"
grep -q "crawl-sprites-32" "$TMP/models.txt" || fail "shipped model not listed: $(cat "$TMP/models.txt")"
run "$B/assetgan" generate --count 16 --sheet --no-files --out "$TMP/sheet" --force > "$TMP/generate.txt" 2>&1 \
  || fail "generate: $(cat "$TMP/generate.txt")"
cat "$TMP/generate.txt"
[ -s "$TMP/sheet/crawl-sprites-32_sheet.png" ] || fail "no sprite sheet in $TMP/sheet"
frames=$(grep -o '"frame"' "$TMP/sheet/crawl-sprites-32_sheet.json" | wc -l)
[ "$frames" -eq 16 ] || fail "atlas has $frames frames, expected 16"
# The GPU build of ONNX Runtime is inside on Linux x86-64: CUDA is tried, and a fallback says why.
provider=$(grep '^provider:' "$TMP/generate.txt") || fail "no provider line"
if [ "$(uname -m)" = x86_64 ]; then
  case "$provider" in
    "provider: CUDA"*) ;;
    *CUDA*"using CPU"*) ;;
    *) fail "expected CUDA in use or a CUDA fallback note, got: $provider" ;;
  esac
fi

# A curated collection re-renders through `export`, and `export --check` finds every file matching.
run "$B/assetgan" generate --count 4 --save-collection "$TMP/picks.json" --out "$TMP/picks" > /dev/null 2>&1 \
  || fail "generate --save-collection"
run "$B/assetgan" export "$TMP/picks.json" --out "$TMP/export" > "$TMP/export.txt" 2>&1 \
  || fail "export: $(cat "$TMP/export.txt")"
run "$B/assetgan" export "$TMP/picks.json" --out "$TMP/export" --check > "$TMP/check.txt" 2>&1 \
  || fail "export --check: $(cat "$TMP/check.txt")"
tail -1 "$TMP/check.txt"

# 2. Stylize a 1080p screenshot: the shipped monet model when trained/ has it, else a tiny exported CycleGAN.
if [ -f trained/monet.onnx ]; then
  echo "smoke: stylize with the shipped default model (monet)"
  model=()
else
  echo "smoke: trained/monet.onnx not shipped yet; stylize with a tiny CycleGAN from train --dry-run (.venv)"
  "$ROOT/.venv/bin/assetgan" train cyclegan --a assets/samples/textures --b assets/samples/sprites --dry-run \
    --out "$TMP/cyclegan" > "$TMP/train.txt" 2>&1 || fail "tiny cyclegan: $(tail -5 "$TMP/train.txt")"
  model=("$TMP/cyclegan/model.onnx")
fi
run "$B/assetgan" stylize "${model[@]}" "$ROOT/assets/samples/dungeon_1080p.png" --out "$TMP/styled" \
  > "$TMP/stylize.txt" 2>&1 || fail "stylize: $(cat "$TMP/stylize.txt")"
tail -1 "$TMP/stylize.txt"
styled=$(find "$TMP/styled" -name 'dungeon_1080p.*.png' | head -1)
[ -s "$styled" ] || fail "no stylized image in $TMP/styled"
w=$(od -An -j16 -N4 -tx1 "$styled" | tr -d ' \n'); h=$(od -An -j20 -N4 -tx1 "$styled" | tr -d ' \n')
[ "$((16#$w))x$((16#$h))" = "1920x1080" ] || fail "stylized image is $((16#$w))x$((16#$h)), expected 1920x1080"

# 3. No torch: training is refused with a one-line error (exit 2), not a traceback.
set +e
run "$B/assetgan" train dcgan "$ROOT/assets/samples/sprites" --dry-run --out "$TMP/run" > "$TMP/train_b.txt" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "needs PyTorch" "$TMP/train_b.txt" || fail "train in the bundle: rc $rc: $(cat "$TMP/train_b.txt")"

# 4. The app starts offscreen, loads models and the session, and quits cleanly.
set +e
run ASSETGAN_APP_STARTUP_PROBE=1 timeout 120 "$B/assetgan-app" > "$TMP/app.txt" 2> "$TMP/app_err.txt"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "app exited $rc: $(cat "$TMP/app.txt" "$TMP/app_err.txt")"
grep -q '^READY ' "$TMP/app.txt" || fail "app printed no READY: $(cat "$TMP/app.txt" "$TMP/app_err.txt")"
! grep -q Traceback "$TMP/app_err.txt" || fail "app traceback: $(cat "$TMP/app_err.txt")"
echo "smoke: app VISIBLE and READY offscreen, exit 0"

# 5. The archive unpacks into assetgan-<version>/ with both programs and the desktop entry.
archive=$(ls packaging/dist/assetgan-*-linux-*.tar.gz)
tar -tzf "$archive" > "$TMP/archive.txt"
for f in assetgan assetgan-app share/applications/assetgan.desktop share/icons/hicolor/256x256/apps/assetgan.png; do
  grep -q "^assetgan-[0-9][^/]*/$f\$" "$TMP/archive.txt" || fail "$archive lacks $f"
done
echo "smoke: bundle $(du -sh "$B" | cut -f1), archive $(basename "$archive") $(du -h "$archive" | cut -f1)"
echo "smoke: all checks passed"
