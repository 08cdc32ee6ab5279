#!/usr/bin/env python3
"""Deterministic syslog workload for the `syslog` provider benchmark.

Writes RFC 3164 lines as rsyslog stores them (/var/log/auth.log and
/var/log/syslog mixed: sshd logons and failures, pam sessions, sudo
commands, CRON, kernel, postfix, systemd), with every 50th line in RFC 5424
with structured data, until the file holds at least --size-mb MiB.  Fixed
seed, standard library only: the same CPython writes the same bytes.

    python3 gen_syslog.py --size-mb 200 --out syslog_200mb.log
"""
import argparse
import random

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
HOSTS = ["web%02d" % i for i in range(1, 21)] + ["db1", "db2", "mx1", "bastion"]
USERS = ["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi",
         "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor"]
CMDS = ["/usr/bin/apt-get update", "/usr/bin/systemctl restart nginx",
        "/bin/cat /var/log/auth.log", "/usr/bin/tail -n 100 /var/log/syslog",
        "/usr/sbin/service postfix reload", "/bin/ls -la /root",
        "/usr/bin/journalctl -u sshd --since today", "/bin/bash"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=3164)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    target = a.size_mb * 1024 * 1024
    t = 0  # seconds since Jan 1 00:00:00
    written = 0
    n = 0
    with open(a.out, "w", encoding="ascii", newline="\n") as f:
        buf = []
        while written < target:
            t += rng.choice((0, 0, 0, 1, 1, 2))
            day = t // 86400
            mon = min(day // 28, 11)
            dd = day % 28 + 1
            stamp = "%s %2d %02d:%02d:%02d" % (MONTHS[mon], dd, t // 3600 % 24,
                                                t // 60 % 60, t % 60)
            host = rng.choice(HOSTS)
            pid = rng.randrange(300, 65000)
            user = rng.choice(USERS)
            ip = "%d.%d.%d.%d" % (rng.choice((10, 192, 198, 203)),
                                  rng.randrange(256), rng.randrange(256),
                                  rng.randrange(1, 255))
            k = rng.randrange(100)
            n += 1
            if n % 50 == 0:
                line = ('<%d>1 2024-%02d-%02dT%02d:%02d:%02d.%06dZ %s app%d %d ID%d '
                        '[origin@32473 ip="%s" user="%s"][meta sequenceId="%d"] '
                        'request from %s completed in %d ms' % (
                            rng.randrange(192), mon + 1, dd, t // 3600 % 24,
                            t // 60 % 60, t % 60, rng.randrange(10 ** 6), host,
                            rng.randrange(5), pid, rng.randrange(100), ip, user, n,
                            ip, rng.randrange(2000)))
            elif k < 15:
                line = "%s %s sshd[%d]: Accepted %s for %s from %s port %d ssh2" % (
                    stamp, host, pid, rng.choice(("password", "publickey")), user,
                    ip, rng.randrange(1024, 65536))
            elif k < 30:
                line = ("%s %s sshd[%d]: Failed password for invalid user %s from %s "
                        "port %d ssh2" % (stamp, host, pid, rng.choice(USERS + ["admin", "root", "test"]),
                                          ip, rng.randrange(1024, 65536)))
            elif k < 42:
                line = ("%s %s sshd[%d]: pam_unix(sshd:session): session %s for user %s%s" % (
                    stamp, host, pid, rng.choice(("opened", "closed")), user,
                    "(uid=1000) by (uid=0)" if rng.random() < 0.5 else ""))
            elif k < 52:
                line = ("%s %s sudo: %8s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; "
                        "COMMAND=%s" % (stamp, host, user, rng.randrange(8), user,
                                        rng.choice(CMDS)))
            elif k < 62:
                line = ("%s %s CRON[%d]: (root) CMD (   cd / && run-parts --report "
                        "/etc/cron.hourly)" % (stamp, host, pid))
            elif k < 72:
                line = ("%s %s kernel: [%d.%06d] [UFW BLOCK] IN=eth0 OUT= MAC=00:0d:3a:%02x:%02x:%02x "
                        "SRC=%s DST=10.0.0.%d LEN=%d PROTO=TCP SPT=%d DPT=%d" % (
                            stamp, host, rng.randrange(10 ** 6), rng.randrange(10 ** 6),
                            rng.randrange(256), rng.randrange(256), rng.randrange(256), ip,
                            rng.randrange(1, 255), rng.randrange(40, 1500),
                            rng.randrange(1024, 65536), rng.choice((22, 23, 80, 443, 3389))))
            elif k < 82:
                line = ("%s %s postfix/smtpd[%d]: connect from unknown[%s]" % (
                    stamp, host, pid, ip))
            else:
                line = ("%s %s systemd[1]: Started Session %d of user %s." % (
                    stamp, host, rng.randrange(1, 99999), user))
            buf.append(line)
            written += len(line) + 1
            if len(buf) >= 10000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
