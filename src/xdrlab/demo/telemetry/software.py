"""Executables and libraries the fleet runs: where they live, their version information, and
hashes that stay the same for the same file everywhere in the data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Image:
    path: str  # full path, as FolderPath shows it (MDE's FolderPath includes the file name)
    company: str = "Microsoft Corporation"
    product: str = "Microsoft® Windows® Operating System"
    version: str = "10.0.22621.2506"
    description: str = ""
    size: int = 0
    signer: str = (
        "OsVendor"  # InitiatingProcessSignerType: OsVendor | Microsoft | ThirdParty | Unsigned
    )
    original_name: str = ""

    @property
    def name(self) -> str:
        return self.path.rsplit("\\", 1)[-1]

    @property
    def internal_name(self) -> str:
        return (self.original_name or self.name).rsplit(".", 1)[0]

    @property
    def original_file_name(self) -> str:
        return self.original_name or self.name

    @property
    def file_size(self) -> int:
        if self.size:
            return self.size
        return 40_000 + int.from_bytes(self._digest(b"size")[:3], "big")

    @property
    def signature_status(self) -> str:
        return "Unsigned" if self.signer == "Unsigned" else "Valid"

    def _digest(self, salt: bytes) -> bytes:
        return hashlib.sha256(
            salt + self.path.lower().encode() + b"|" + self.version.encode()
        ).digest()

    @property
    def sha256(self) -> str:
        return file_hashes(f"{self.path.lower()}|{self.version}")[2]

    @property
    def sha1(self) -> str:
        return file_hashes(f"{self.path.lower()}|{self.version}")[1]

    @property
    def md5(self) -> str:
        return file_hashes(f"{self.path.lower()}|{self.version}")[0]


def file_hashes(identity: str) -> tuple[str, str, str]:
    """(MD5, SHA1, SHA256) for a synthetic file: stable for the same identity, distinct otherwise."""
    data = b"xdrlab synthetic file\0" + identity.encode()
    return (
        hashlib.md5(data, usedforsecurity=False).hexdigest(),
        hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )


S32 = "C:\\Windows\\System32\\"
PF = "C:\\Program Files\\"
PF86 = "C:\\Program Files (x86)\\"
OFFICE = PF + "Microsoft Office\\root\\Office16\\"
_OFFICE_V = "16.0.17126.20132"
_OFFICE_P = "Microsoft Office"
_CHROME_V = "120.0.6099.130"
_EDGE_V = "120.0.2210.91"
_WIN = "10.0.22621.2506"


def _os(name: str, description: str, size: int = 0, folder: str = S32) -> Image:
    return Image(folder + name, description=description, size=size)


IMAGES: dict[str, Image] = {
    "system": Image("System", description="NT Kernel & System", size=1),
    "smss": _os("smss.exe", "Windows Session Manager", 155_648),
    "wininit": _os("wininit.exe", "Windows Start-Up Application", 405_504),
    "services": _os("services.exe", "Services and Controller app", 716_800),
    "lsass": _os("lsass.exe", "Local Security Authority Process", 83_672),
    "svchost": _os("svchost.exe", "Host Process for Windows Services", 57_360),
    "userinit": _os("userinit.exe", "Userinit Logon Application", 38_912),
    "winlogon": _os("winlogon.exe", "Windows Logon Application", 905_216),
    "explorer": _os("explorer.exe", "Windows Explorer", 5_660_184, "C:\\Windows\\"),
    "taskhostw": _os("taskhostw.exe", "Host Process for Windows Tasks", 101_888),
    "runtimebroker": _os("RuntimeBroker.exe", "Runtime Broker", 139_264),
    "backgroundtaskhost": _os("backgroundTaskHost.exe", "Background Task Host", 33_280),
    "wmiprvse": _os("WmiPrvSE.exe", "WMI Provider Host", 585_216, S32 + "wbem\\"),
    "conhost": _os("conhost.exe", "Console Window Host", 1_005_056),
    "cmd": _os("cmd.exe", "Windows Command Processor", 323_584),
    "powershell": _os(
        "powershell.exe",
        "Windows PowerShell",
        455_680,
        S32 + "WindowsPowerShell\\v1.0\\",
    ),
    "rundll32": _os("rundll32.exe", "Windows host process (Rundll32)", 71_680),
    "wuauclt": _os("wuauclt.exe", "Windows Update", 219_648),
    "compattelrunner": _os("CompatTelRunner.exe", "Microsoft Compatibility Telemetry", 196_608),
    "sihost": _os("sihost.exe", "Shell Infrastructure Host", 126_976),
    "ctfmon": _os("ctfmon.exe", "CTF Loader", 12_800),
    "searchindexer": _os("SearchIndexer.exe", "Microsoft Windows Search Indexer", 1_034_240),
    "searchprotocolhost": _os(
        "SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host", 503_296
    ),
    "dllhost": _os("dllhost.exe", "COM Surrogate", 21_312),
    "consent": _os("consent.exe", "Consent UI for administrative applications", 172_032),
    "gpupdate": _os("gpupdate.exe", "Microsoft® Windows Group Policy Update Utility", 34_304),
    "ipconfig": _os("ipconfig.exe", "IP Configuration Utility", 36_352),
    "ping": _os("PING.EXE", "TCP/IP Ping Command", 21_504),
    "whoami": _os("whoami.exe", "whoami - displays logged on user information", 74_240),
    "net": _os("net.exe", "Net Command", 57_856),
    "net1": _os("net1.exe", "Net Command", 172_544),
    "nltest": _os("nltest.exe", "Microsoft® Logon Server Test Utility", 109_568),
    "schtasks": _os("schtasks.exe", "Task Scheduler Configuration Tool", 235_008),
    "reg": _os("reg.exe", "Registry Console Tool", 82_432),
    "notepad": _os("notepad.exe", "Notepad", 201_216),
    "msiexec": _os("msiexec.exe", "Windows® installer", 69_632),
    "mstsc": _os("mstsc.exe", "Remote Desktop Connection", 1_384_448),
    "wmic": _os("WMIC.exe", "WMI Commandline Utility", 566_784, S32 + "wbem\\"),
    "certutil": _os("certutil.exe", "CertUtil.exe", 1_548_288),
    "tiworker": Image(
        "C:\\Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.2500_none\\TiWorker.exe",
        description="Windows Modules Installer Worker",
        size=301_056,
    ),
    "trustedinstaller": Image(
        "C:\\Windows\\servicing\\TrustedInstaller.exe",
        description="Windows Modules Installer",
        size=126_976,
    ),
    "msmpeng": Image(
        "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MsMpEng.exe",
        product="Microsoft® Windows® Operating System",
        version="4.18.23110.3",
        description="Antimalware Service Executable",
        size=133_576,
        signer="Microsoft",
    ),
    "mpcmdrun": Image(
        "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe",
        version="4.18.23110.3",
        description="Microsoft Malware Protection Command Line Utility",
        size=1_339_272,
        signer="Microsoft",
    ),
    "mssense": Image(
        PF + "Windows Defender Advanced Threat Protection\\MsSense.exe",
        version="10.8560.22621.2506",
        description="Windows Defender Advanced Threat Protection Service Executable",
        size=4_521_984,
        signer="Microsoft",
    ),
    "sensecncproxy": Image(
        PF + "Windows Defender Advanced Threat Protection\\SenseCncProxy.exe",
        version="10.8560.22621.2506",
        description="Windows Defender Advanced Threat Protection Communication Module",
        size=1_076_224,
        signer="Microsoft",
    ),
    "chrome": Image(
        PF + "Google\\Chrome\\Application\\chrome.exe",
        company="Google LLC",
        product="Google Chrome",
        version=_CHROME_V,
        description="Google Chrome",
        size=3_030_296,
        signer="ThirdParty",
    ),
    "msedge": Image(
        PF86 + "Microsoft\\Edge\\Application\\msedge.exe",
        product="Microsoft Edge",
        version=_EDGE_V,
        description="Microsoft Edge",
        size=4_046_272,
        signer="Microsoft",
    ),
    "msedgewebview2": Image(
        PF86 + "Microsoft\\EdgeWebView\\Application\\" + _EDGE_V + "\\msedgewebview2.exe",
        product="Microsoft Edge WebView2",
        version=_EDGE_V,
        description="Microsoft Edge WebView2",
        size=3_447_232,
        signer="Microsoft",
    ),
    "outlook": Image(
        OFFICE + "OUTLOOK.EXE",
        product=_OFFICE_P,
        version=_OFFICE_V,
        description="Microsoft Outlook",
        size=43_422_640,
        signer="Microsoft",
    ),
    "winword": Image(
        OFFICE + "WINWORD.EXE",
        product=_OFFICE_P,
        version=_OFFICE_V,
        description="Microsoft Word",
        size=1_637_768,
        signer="Microsoft",
    ),
    "excel": Image(
        OFFICE + "EXCEL.EXE",
        product=_OFFICE_P,
        version=_OFFICE_V,
        description="Microsoft Excel",
        size=70_062_472,
        signer="Microsoft",
    ),
    "powerpnt": Image(
        OFFICE + "POWERPNT.EXE",
        product=_OFFICE_P,
        version=_OFFICE_V,
        description="Microsoft PowerPoint",
        size=1_880_952,
        signer="Microsoft",
    ),
    "teams": Image(
        PF + "WindowsApps\\MSTeams_23335.232.2637.4844_x64__8wekyb3d8bbwe\\ms-teams.exe",
        product="Microsoft Teams",
        version="23335.232.2637.4844",
        description="Microsoft Teams",
        size=1_062_832,
        signer="Microsoft",
    ),
    "onedrive": Image(
        PF + "Microsoft OneDrive\\OneDrive.exe",
        product="Microsoft OneDrive",
        version="23.246.1127.0002",
        description="Microsoft OneDrive",
        size=3_511_136,
        signer="Microsoft",
    ),
    "code": Image(
        PF + "Microsoft VS Code\\Code.exe",
        product="Visual Studio Code",
        version="1.85.1",
        description="Visual Studio Code",
        size=154_518_944,
        signer="Microsoft",
    ),
    "acrord32": Image(
        PF + "Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe",
        company="Adobe Inc.",
        product="Adobe Acrobat",
        version="23.8.20421.0",
        description="Adobe Acrobat",
        size=5_893_320,
        signer="ThirdParty",
    ),
    "ime": Image(
        PF86
        + "Microsoft Intune Management Extension\\Microsoft.Management.Services.IntuneWindowsAgent.exe",
        product="Microsoft Intune",
        version="1.72.203.0",
        description="Microsoft Intune Management Extension",
        size=70_424,
        signer="Microsoft",
    ),
    "agentexecutor": Image(
        PF86 + "Microsoft Intune Management Extension\\AgentExecutor.exe",
        product="Microsoft Intune",
        version="1.72.203.0",
        description="AgentExecutor",
        size=33_560,
        signer="Microsoft",
    ),
    "sqlservr": Image(
        PF + "Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe",
        product="Microsoft SQL Server",
        version="2022.160.4095.4",
        description="SQL Server Windows NT - 64 Bit",
        size=490_576,
        signer="Microsoft",
    ),
    "w3wp": _os("w3wp.exe", "IIS Worker Process", 29_696, "C:\\Windows\\System32\\inetsrv\\"),
    "dfsrs": _os("dfsrs.exe", "Distributed File System Replication", 3_620_352),
    "dns": _os("dns.exe", "Domain Name System (DNS) Server", 2_563_072),
    "ntdsai": _os("ntdsai.dll", "NT Directory Service"),
}

# Libraries for DeviceImageLoadEvents.
LIBRARIES: dict[str, Image] = {
    "clr": Image(
        "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\clr.dll",
        product="Microsoft® .NET Framework",
        version="4.8.9181.0",
        description="Microsoft .NET Runtime Common Language Runtime - WorkStation",
        size=10_649_488,
        signer="Microsoft",
    ),
    "sma": Image(
        "C:\\Windows\\assembly\\NativeImages_v4.0.30319_64\\System.Manaa57fc8cc#\\"
        "3f8c3eb3dd3a9c3bd4e4ff2d8ef6e5b8\\System.Management.Automation.ni.dll",
        product="Microsoft (R) Windows (R) Operating System",
        version="10.0.22621.2506",
        description="System.Management.Automation",
        size=33_215_488,
        signer="Microsoft",
    ),
    "amsi": _os("amsi.dll", "Anti-Malware Scan Interface", 86_016),
    "vbe7": Image(
        PF + "Common Files\\Microsoft Shared\\VBA\\VBA7.1\\VBE7.DLL",
        product=_OFFICE_P,
        version="7.1.11.25",
        description="Visual Basic for Applications Runtime",
        size=3_574_568,
        signer="Microsoft",
    ),
    "wininet": _os("wininet.dll", "Internet Extensions for Win32", 4_956_160),
    "samlib": _os("samlib.dll", "SAM Library DLL", 135_168),
    "vaultcli": _os("vaultcli.dll", "Credential Vault Client Library", 393_216),
    "dbghelp": _os("dbghelp.dll", "Windows Image Helper", 1_875_968),
    "comsvcs": _os("comsvcs.dll", "COM+ Services", 2_203_648),
    "wldp": _os("wldp.dll", "Windows Lockdown Policy", 356_352),
    "mscoree": _os("mscoree.dll", "Microsoft .NET Runtime Execution Engine", 462_848),
    "urlmon": _os("urlmon.dll", "OLE32 Extensions for Win32", 1_966_080),
    "winhttp": _os("winhttp.dll", "Windows HTTP Services", 1_200_128),
    "taskschd": _os("taskschd.dll", "Task Scheduler COM API", 684_032),
    "chrome_elf": Image(
        PF + "Google\\Chrome\\Application\\" + _CHROME_V + "\\chrome_elf.dll",
        company="Google LLC",
        product="Google Chrome",
        version=_CHROME_V,
        description="Google Chrome",
        size=1_314_840,
        signer="ThirdParty",
    ),
    "mso": Image(
        PF + "Common Files\\Microsoft Shared\\Office16\\mso20win32client.dll",
        product=_OFFICE_P,
        version=_OFFICE_V,
        description="Microsoft Office 2016 component",
        size=5_327_224,
        signer="Microsoft",
    ),
}


def image(key: str) -> Image:
    return IMAGES.get(key) or LIBRARIES[key]
