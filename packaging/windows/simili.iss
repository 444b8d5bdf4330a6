; Inno Setup script for Simili on Windows (Inno Setup 6.3+).
;
;   .venv\Scripts\python -m pip install -r packaging\requirements.txt
;   packaging\windows\build.ps1            (PyInstaller, then this script via ISCC)
;
; or by hand, after PyInstaller has made dist\simili\:
;   iscc /DAppVersion=0.1.0 packaging\windows\simili.iss
;
; Installs per user by default (no admin prompt; the dialog offers "all users"), puts
; similiw.exe (windowed, no console) in the Start menu and simili.exe (the CLI) on the
; user's PATH. The photo library is in %LOCALAPPDATA%\Simili and survives uninstall unless the
; user asks to remove it.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Simili"
#define SourceDir "..\..\dist\simili"

[Setup]
; Never change the AppId: upgrades and uninstall find the installed copy by it.
AppId={{6B0F3C2E-5D1A-4C8B-9E57-3A1D2F6C9B41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Simili
AppPublisherURL=https://example.invalid/simili
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir=..\..\dist
OutputBaseFilename=simili-{#AppVersion}-windows-x86_64-setup
SetupIconFile=..\..\build\icons\simili.ico
UninstallDisplayIcon={app}\similiw.exe
Compression=lzma2/max
SolidCompression=yes
LZMANumBlockThreads=4
WizardStyle=modern
ChangesEnvironment=yes
CloseApplications=yes
; Signing: configure a sign tool in the IDE or with /S"signtool=signtool sign /fd sha256 /tr
; http://timestamp.example /td sha256 $f" and uncomment:
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the simili command to PATH"; GroupDescription: "Command line:"

[Files]
; The whole PyInstaller folder: simili.exe (console, CLI), similiw.exe (windowed, GUI), _internal\.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade must not keep libraries a newer build no longer ships.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\similiw.exe"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\similiw.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\similiw.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
const
  EnvKey = 'Environment';

function PathRoot: Integer;
begin
  if IsAdminInstallMode then Result := HKEY_LOCAL_MACHINE else Result := HKEY_CURRENT_USER;
end;

function PathKey: String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := EnvKey;
end;

procedure AddToPath(Dir: String);
var
  Paths: String;
begin
  if not RegQueryStringValue(PathRoot, PathKey, 'Path', Paths) then Paths := '';
  if Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') > 0 then exit;
  if (Paths <> '') and (Paths[Length(Paths)] <> ';') then Paths := Paths + ';';
  RegWriteExpandStringValue(PathRoot, PathKey, 'Path', Paths + Dir);
end;

procedure RemoveFromPath(Dir: String);
var
  Paths: String;
  P: Integer;
begin
  if not RegQueryStringValue(PathRoot, PathKey, 'Path', Paths) then exit;
  Paths := ';' + Paths + ';';
  P := Pos(';' + Uppercase(Dir) + ';', Uppercase(Paths));
  if P = 0 then exit;
  Delete(Paths, P, Length(Dir) + 1);  { ';A;DIR;B;' -> ';A;B;' }
  RegWriteExpandStringValue(PathRoot, PathKey, 'Path', Copy(Paths, 2, Length(Paths) - 2));
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    AddToPath(ExpandConstant('{app}'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Library: String;
begin
  if CurUninstallStep = usUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
  if CurUninstallStep = usPostUninstall then
  begin
    Library := ExpandConstant('{localappdata}\Simili');
    if DirExists(Library) and (not UninstallSilent) and
       (MsgBox('Also delete your Simili library (the index and thumbnails in ' + Library +
               ')? Your photos are never touched.', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES)
    then
      DelTree(Library, True, True, True);
  end;
end;
