/*
 * tests/host/test_ioc.c -- hk_ioc_classify: one value -> its IoC type.
 */
#include "../../host/core.h"
#include "../tap.h"

#include <pthread.h>

static const struct {
  const char *value;
  const char *type; /* NULL: none */
} cases[] = {
    {"8.8.8.8", "ipv4"},
    {"10.0.0.1", "ipv4"},
    {"255.255.255.255", "ipv4"},
    {"256.1.1.1", NULL},
    {"010.1.1.1", NULL},
    {"1.2.3", NULL},
    {"2001:db8::1", "ipv6"},
    {"::1", "ipv6"},
    {"fe80::1", "ipv6"},
    {"::ffff:192.0.2.1", "ipv6"},
    {"fe80::1%eth0", NULL},
    {"2001:db8::1::2", NULL},
    {"d41d8cd98f00b204e9800998ecf8427e", "md5_hash"},
    {"D41D8CD98F00B204E9800998ECF8427E", "md5_hash"},
    {"da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1_hash"},
    {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "sha256_hash"},
    {"d41d8cd98f00b204e9800998ecf8427", NULL},   /* 31 hex */
    {"d41d8cd98f00b204e9800998ecf8427e0", NULL}, /* 33 hex */
    {"g41d8cd98f00b204e9800998ecf8427e", NULL},
    {"http://example.com/a?b=c", "url"},
    {"https://user@host.example:8443/x#frag", "url"},
    {"HTTPS://EXAMPLE.COM", "url"},
    {"ftp://files.example.org/pub/file.tgz", "url"},
    {"http://[2001:db8::1]:8080/x", "url"},
    {"http://203.0.113.5/payload.bin", "url"},
    {"file:///etc/passwd", "url"},
    {"http://", NULL},
    {"http:///x", NULL},
    {"http://exa mple.com", NULL},
    {"alice@example.com", "email"},
    {"a.b+tag@sub.example.co.uk", "email"},
    {"alice@localhost", NULL},
    {"alice@@example.com", NULL},
    {"example.com", "dns"},
    {"www.example.co.uk", "dns"},
    {"_dmarc.example.com", "dns"},
    {"example.com.", "dns"},
    {"xn--80ak6aa92e.com", "dns"},
    {"example.xn--p1ai", "dns"},
    {"cmd.exe", "dns"}, /* a file name looks like a host name */
    {"localhost", NULL},
    {"example.c0m", NULL},
    {"-bad.example.com", NULL},
    {"a..b.com", NULL},
    {"C:\\Windows\\System32\\cmd.exe", "windows_path"},
    {"c:/temp/x.ps1", "windows_path"},
    {"\\\\server\\share\\file.txt", "windows_path"},
    {"C:\\", "windows_path"},
    {"C:", NULL},
    {"C:\\a|b", NULL},
    {"/etc/passwd", "linux_path"},
    {"/usr/bin/", "linux_path"},
    {"/tmp/a b", "linux_path"},
    {"/", NULL},
    {"etc/passwd", NULL},
    {"//x", NULL},
    {"hello", NULL},
    {"hello world", NULL},
};

static void *
worker(void *arg)
{
  (void)arg;
  long bad = 0;
  for (int round = 0; round < 50; round++)
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
      const char *t = hk_ioc_classify(cases[i].value, strlen(cases[i].value));
      if (!(t == cases[i].type ||
            (t && cases[i].type && strcmp(t, cases[i].type) == 0)))
        bad++;
    }
  return (void *)bad;
}

int
main(void)
{
  (void)plan;
  plan_lazy();
  /* First use from several threads at once: pthread_once compiles once. */
  pthread_t th[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&th[i], NULL, worker, NULL);
  long bad = 0;
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(th[i], &r);
    bad += (long)r;
  }
  is_int(bad, 0, "4 threads classifying at once agree with the table");

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    is_str(hk_ioc_classify(cases[i].value, strlen(cases[i].value)),
           cases[i].type, "'%s' -> %s", cases[i].value,
           cases[i].type ? cases[i].type : "none");

  is_str(hk_ioc_classify("8.8.8.8 and more", 7), "ipv4", "len is honoured");
  ok(hk_ioc_classify("8.8.8.8\0x", 9) == NULL, "embedded NUL refused");
  ok(hk_ioc_classify(NULL, 3) == NULL, "NULL");
  ok(hk_ioc_classify("abc", 0) == NULL, "empty");
  static char longv[9000];
  memset(longv, 'a', sizeof longv - 1);
  memcpy(longv + sizeof longv - 5, ".com", 4);
  ok(hk_ioc_classify(longv, strlen(longv)) == NULL, "over-long value");
  char label64[80];
  memset(label64, 'a', 64);
  strcpy(label64 + 64, ".com");
  ok(hk_ioc_classify(label64, strlen(label64)) == NULL,
     "a 64-byte DNS label is too long");
  label64[63] = '.';
  strcpy(label64 + 64, "com");
  is_str(hk_ioc_classify(label64, strlen(label64)), "dns",
         "a 63-byte DNS label is fine");
  return done_testing();
}
