"""Background endpoint activity (Defender for Endpoint tables): what a quiet, healthy fleet
does all day — browsers, Office, Teams, services, updates, logons, DNS and SMB traffic."""

from __future__ import annotations

import base64
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.demo.telemetry.engine import Actor, OrgArrays, Profile
from xdrlab.demo.telemetry.fleet import Org
from xdrlab.demo.telemetry.frame import dumps
from xdrlab.demo.telemetry.rng import Stream
from xdrlab.demo.telemetry.software import IMAGES, file_hashes


def encoded(script: str) -> str:
    """What `powershell -EncodedCommand` takes: base64 of the UTF-16LE script."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def q(key: str) -> str:
    return f'"{IMAGES[key].path}"'


EXPLORER = Actor("explorer", "C:\\Windows\\Explorer.EXE", "userinit")
USERINIT = Actor("userinit", "C:\\Windows\\system32\\userinit.exe", "winlogon")
WINLOGON = Actor("winlogon", "winlogon.exe", "smss", "system", "any")
SERVICES = Actor("services", "C:\\Windows\\system32\\services.exe", "wininit", "system", "any")
LSASS = Actor("lsass", "C:\\Windows\\system32\\lsass.exe", "wininit", "system", "any")
SYSTEM = Actor("system", "", "system", "system", "any")


def svchost(group: str, service: str = "", account: str = "system", where: str = "any") -> Actor:
    command = f"C:\\Windows\\system32\\svchost.exe -k {group} -p" + (
        f" -s {service}" if service else ""
    )
    return Actor("svchost", command, "services", account, where)


SCHEDULE = svchost("netsvcs", "Schedule")
DCOM = svchost("DcomLaunch")
DNSCACHE = svchost("NetworkService", "Dnscache", "network service")
WUAUSERV = svchost("netsvcs", "wuauserv")
CHROME = Actor("chrome", q("chrome") + " ", "explorer")
EDGE = Actor("msedge", q("msedge") + " --profile-directory=Default", "explorer")
OUTLOOK = Actor("outlook", q("outlook") + " ", "explorer")
TEAMS = Actor("teams", q("teams") + " msteams:system-initiated", "explorer")
WINWORD = Actor(
    "winword", q("winword") + ' /n "C:\\Users\\{user}\\Documents\\Report_{n}.docx"', "explorer"
)
EXCEL = Actor("excel", q("excel") + " ", "explorer")
ONEDRIVE = Actor("onedrive", q("onedrive") + " /background", "explorer")
CMD = Actor("cmd", '"C:\\Windows\\system32\\cmd.exe" ', "explorer")
MSSENSE = Actor("mssense", q("mssense"), "services", "system", "any")
MSMPENG = Actor("msmpeng", q("msmpeng"), "services", "system", "any")
IME = Actor("ime", q("ime"), "services", "system", "ws")
AGENT = Actor(
    "agentexecutor",
    q("agentexecutor")
    + ' -powershellDetection "C:\\Program Files (x86)\\Microsoft Intune Management '
    'Extension\\Content\\DetectionScripts\\detect.ps1"',
    "ime",
    "system",
    "ws",
)
TIWORKER = Actor("tiworker", IMAGES["tiworker"].path + " -Embedding", "svchost", "system", "any")
SEARCH = Actor(
    "searchindexer",
    "C:\\Windows\\system32\\SearchIndexer.exe /Embedding",
    "services",
    "system",
    "ws",
)
SQL = Actor("sqlservr", q("sqlservr") + " -sMSSQLSERVER", "services", "network service", "server")


def inventory_script(org: Org) -> str:
    return f"C:\\ProgramData\\{org.netbios.title()}\\Scripts\\Invoke-Inventory.ps1"


INTUNE_DETECTION = encoded(
    "$v = Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' -Name DisplayVersion; "
    "if ($v.DisplayVersion -ge '22H2') { Write-Output 'Compliant'; exit 0 } else { exit 1 }"
)


def process_profiles(org: Org) -> list[Profile]:
    chrome = IMAGES["chrome"].path
    edge = IMAGES["msedge"].path
    webview = IMAGES["msedgewebview2"].path
    script = inventory_script(org)

    def launch(
        weight: int, actor: Actor, subject: str, command: str, n_max: int = 99_999
    ) -> Profile:
        return Profile(
            weight,
            actor,
            {"ActionType": "ProcessCreated", "ProcessCommandLine": command},
            subject,
            n_max,
        )

    powershell_scheduled = Actor(
        "powershell",
        f'"powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "{script}"',
        "svchost",
        "system",
        "any",
    )
    return [
        launch(60, EXPLORER, "chrome", f'"{chrome}" '),
        launch(
            170,
            CHROME,
            "chrome",
            f'"{chrome}" --type=renderer --lang=en-US --renderer-client-id={{n}} /prefetch:1',
            400,
        ),
        launch(
            30,
            CHROME,
            "chrome",
            f'"{chrome}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US '
            "--service-sandbox-type=none --mojo-platform-channel-handle={n} /prefetch:8",
            9_000,
        ),
        launch(25, EXPLORER, "msedge", f'"{edge}" --profile-directory=Default'),
        launch(
            60,
            EDGE,
            "msedge",
            f'"{edge}" --type=renderer --lang=en-US --renderer-client-id={{n}} /prefetch:1',
            300,
        ),
        launch(15, EXPLORER, "outlook", q("outlook") + " "),
        launch(10, EXPLORER, "teams", q("teams") + " msteams:system-initiated"),
        launch(
            40,
            TEAMS,
            "msedgewebview2",
            f'"{webview}" --embedded-browser-webview=1 --webview-exe-name=ms-teams.exe '
            '--user-data-dir="C:\\Users\\{user}\\AppData\\Local\\Packages\\MSTeams_8wekyb3d8bbwe\\LocalCache\\'
            'Microsoft\\MSTeams\\EBWebView" --mojo-platform-channel-handle={n}',
            9_000,
        ),
        launch(
            10,
            EXPLORER,
            "winword",
            q("winword") + ' /n "C:\\Users\\{user}\\Documents\\Report_{n}.docx"',
            400,
        ),
        launch(
            4,
            OUTLOOK,
            "winword",
            q("winword")
            + ' /n "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\'
            'R8TQ2NVA\\Meeting notes {n}.docx" /o ""',
            90,
        ),
        launch(
            8,
            EXPLORER,
            "excel",
            q("excel") + ' "C:\\Users\\{user}\\Documents\\Budget {n}.xlsx"',
            30,
        ),
        launch(3, EXPLORER, "powerpnt", q("powerpnt") + " "),
        launch(4, EXPLORER, "notepad", '"C:\\Windows\\system32\\notepad.exe" '),
        launch(
            4,
            EXPLORER,
            "acrord32",
            q("acrord32") + ' "C:\\Users\\{user}\\Downloads\\statement_{n}.pdf"',
            900,
        ),
        launch(2, EXPLORER, "code", q("code") + " "),
        launch(3, EXPLORER, "onedrive", q("onedrive") + " /background"),
        launch(3, EXPLORER, "cmd", '"C:\\Windows\\system32\\cmd.exe" '),
        launch(4, CMD, "conhost", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1"),
        launch(2, CMD, "ipconfig", "ipconfig  /all"),
        launch(1, CMD, "ping", "ping  -n 4 " + org.server("fs01").name),
        launch(1, CMD, "net", "net  use Z: \\\\" + org.server("fs01").short_name + "\\shared"),
        launch(2, USERINIT, "explorer", "C:\\Windows\\Explorer.EXE"),
        launch(
            20, SERVICES, "svchost", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s gpsvc"
        ),
        launch(
            8,
            SERVICES,
            "svchost",
            "C:\\Windows\\system32\\svchost.exe -k LocalService -p -s EventLog",
        ),
        launch(
            8, SERVICES, "svchost", "C:\\Windows\\system32\\svchost.exe -k wsappx -p -s AppXSvc"
        ),
        launch(6, SERVICES, "svchost", "C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s BITS"),
        launch(25, DCOM, "runtimebroker", "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding"),
        launch(
            20, DCOM, "wmiprvse", "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding"
        ),
        launch(
            15,
            DCOM,
            "backgroundtaskhost",
            '"C:\\Windows\\system32\\backgroundTaskHost.exe" -ServerName:App.AppXemm.mca',
        ),
        launch(
            10,
            DCOM,
            "dllhost",
            "C:\\Windows\\system32\\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}",
        ),
        launch(
            20,
            SCHEDULE,
            "taskhostw",
            "taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly",
        ),
        launch(5, SCHEDULE, "mpcmdrun", q("mpcmdrun") + " -IdleTask -TaskName WdCacheMaintenance"),
        launch(
            3,
            SCHEDULE,
            "compattelrunner",
            "C:\\Windows\\system32\\compattelrunner.exe -maintenance",
        ),
        launch(
            4,
            SCHEDULE,
            "powershell",
            f'"powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "{script}"',
        ),
        launch(
            2,
            powershell_scheduled,
            "conhost",
            "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
        ),
        launch(3, SCHEDULE, "gpupdate", "gpupdate.exe /target:computer"),
        launch(3, IME, "agentexecutor", AGENT.command),
        launch(
            2,
            AGENT,
            "powershell",
            '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoProfile -NonInteractive '
            f"-ExecutionPolicy Bypass -EncodedCommand {INTUNE_DETECTION}",
        ),
        launch(4, MSSENSE, "sensecncproxy", q("sensecncproxy")),
        launch(
            3,
            WUAUSERV,
            "wuauclt",
            "C:\\Windows\\system32\\wuauclt.exe /UpdateDeploymentProvider UpdateDeploymentProvider.dll /RunHandlerComServer",
        ),
        launch(
            2,
            Actor(
                "trustedinstaller",
                "C:\\Windows\\servicing\\TrustedInstaller.exe",
                "services",
                "system",
                "any",
            ),
            "tiworker",
            TIWORKER.command,
        ),
        launch(
            10,
            SEARCH,
            "searchprotocolhost",
            '"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe{n}',
            900,
        ),
        launch(
            3,
            svchost("iissvcs", "W3SVC", where="server"),
            "w3wp",
            'c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll" -a \\\\.\\pipe\\iisipm{n}',
            99_999,
        ),
        launch(
            1,
            Actor("services", "C:\\Windows\\system32\\services.exe", "wininit", "system", "server"),
            "sqlservr",
            SQL.command,
        ),
    ]


def _file(path: str, size: int, action: str = "FileCreated", **more: Any) -> dict[str, Any]:
    name = path.rsplit("\\", 1)[-1]
    md5, sha1, sha256 = file_hashes(path.replace("{user}", "").replace("{n}", ""))
    return {
        "ActionType": action,
        "FileName": name,
        "FolderPath": path,
        "SHA1": sha1,
        "SHA256": sha256,
        "MD5": md5,
        "FileSize": size,
        **more,
    }


def file_profiles(org: Org) -> list[Profile]:
    od = f"C:\\Users\\{{user}}\\OneDrive - {org.netbios.title()}"
    dl = "C:\\Users\\{user}\\Downloads\\"
    cache = "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\R8TQ2NVA\\"
    return [
        Profile(
            6,
            CHROME,
            _file(
                dl + "statement_{n}.pdf",
                184_233,
                FileOriginUrl="https://www.chase.com/statements/download",
                FileOriginReferrerUrl="https://www.chase.com/",
            ),
            n_max=900,
        ),
        Profile(
            3,
            CHROME,
            _file(
                dl + "ZoomInstallerFull.exe",
                16_711_264,
                FileOriginUrl="https://zoom.us/client/latest/ZoomInstallerFull.exe",
                FileOriginIP="170.114.52.2",
            ),
        ),
        Profile(
            2,
            EDGE,
            _file(
                dl + "Teams_windows_x64.msi",
                134_217_728,
                FileOriginUrl="https://statics.teams.cdn.office.net/production-windows-x64/Teams_windows_x64.msi",
                FileOriginIP="13.107.246.73",
            ),
        ),
        Profile(8, OUTLOOK, _file(cache + "Meeting notes {n}.docx", 48_211), n_max=90),
        Profile(
            10,
            WINWORD,
            _file("C:\\Users\\{user}\\Documents\\Report_{n}.docx", 66_410, "FileModified"),
            n_max=400,
        ),
        Profile(8, EXCEL, _file(od + "\\Finance\\Forecast FY25.xlsx", 412_008, "FileModified")),
        Profile(
            10,
            ONEDRIVE,
            _file(od + "\\Documents\\Project plan {n}.docx", 91_520, "FileModified"),
            n_max=40,
        ),
        Profile(4, ONEDRIVE, _file(od + "\\Pictures\\IMG_{n}.jpg", 2_400_512), n_max=9_999),
        Profile(
            10,
            EXPLORER,
            _file("C:\\Users\\{user}\\AppData\\Local\\Temp\\~DF{n}.tmp", 4_096, "FileDeleted"),
            n_max=99_999,
        ),
        Profile(
            3,
            EXPLORER,
            _file(
                "C:\\Users\\{user}\\Documents\\Report_{n}.docx",
                66_410,
                "FileRenamed",
                PreviousFileName="New Microsoft Word Document.docx",
                PreviousFolderPath="C:\\Users\\{user}\\Documents\\New Microsoft Word Document.docx",
            ),
            n_max=400,
        ),
        Profile(
            12,
            TIWORKER,
            _file(
                "C:\\Windows\\SoftwareDistribution\\Download\\{n}\\windows10.0-kb5033375-x64.cab",
                318_767_104,
            ),
            n_max=99_999,
        ),
        Profile(
            8,
            MSMPENG,
            _file(
                "C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\Updates\\mpasdlta.vdm",
                1_273_432,
            ),
        ),
        Profile(
            4,
            MSSENSE,
            _file(
                "C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber\\{n}.bin",
                12_288,
            ),
            n_max=99_999,
        ),
        Profile(
            3,
            SCHEDULE,
            _file(
                f"C:\\ProgramData\\{org.netbios.title()}\\Scripts\\inventory-{{n}}.json",
                8_412,
                "FileCreated",
            ),
            n_max=99_999,
        ),
        Profile(
            6,
            Actor("system", "", "system", "system", "server"),
            _file(
                "D:\\Shares\\Finance\\Q{n} close\\Ledger.xlsx",
                1_048_576,
                "FileModified",
                RequestProtocol="SMB",
                ShareName="Finance",
            ),
            n_max=4,
        ),
    ]


def network_profiles(org: Org) -> list[Profile]:
    dc = org.server("dc01").ip
    fs = org.server("fs01").ip
    sp = org.netbios.lower()

    def out(
        weight: int, actor: Actor, url: str, ip: str, port: int = 443, n_max: int = 254, **more: Any
    ) -> Profile:
        fields = {
            "ActionType": "ConnectionSuccess",
            "RemoteUrl": url,
            "RemoteIP": ip,
            "RemotePort": port,
            "Protocol": "Tcp",
            "RemoteIPType": "Private" if ip.startswith("10.") else "Public",
            "LocalIPType": "Private",
            **more,
        }
        return Profile(weight, actor, fields, n_max=n_max)

    inbound_dc = Actor("lsass", "C:\\Windows\\system32\\lsass.exe", "wininit", "system", "server")
    return [
        out(40, CHROME, "www.google.com", "142.250.80.{n}", n_max=250),
        out(12, CHROME, "outlook.office.com", "52.96.88.{n}", n_max=250),
        out(10, CHROME, "login.microsoftonline.com", "20.190.151.{n}", n_max=130),
        out(5, CHROME, "github.com", "140.82.112.{n}", n_max=4),
        out(5, CHROME, "www.linkedin.com", "13.107.42.14"),
        out(3, CHROME, "www.bbc.co.uk", "151.101.0.81"),
        out(2, CHROME, "tracking.adnxs.com", "185.89.210.{n}", ActionType="ConnectionFailed"),
        out(18, EDGE, "www.bing.com", "13.107.21.200"),
        out(8, EDGE, "www.office.com", "13.107.6.156"),
        out(25, OUTLOOK, "outlook.office365.com", "52.97.146.{n}", n_max=250),
        out(15, TEAMS, "teams.microsoft.com", "52.113.194.132"),
        out(
            6,
            TEAMS,
            "api.flightproxy.teams.microsoft.com",
            "52.115.223.{n}",
            3478,
            250,
            Protocol="Udp",
        ),
        out(10, ONEDRIVE, f"{sp}-my.sharepoint.com", "13.107.136.10"),
        out(5, WUAUSERV, "sls.update.microsoft.com", "20.72.235.82"),
        out(3, WUAUSERV, "ctldl.windowsupdate.com", "93.184.221.240", 80),
        out(10, MSSENSE, "winatp-gw-eus.microsoft.com", "20.42.73.{n}", n_max=40),
        out(8, MSSENSE, "us-v20.events.data.microsoft.com", "20.189.173.{n}", n_max=20),
        out(5, MSMPENG, "wdcp.microsoft.com", "20.50.201.195"),
        out(40, DNSCACHE, "", dc, 53, Protocol="Udp"),
        out(12, LSASS, "", dc, 88),
        out(6, LSASS, "", dc, 389),
        out(10, SYSTEM, "", fs, 445),
        out(2, SCHEDULE, "", "10.1.0.{n}", 135, ActionType="ConnectionFailed", n_max=200),
        Profile(
            25,
            inbound_dc,
            {
                "ActionType": "InboundConnectionAccepted",
                "RemoteIP": "10.1.0.{n}",
                "LocalPort": 88,
                "Protocol": "Tcp",
                "RemoteIPType": "Private",
                "LocalIPType": "Private",
            },
            n_max=200,
        ),
        Profile(
            2,
            Actor(
                "svchost",
                "C:\\Windows\\system32\\svchost.exe -k termsvcs -s TermService",
                "services",
                "network service",
                "server",
            ),
            {
                "ActionType": "ListeningConnectionCreated",
                "LocalPort": 3389,
                "Protocol": "Tcp",
                "LocalIPType": "Private",
            },
        ),
    ]


def network_extra(columns: dict[str, Any], p: pa.Array, stream: Stream) -> dict[str, Any]:
    """Ephemeral local ports for outbound connections; remote ports for inbound ones."""
    ephemeral = stream.between("port", 49_152, 65_000)
    inbound = pc.is_in(
        columns["ActionType"], pa.array(["InboundConnectionAccepted", "ListeningConnectionCreated"])
    )
    local = columns.get("LocalPort")
    remote = columns.get("RemotePort")
    out: dict[str, Any] = {}
    out["LocalPort"] = pc.if_else(inbound, local, ephemeral) if local is not None else ephemeral
    if remote is not None:
        out["RemotePort"] = pc.if_else(
            pc.equal(columns["ActionType"], "InboundConnectionAccepted"), ephemeral, remote
        )
    return out


def registry_profiles(org: Org) -> list[Profile]:
    def reg(
        weight: int,
        actor: Actor,
        key: str,
        name: str,
        data: str,
        vtype: str = "String",
        action: str = "RegistryValueSet",
        n_max: int = 99_999,
        **more: Any,
    ) -> Profile:
        return Profile(
            weight,
            actor,
            {
                "ActionType": action,
                "RegistryKey": key,
                "RegistryValueName": name,
                "RegistryValueData": data,
                "RegistryValueType": vtype if name else "",
                **more,
            },
            n_max=n_max,
        )

    run = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    return [
        reg(
            20,
            EXPLORER,
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.docx",
            "MRUListEx",
            "{n}",
            "Binary",
            n_max=60,
        ),
        reg(
            10,
            EXPLORER,
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count",
            "HRZR_PGYFRFFVBA",
            "{n}",
            "Binary",
        ),
        reg(
            8,
            WINWORD,
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Word\\Reading Locations\\Document {n}",
            "File Path",
            "C:\\Users\\{user}\\Documents\\Report.docx",
            n_max=20,
        ),
        reg(
            6,
            OUTLOOK,
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\0a0d020000000000c000000000000046",
            "01020402",
            "{n}",
            "Binary",
        ),
        reg(
            12,
            MSMPENG,
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates",
            "AVSignatureVersion",
            "1.403.{n}.0",
            n_max=900,
        ),
        reg(
            10,
            svchost("netsvcs", "gpsvc"),
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU",
            "NoAutoUpdate",
            "0",
            "Dword",
        ),
        reg(
            8,
            svchost("netsvcs", "gpsvc"),
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Group Policy\\State\\Machine",
            "Last Policy Refresh",
            "{n}",
            "Dword",
        ),
        reg(
            8,
            TIWORKER,
            "HKEY_LOCAL_MACHINE\\COMPONENTS\\DerivedData\\Components\\amd64_microsoft-windows-servicingstack_{n}",
            "",
            "",
            action="RegistryKeyCreated",
        ),
        reg(
            6,
            svchost("LocalSystemNetworkRestricted", "DeviceAssociationService"),
            "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\bam\\State\\UserSettings",
            "\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe",
            "{n}",
            "Binary",
        ),
        reg(4, ONEDRIVE, run, "OneDrive", q("onedrive") + " /background"),
        reg(
            3,
            TEAMS,
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\Teams",
            "LoggedInOnce",
            "1",
            "Dword",
        ),
        reg(
            3,
            EXPLORER,
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\TypedPaths",
            "url{n}",
            "\\\\" + org.server("fs01").short_name + "\\shared",
            n_max=9,
        ),
        reg(
            2,
            SERVICES,
            "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\edgeupdate",
            "Start",
            "2",
            "Dword",
        ),
        reg(
            2,
            svchost("netsvcs", "gpsvc"),
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Group Policy\\History",
            "DCName",
            "\\\\" + org.server("dc01").name,
            action="RegistryValueSet",
        ),
        reg(
            2,
            EXPLORER,
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FeatureUsage\\AppSwitched",
            "Microsoft.Office.WINWORD.EXE.15",
            "",
            "Dword",
            action="RegistryValueDeleted",
        ),
    ]


def image_load_profiles() -> list[Profile]:
    ps = Actor(
        "powershell",
        '"powershell.exe" -NoProfile -ExecutionPolicy Bypass -File inventory.ps1',
        "svchost",
        "system",
        "any",
    )

    def load(weight: int, actor: Actor, library: str) -> Profile:
        return Profile(weight, actor, {"ActionType": "ImageLoaded"}, library)

    return [
        load(10, ps, "sma"),
        load(10, ps, "amsi"),
        load(8, ps, "clr"),
        load(6, ps, "mscoree"),
        load(12, WINWORD, "mso"),
        load(2, WINWORD, "vbe7"),
        load(5, EXCEL, "mso"),
        load(20, CHROME, "chrome_elf"),
        load(8, EDGE, "urlmon"),
        load(10, SCHEDULE, "taskschd"),
        load(8, DCOM, "wldp"),
        load(6, OUTLOOK, "wininet"),
        load(5, TEAMS, "winhttp"),
        load(3, MSSENSE, "dbghelp"),
    ]


# What Windows reports, one PnpDeviceConnected event per device node, when the fleet's USB stick
# (a Kingston DataTraveler, the same serial UsbDriveMounted names) is plugged in: the USB device,
# its disk drive and the portable-device volume, each with its setup class GUID.
_STICK = "E0D55EA57412F3B1A94E0D4D"
_STICK_DISK = "DISK&VEN_KINGSTON&PROD_DATATRAVELER_3.0&REV_PMAP"
USB_STICK_PNP: tuple[dict[str, str], ...] = (
    {
        "ClassName": "USB",
        "ClassId": "{36fc9e60-c465-11cf-8056-444553540000}",
        "DeviceDescription": "USB Mass Storage Device",
        "VendorIds": "USB\\VID_0951&PID_1666&REV_0110 USB\\VID_0951&PID_1666",
        "DeviceId": f"USB\\VID_0951&PID_1666\\{_STICK}",
    },
    {
        "ClassName": "DiskDrive",
        "ClassId": "{4d36e967-e325-11ce-bfc1-08002be10318}",
        "DeviceDescription": "Kingston DataTraveler 3.0 USB Device",
        "VendorIds": "USBSTOR\\DiskKingstonDataTraveler_3.0PMAP USBSTOR\\DiskKingstonDataTraveler_3.0",
        "DeviceId": f"USBSTOR\\{_STICK_DISK}\\{_STICK}&0",
    },
    {
        "ClassName": "WPD",
        "ClassId": "{eec5ad98-8080-425f-922a-dabf3de3f69a}",
        "DeviceDescription": "E:\\",
        "VendorIds": "wpdbusenum\\fs SWD\\Generic",
        "DeviceId": f"SWD\\WPDBUSENUM\\_??_USBSTOR#{_STICK_DISK}#{_STICK}&0"
        "#{53f56307-b6bf-11d0-94f2-00a0c91efb8b}",
    },
)


def device_event_profiles(org: Org) -> list[Profile]:
    ps = Actor(
        "powershell",
        '"powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "' + inventory_script(org) + '"',
        "svchost",
        "system",
        "any",
    )
    return [
        Profile(
            10,
            ps,
            {
                "ActionType": "PowerShellCommand",
                "AdditionalFields": '{"Command":"Get-CimInstance"}',
            },
        ),
        Profile(
            5, ps, {"ActionType": "PowerShellCommand", "AdditionalFields": '{"Command":"Out-File"}'}
        ),
        Profile(
            8,
            OUTLOOK,
            {
                "ActionType": "BrowserLaunchedToOpenUrl",
                "RemoteUrl": f"https://{org.netbios.lower()}.sharepoint.com/sites/Intranet/SitePages/News-{{n}}.aspx",
            },
            n_max=300,
        ),
        Profile(
            2,
            EDGE,
            {
                "ActionType": "SmartScreenUrlWarning",
                "RemoteUrl": "http://free-pdf-converter.example.net/download",
                "AdditionalFields": '{"Experience":"Untrusted"}',
            },
        ),
        Profile(
            6,
            Actor(
                "wmiprvse",
                "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
                "svchost",
                "network service",
                "any",
            ),
            {
                "ActionType": "ProcessCreatedUsingWmiQuery",
                "FileName": "WmiApSrv.exe",
                "FolderPath": "C:\\Windows\\system32\\wbem\\WmiApSrv.exe",
                "ProcessCommandLine": "C:\\Windows\\system32\\wbem\\WmiApSrv.exe",
            },
        ),
        Profile(
            6,
            svchost("netsvcs", "gpsvc"),
            {
                "ActionType": "NamedPipeEvent",
                "AdditionalFields": '{"PipeName":"\\\\Device\\\\NamedPipe\\\\lsarpc","FileOperation":"File opened","NamedPipeEnd":"Client","DesiredAccess":1180063,"ShareMode":"Read, Write"}',
            },
        ),
        Profile(
            3,
            svchost("netsvcs", "gpsvc"),
            {
                "ActionType": "LdapSearch",
                "AdditionalFields": '{"AttributeList":["gPLink","gPOptions"],"ScopeOfSearch":"Base","SearchFilter":"(objectClass=*)","DistinguishedName":"CN=Policies,CN=System"}',
            },
        ),
        Profile(3, CHROME, {"ActionType": "GetClipboardData"}),
        Profile(
            4,
            EXPLORER,
            {
                "ActionType": "ShellLinkCreateFileEvent",
                "FileName": "Report_{n}.lnk",
                "FolderPath": "C:\\Users\\{user}\\AppData\\Roaming\\Microsoft\\Windows\\Recent\\Report_{n}.lnk",
            },
            n_max=400,
        ),
        *(
            Profile(
                1,
                Actor("system", "", "system", "system", "ws"),
                {"ActionType": "PnpDeviceConnected", "AdditionalFields": dumps(fields)},
            )
            for fields in USB_STICK_PNP
        ),
        Profile(
            1,
            Actor("system", "", "system", "system", "ws"),
            {
                "ActionType": "UsbDriveMounted",
                "AdditionalFields": '{"DriveLetter":"E:","BusType":7,"ProductName":"DataTraveler 3.0","SerialNumber":"E0D55EA57412F3B1A94E0D4D","Manufacturer":"Kingston"}',
            },
        ),
        Profile(
            2,
            Actor("system", "", "system", "system", "ws"),
            {
                "ActionType": "FirewallInboundConnectionBlocked",
                "RemoteIP": "10.1.0.{n}",
                "RemotePort": 137,
                "LocalPort": 137,
            },
            n_max=200,
        ),
        Profile(
            2,
            MSMPENG,
            {
                "ActionType": "AntivirusScanCompleted",
                "AdditionalFields": '{"ScanTypeIndex":"Quick","DurationInSeconds":214}',
            },
        ),
        Profile(
            1,
            svchost("netsvcs", "Schedule"),
            {
                "ActionType": "ScheduledTaskUpdated",
                "AdditionalFields": '{"TaskName":"\\\\Microsoft\\\\Windows\\\\UpdateOrchestrator\\\\Schedule Scan"}',
            },
        ),
    ]


# DeviceLogonEvents: which account logs on. "owner": the device's user; "system"; "peer": a user
# from another workstation (network logons on servers).
LOGONS: list[tuple[int, Actor, str, dict[str, Any]]] = [
    (
        15,
        WINLOGON,
        "owner",
        {"ActionType": "LogonSuccess", "LogonType": "Unlock", "Protocol": "Negotiate"},
    ),
    (
        5,
        WINLOGON,
        "owner",
        {"ActionType": "LogonSuccess", "LogonType": "Interactive", "Protocol": "Kerberos"},
    ),
    (
        2,
        LSASS,
        "owner",
        {"ActionType": "LogonSuccess", "LogonType": "CachedInteractive", "Protocol": "Negotiate"},
    ),
    (
        1,
        WINLOGON,
        "owner",
        {
            "ActionType": "LogonFailed",
            "LogonType": "Interactive",
            "Protocol": "Negotiate",
            "FailureReason": "InvalidUserNameOrPassword",
        },
    ),
    (
        8,
        SERVICES,
        "system",
        {"ActionType": "LogonSuccess", "LogonType": "Service", "Protocol": "Negotiate"},
    ),
    (
        3,
        SCHEDULE,
        "system",
        {"ActionType": "LogonSuccess", "LogonType": "Batch", "Protocol": "Negotiate"},
    ),
    (
        25,
        Actor("system", "", "system", "system", "server"),
        "peer",
        {"ActionType": "LogonSuccess", "LogonType": "Network", "Protocol": "Kerberos"},
    ),
    (
        2,
        Actor("system", "", "system", "system", "server"),
        "peer",
        {
            "ActionType": "LogonFailed",
            "LogonType": "Network",
            "Protocol": "NTLM",
            "FailureReason": "InvalidUserNameOrPassword",
        },
    ),
    (
        1,
        Actor(
            "svchost",
            "C:\\Windows\\system32\\svchost.exe -k termsvcs -s TermService",
            "services",
            "network service",
            "server",
        ),
        "owner",
        {
            "ActionType": "LogonSuccess",
            "LogonType": "RemoteInteractive",
            "Protocol": "Negotiate",
            "IsLocalAdmin": True,
        },
    ),
]


def logon_profiles() -> list[Profile]:
    return [Profile(w, actor, {**fields, "_who": who}) for w, actor, who, fields in LOGONS]


def logon_extra(arrays: OrgArrays):  # type: ignore[no-untyped-def]
    """Set the logged-on account (and the remote side of network logons)."""
    org = arrays.org
    admin_ws = 0

    def hook(columns: dict[str, Any], p: pa.Array, stream: Stream) -> dict[str, Any]:
        who = columns.pop("_who")
        peer_ws = stream.below("peer", arrays.n_ws)
        owner = pc.take(arrays.owner, columns["_device"])
        peer_owner = pc.take(arrays.owner, peer_ws)
        system_account = pa.scalar(arrays.people, pa.int64())
        account = pc.if_else(
            pc.equal(who, "peer"),
            peer_owner,
            pc.if_else(pc.equal(who, "system"), system_account, owner),
        )
        remote = pc.equal(who, "peer")
        rdp = pc.equal(columns["LogonType"], "RemoteInteractive")
        empty = pa.scalar("", pa.string())
        remote_ip = pc.if_else(
            remote,
            pc.take(arrays.device_ip, peer_ws),
            pc.if_else(rdp, org.workstations[admin_ws].ip, empty),
        )
        remote_name = pc.if_else(
            remote,
            pc.take(arrays.device_name, peer_ws),
            pc.if_else(rdp, org.workstations[admin_ws].name, empty),
        )
        networked = pc.or_(remote, rdp)
        return {
            "AccountName": pc.take(arrays.account_name, account),
            "AccountDomain": pc.take(arrays.account_domain, account),
            "AccountSid": pc.take(arrays.account_sid, account),
            "LogonId": pc.add(
                stream.below("logonid", 90_000_000), pa.scalar(1_000_000, pa.int64())
            ),
            "RemoteIP": remote_ip,
            "RemoteDeviceName": remote_name,
            "RemoteIPType": pc.if_else(networked, pa.scalar("Private"), empty),
            "RemotePort": pc.if_else(
                networked, stream.between("rport", 49_152, 65_000), pa.scalar(None, pa.int64())
            ),
            "IsLocalAdmin": pc.if_else(
                pc.equal(who, "system"),
                True,
                pc.fill_null(columns.get("IsLocalAdmin", pa.nulls(len(p), pa.bool_())), False),
            ),
            "AdditionalFields": pc.if_else(
                networked,
                pa.scalar('{"IsLocalLogon":false}'),
                pa.scalar('{"IsLocalLogon":true}'),
            ),
        }

    return hook
