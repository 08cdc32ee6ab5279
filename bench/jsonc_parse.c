/*
 * bench/jsonc_parse.c -- the floor for NDJSON reading: split a file at line
 * feeds and parse every line with one reused json_tokener (json-c's own
 * speed, nothing else), counting the objects.  bench/run.sh compiles it
 * with `cc $(pkg-config --cflags --libs json-c)`.
 *
 *   jsonc_parse FILE      prints "<objects> objects, <bytes> bytes"
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
  size_t cap = 1 << 20, len = 0, total = 0;
  long objects = 0;
  char *buf = malloc(cap);
  int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
  json_tokener *tok = json_tokener_new();
  if (fd < 0 || !buf || !tok) {
    fprintf(stderr, "usage: jsonc_parse FILE\n");
    return 2;
  }
  for (;;) {
    if (len == cap && !(buf = realloc(buf, cap *= 2)))
      return 1;
    ssize_t got = read(fd, buf + len, cap - len);
    if (got < 0)
      return 1;
    len += (size_t)got;
    total += (size_t)got;
    char *p = buf, *end = buf + len, *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p))) ||
           (got == 0 && p < end && (nl = end))) {
      json_tokener_reset(tok);
      json_object *o = json_tokener_parse_ex(tok, p, (int)(nl - p));
      if (o && json_object_get_type(o) == json_type_object)
        objects++;
      json_object_put(o);
      p = nl < end ? nl + 1 : end;
    }
    memmove(buf, p, (size_t)(end - p));
    len = (size_t)(end - p);
    if (got == 0)
      break;
  }
  printf("%ld objects, %zu bytes\n", objects, total);
  json_tokener_free(tok);
  free(buf);
  close(fd);
  return 0;
}
