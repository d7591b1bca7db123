"""Background mail flow (Defender for Office 365 tables): newsletters, partners, colleagues,
spam sent to junk, phish and malware stopped at the door; attachments, links and clicks."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.demo.telemetry.fleet import Org
from xdrlab.demo.telemetry.frame import assemble
from xdrlab.demo.telemetry.rng import Stream, guids, hex_string
from xdrlab.demo.telemetry.timeline import Window

_STRING = pa.string()
_AUTH_OK = '{"SPF":"pass","DKIM":"pass","DMARC":"pass","CompAuth":"pass"}'
_AUTH_BAD = '{"SPF":"fail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}'


@dataclass(frozen=True)
class Mail:
    weight: int
    direction: str  # Inbound | Intra-org | Outbound
    sender: str  # "" = a colleague
    display: str
    subject: str
    sender_ip: str = ""
    action: str = "Delivered"
    location: str = "Inbox/folder"
    threats: str = ""
    methods: str = ""
    confidence: str = ""
    bulk: int = 0
    attachment: tuple[str, str, int] | None = None  # file name, type, size
    url: str = ""
    recipient: str = ""  # outbound: the external recipient
    policy: str = ""
    email_action: str = ""
    auth: str = _AUTH_OK


def catalogue(org: Org) -> list[Mail]:
    sp = org.netbios.lower()
    return [
        Mail(
            14,
            "Inbound",
            "noreply@github.com",
            "GitHub",
            "[contoso/portal] Pull request #{n} merged",
            "192.30.252.201",
            url="https://github.com/contoso/portal/pull/{n}",
        ),
        Mail(
            10,
            "Inbound",
            "dse_na3@docusign.net",
            "DocuSign",
            "Please DocuSign: Contract_{n}.pdf",
            "64.207.219.9",
            url="https://na3.docusign.net/Signing/EmailStart.aspx?a={n}",
        ),
        Mail(
            8,
            "Inbound",
            "newsletter@techdigest.example.com",
            "Tech Digest",
            "This week in tech #{n}",
            "198.51.100.77",
            bulk=6,
            url="https://techdigest.example.com/issues/{n}",
        ),
        Mail(
            10,
            "Inbound",
            "j.smith@fabrikam.com",
            "John Smith",
            "RE: Purchase order PO-{n}",
            "40.107.22.51",
            attachment=("PO-{n}.pdf", "pdf", 182_345),
        ),
        Mail(
            6,
            "Inbound",
            "billing@litware.com",
            "Litware Billing",
            "Invoice {n} from Litware",
            "40.107.7.112",
            attachment=("Invoice_{n}.pdf", "pdf", 94_112),
        ),
        Mail(
            8,
            "Inbound",
            "no-reply@sharepointonline.com",
            "SharePoint Online",
            "A file was shared with you",
            "40.107.94.40",
            url=f"https://{sp}.sharepoint.com/:w:/s/Team/E{{n}}",
        ),
        Mail(
            4,
            "Inbound",
            "promo@deals-4u.example.net",
            "Deals 4U",
            "You have won a $500 gift card",
            "203.0.113.199",
            "Junked",
            "Junk folder",
            "Spam",
            '{"Spam":["Mixed analysis detection"]}',
            '{"Spam":"High"}',
            8,
            url="https://deals-4u.example.net/claim?id={n}",
            policy="Antispam",
            email_action="Move message to junk mail folder",
        ),
        Mail(
            2,
            "Inbound",
            "security@micros0ft-support.com",
            "Microsoft Security",
            "Your password expires today",
            "198.51.100.201",
            "Blocked",
            "Quarantine",
            "Phish",
            '{"Phish":["URL detonation reputation"]}',
            '{"Phish":"High"}',
            url="https://micros0ft-support.com/reset?u={n}",
            policy="Antiphish",
            email_action="Send to quarantine",
            auth=_AUTH_BAD,
        ),
        Mail(
            1,
            "Inbound",
            "hr@payroll-update.example.org",
            "HR Payroll",
            "Updated payroll schedule",
            "198.51.100.143",
            "Blocked",
            "Quarantine",
            "Malware",
            '{"Malware":["File detonation"]}',
            '{"Malware":"High"}',
            attachment=("Payroll_{n}.xlsm", "xlsm", 48_302),
            policy="Antimalware",
            email_action="Send to quarantine",
            auth=_AUTH_BAD,
        ),
        Mail(18, "Intra-org", "", "", "Team sync notes {n}"),
        Mail(
            8, "Intra-org", "", "", "Q3 planning", attachment=("Planning.pptx", "pptx", 2_310_220)
        ),
        Mail(6, "Intra-org", "", "", "Lunch on Friday?"),
        Mail(
            8,
            "Outbound",
            "",
            "",
            "RE: Purchase order PO-{n}",
            recipient="j.smith@fabrikam.com",
            action="Delivered",
            location="External",
        ),
    ]


def _fill(number: pa.Array, p: pa.Array, templates: list[str]) -> pa.Array:
    heads = [t.split("{n}", 1)[0] for t in templates]
    tails = [t.split("{n}", 1)[1] if "{n}" in t else "" for t in templates]
    has = pa.array(["{n}" in t for t in templates])
    middle = pc.if_else(pc.take(has, p), pc.cast(number, pa.string()), pa.scalar("", pa.string()))
    return pc.binary_join_element_wise(
        pc.take(pa.array(heads), p), middle, pc.take(pa.array(tails), p), ""
    )


def generate(
    org: Org, mails: list[Mail], window: Window, stream: Stream, now_us: int
) -> dict[str, pa.Table]:
    """EmailEvents, EmailAttachmentInfo, EmailUrlInfo and UrlClickEvents for one chunk."""
    n = stream.n
    people = [p for p in org.people if not p.is_admin]
    upns = pa.array([p.upn for p in people])
    oids = pa.array([p.object_id for p in people])
    names = pa.array([p.display_name for p in people])
    p = stream.weighted("mail", [m.weight for m in mails])
    rec = stream.below("recipient", len(people))
    snd = stream.below("sender", len(people))
    number = stream.between("n", 1000, 99_999)
    ts = window.times(stream)

    def per(attr: str, typ: pa.DataType = _STRING) -> pa.Array:
        return pc.take(pa.array([getattr(m, attr) for m in mails], typ), p)

    direction = per("direction")
    inbound = pc.equal(direction, "Inbound")
    outbound = pc.equal(direction, "Outbound")
    sender = pc.if_else(inbound, per("sender"), pc.take(upns, snd))
    sender_name = pc.if_else(inbound, per("display"), pc.take(names, snd))
    recipient = pc.if_else(outbound, per("recipient"), pc.take(upns, rec))
    recipient_oid = pc.if_else(outbound, pa.scalar("", pa.string()), pc.take(oids, rec))
    sender_domain = pc.extract_regex(sender, r"@(?P<d>.*)$").field("d")
    subject = _fill(number, p, [m.subject for m in mails])
    nmid = guids(stream, "nmid")
    attachment = [m.attachment for m in mails]
    has_att = pc.take(pa.array([a is not None for a in attachment]), p)
    has_url = pc.take(pa.array([bool(m.url) for m in mails]), p)
    empty = pa.scalar("", pa.string())
    internet_id = pc.binary_join_element_wise(
        "<",
        hex_string(stream.bits("imid"), 16),
        "@",
        pc.if_else(inbound, sender_domain, pa.scalar(org.dns_domain)),
        ">",
        "",
    )
    report = pc.binary_join_element_wise(
        nmid, "-", pc.cast(stream.below("rep", 2**31), pa.string()), ""
    )
    delivery = per("action")
    location = per("location")
    cluster = pc.take(
        pa.array([3_000_000_000 + i * 7919 for i in range(len(mails))], pa.int64()), p
    )
    events = assemble(
        "EmailEvents",
        n,
        {
            "Timestamp": ts,
            "NetworkMessageId": nmid,
            "InternetMessageId": internet_id,
            "SenderMailFromAddress": sender,
            "SenderFromAddress": sender,
            "SenderDisplayName": sender_name,
            "SenderObjectId": pc.if_else(inbound, empty, pc.take(oids, snd)),
            "SenderMailFromDomain": sender_domain,
            "SenderFromDomain": sender_domain,
            "SenderIPv4": per("sender_ip"),
            "RecipientEmailAddress": recipient,
            "RecipientObjectId": recipient_oid,
            "Subject": subject,
            "EmailClusterId": cluster,
            "EmailDirection": direction,
            "DeliveryAction": delivery,
            "DeliveryLocation": location,
            "ThreatTypes": per("threats"),
            "DetectionMethods": per("methods"),
            "ConfidenceLevel": per("confidence"),
            "BulkComplaintLevel": per("bulk", pa.int64()),
            "EmailAction": per("email_action"),
            "EmailActionPolicy": per("policy"),
            "AuthenticationDetails": pc.if_else(inbound, per("auth"), empty),
            "AttachmentCount": pc.cast(has_att, pa.int64()),
            "UrlCount": pc.cast(has_url, pa.int64()),
            "EmailLanguage": "en",
            "OrgLevelAction": pc.if_else(
                pc.equal(delivery, "Blocked"), pa.scalar("Quarantine"), empty
            ),
            "ReportId": report,
            "AdditionalFields": "{}",
            "LatestDeliveryLocation": location,
            "LatestDeliveryAction": delivery,
        },
    )
    out: dict[str, pa.Table] = {"EmailEvents": events.sort_by("Timestamp")}

    # Attachments.
    idx = pc.indices_nonzero(has_att)
    ap = pc.take(p, idx)
    templates = [a[0] if a else "" for a in attachment]
    fname = _fill(pc.take(number, idx), ap, templates)
    types = pa.array([a[1] if a else "" for a in attachment])
    sizes = pa.array([a[2] if a else 0 for a in attachment], pa.int64())
    sha = pc.binary_join_element_wise(
        hex_string(stream.bits("sha-a")),
        hex_string(stream.bits("sha-b")),
        hex_string(stream.bits("sha-c")),
        hex_string(stream.bits("sha-d")),
        "",
    )

    def take(column: str) -> pa.Array:
        return pc.take(events.column(column), idx)

    out["EmailAttachmentInfo"] = assemble(
        "EmailAttachmentInfo",
        len(idx),
        {
            "Timestamp": take("Timestamp"),
            "NetworkMessageId": take("NetworkMessageId"),
            "SenderFromAddress": take("SenderFromAddress"),
            "SenderDisplayName": take("SenderDisplayName"),
            "SenderObjectId": take("SenderObjectId"),
            "RecipientEmailAddress": take("RecipientEmailAddress"),
            "RecipientObjectId": take("RecipientObjectId"),
            "FileName": fname,
            "FileType": pc.take(types, ap),
            "SHA256": pc.take(sha, idx),
            "FileSize": pc.take(sizes, ap),
            "ThreatTypes": take("ThreatTypes"),
            "DetectionMethods": take("DetectionMethods"),
            "ReportId": take("ReportId"),
        },
    ).sort_by("Timestamp")

    # Links, and some clicks on delivered ones.
    idx = pc.indices_nonzero(has_url)
    up = pc.take(p, idx)
    url = _fill(pc.take(number, idx), up, [m.url for m in mails])
    domain = pc.extract_regex(url, r"^https?://(?P<d>[^/]+)").field("d")
    out["EmailUrlInfo"] = assemble(
        "EmailUrlInfo",
        len(idx),
        {
            "Timestamp": take("Timestamp"),
            "NetworkMessageId": take("NetworkMessageId"),
            "Url": url,
            "UrlDomain": domain,
            "UrlLocation": "Body",
            "ReportId": take("ReportId"),
        },
    ).sort_by("Timestamp")
    clicked = pc.and_(
        pc.equal(take("DeliveryAction"), "Delivered"),
        pc.less(pc.take(stream.unit("click"), idx), pa.scalar(0.3)),
    )
    cidx = pc.indices_nonzero(clicked)

    def sub(a: pa.Array) -> pa.Array:
        return pc.take(a, cidx)

    delay = pc.multiply(
        pc.take(stream.between("delay", 20, 7_200), idx), pa.scalar(1_000_000, pa.int64())
    )
    when = pc.min_element_wise(
        pc.add(pc.cast(take("Timestamp"), pa.int64()), delay),
        pa.scalar(now_us - 1_000_000, pa.int64()),
    )
    out["UrlClickEvents"] = assemble(
        "UrlClickEvents",
        len(cidx),
        {
            "Timestamp": pc.cast(sub(when), pa.timestamp("us")),
            "Url": sub(url),
            "ActionType": "ClickAllowed",
            "AccountUpn": sub(take("RecipientEmailAddress")),
            "Workload": "Email",
            "NetworkMessageId": sub(take("NetworkMessageId")),
            "ThreatTypes": "",
            "DetectionMethods": "",
            "IPAddress": org.public_ip,
            "IsClickedThrough": True,
            "UrlChain": pc.binary_join_element_wise('["', sub(url), '"]', ""),
            "ReportId": sub(guids(Stream(stream.seed, stream.label + "/click", len(idx)), "r")),
        },
    ).sort_by("Timestamp")
    return out
