#!/usr/bin/env python3
"""Usage: derive_expected.py [MSTICPY_DIR [OTRF_DIR]] (defaults: shared fixtures).
Independent derivation of proctree expectations: brute-force O(n^2)
parent search over plain dicts (the C code uses sorted arrays/hash maps)."""
import csv, json, sys, datetime, collections

def ts(s):
    s = (s or '').strip()
    if not s or s in ('N/A', 'NaT'): return 0
    s = s.replace('T', ' ').rstrip('Z')
    tz = 0
    if len(s) > 19 and (s[-6] in '+-') and s[-3] == ':':
        tz = (1 if s[-6] == '+' else -1) * (int(s[-5:-3]) * 60 + int(s[-2:])); s = s[:-6]
    base, _, frac = s.partition('.')
    d = datetime.datetime.strptime(base, '%Y-%m-%d %H:%M:%S').replace(tzinfo=datetime.timezone.utc)
    us = int((frac + '000000')[:6]) if frac else 0
    return int(d.timestamp()) * 1000000 + us - tz * 60000000

def pidval(s):
    s = str(s).strip() if s is not None else ''
    if s == '' or s == 'None': return None
    if s.lower().startswith('0x'): return int(s, 16)
    try: return int(float(s))
    except ValueError: return s.lower()

def summarize(nodes, parent):
    """nodes: list of ids; parent: dict id -> parent id or None."""
    kids = collections.defaultdict(list)
    for n in nodes:
        if parent[n] is not None: kids[parent[n]].append(n)
    roots = [n for n in nodes if parent[n] is None]
    leaves = [n for n in nodes if not kids[n]]
    branches = [n for n in nodes if parent[n] is not None and kids[n]]
    isolated = [n for n in roots if not kids[n]]
    def depth(n):
        d = 0
        while parent[n] is not None: n = parent[n]; d += 1
        return d
    md = max(depth(n) for n in nodes)
    return dict(processes=len(nodes), roots=len(roots), leaves=len(leaves),
                branches=len(branches), isolated=len(isolated), levels=md + 1), kids

def generic(rows, name, pid, ppid, pname, time, evcol=None, evval=None, host=None):
    """rows: list of dicts; as-of parent search by brute force."""
    procs = []
    for i, r in enumerate(rows):
        if evcol and str(r.get(evcol)) != evval: continue
        if pidval(r.get(pid)) is None: continue
        procs.append(dict(i=i, host=(r.get(host) or '').lower() if host else '', name=(r.get(name) or '').lower() or 'unknown',
                          pid=pidval(r[pid]), ppid=pidval(r.get(ppid)),
                          pname=((r.get(pname) or '').lower() or 'unknown') if pname else None,
                          t=ts(r.get(time)) if time else 0))
    parent = {}; synth = {}
    for c in procs:
        if c['ppid'] is None: parent[('r', c['i'])] = None; continue
        best = None
        for p in procs:
            if p is c or p['host'] != c['host'] or p['pid'] != c['ppid'] or p['t'] > c['t']: continue
            if pname and p['name'] != c['pname']: continue
            if best is None or (p['t'], p['i']) > (best['t'], best['i']): best = p
        if best: parent[('r', c['i'])] = ('r', best['i'])
        else:
            sk = ('s', c['host'], c['pname'] if pname else 'unknown', c['ppid'])
            synth[sk] = 1; parent[('r', c['i'])] = sk
    for s in synth: parent[s] = None
    nodes = list(parent)
    return nodes, parent, procs, synth

def report(label, nodes, parent, synth):
    s, kids = summarize(nodes, parent)
    s['synthetic'] = len(synth)
    print(label, s)
    return s, kids

