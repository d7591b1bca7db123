"""Inventory snapshots: DeviceInfo and DeviceNetworkInfo once a day per device, IdentityInfo
once a day per account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyarrow as pa

from xdrlab.demo.telemetry.fleet import Org
from xdrlab.demo.telemetry.frame import dumps, from_rows
from xdrlab.demo.telemetry.timeline import Window

_OS_NAMES = {"Windows11": "Windows 11", "Windows10": "Windows 10"}


def device_inventory(org: Org, window: Window) -> dict[str, pa.Table]:
    info: list[dict[str, Any]] = []
    net: list[dict[str, Any]] = []
    for device in org.devices:
        spec = device.spec
        when = window.start + timedelta(
            seconds=(device.index * 337)
            % max(1, int((window.end - window.start).total_seconds()) - 1)
        )
        owner = org.people[device.owner]
        info.append(
            {
                "Timestamp": when,
                "DeviceId": spec.device_id,
                "DeviceName": spec.device_name,
                "ClientVersion": "10.8560.22621.2506",
                "PublicIP": spec.public_ip,
                "OSArchitecture": "64-bit",
                "OSPlatform": spec.os_platform,
                "OSBuild": spec.os_build,
                "IsAzureADJoined": not device.is_server,
                "JoinType": "Hybrid Azure AD Join" if not device.is_server else "Domain Joined",
                "AadDeviceId": spec.aad_device_id or "",
                "LoggedOnUsers": dumps(
                    [{"UserName": owner.account_name, "DomainName": org.netbios, "Sid": owner.sid}]
                ),
                "OSVersion": "10.0",
                "MachineGroup": spec.rbac_group_name,
                "ReportId": 10_000 + device.index,
                "OnboardingStatus": "Onboarded",
                "AdditionalFields": dumps({"Cloud Platforms": "", "AzureResourceId": ""}),
                "DeviceCategory": "Endpoint",
                "DeviceType": spec.device_type,
                "DeviceSubtype": "",
                "Model": device.model,
                "Vendor": device.vendor,
                "OSDistribution": _OS_NAMES.get(spec.os_platform, "Windows Server"),
                "OSVersionInfo": spec.os_version,
                "MergedDeviceIds": "",
                "MergedToDeviceId": "",
                "IsInternetFacing": device.short_name.startswith("srv-web"),
                "SensorHealthState": "Active",
                "IsExcluded": False,
                "ExclusionReason": "",
                "ExposureLevel": spec.exposure_level,
                "AssetValue": "High" if device.is_server else "Normal",
                "DeviceManualTags": dumps(list(spec.machine_tags)),
                "DeviceDynamicTags": "[]",
                "ConnectivityType": "Streamlined",
                "HostDeviceId": "",
            }
        )
        net.append(
            {
                "Timestamp": when,
                "DeviceId": spec.device_id,
                "DeviceName": spec.device_name,
                "NetworkAdapterName": "Ethernet",
                "MacAddress": device.mac,
                "NetworkAdapterType": "Ethernet",
                "NetworkAdapterStatus": "Up",
                "TunnelType": "",
                "ConnectedNetworks": dumps(
                    [
                        {
                            "Name": org.dns_domain,
                            "Description": org.dns_domain,
                            "IsConnectedToInternet": True,
                            "Category": "Domain",
                        }
                    ]
                ),
                "DnsAddresses": dumps([org.server("dc01").ip, org.server("dc02").ip]),
                "IPv4Dhcp": "" if device.is_server else "10.0.0.5",
                "IPv6Dhcp": "",
                "DefaultGateways": dumps([device.ip.rsplit(".", 1)[0] + ".1"]),
                "IPAddresses": dumps(
                    [{"IPAddress": device.ip, "SubnetPrefix": 24, "AddressType": "Private"}]
                ),
                "ReportId": 20_000 + device.index,
                "NetworkAdapterVendor": "Intel Corporation",
            }
        )
    return {
        "DeviceInfo": from_rows("DeviceInfo", info),
        "DeviceNetworkInfo": from_rows("DeviceNetworkInfo", net),
    }


def identity_inventory(org: Org, window: Window, tenant_id: str) -> pa.Table:
    rows: list[dict[str, Any]] = []
    for index, person in enumerate(org.people):
        rows.append(
            {
                "Timestamp": window.start + timedelta(seconds=60 + index),
                "ReportId": f"{person.object_id}-{window.day.isoformat()}",
                "AccountObjectId": person.object_id,
                "AccountUpn": person.upn,
                "OnPremSid": person.sid,
                "AccountDisplayName": person.display_name,
                "AccountName": person.account_name,
                "AccountDomain": org.dns_domain,
                "CriticalityLevel": 3 if person.is_admin else 0,
                "Type": "User",
                "DistinguishedName": f"CN={person.display_name},OU=Users,OU={org.netbios.title()},DC={org.dns_domain.replace('.', ',DC=')}",
                "CloudSid": "",
                "GivenName": person.given_name,
                "Surname": person.surname,
                "Department": person.department,
                "JobTitle": person.job_title,
                "EmailAddress": person.upn,
                "SipProxyAddress": person.upn,
                "Address": "",
                "City": person.city,
                "Country": person.country,
                "IsAccountEnabled": True,
                "Manager": "",
                "Phone": "",
                "CreatedDateTime": window.start - timedelta(days=500 + index * 3),
                "ChangeSource": "AzureActiveDirectory",
                "BlastRadius": "High" if person.is_admin else "Low",
                "CompanyName": org.netbios.title(),
                "EmployeeId": f"E{10_000 + index}",
                "RiskLevel": "",
                "RiskLevelDetails": "",
                "State": "",
                "Tags": ["Sensitive"] if person.is_admin else [],
                "AssignedRoles": ["Helpdesk Administrator"] if person.is_admin else [],
                "TenantId": tenant_id,
                "SourceSystem": "AzureActiveDirectory",
                "OnPremObjectId": "",
                "TenantMembershipType": "Member",
                "RiskStatus": "",
                "UserAccountControl": "NormalAccount",
                "IdentityEnvironment": "Hybrid",
                "SourceProviders": ["AzureActiveDirectory", "ActiveDirectory"],
                "GroupMembership": ["Domain Admins"] if person.is_admin else ["Domain Users"],
            }
        )
    return from_rows("IdentityInfo", rows)
