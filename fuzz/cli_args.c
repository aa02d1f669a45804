/* libFuzzer target: the CLI command line and request-item parser
 * (cli/args.c cli_parse_args(), HTTPie's grammar: METHOD guessing, the
 * URL, Header:value, name==value, field=value, field:=json, backslash
 * escapes, flags with and without values).
 *
 * Input: the argument vector, arguments separated by NUL bytes (at most 16
 * after argv[0]). Every '@' is replaced by '_' so that no item reads a
 * file (@file, =@, :=@ are covered by tests/cli); the flags that take file
 * names only fopen() them for reading.
 *
 * Oracles: the result is 0, -1 (--help/--version) or CLI_EXIT_USAGE; on
 * success the method is upper-case letters, scheme/host/path/url are well
 * formed, header names are lower-case tokens and values carry no CR/LF/NUL,
 * the path has no space or control character (queries are percent-encoded),
 * a JSON body parses back as a JSON object and body_len matches; parsing
 * the same vector twice gives the same result (no hidden state); and
 * cli_opts_cleanup() frees everything (LeakSanitizer). stdout and stderr
 * point to /dev/null while the parser runs. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAXARGS 16

static int g_null = -1, g_out = -1, g_err = -1;

static void quiet(int on) {
  if (g_null < 0) {
    g_null = open("/dev/null", O_WRONLY);
    g_out = dup(1);
    g_err = dup(2);
    if (g_null < 0 || g_out < 0 || g_err < 0)
      abort();
  }
  fflush(stdout);
  fflush(stderr);
  dup2(on ? g_null : g_out, 1);
  dup2(on ? g_null : g_err, 2);
}

static int parse(cli_opts *o, int argc, char **argv) {
  memset(o, 0, sizeof *o);
  quiet(1);
  int rv = cli_parse_args(o, argc, argv);
  quiet(0);
  return rv;
}

static int same(const char *a, const char *b) {
  return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check(const cli_opts *o) {
  if (!o->method || !o->scheme || !o->host || !o->path || !o->url)
    abort();
  for (const char *p = o->method; *p; p++)
    if (*p < 'A' || *p > 'Z')
      abort();
  if (strcmp(o->scheme, "http") && strcmp(o->scheme, "https"))
    abort();
  if (!o->host[0] || o->path[0] != '/')
    abort();
  for (const char *p = o->path; *p; p++)
    if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#')
      abort();
  size_t n = 0;
  const hyper_field *f = hyper_hdrs_fields(o->headers, &n);
  for (size_t i = 0; i < n; i++) {
    if (!f[i].name_len)
      abort();
    for (size_t k = 0; k < f[i].name_len; k++)
      if (f[i].name[k] >= 'A' && f[i].name[k] <= 'Z')
        abort();
    for (size_t k = 0; k < f[i].value_len; k++)
      if (f[i].value[k] == '\r' || f[i].value[k] == '\n' || !f[i].value[k])
        abort();
  }
  if (o->body) {
    if (o->body_len != strlen(o->body))
      abort();
    if (o->json_body) {
      json_error_t e;
      json_t *j = json_loads(o->body, 0, &e);
      if (!j || !json_is_object(j))
        abort();
      json_decref(j);
    }
  } else if (o->body_len || o->json_body) {
    abort();
  }
  if (o->download && !o->output)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 8192)
    return 0;
  char *buf = malloc(size + 1);
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  for (size_t i = 0; i < size; i++)
    if (buf[i] == '@')
      buf[i] = '_';
  char *argv[MAXARGS + 2];
  int argc = 0;
  argv[argc++] = "hyper";
  for (size_t i = 0; i <= size && argc <= MAXARGS;) {
    argv[argc++] = buf + i;
    i += strlen(buf + i) + 1;
  }
  argv[argc] = NULL;

  cli_opts a, b;
  int ra = parse(&a, argc, argv);
  if (ra != 0 && ra != -1 && ra != CLI_EXIT_USAGE)
    abort();
  if (ra == 0)
    check(&a);
  int rb = parse(&b, argc, argv);
  if (ra != rb)
    abort();
  if (ra == 0 &&
      (!same(a.method, b.method) || !same(a.url, b.url) ||
       !same(a.body, b.body) || !same(a.output, b.output) ||
       a.timeout_ms != b.timeout_ms || a.linger_ms != b.linger_ms ||
       hyper_hdrs_count(a.headers) != hyper_hdrs_count(b.headers)))
    abort();
  cli_opts_cleanup(&a);
  cli_opts_cleanup(&b);
  free(buf);
  return 0;
}
