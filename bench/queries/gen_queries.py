#!/usr/bin/env python3
"""bench/queries/gen_queries.py -- write N query definitions in MSTICPy's
YAML schema (metadata, defaults with shared parameters, sources with
multi-line KQL/SPL templates, typed parameters with aliases and defaults,
an anchor per file), spread over files of SOURCES_PER_FILE sources, into
one directory per provider.  Deterministic: a fixed seed and the standard
library only, so the same arguments give byte-identical files.

    python3 gen_queries.py --out DIR [--queries 320] [--per-file 10]
"""
import argparse
import os
import random

TABLES = ["SecurityEvent", "Syslog", "SigninLogs", "AzureActivity",
          "DeviceProcessEvents", "DeviceNetworkEvents", "OfficeActivity",
          "CommonSecurityLog", "AuditLogs", "Heartbeat"]
FAMILIES = ["WindowsSecurity", "LinuxSyslog", "Azure", "Network",
            "MDE", "Office365", "SecurityAlert", "Identity"]
WORDS = ["host", "account", "process", "ip", "domain", "url", "hash",
         "session", "logon", "file", "service", "task", "registry"]


def source(rng, i, kql):
    w1, w2 = rng.sample(WORDS, 2)
    name = f"list_{w1}_by_{w2}_{i:04d}"
    lines = [f"  {name}:",
             f"    description: Lists {w1} events matching a {w2} "
             f"(generated query {i})",
             "    metadata:",
             "      pivot:",
             f"        short_name: {w1}_{w2}_{i}",
             "    args:"]
    if kql:
        lines += ["      query: '",
                  "        let start = datetime({start});",
                  "        let end = datetime({end});",
                  "        {table}",
                  "        | where {subscription_filter}",
                  "        | where TimeGenerated >= start",
                  "        | where TimeGenerated <= end",
                  f"        | where {w1.capitalize()}Name {{op}} \"{{{w2}_name}}\"",
                  f"        | where EventID in ({{event_list}})",
                  f"        | take {{limit}}",
                  "        {add_query_items}'"]
    else:
        lines += ["      query: '",
                  "        search index={index} earliest={start} latest={end}",
                  f"        {w1}=\"{{{w2}_name}}\" EventCode IN ({{event_list}})",
                  "        | head {limit}",
                  "        {add_query_items}'"]
    lines += ["    parameters:",
              f"      {w2}_name:",
              f"        description: The {w2} to match",
              "        type: str",
              f"        aliases: [{w2}, {w2}_id]",
              "      event_list:",
              "        description: Event IDs",
              "        type: list",
              f"        default: [{rng.randint(1000, 5000)}, "
              f"{rng.randint(1000, 5000)}]",
              "      limit:",
              "        description: Row limit",
              "        type: int",
              f"        default: {rng.choice([10, 100, 1000])}"]
    if kql:
        lines += ["      op:",
                  "        description: Match operator",
                  "        type: str",
                  "        default: has"]
    return lines


def header(rng, kql, n_file):
    fam = rng.choice(FAMILIES)
    env = "LogAnalytics" if kql else "Splunk"
    lines = ["metadata:",
             "  version: 1",
             f"  description: Generated {env} queries, file {n_file}",
             f"  data_environments: [{env}]",
             f"  data_families: [{fam}]",
             f"  tags: ['generated', '{fam.lower()}']",
             "  aliases:",
             f"    - &project_{n_file} '| project TimeGenerated, Computer, "
             "Account'",
             "defaults:",
             "  metadata:",
             f"    data_source: 'generated_{n_file}'",
             "  parameters:"]
    if kql:
        lines += ["    table:",
                  "      description: Table name",
                  "      type: str",
                  f"      default: '{rng.choice(TABLES)}'",
                  "    subscription_filter:",
                  "      description: Optional subscription/tenant filter",
                  "      type: str",
                  "      default: 'true'"]
    else:
        lines += ["    index:",
                  "      description: Splunk index name",
                  "      type: str",
                  "      default: '*'"]
    lines += ["    start:",
              "      description: Query start time",
              "      type: datetime",
              "    end:",
              "      description: Query end time",
              "      type: datetime",
              "    add_query_items:",
              "      description: Additional query clauses",
              "      type: str",
              f"      default: *project_{n_file}",
              "sources:"]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--queries", type=int, default=320)
    ap.add_argument("--per-file", type=int, default=10)
    args = ap.parse_args()
    rng = random.Random(20240304)
    made = 0
    n_file = 0
    while made < args.queries:
        kql = n_file % 4 != 3  # three KQL files for every SPL file
        sub = "loganalytics" if kql else "splunk"
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
        lines = header(rng, kql, n_file)
        for _ in range(min(args.per_file, args.queries - made)):
            lines += source(rng, made, kql)
            made += 1
        path = os.path.join(args.out, sub, f"generated_{n_file:03d}.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        n_file += 1
    print(f"{made} queries in {n_file} files under {args.out}")


if __name__ == "__main__":
    main()
