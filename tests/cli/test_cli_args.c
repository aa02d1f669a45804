/*
 * Table-driven tests of the hyper CLI's command line: METHOD detection, URL
 * forms, request items (HTTPie grammar) and the JSON body they build, and
 * the usage errors (exit status 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

typedef struct args_case {
  const char *argv[8];
  int rv;             /* cli_parse_args() result */
  const char *method; /* expected fields (NULL: not checked) */
  const char *scheme;
  const char *host;
  const char *path;
  const char *body;   /* "-": no body */
  const char *hname, *hvalue; /* one header to find */
  const char *output;
  long timeout_ms;
} args_case;

static const args_case cases[] = {
    {{"http://h/get"}, 0, "GET", "http", "h", "/get", "-", NULL, NULL, NULL, 0},
    {{"h.example"}, 0, "GET", "https", "h.example", "/", "-", NULL, NULL, NULL, 0},
    {{"h.example:8443?x=1"}, 0, "GET", "https", "h.example:8443", "/?x=1", "-",
     NULL, NULL, NULL, 0},
    {{":8080/x"}, 0, "GET", "http", "localhost:8080", "/x", "-", NULL, NULL,
     NULL, 0},
    {{"http://[::1]:8443/x?y#frag"}, 0, "GET", "http", "[::1]:8443", "/x?y", "-",
     NULL, NULL, NULL, 0},
    {{"GET", "h/get", "a==1", "b==x y"}, 0, "GET", "https", "h",
     "/get?a=1&b=x%20y", "-", NULL, NULL, NULL, 0},
    {{"h/get?z=0", "url==http://x"}, 0, "GET", NULL, NULL,
     "/get?z=0&url=http%3A%2F%2Fx", "-", NULL, NULL, NULL, 0},
    {{"delete", "h/x"}, 0, "DELETE", NULL, NULL, "/x", "-", NULL, NULL, NULL, 0},
    {{"h/post", "name=x", "n:=1"}, 0, "POST", NULL, NULL, "/post",
     "{\"name\": \"x\", \"n\": 1}", NULL, NULL, NULL, 0},
    {{"PUT", "h/p", "l:=[1, {\"a\": null}]", "t:=true"}, 0, "PUT", NULL, NULL,
     "/p", "{\"l\": [1, {\"a\": null}], \"t\": true}", NULL, NULL, NULL, 0},
    {{"h", "a\\:b:=2"}, 0, "POST", NULL, NULL, "/", "{\"a:b\": 2}", NULL, NULL,
     NULL, 0},
    {{"h", "k=v=w"}, 0, "POST", NULL, NULL, "/", "{\"k\": \"v=w\"}", NULL, NULL,
     NULL, 0},
    {{"h", "X-A:1"}, 0, "GET", NULL, NULL, "/", "-", "x-a", "1", NULL, 0},
    {{"h", "Empty:"}, 0, "GET", NULL, NULL, "/", "-", "empty", "", NULL, 0},
    {{"h", "X-Url:http://x:1/"}, 0, "GET", NULL, NULL, "/", "-", "x-url",
     "http://x:1/", NULL, 0},
    {{"-o", "f.bin", "h"}, 0, "GET", NULL, NULL, NULL, "-", NULL, NULL, "f.bin",
     0},
    {{"--download", "h/a/b.bin?x=1"}, 0, NULL, NULL, NULL, NULL, "-", NULL,
     NULL, "b.bin", 0},
    {{"-d", "h/a/"}, 0, NULL, NULL, NULL, NULL, "-", NULL, NULL, "index", 0},
    {{"-d", "h/.."}, 0, NULL, NULL, NULL, NULL, "-", NULL, NULL, "index", 0},
    {{"--timeout=1.5", "h"}, 0, NULL, NULL, NULL, NULL, "-", NULL, NULL, NULL,
     1500},
    {{"--timeout", "2", "h"}, 0, NULL, NULL, NULL, NULL, "-", NULL, NULL, NULL,
     2000},
    {{"PURGE", "http://h/x"}, 0, "PURGE", "http", "h", "/x", "-", NULL, NULL,
     NULL, 0},
    {{"post", "h", "a=1"}, 0, "POST", "https", "h", "/", "{\"a\": \"1\"}",
     NULL, NULL, NULL, 0},
    {{"--h2c", "--", "h"}, 0, "GET", NULL, "h", "/", "-", NULL, NULL, NULL, 0},
    /* usage errors */
    {{NULL}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
    {{"--bogus", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, 0},
    {{"h.example", "plain"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, 0},
    {{"h:0"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
    {{"h:65536"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     0},
    {{"gopher://h/"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, 0},
    {{"http://u@h/"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, 0},
    {{"http://[::1/"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, 0},
    {{"h", "=v"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     0},
    {{"h", "a:={"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, 0},
    {{"h", "B@d:x"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, 0},
    {{"h", "f=@"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     0},
    {{"--timeout", "-1", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, 0},
    {{"--linger-ms", "x", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, 0},
    {{"--key", "/nonexistent/key.pem", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, 0},
    {{"--upgrade", "--h2c", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, 0},
    {{"--upgrade", "http://h/x"}, 0, "GET", "http", "h", "/x", "-", NULL, NULL,
     NULL, 0},
    {{"-F", "--max-redirects", "3", "h"}, 0, "GET", NULL, NULL, "/", "-", NULL,
     NULL, NULL, 0},
    {{"--max-redirects=-1", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, 0},
    {{"--max-redirects", "x", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, 0},
    {{"--follow=1", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, 0},
    {{"--headers=1", "h"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, 0},
    {{"-o"}, CLI_EXIT_USAGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
    {{"--version"}, -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
};

static void check_case(const args_case *c, size_t idx) {
  char *argv[10];
  int argc = 0;
  argv[argc++] = (char *)"hyper";
  for (size_t i = 0; i < 8 && c->argv[i]; i++) argv[argc++] = (char *)c->argv[i];
  argv[argc] = NULL;
  cli_opts o;
  memset(&o, 0, sizeof o);
  int rv = cli_parse_args(&o, argc, argv);
  print_message("case %zu: %s ...\n", idx, argc > 1 ? argv[1] : "(none)");
  assert_int_equal(rv, c->rv);
  if (rv == 0) {
    if (c->method) assert_string_equal(o.method, c->method);
    if (c->scheme) assert_string_equal(o.scheme, c->scheme);
    if (c->host) assert_string_equal(o.host, c->host);
    if (c->path) assert_string_equal(o.path, c->path);
    if (c->body && !strcmp(c->body, "-")) {
      assert_null(o.body);
    } else if (c->body) {
      assert_non_null(o.body);
      assert_int_equal(o.body_len, strlen(c->body));
      assert_string_equal(o.body, c->body);
      assert_int_equal(o.json_body, 1);
    }
    if (c->hname) {
      hyper_slice v;
      assert_int_equal(hyper_hdrs_get_first(o.headers, c->hname,
                                            strlen(c->hname), &v),
                       1);
      assert_int_equal(v.len, strlen(c->hvalue));
      if (v.len) assert_memory_equal(v.ptr, c->hvalue, v.len);
    }
    if (c->output) assert_string_equal(o.output, c->output);
    if (c->timeout_ms) assert_int_equal(o.timeout_ms, c->timeout_ms);
  }
  cli_opts_cleanup(&o);
}

static void test_cli_args_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_case(&cases[i], i);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cli_args_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