if __name__ == '__main__':
    F = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/fixtures/msticpy'
    O = sys.argv[2] if len(sys.argv) > 2 else '/work/shared/fixtures/otrf-security-datasets/extracted'
    for fn in ('processes_on_host.csv', 'process_tree_docs.csv'):
        rows = list(csv.DictReader(open(f'{F}/{fn}', newline='')))
        nodes, parent, procs, synth = generic(rows, 'NewProcessName', 'NewProcessId', 'ProcessId',
                                              'ParentProcessName', 'TimeGenerated', 'EventID', '4688')
        s, kids = report(fn, nodes, parent, synth)
        # a few parent links: child row index -> parent row index
        links = [(k[1], v[1] if v[0] == 'r' else 'synthetic') for k, v in parent.items() if k[0] == 'r'][:6]
        print('  links', links)
        big = max((n for n in nodes if parent[n] is None), key=lambda n: len(kids[n]))
        print('  root with most children', big, len(kids[big]))
    rows = list(csv.DictReader(open(f'{F}/winproctree-minimal.csv', newline='')))
    nodes, parent, procs, synth = generic(rows, 'ImageFileName', 'PID', 'PPID', None, 'CreateTime')
    report('winproctree-minimal.csv', nodes, parent, synth)
    print('  synthetic ppids', sorted(k[3] for k in synth))
    rows = [json.loads(l) for l in open(f'{F}/Windows.System.Pslist.json') if l.strip()]
    nodes, parent, procs, synth = generic(rows, 'Name', 'Pid', 'Ppid', None, None)
    report('Windows.System.Pslist.json', nodes, parent, synth)
    # Sysmon event 1 by GUID
    for fn in ('schtask_create_2020-12-1907003032.json',):
        rows = [json.loads(l) for l in open(f'{O}/{fn}') if l.strip()]
        ev = [r for r in rows if str(r.get('EventID')) == '1' and r.get('ProcessGuid')]
        parent = {}; synth = {}
        guids = {}
        for r in ev:
            guids.setdefault(r['ProcessGuid'].lower(), r)
        for g, r in guids.items():
            pg = (r.get('ParentProcessGuid') or '').lower()
            if not pg: parent[g] = None
            elif pg in guids: parent[g] = pg
            else: synth[pg] = 1; parent[g] = pg
        for s in synth: parent[s] = None
        report(fn + ' sysmon', list(parent), parent, synth)
        nodes, parent, procs, synth = generic(rows, 'NewProcessName', 'NewProcessId', 'ProcessId',
                                              'ParentProcessName', 'TimeCreated', 'EventID', '4688',
                                              host='Hostname')
        report(fn + ' 4688', nodes, parent, synth)
    # MDE internal: exact identity join, parents then grandparents synthesised
    rows = list(csv.DictReader(open(f'{F}/mde_proc_cs1.csv', newline='')))
    base = lambda s: (s or '').replace('/', '\\').split('\\')[-1].lower() or 'unknown'
    def ident(r, lvl):
        n, p, t = [('CreatedProcessName', 'CreatedProcessId', 'CreatedProcessCreationTime'),
                   ('InitiatingProcessName', 'InitiatingProcessId', 'InitiatingProcessCreationTime'),
                   ('InitiatingProcessParentProcessName', 'InitiatingProcessParentProcessId',
                    'InitiatingProcessParentCreationTime')][lvl]
        return (r['ComputerDnsName'].lower(), base(r[n]), pidval(r[p]), ts(r[t]))
    real = {}
    for r in rows:
        real.setdefault(ident(r, 0), r)
    parent = {}; synth = {}
    for k, r in real.items():
        pk = ident(r, 1)
        parent[k] = pk
        if pk not in real and pk not in synth: synth[pk] = r
    gsynth = {}
    for k, r in list(synth.items()):
        gk = ident(r, 2)
        if gk[2] is None: parent[k] = None; continue
        parent[k] = gk
        if gk not in real and gk not in synth and gk not in gsynth: gsynth[gk] = 1
    for g in gsynth: parent[g] = None
    report('mde_proc_cs1.csv', list(parent), parent, {**synth, **gsynth})
    print('  parent-level synthetic', len(synth), 'grandparent-level', len(gsynth))
