/* Minimised inputs from the fuzzing campaign (fuzz/, see fuzz/README.md),
 * one test each, named after the target that found it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "hyper/client.h"

/* fuzz_url, crash-0d4858e1: "[::1]:" followed by 28 zeros and "80". The
 * CLI's URL parser read the port with strtol() (80: accepted) while
 * hyper_client_new() takes at most 5 digits (rejected), so a URL the CLI
 * accepted failed later as "cannot create the connection" (exit 1)
 * instead of a usage error (exit 2). Both now agree: at most 5 digits. */
static void test_fuzz_url_port_leading_zeros(void **state) {
  (void)state;
  static const struct {
    const char *url;
    int cli_rv;
  } cases[] = {
      {"[::1]:000000000000000000000000000080", CLI_EXIT_USAGE},
      {"h:000080", CLI_EXIT_USAGE},
      {"http://h:08080/x", 0},
      {"h:65535", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_opts o;
    memset(&o, 0, sizeof o);
    char *argv[] = {"hyper", "--", (char *)(uintptr_t)cases[i].url, NULL};
    int rv = cli_parse_args(&o, 3, argv);
    assert_int_equal(rv, cases[i].cli_rv);
    if (rv == 0) { /* what the CLI accepts, the library accepts */
      hyper_client *c = NULL;
      assert_int_equal(hyper_client_new(&c, o.host, NULL, NULL), 0);
      hyper_client_free(c);
    }
    cli_opts_cleanup(&o);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fuzz_url_port_leading_zeros),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
