/* libFuzzer target: the two URL/host parsers.
 *
 *  1. hyper_client_new()'s "host[:port]" / "[v6]:port" splitter on the raw
 *     input (the first NUL ends it): it must return 0 or
 *     HYPER_ERR_INVALID_ARGUMENT, free everything, and an accepted host
 *     must not contain what a host may never hold (space, controls, '/',
 *     '@').
 *  2. The CLI's URL parser (cli/args.c parse_url, reached through
 *     cli_parse_args() as `hyper -- URL`): on success the parts must be
 *     well formed (scheme http or https, a non-empty host, a path starting
 *     with '/', no fragment, no control characters); the URL it prints
 *     (o.url = scheme://host/path) must parse back to the very same parts
 *     (round-trip oracle); and the host it hands to hyper_client_new() must
 *     be accepted there whenever it fits a DNS name (differential oracle:
 *     what the CLI accepts, the library must too).
 *
 * Both parsers write errors to stderr; fd 1 and 2 point to /dev/null while
 * they run so that the fuzzer's own output stays readable. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hyper/client.h"

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

static void check_client_host(const char *s) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  for (int secure = 0; secure < 2; secure++) {
    o.secure = secure ? HYPER_CLIENT_SECURE_AUTO : 0;
    hyper_client *c = NULL;
    int rv = hyper_client_new(&c, s, &o, NULL);
    if (rv != 0 && rv != HYPER_ERR_INVALID_ARGUMENT)
      abort();
    if (rv == 0) {
      if (!c || hyper_client_is_connected(c) ||
          hyper_client_protocol(c) != NULL)
        abort();
      hyper_client_free(c);
    } else if (c) {
      abort();
    }
  }
}

/* Runs `hyper -- url`; returns cli_parse_args()'s result, |o| filled. */
static int cli_url(cli_opts *o, const char *url) {
  char *argv[4] = {"hyper", "--", (char *)(uintptr_t)url, NULL};
  memset(o, 0, sizeof *o);
  quiet(1);
  int rv = cli_parse_args(o, 3, argv);
  quiet(0);
  return rv;
}

static void check_parts(const cli_opts *o) {
  if (!o->scheme || !o->host || !o->path || !o->url || !o->method)
    abort();
  if (strcmp(o->scheme, "http") && strcmp(o->scheme, "https"))
    abort();
  if (!o->host[0] || o->path[0] != '/' || strchr(o->path, '#'))
    abort();
  if (strchr(o->host, '/') || strchr(o->host, '@') || strchr(o->host, '?'))
    abort();
  for (const char *p = o->url; *p; p++)
    if ((unsigned char)*p <= 0x20 || *p == 0x7f)
      abort();
  if (strcmp(o->method, "GET") || o->body)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096)
    return 0;
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';

  check_client_host(s);

  cli_opts o, o2;
  int rv = cli_url(&o, s);
  if (rv != 0 && rv != CLI_EXIT_USAGE)
    abort();
  if (rv == 0) {
    check_parts(&o);
    /* round trip: the displayed URL parses to the same parts */
    if (cli_url(&o2, o.url) != 0)
      abort();
    if (strcmp(o.scheme, o2.scheme) || strcmp(o.host, o2.host) ||
        strcmp(o.path, o2.path) || strcmp(o.url, o2.url))
      abort();
    cli_opts_cleanup(&o2);
    /* differential: the library takes the host the CLI accepted */
    if (strlen(o.host) <= 253) {
      hyper_client *c = NULL;
      if (hyper_client_new(&c, o.host, NULL, NULL) != 0)
        abort();
      hyper_client_free(c);
    }
  }
  cli_opts_cleanup(&o);
  free(s);
  return 0;
}
