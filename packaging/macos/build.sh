#!/usr/bin/env bash
# Build, sign and notarise Simili.app on macOS (arm64 or x86_64: build on each, or on arm64
# for arm64 only; onnxruntime has no universal2 wheel). Not run in CI: only Linux is built there.
#
#   . .venv/bin/activate && pip install -e . -r packaging/requirements.txt
#   packaging/macos/build.sh                       # unsigned: dist/Simili.app + .zip
#   SIMILI_CODESIGN_IDENTITY="Developer ID Application: NAME (TEAMID)" \
#   SIMILI_NOTARY_PROFILE=simili-notary packaging/macos/build.sh   # signed + notarised
#
# Signing notes:
# - PyInstaller signs every Mach-O it collects with SIMILI_CODESIGN_IDENTITY (the spec passes it
#   to EXE with packaging/macos/entitlements.plist; hardened runtime is on). The .app is then
#   signed once more as a whole below; never use `codesign --deep` to sign (only to verify).
# - The notary profile is created once with:
#   xcrun notarytool store-credentials simili-notary --apple-id ID --team-id TEAMID
# - Gatekeeper needs the ticket stapled to the .app; the zip is made after stapling.
# - Unsigned builds run after right-click > Open (or `xattr -dr com.apple.quarantine Simili.app`).
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(python -c 'import core; print(core.__version__)')
arch=$(uname -m)
python -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/simili.spec
app=dist/Simili.app
"$app/Contents/MacOS/simili" --version

if [ -n "${SIMILI_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --options runtime --timestamp \
        --entitlements packaging/macos/entitlements.plist \
        --sign "$SIMILI_CODESIGN_IDENTITY" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
fi
zip="dist/simili-$version-macos-$arch.zip"
ditto -c -k --keepParent "$app" "$zip"
if [ -n "${SIMILI_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$zip" --keychain-profile "$SIMILI_NOTARY_PROFILE" --wait
    xcrun stapler staple "$app"
    spctl --assess --type execute --verbose "$app"
    rm "$zip" && ditto -c -k --keepParent "$app" "$zip"
fi
ls -lh "$zip"
