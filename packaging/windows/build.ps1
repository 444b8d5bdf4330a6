# Build the Windows installer: PyInstaller folder, then Inno Setup (ISCC.exe on PATH or in the
# default install folder). Run from the repository root in the project's venv:
#   .venv\Scripts\Activate.ps1; pip install -r packaging\requirements.txt
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Then smoke-test what was built:  python packaging\smoke_test.py dist\simili\simili.exe
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

$version = (python -c "import core; print(core.__version__)").Trim()
python -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath dist --workpath build\pyinstaller packaging\simili.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
& dist\simili\simili.exe --version
if ($LASTEXITCODE -ne 0) { throw "the frozen simili.exe does not start" }

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 not found: install it (winget install JRSoftware.InnoSetup)" }
& $iscc "/DAppVersion=$version" packaging\windows\simili.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
Get-Item "dist\simili-$version-windows-x86_64-setup.exe"
