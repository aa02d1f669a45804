/* HTTP/2 field-block rules (src/h2/fields.c), written from the RFC text:
 * RFC 9113 §8.1-§8.5, RFC 8441 §4, RFC 9110 §5 and §8.6, RFC 9218 §4-§5 and
 * RFC 9651 (Structured Fields). Every rule has a passing and a failing case,
 * and failures are checked by the exact rule string. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "h2/fields.h"
#include "hpack/static_table.h"
#include "failmem.h"

#define F(n, v) {(const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, 0}
#define N(a) (sizeof(a) / sizeof((a)[0]))

#define REQ HYPER__H2_BLOCK_REQUEST
#define RESP HYPER__H2_BLOCK_RESPONSE
#define INFO HYPER__H2_BLOCK_INFORMATIONAL
#define ANY HYPER__H2_BLOCK_RESPONSE_ANY
#define TRAIL HYPER__H2_BLOCK_TRAILERS
#define PUSH HYPER__H2_BLOCK_PUSH_PROMISE

/* Who holds the block: a request is received by a server and sent by a
 * client; a response the other way round. */
#define SRV_IN HYPER__H2_FIELDS_SERVER
#define CLI_OUT HYPER__H2_FIELDS_OUTBOUND
#define CLI_IN 0u
#define SRV_OUT (HYPER__H2_FIELDS_OUTBOUND | HYPER__H2_FIELDS_SERVER)
#define ES HYPER__H2_FIELDS_END_STREAM
#define XC HYPER__H2_FIELDS_EXT_CONNECT

/* The basic request and response every test starts from. */
#define REQ_PSEUDO                                                             \
  F(":method", "GET"), F(":scheme", "https"), F(":authority", "example.com"), \
      F(":path", "/")

static hyper__h2_fields_info info;

/* The hints the HPACK decoder would give |f| (src/hpack/hints.h): the
 * static index of its name when the name is a static-table name, with the
 * value bit when the value is that of a static entry of the name. */
static uint8_t honest_hint(const hyper_field *f) {
  for (unsigned k = 1; k <= HYPER__HPACK_STATIC_LEN; k++) {
    const hyper__hpack_static_entry *e = &hyper__hpack_static[k - 1];
    if (e->name_len != f->name_len || memcmp(e->name, f->name, f->name_len) != 0)
      continue;
    for (unsigned j = k; j <= HYPER__HPACK_STATIC_LEN; j++) {
      const hyper__hpack_static_entry *v = &hyper__hpack_static[j - 1];
      if (strcmp(v->name, e->name) != 0)
        break;
      if (v->value_len == f->value_len &&
          (f->value_len == 0 || memcmp(v->value, f->value, f->value_len) == 0))
        return (uint8_t)(k | HYPER__H2_NAME_HINT_STATIC_VALUE);
    }
    return (uint8_t)k;
  }
  return 0;
}

static int slice_eq(hyper_slice a, hyper_slice b) {
  return a.ptr == b.ptr && a.len == b.len;
}

/* The facts of two runs over the same fields agree. */
static int info_eq(const hyper__h2_fields_info *a, const hyper__h2_fields_info *b) {
  return a->block == b->block && a->method == b->method && a->status == b->status &&
         a->content_length == b->content_length && a->n_pseudo == b->n_pseudo &&
         slice_eq(a->method_str, b->method_str) && slice_eq(a->scheme, b->scheme) &&
         slice_eq(a->authority, b->authority) && slice_eq(a->path, b->path) &&
         slice_eq(a->protocol, b->protocol) && slice_eq(a->host, b->host) &&
         a->is_head == b->is_head && a->is_connect == b->is_connect &&
         a->is_ext_connect == b->is_ext_connect &&
         a->has_trailers_te == b->has_trailers_te && a->no_content == b->no_content;
}

/* Runs the validator and checks the result; on a mismatch prints both.
 * Each block is validated twice: as given, and with the name hints the
 * HPACK decoder would attach (hyper__h2_fields_validate_hinted()), which
 * must not change anything: result, rule or facts. */
static void check_at(hyper__h2_block block, unsigned flags, const hyper_field *f,
                     size_t n, int want_rv, const char *want_why,
                     const char *file, int line) {
  const char *why = "(not set)";
  const char *hwhy = "(not set)";
  uint8_t hints[64];
  hyper__h2_fields_info hinfo;
  assert_true(n <= sizeof hints);
  for (size_t i = 0; i < n; i++)
    hints[i] = honest_hint(&f[i]);
  memset(&hinfo, 0x5a, sizeof hinfo);
  int hrv = hyper__h2_fields_validate_hinted(block, f, hints, n, flags, &hinfo, &hwhy);
  memset(&info, 0xa5, sizeof info);
  int rv = hyper__h2_fields_validate(block, f, n, flags, &info, &why);
  if (hrv != rv || (why == NULL) != (hwhy == NULL) ||
      (why && strcmp(why, hwhy) != 0) || (rv == 0 && !info_eq(&info, &hinfo))) {
    print_error("hinted validation differs: %d \"%s\" vs %d \"%s\"\n", hrv,
                hwhy ? hwhy : "(null)", rv, why ? why : "(null)");
    _fail(file, line);
  }
  int ok = rv == want_rv;
  if (want_why == NULL)
    ok = ok && why == NULL;
  else
    ok = ok && why != NULL && strcmp(why, want_why) == 0;
  if (!ok) {
    print_error("validate: got %d (%s) \"%s\"; want %d (%s) \"%s\"\n", rv,
                hyper_err_name(rv), why ? why : "(null)", want_rv,
                hyper_err_name(want_rv), want_why ? want_why : "(null)");
    _fail(file, line);
  }
}

#define OK(block, flags, arr) check_at(block, flags, arr, N(arr), 0, NULL, __FILE__, __LINE__)
#define BAD(block, flags, arr, why)                                            \
  check_at(block, flags, arr, N(arr), HYPER_ERR_H2_HEADER, why, __FILE__, __LINE__)

/* Validates a one-regular-field request that carries |f| after the basic
 * pseudo-header fields. */
static void check_req_field(hyper_field f, const char *why, const char *file, int line) {
  hyper_field h[] = {REQ_PSEUDO, f};
  check_at(REQ, SRV_IN, h, N(h), why ? HYPER_ERR_H2_HEADER : 0, why, file, line);
  check_at(REQ, CLI_OUT, h, N(h), why ? HYPER_ERR_H2_HEADER : 0, why, file, line);
}
#define REQ_FIELD_OK(n, v) check_req_field((hyper_field)F(n, v), NULL, __FILE__, __LINE__)
#define REQ_FIELD_BAD(n, v, why) check_req_field((hyper_field)F(n, v), why, __FILE__, __LINE__)

static void assert_slice(hyper_slice s, const char *want) {
  if (want == NULL) {
    assert_null(s.ptr);
    assert_int_equal(s.len, 0);
    return;
  }
  assert_non_null(s.ptr);
  assert_int_equal(s.len, strlen(want));
  assert_memory_equal(s.ptr, want, s.len);
}

/* ---- a valid request, and the facts ---------------------------------- */

static void test_fields_request_ok_and_facts(void **state) {
  (void)state;
  const hyper_field h[] = {REQ_PSEUDO, F("accept", "*/*"), F("user-agent", "hyper")};
  OK(REQ, SRV_IN, h);
  assert_int_equal(info.block, REQ);
  assert_int_equal(info.method, HYPER__H2_METHOD_GET);
  assert_int_equal(info.status, -1);
  assert_int_equal(info.content_length, -1);
  assert_int_equal(info.n_pseudo, 4);
  assert_slice(info.method_str, "GET");
  assert_slice(info.scheme, "https");
  assert_slice(info.authority, "example.com");
  assert_slice(info.path, "/");
  assert_slice(info.protocol, NULL);
  assert_slice(info.host, NULL);
  assert_false(info.is_head);
  assert_false(info.is_connect);
  assert_false(info.is_ext_connect);
  assert_false(info.has_trailers_te);
  OK(REQ, CLI_OUT, h);
}

static void test_fields_request_methods(void **state) {
  (void)state;
  static const struct {
    const char *m;
    hyper__h2_method e;
  } t[] = {{"GET", HYPER__H2_METHOD_GET},         {"HEAD", HYPER__H2_METHOD_HEAD},
           {"POST", HYPER__H2_METHOD_POST},       {"PUT", HYPER__H2_METHOD_PUT},
           {"DELETE", HYPER__H2_METHOD_DELETE},   {"OPTIONS", HYPER__H2_METHOD_OPTIONS},
           {"TRACE", HYPER__H2_METHOD_TRACE},     {"PATCH", HYPER__H2_METHOD_PATCH},
           {"PROPFIND", HYPER__H2_METHOD_OTHER},  /* any token is a method */
           {"get", HYPER__H2_METHOD_OTHER},       /* methods are case-sensitive */
           {"M-SEARCH", HYPER__H2_METHOD_OTHER}};
  for (size_t i = 0; i < N(t); i++) {
    hyper_field h[] = {F(":method", ""), F(":scheme", "https"),
                       F(":authority", "a.example"), F(":path", "/")};
    h[0].value = (const uint8_t *)t[i].m;
    h[0].value_len = strlen(t[i].m);
    OK(REQ, SRV_IN, h);
    assert_int_equal(info.method, t[i].e);
    assert_slice(info.method_str, t[i].m);
    assert_int_equal(info.is_head, t[i].e == HYPER__H2_METHOD_HEAD);
  }
}

static void test_fields_request_invalid_method(void **state) {
  (void)state;
  /* :method carries a method token (RFC 9110 §9.1). */
  const hyper_field sp[] = {F(":method", "GE T"), F(":scheme", "https"),
                            F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, sp, "invalid ':method'");
  const hyper_field empty[] = {F(":method", ""), F(":scheme", "https"),
                               F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, empty, "invalid ':method'");
  const hyper_field slash[] = {F(":method", "GET/1"), F(":scheme", "https"),
                               F(":authority", "a"), F(":path", "/")};
  BAD(REQ, CLI_OUT, slash, "invalid ':method'");
}

/* ---- §8.2.1 field names ---------------------------------------------- */

static void test_fields_name_empty(void **state) {
  (void)state;
  REQ_FIELD_BAD("", "x", "empty field name");
  REQ_FIELD_OK("x", "");
}

static void test_fields_name_uppercase(void **state) {
  (void)state;
  /* §8.2: names MUST be lowercase; §8.1.1: uppercase names are malformed. */
  REQ_FIELD_BAD("Accept", "*/*", "uppercase character in field name");
  REQ_FIELD_BAD("x-fOo", "1", "uppercase character in field name");
  REQ_FIELD_OK("accept", "*/*");
  const hyper_field pseudo[] = {F(":Method", "GET"), F(":scheme", "https"),
                                F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, pseudo, "uppercase character in field name");
  const hyper_field status[] = {F(":STATUS", "200")};
  BAD(RESP, CLI_IN, status, "uppercase character in field name");
}

static void test_fields_name_characters(void **state) {
  (void)state;
  /* §8.2.1 and RFC 9110 §5.1: a name is a token of tchars. */
  REQ_FIELD_OK("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz", "v");
  REQ_FIELD_BAD("x foo", "1", "invalid character in field name");
  REQ_FIELD_BAD("x-foo ", "1", "invalid character in field name");
  REQ_FIELD_BAD("foo:bar", "1", "invalid character in field name");
  REQ_FIELD_BAD("x\x7f", "1", "invalid character in field name");
  REQ_FIELD_BAD("x\x80y", "1", "invalid character in field name");
  REQ_FIELD_BAD("x\xff", "1", "invalid character in field name");
  REQ_FIELD_BAD("a\tb", "1", "invalid character in field name");
  REQ_FIELD_BAD("a\0b", "1", "invalid character in field name");
  REQ_FIELD_BAD("\"q\"", "1", "invalid character in field name");
  REQ_FIELD_BAD("a(b)", "1", "invalid character in field name");
  REQ_FIELD_BAD("a/b", "1", "invalid character in field name");
  REQ_FIELD_BAD("a@b", "1", "invalid character in field name");
  REQ_FIELD_BAD("a{b}", "1", "invalid character in field name");
}

/* ---- §8.2.1 field values --------------------------------------------- */

static void test_fields_value_nul_cr_lf(void **state) {
  (void)state;
  REQ_FIELD_BAD("x", "a\0b", "NUL, CR or LF in field value");
  REQ_FIELD_BAD("x", "a\rb", "NUL, CR or LF in field value");
  REQ_FIELD_BAD("x", "a\nb", "NUL, CR or LF in field value");
  REQ_FIELD_BAD("x", "a\r\nInjected: 1", "NUL, CR or LF in field value");
  /* Only the minimal set is malformed; other octets pass (§8.2.1 note). */
  REQ_FIELD_OK("x", "a\x01\x7f\x80\xff b\tc");
  REQ_FIELD_OK("x", "");
  const hyper_field pseudo[] = {F(":method", "GET"), F(":scheme", "https"),
                                F(":authority", "a"), F(":path", "/a\nb")};
  BAD(REQ, SRV_IN, pseudo, "NUL, CR or LF in field value");
}

static void test_fields_value_surrounding_whitespace(void **state) {
  (void)state;
  REQ_FIELD_BAD("x", " a", "leading or trailing whitespace in field value");
  REQ_FIELD_BAD("x", "a ", "leading or trailing whitespace in field value");
  REQ_FIELD_BAD("x", "\ta", "leading or trailing whitespace in field value");
  REQ_FIELD_BAD("x", "a\t", "leading or trailing whitespace in field value");
  REQ_FIELD_BAD("x", " ", "leading or trailing whitespace in field value");
  REQ_FIELD_OK("x", "a b\tc");
  const hyper_field pseudo[] = {F(":method", " GET"), F(":scheme", "https"),
                                F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, pseudo, "leading or trailing whitespace in field value");
}

/* ---- §8.3 pseudo-header fields --------------------------------------- */

static void test_fields_pseudo_after_regular(void **state) {
  (void)state;
  const hyper_field bad[] = {F(":method", "GET"), F(":scheme", "https"),
                             F("accept", "*/*"), F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, bad, "pseudo-header field after regular field");
  BAD(REQ, CLI_OUT, bad, "pseudo-header field after regular field");
  const hyper_field resp[] = {F("server", "x"), F(":status", "200")};
  BAD(RESP, CLI_IN, resp, "pseudo-header field after regular field");
  const hyper_field good[] = {F(":status", "200"), F("server", "x")};
  OK(RESP, CLI_IN, good);
  assert_int_equal(info.n_pseudo, 1);
}

static void test_fields_pseudo_unknown(void **state) {
  (void)state;
  /* §8.3: endpoints MUST treat undefined pseudo-header fields as malformed. */
  const hyper_field foo[] = {REQ_PSEUDO, F(":foo", "bar")};
  BAD(REQ, SRV_IN, foo, "unknown pseudo-header field");
  const hyper_field colon[] = {F(":", "x"), REQ_PSEUDO};
  BAD(REQ, SRV_IN, colon, "unknown pseudo-header field");
  const hyper_field prefix[] = {F(":met", "GET"), REQ_PSEUDO};
  BAD(REQ, SRV_IN, prefix, "unknown pseudo-header field");
  const hyper_field longer[] = {F(":methods", "GET"), REQ_PSEUDO};
  BAD(REQ, SRV_IN, longer, "unknown pseudo-header field");
  const hyper_field resp[] = {F(":status", "200"), F(":reason", "OK")};
  BAD(RESP, CLI_IN, resp, "unknown pseudo-header field");
  const hyper_field twocolon[] = {F("::method", "GET")};
  BAD(REQ, SRV_IN, twocolon, "invalid character in field name");
}

static void test_fields_pseudo_duplicate(void **state) {
  (void)state;
  /* §8.3: the same pseudo-header field name MUST NOT appear twice. */
  const hyper_field m[] = {REQ_PSEUDO, F(":method", "GET")};
  BAD(REQ, SRV_IN, m, "duplicate pseudo-header field");
  const hyper_field p[] = {F(":path", "/"), REQ_PSEUDO};
  BAD(REQ, CLI_OUT, p, "duplicate pseudo-header field");
  const hyper_field a[] = {F(":authority", "a"), REQ_PSEUDO};
  BAD(REQ, SRV_IN, a, "duplicate pseudo-header field");
  const hyper_field s[] = {F(":scheme", "https"), REQ_PSEUDO};
  BAD(REQ, SRV_IN, s, "duplicate pseudo-header field");
  const hyper_field st[] = {F(":status", "200"), F(":status", "200")};
  BAD(RESP, CLI_IN, st, "duplicate pseudo-header field");
}

static void test_fields_pseudo_wrong_context(void **state) {
  (void)state;
  /* §8.3: request pseudo-header fields MUST NOT appear in responses and
   * response ones not in requests. */
  const hyper_field st[] = {REQ_PSEUDO, F(":status", "200")};
  BAD(REQ, SRV_IN, st, "response pseudo-header field in request");
  BAD(PUSH, CLI_IN, st, "response pseudo-header field in request");
  const hyper_field m[] = {F(":status", "200"), F(":method", "GET")};
  BAD(RESP, CLI_IN, m, "request pseudo-header field in response");
  const hyper_field p[] = {F(":status", "200"), F(":path", "/")};
  BAD(RESP, SRV_OUT, p, "request pseudo-header field in response");
  const hyper_field pr[] = {F(":status", "200"), F(":protocol", "websocket")};
  BAD(RESP, CLI_IN | XC, pr, "request pseudo-header field in response");
  const hyper_field i[] = {F(":status", "103"), F(":authority", "a")};
  BAD(INFO, CLI_IN, i, "request pseudo-header field in response");
}

static void test_fields_pseudo_in_trailers(void **state) {
  (void)state;
  /* §8.1: trailers MUST NOT include pseudo-header fields. */
  const hyper_field st[] = {F(":status", "200")};
  BAD(TRAIL, CLI_IN | ES, st, "pseudo-header field in trailers");
  const hyper_field p[] = {F("grpc-status", "0"), F(":path", "/")};
  BAD(TRAIL, SRV_IN | ES, p, "pseudo-header field in trailers");
  const hyper_field x[] = {F(":x", "1")};
  BAD(TRAIL, SRV_OUT | ES, x, "pseudo-header field in trailers");
  const hyper_field ok[] = {F("grpc-status", "0"), F("grpc-message", "")};
  OK(TRAIL, CLI_IN | ES, ok);
  assert_int_equal(info.block, TRAIL);
  assert_int_equal(info.n_pseudo, 0);
  OK(TRAIL, SRV_IN | ES, ok);
  OK(TRAIL, CLI_OUT | ES, ok);
  OK(TRAIL, SRV_OUT | ES, ok);
  const hyper_field none[] = {F("x", "1")};
  check_at(TRAIL, CLI_IN | ES, none, 0, 0, NULL, __FILE__, __LINE__);
}

static void test_fields_trailers_need_end_stream(void **state) {
  (void)state;
  /* §8.1: a HEADERS frame after the final response without END_STREAM
   * makes the response malformed. */
  const hyper_field t[] = {F("grpc-status", "0")};
  BAD(TRAIL, CLI_IN, t, "trailers without END_STREAM");
  OK(TRAIL, CLI_IN | ES, t);
}

/* ---- §8.2.2 connection-specific fields ------------------------------- */

static void test_fields_connection_specific(void **state) {
  (void)state;
  REQ_FIELD_BAD("connection", "close", "connection-specific field 'connection'");
  REQ_FIELD_BAD("proxy-connection", "keep-alive", "connection-specific field 'proxy-connection'");
  REQ_FIELD_BAD("keep-alive", "timeout=5", "connection-specific field 'keep-alive'");
  REQ_FIELD_BAD("transfer-encoding", "chunked", "connection-specific field 'transfer-encoding'");
  REQ_FIELD_BAD("upgrade", "h2c", "connection-specific field 'upgrade'");
  /* Same-length names that are not connection-specific. */
  REQ_FIELD_OK("connectiox", "1");
  REQ_FIELD_OK("keep-alivf", "1");
  REQ_FIELD_OK("upgradf", "1");
  REQ_FIELD_OK("transfer-encodinf", "1");
  REQ_FIELD_OK("proxy-connectiox", "1");
  /* Also in responses and trailers. */
  const hyper_field r[] = {F(":status", "200"), F("transfer-encoding", "chunked")};
  BAD(RESP, CLI_IN, r, "connection-specific field 'transfer-encoding'");
  BAD(RESP, SRV_OUT, r, "connection-specific field 'transfer-encoding'");
  const hyper_field t[] = {F("connection", "close")};
  BAD(TRAIL, CLI_IN | ES, t, "connection-specific field 'connection'");
}

static void test_fields_te(void **state) {
  (void)state;
  /* §8.2.2: te MAY be in a request, with no value other than "trailers". */
  const hyper_field ok[] = {REQ_PSEUDO, F("te", "trailers")};
  OK(REQ, SRV_IN, ok);
  assert_true(info.has_trailers_te);
  OK(REQ, CLI_OUT, ok);
  assert_true(info.has_trailers_te);
  REQ_FIELD_OK("te", "Trailers"); /* the keyword is case-insensitive */
  REQ_FIELD_BAD("te", "gzip", "'te' other than \"trailers\"");
  REQ_FIELD_BAD("te", "trailers, gzip", "'te' other than \"trailers\"");
  REQ_FIELD_BAD("te", "", "'te' other than \"trailers\"");
  REQ_FIELD_BAD("te", "trailer", "'te' other than \"trailers\"");
  REQ_FIELD_BAD("te", "trailersx", "'te' other than \"trailers\"");
  /* Not in responses, nor in their trailers. */
  const hyper_field r[] = {F(":status", "200"), F("te", "trailers")};
  BAD(RESP, CLI_IN, r, "connection-specific field 'te' in response");
  BAD(RESP, SRV_OUT, r, "connection-specific field 'te' in response");
  const hyper_field t[] = {F("te", "trailers")};
  BAD(TRAIL, CLI_IN | ES, t, "connection-specific field 'te' in response");
  BAD(TRAIL, SRV_OUT | ES, t, "connection-specific field 'te' in response");
  /* A request's trailers are part of the request. */
  OK(TRAIL, SRV_IN | ES, t);
  OK(TRAIL, CLI_OUT | ES, t);
  /* Without te the fact stays clear. */
  const hyper_field none[] = {REQ_PSEUDO};
  OK(REQ, SRV_IN, none);
  assert_false(info.has_trailers_te);
}

/* ---- content-length (RFC 9110 §8.6, RFC 9113 §8.1.1) ------------------ */

static void test_fields_content_length(void **state) {
  (void)state;
  const hyper_field h[] = {F(":method", "POST"), F(":scheme", "https"),
                           F(":authority", "a"), F(":path", "/upload"),
                           F("content-length", "1234")};
  OK(REQ, SRV_IN, h);
  assert_int_equal(info.content_length, 1234);
  assert_int_equal(info.method, HYPER__H2_METHOD_POST);
  const hyper_field zero[] = {REQ_PSEUDO, F("content-length", "0")};
  OK(REQ, SRV_IN, zero);
  assert_int_equal(info.content_length, 0);
  const hyper_field lead[] = {REQ_PSEUDO, F("content-length", "007")};
  OK(REQ, SRV_IN, lead);
  assert_int_equal(info.content_length, 7);
  const hyper_field big[] = {REQ_PSEUDO, F("content-length", "9223372036854775807")};
  OK(REQ, SRV_IN, big);
  assert_true(info.content_length == INT64_MAX);
  const hyper_field r[] = {F(":status", "200"), F("content-length", "5")};
  OK(RESP, CLI_IN, r);
  assert_int_equal(info.content_length, 5);
}

static void test_fields_content_length_invalid(void **state) {
  (void)state;
  REQ_FIELD_BAD("content-length", "", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "abc", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "-1", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "+5", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "5 5", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "1,1", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "0x10", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "9223372036854775808", "invalid 'content-length'");
  REQ_FIELD_BAD("content-length", "99999999999999999999999", "invalid 'content-length'");
  const hyper_field r[] = {F(":status", "200"), F("content-length", "1.5")};
  BAD(RESP, CLI_IN, r, "invalid 'content-length'");
  /* In trailers it frames nothing (RFC 9110 §6.5.1): not checked, not a fact. */
  const hyper_field t[] = {F("content-length", "abc"), F("content-length", "5")};
  OK(TRAIL, CLI_IN | ES, t);
  assert_int_equal(info.content_length, -1);
  OK(TRAIL, CLI_IN | ES | HYPER__H2_FIELDS_NO_VALIDATE, t);
  assert_int_equal(info.content_length, -1);
}

static void test_fields_content_length_repeated(void **state) {
  (void)state;
  const hyper_field same[] = {REQ_PSEUDO, F("content-length", "10"),
                              F("x", "y"), F("content-length", "10")};
  OK(REQ, SRV_IN, same);
  assert_int_equal(info.content_length, 10);
  const hyper_field diff[] = {REQ_PSEUDO, F("content-length", "10"),
                              F("content-length", "11")};
  BAD(REQ, SRV_IN, diff, "conflicting 'content-length' values");
  const hyper_field r[] = {F(":status", "200"), F("content-length", "0"),
                           F("content-length", "00")};
  OK(RESP, CLI_IN, r);
  assert_int_equal(info.content_length, 0);
}

static void test_fields_content_length_no_content_status(void **state) {
  (void)state;
  /* RFC 9110 §8.6: no content-length in 1xx or 204 responses. We send
   * none; from a peer a "0" is tolerated. */
  const hyper_field c204[] = {F(":status", "204"), F("content-length", "0")};
  BAD(RESP, SRV_OUT, c204, "'content-length' in 1xx or 204 response");
  OK(RESP, CLI_IN, c204);
  assert_int_equal(info.content_length, 0);
  assert_true(info.no_content);
  const hyper_field c204n[] = {F(":status", "204"), F("content-length", "10")};
  BAD(RESP, CLI_IN, c204n, "'content-length' in 1xx or 204 response");
  const hyper_field c103[] = {F(":status", "103"), F("content-length", "10")};
  BAD(INFO, CLI_IN, c103, "'content-length' in 1xx or 204 response");
  BAD(INFO, SRV_OUT, c103, "'content-length' in 1xx or 204 response");
  /* 304 may carry the length of the selected representation. */
  const hyper_field c304[] = {F(":status", "304"), F("content-length", "10")};
  OK(RESP, CLI_IN, c304);
  assert_true(info.no_content);
  OK(RESP, SRV_OUT, c304);
  const hyper_field c200[] = {F(":status", "200")};
  OK(RESP, CLI_IN, c200);
  assert_false(info.no_content);
}

/* ---- §8.3.1 request pseudo-header fields ----------------------------- */

static void test_fields_request_missing_pseudo(void **state) {
  (void)state;
  /* All requests MUST include :method, :scheme and :path (§8.3.1). */
  const hyper_field nm[] = {F(":scheme", "https"), F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, nm, "missing ':method'");
  BAD(REQ, CLI_OUT, nm, "missing ':method'");
  const hyper_field ns[] = {F(":method", "GET"), F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, ns, "missing ':scheme'");
  const hyper_field np[] = {F(":method", "GET"), F(":scheme", "https"), F(":authority", "a")};
  BAD(REQ, SRV_IN, np, "missing ':path'");
  const hyper_field none[] = {F("accept", "*/*")};
  BAD(REQ, SRV_IN, none, "missing ':method'");
  check_at(REQ, SRV_IN, none, 0, HYPER_ERR_H2_HEADER, "missing ':method'", __FILE__, __LINE__);
}

static void test_fields_request_scheme(void **state) {
  (void)state;
  /* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
  const hyper_field other[] = {F(":method", "GET"), F(":scheme", "coap+tcp.v-2"),
                               F(":path", "/x")};
  OK(REQ, SRV_IN, other); /* not http(s): no authority needed */
  assert_slice(info.scheme, "coap+tcp.v-2");
  const hyper_field digit[] = {F(":method", "GET"), F(":scheme", "1http"),
                               F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, digit, "invalid ':scheme'");
  const hyper_field empty[] = {F(":method", "GET"), F(":scheme", ""),
                               F(":authority", "a"), F(":path", "/")};
  BAD(REQ, SRV_IN, empty, "invalid ':scheme'");
  const hyper_field colon[] = {F(":method", "GET"), F(":scheme", "https:"),
                               F(":authority", "a"), F(":path", "/")};
  BAD(REQ, CLI_OUT, colon, "invalid ':scheme'");
  /* Scheme names are case-insensitive: HTTPS still gets the http rules. */
  const hyper_field upper[] = {F(":method", "GET"), F(":scheme", "HTTPS"),
                               F(":authority", "a"), F(":path", "x")};
  BAD(REQ, SRV_IN, upper, "':path' must start with '/'");
}

static void test_fields_request_path(void **state) {
  (void)state;
  const hyper_field empty[] = {F(":method", "GET"), F(":scheme", "https"),
                               F(":authority", "a"), F(":path", "")};
  BAD(REQ, SRV_IN, empty, "empty ':path'");
  BAD(REQ, CLI_OUT, empty, "empty ':path'");
  const hyper_field rel[] = {F(":method", "GET"), F(":scheme", "http"),
                             F(":authority", "a"), F(":path", "index.html")};
  BAD(REQ, SRV_IN, rel, "':path' must start with '/'");
  const hyper_field q[] = {F(":method", "GET"), F(":scheme", "https"),
                           F(":authority", "a"), F(":path", "?q=1")};
  BAD(REQ, SRV_IN, q, "':path' must start with '/'");
  const hyper_field abs[] = {F(":method", "GET"), F(":scheme", "https"),
                             F(":authority", "a"), F(":path", "https://a/")};
  BAD(REQ, SRV_IN, abs, "':path' must start with '/'");
  const hyper_field query[] = {F(":method", "GET"), F(":scheme", "https"),
                               F(":authority", "a"), F(":path", "/a/b?c=d&e#")};
  OK(REQ, SRV_IN, query);
  /* Other schemes: any non-empty path. */
  const hyper_field urn[] = {F(":method", "GET"), F(":scheme", "urn"), F(":path", "isbn:1")};
  OK(REQ, SRV_IN, urn);
  const hyper_field urn0[] = {F(":method", "GET"), F(":scheme", "urn"), F(":path", "")};
  BAD(REQ, SRV_IN, urn0, "empty ':path'");
}

static void test_fields_request_path_asterisk(void **state) {
  (void)state;
  /* §8.3.1: an OPTIONS request without a path uses '*'. */
  const hyper_field opt[] = {F(":method", "OPTIONS"), F(":scheme", "https"),
                             F(":authority", "a"), F(":path", "*")};
  OK(REQ, SRV_IN, opt);
  assert_int_equal(info.method, HYPER__H2_METHOD_OPTIONS);
  OK(REQ, CLI_OUT, opt);
  const hyper_field get[] = {F(":method", "GET"), F(":scheme", "https"),
                             F(":authority", "a"), F(":path", "*")};
  BAD(REQ, SRV_IN, get, "':path' '*' outside OPTIONS");
  const hyper_field star2[] = {F(":method", "OPTIONS"), F(":scheme", "https"),
                               F(":authority", "a"), F(":path", "*x")};
  BAD(REQ, SRV_IN, star2, "':path' must start with '/'");
  const hyper_field optslash[] = {F(":method", "OPTIONS"), F(":scheme", "https"),
                                  F(":authority", "a"), F(":path", "/x")};
  OK(REQ, SRV_IN, optslash);
}

static void test_fields_request_path_characters(void **state) {
  (void)state;
  /* Control octets or SP in :path would split an HTTP/1.1 request line
   * (RFC 3986 §3.3, RFC 9113 §10.3). */
  const hyper_field sp[] = {F(":method", "GET"), F(":scheme", "https"),
                            F(":authority", "a"), F(":path", "/a b")};
  BAD(REQ, SRV_IN, sp, "invalid character in ':path'");
  const hyper_field tab[] = {F(":method", "GET"), F(":scheme", "https"),
                             F(":authority", "a"), F(":path", "/a\tb")};
  BAD(REQ, SRV_IN, tab, "invalid character in ':path'");
  const hyper_field del[] = {F(":method", "GET"), F(":scheme", "https"),
                             F(":authority", "a"), F(":path", "/a\x7f")};
  BAD(REQ, CLI_OUT, del, "invalid character in ':path'");
  const hyper_field high[] = {F(":method", "GET"), F(":scheme", "https"),
                              F(":authority", "a"), F(":path", "/caf\xc3\xa9")};
  OK(REQ, SRV_IN, high);
}

static void test_fields_request_authority_and_host(void **state) {
  (void)state;
  /* http(s) requests carry :authority or host (RFC 9110 §7.2). */
  const hyper_field neither[] = {F(":method", "GET"), F(":scheme", "https"), F(":path", "/")};
  BAD(REQ, SRV_IN, neither, "missing ':authority' and 'host'");
  BAD(REQ, CLI_OUT, neither, "missing ':authority' and 'host'");
  const hyper_field host[] = {F(":method", "GET"), F(":scheme", "http"),
                              F(":path", "/"), F("host", "example.com")};
  OK(REQ, SRV_IN, host);
  assert_slice(info.host, "example.com");
  assert_slice(info.authority, NULL);
  const hyper_field both[] = {REQ_PSEUDO, F("host", "example.com")};
  OK(REQ, SRV_IN, both);
  assert_slice(info.host, "example.com");
  assert_slice(info.authority, "example.com");
  OK(REQ, CLI_OUT, both);
  const hyper_field empty[] = {F(":method", "GET"), F(":scheme", "https"),
                               F(":authority", ""), F(":path", "/")};
  BAD(REQ, SRV_IN, empty, "empty ':authority'");
}

static void test_fields_request_host_mismatch(void **state) {
  (void)state;
  /* §8.3.1: a host that differs from :authority is malformed; the two are
   * compared after scheme-based normalisation (RFC 3986 §6.2.3). */
  const hyper_field diff[] = {REQ_PSEUDO, F("host", "evil.example")};
  BAD(REQ, SRV_IN, diff, "'host' differs from ':authority'");
  BAD(REQ, CLI_OUT, diff, "'host' differs from ':authority'");
  const hyper_field port[] = {REQ_PSEUDO, F("host", "example.com:8443")};
  BAD(REQ, SRV_IN, port, "'host' differs from ':authority'");
  const hyper_field prefix[] = {REQ_PSEUDO, F("host", "example.co")};
  BAD(REQ, SRV_IN, prefix, "'host' differs from ':authority'");
  const hyper_field caseins[] = {REQ_PSEUDO, F("host", "EXAMPLE.com")};
  OK(REQ, SRV_IN, caseins);
  const hyper_field defport[] = {REQ_PSEUDO, F("host", "example.com:443")};
  OK(REQ, SRV_IN, defport);
  const hyper_field emptyport[] = {REQ_PSEUDO, F("host", "example.com:")};
  OK(REQ, SRV_IN, emptyport);
  const hyper_field http80[] = {F(":method", "GET"), F(":scheme", "http"),
                                F(":authority", "example.com:80"), F(":path", "/"),
                                F("host", "example.com")};
  OK(REQ, SRV_IN, http80);
  const hyper_field http443[] = {F(":method", "GET"), F(":scheme", "http"),
                                 F(":authority", "example.com:443"), F(":path", "/"),
                                 F("host", "example.com")};
  BAD(REQ, SRV_IN, http443, "'host' differs from ':authority'");
  const hyper_field v6[] = {F(":method", "GET"), F(":scheme", "https"),
                            F(":authority", "[::1]:443"), F(":path", "/"),
                            F("host", "[::1]")};
  OK(REQ, SRV_IN, v6);
  const hyper_field v6b[] = {F(":method", "GET"), F(":scheme", "https"),
                             F(":authority", "[::1]:8443"), F(":path", "/"),
                             F("host", "[::2]:8443")};
  BAD(REQ, SRV_IN, v6b, "'host' differs from ':authority'");
}

static void test_fields_request_duplicate_host(void **state) {
  (void)state;
  const hyper_field two[] = {F(":method", "GET"), F(":scheme", "https"), F(":path", "/"),
                             F("host", "a.example"), F("host", "b.example")};
  BAD(REQ, SRV_IN, two, "duplicate 'host'");
  const hyper_field one[] = {F(":method", "GET"), F(":scheme", "https"), F(":path", "/"),
                             F("host", "a.example")};
  OK(REQ, SRV_IN, one);
}

static void test_fields_request_userinfo(void **state) {
  (void)state;
  /* §8.3.1: no userinfo in :authority for http or https. */
  const hyper_field ui[] = {F(":method", "GET"), F(":scheme", "https"),
                            F(":authority", "user:pw@example.com"), F(":path", "/")};
  BAD(REQ, SRV_IN, ui, "userinfo in ':authority'");
  BAD(REQ, CLI_OUT, ui, "userinfo in ':authority'");
  const hyper_field other[] = {F(":method", "GET"), F(":scheme", "ftp"),
                               F(":authority", "user@example.com"), F(":path", "/")};
  OK(REQ, SRV_IN, other);
}

static void test_fields_request_authority_characters(void **state) {
  (void)state;
  const hyper_field sp[] = {F(":method", "GET"), F(":scheme", "https"),
                            F(":authority", "a b"), F(":path", "/")};
  BAD(REQ, SRV_IN, sp, "invalid character in ':authority'");
  const hyper_field ctl[] = {F(":method", "GET"), F(":scheme", "https"),
                             F(":authority", "a\x01"), F(":path", "/")};
  BAD(REQ, CLI_OUT, ctl, "invalid character in ':authority'");
  const hyper_field ok[] = {F(":method", "GET"), F(":scheme", "https"),
                            F(":authority", "xn--bcher-kva.example:8443"), F(":path", "/")};
  OK(REQ, SRV_IN, ok);
}

/* ---- §8.5 CONNECT, RFC 8441 extended CONNECT ------------------------- */

static void test_fields_connect(void **state) {
  (void)state;
  const hyper_field ok[] = {F(":method", "CONNECT"), F(":authority", "proxy.example:443")};
  OK(REQ, SRV_IN, ok);
  assert_true(info.is_connect);
  assert_false(info.is_ext_connect);
  assert_int_equal(info.method, HYPER__H2_METHOD_CONNECT);
  assert_slice(info.authority, "proxy.example:443");
  assert_slice(info.scheme, NULL);
  assert_slice(info.path, NULL);
  OK(REQ, CLI_OUT, ok);
  const hyper_field v6[] = {F(":method", "CONNECT"), F(":authority", "[2001:db8::1]:8080")};
  OK(REQ, SRV_IN, v6);
}

static void test_fields_connect_forbidden_pseudo(void **state) {
  (void)state;
  /* §8.5: :scheme and :path MUST be omitted. */
  const hyper_field s[] = {F(":method", "CONNECT"), F(":scheme", "https"),
                           F(":authority", "p:443")};
  BAD(REQ, SRV_IN, s, "':scheme' in CONNECT request");
  BAD(REQ, CLI_OUT, s, "':scheme' in CONNECT request");
  const hyper_field p[] = {F(":method", "CONNECT"), F(":authority", "p:443"), F(":path", "/")};
  BAD(REQ, SRV_IN, p, "':path' in CONNECT request");
}

static void test_fields_connect_authority(void **state) {
  (void)state;
  /* §8.5: :authority carries the host and port (RFC 9110 §9.3.6: the port
   * is always sent). */
  const hyper_field none[] = {F(":method", "CONNECT")};
  BAD(REQ, SRV_IN, none, "missing ':authority' in CONNECT request");
  const hyper_field host[] = {F(":method", "CONNECT"), F("host", "p:443")};
  BAD(REQ, SRV_IN, host, "missing ':authority' in CONNECT request");
  const hyper_field noport[] = {F(":method", "CONNECT"), F(":authority", "proxy.example")};
  BAD(REQ, SRV_IN, noport, "':authority' of CONNECT lacks a port");
  const hyper_field emptyport[] = {F(":method", "CONNECT"), F(":authority", "proxy.example:")};
  BAD(REQ, SRV_IN, emptyport, "':authority' of CONNECT lacks a port");
  const hyper_field badport[] = {F(":method", "CONNECT"), F(":authority", "proxy.example:4a3")};
  BAD(REQ, SRV_IN, badport, "':authority' of CONNECT lacks a port");
  const hyper_field v6[] = {F(":method", "CONNECT"), F(":authority", "[::1]")};
  BAD(REQ, CLI_OUT, v6, "':authority' of CONNECT lacks a port");
  const hyper_field empty[] = {F(":method", "CONNECT"), F(":authority", "")};
  BAD(REQ, SRV_IN, empty, "empty ':authority'");
}

static void test_fields_extended_connect(void **state) {
  (void)state;
  /* RFC 8441 §4: with :protocol, :scheme and :path are included. */
  const hyper_field ws[] = {F(":method", "CONNECT"), F(":protocol", "websocket"),
                            F(":scheme", "https"), F(":path", "/chat"),
                            F(":authority", "server.example.com"),
                            F("sec-websocket-version", "13")};
  OK(REQ, SRV_IN | XC, ws);
  assert_true(info.is_connect);
  assert_true(info.is_ext_connect);
  assert_slice(info.protocol, "websocket");
  assert_slice(info.path, "/chat");
  OK(REQ, CLI_OUT | XC, ws);
  /* Without SETTINGS_ENABLE_CONNECT_PROTOCOL, :protocol is undefined. */
  BAD(REQ, SRV_IN, ws, "':protocol' without extended CONNECT");
  BAD(REQ, CLI_OUT, ws, "':protocol' without extended CONNECT");
}

static void test_fields_extended_connect_rules(void **state) {
  (void)state;
  const hyper_field get[] = {F(":method", "GET"), F(":protocol", "websocket"),
                             F(":scheme", "https"), F(":path", "/"), F(":authority", "a")};
  BAD(REQ, SRV_IN | XC, get, "':protocol' in non-CONNECT request");
  const hyper_field ns[] = {F(":method", "CONNECT"), F(":protocol", "websocket"),
                            F(":path", "/"), F(":authority", "a")};
  BAD(REQ, SRV_IN | XC, ns, "missing ':scheme'");
  const hyper_field np[] = {F(":method", "CONNECT"), F(":protocol", "websocket"),
                            F(":scheme", "https"), F(":authority", "a")};
  BAD(REQ, SRV_IN | XC, np, "missing ':path'");
  const hyper_field na[] = {F(":method", "CONNECT"), F(":protocol", "websocket"),
                            F(":scheme", "https"), F(":path", "/")};
  BAD(REQ, SRV_IN | XC, na, "missing ':authority' in CONNECT request");
  const hyper_field bad[] = {F(":method", "CONNECT"), F(":protocol", "web socket"),
                             F(":scheme", "https"), F(":path", "/"), F(":authority", "a")};
  BAD(REQ, SRV_IN | XC, bad, "invalid ':protocol'");
  const hyper_field empty[] = {F(":method", "CONNECT"), F(":protocol", ""),
                               F(":scheme", "https"), F(":path", "/"), F(":authority", "a")};
  BAD(REQ, SRV_IN | XC, empty, "invalid ':protocol'");
  const hyper_field dup[] = {F(":method", "CONNECT"), F(":protocol", "websocket"),
                             F(":protocol", "websocket"), F(":scheme", "https"),
                             F(":path", "/"), F(":authority", "a")};
  BAD(REQ, SRV_IN | XC, dup, "duplicate pseudo-header field");
  /* The flag does not change plain CONNECT. */
  const hyper_field plain[] = {F(":method", "CONNECT"), F(":authority", "p:443")};
  OK(REQ, SRV_IN | XC, plain);
  assert_false(info.is_ext_connect);
}

/* ---- §8.4 push promises ---------------------------------------------- */

static void test_fields_push_promise(void **state) {
  (void)state;
  const hyper_field get[] = {REQ_PSEUDO};
  OK(PUSH, CLI_IN, get);
  assert_int_equal(info.block, PUSH);
  assert_int_equal(info.method, HYPER__H2_METHOD_GET);
  OK(PUSH, SRV_OUT, get);
  const hyper_field head[] = {F(":method", "HEAD"), F(":scheme", "https"),
                              F(":authority", "a"), F(":path", "/s.css")};
  OK(PUSH, CLI_IN, head);
  assert_true(info.is_head);
  const hyper_field cl0[] = {REQ_PSEUDO, F("content-length", "0")};
  OK(PUSH, CLI_IN, cl0);
}

static void test_fields_push_promise_rules(void **state) {
  (void)state;
  /* §8.4: promised requests MUST be safe and cacheable. */
  const hyper_field post[] = {F(":method", "POST"), F(":scheme", "https"),
                              F(":authority", "a"), F(":path", "/")};
  BAD(PUSH, CLI_IN, post, "push promise method not safe and cacheable");
  BAD(PUSH, SRV_OUT, post, "push promise method not safe and cacheable");
  const hyper_field opt[] = {F(":method", "OPTIONS"), F(":scheme", "https"),
                             F(":authority", "a"), F(":path", "/")};
  BAD(PUSH, CLI_IN, opt, "push promise method not safe and cacheable");
  /* ... and cannot include content. */
  const hyper_field cl[] = {REQ_PSEUDO, F("content-length", "5")};
  BAD(PUSH, CLI_IN, cl, "push promise with content");
  /* The server MUST include :authority (§8.4). */
  const hyper_field na[] = {F(":method", "GET"), F(":scheme", "https"), F(":path", "/"),
                            F("host", "a")};
  BAD(PUSH, CLI_IN, na, "missing ':authority' in push promise");
  /* A complete request (§8.4.1). */
  const hyper_field np[] = {F(":method", "GET"), F(":scheme", "https"), F(":authority", "a")};
  BAD(PUSH, CLI_IN, np, "missing ':path'");
  const hyper_field conn[] = {F(":method", "CONNECT"), F(":authority", "a:443")};
  BAD(PUSH, CLI_IN, conn, "push promise method not safe and cacheable");
}

/* ---- §8.3.2 responses, §8.1 interim responses ------------------------ */

static void test_fields_response_ok(void **state) {
  (void)state;
  const hyper_field h[] = {F(":status", "200"), F("content-type", "text/html")};
  OK(RESP, CLI_IN, h);
  assert_int_equal(info.block, RESP);
  assert_int_equal(info.status, 200);
  assert_int_equal(info.method, HYPER__H2_METHOD_NONE);
  assert_int_equal(info.n_pseudo, 1);
  assert_false(info.no_content);
  OK(RESP, SRV_OUT, h);
  OK(RESP, CLI_IN | ES, h);
  const hyper_field lo[] = {F(":status", "100")};
  OK(INFO, CLI_IN, lo);
  const hyper_field hi[] = {F(":status", "599")};
  OK(RESP, CLI_IN, hi);
  assert_int_equal(info.status, 599);
}

static void test_fields_response_status_missing(void **state) {
  (void)state;
  const hyper_field h[] = {F("server", "x")};
  BAD(RESP, CLI_IN, h, "missing ':status'");
  BAD(INFO, CLI_IN, h, "missing ':status'");
  BAD(ANY, CLI_IN, h, "missing ':status'");
  BAD(RESP, SRV_OUT, h, "missing ':status'");
  check_at(RESP, CLI_IN, h, 0, HYPER_ERR_H2_HEADER, "missing ':status'", __FILE__, __LINE__);
}

static void test_fields_response_status_invalid(void **state) {
  (void)state;
  static const char *bad[] = {"20", "2000", "abc", "2x0", "099", "000", "600", "999", "", "+20"};
  for (size_t i = 0; i < N(bad); i++) {
    hyper_field h[] = {F(":status", "")};
    h[0].value = (const uint8_t *)bad[i];
    h[0].value_len = strlen(bad[i]);
    BAD(RESP, CLI_IN, h, "invalid ':status'");
    BAD(ANY, CLI_IN, h, "invalid ':status'");
  }
}

static void test_fields_response_class(void **state) {
  (void)state;
  const hyper_field c100[] = {F(":status", "100")};
  BAD(RESP, CLI_IN, c100, "1xx status in final response");
  BAD(RESP, SRV_OUT, c100, "1xx status in final response");
  const hyper_field c103[] = {F(":status", "103"), F("link", "</s.css>; rel=preload")};
  OK(INFO, CLI_IN, c103);
  assert_int_equal(info.status, 103);
  assert_true(info.no_content);
  OK(INFO, SRV_OUT, c103);
  const hyper_field c200[] = {F(":status", "200")};
  BAD(INFO, CLI_IN, c200, "non-1xx status in informational response");
  BAD(INFO, SRV_OUT, c200, "non-1xx status in informational response");
}

static void test_fields_response_101(void **state) {
  (void)state;
  /* §8.6: HTTP/2 does not support 101 (Switching Protocols). */
  const hyper_field h[] = {F(":status", "101")};
  BAD(INFO, CLI_IN, h, "status 101 in HTTP/2");
  BAD(INFO, SRV_OUT, h, "status 101 in HTTP/2");
  BAD(ANY, CLI_IN, h, "status 101 in HTTP/2");
  const hyper_field h102[] = {F(":status", "102")};
  OK(INFO, CLI_IN, h102);
}

static void test_fields_informational_end_stream(void **state) {
  (void)state;
  /* §8.1: a HEADERS frame with END_STREAM carrying 1xx is malformed. */
  const hyper_field h[] = {F(":status", "103")};
  BAD(INFO, CLI_IN | ES, h, "informational response with END_STREAM");
  BAD(INFO, SRV_OUT | ES, h, "informational response with END_STREAM");
  BAD(ANY, CLI_IN | ES, h, "informational response with END_STREAM");
  OK(INFO, CLI_IN, h);
}

static void test_fields_response_any(void **state) {
  (void)state;
  const hyper_field c100[] = {F(":status", "100")};
  OK(ANY, CLI_IN, c100);
  assert_int_equal(info.block, INFO);
  assert_int_equal(info.status, 100);
  const hyper_field c404[] = {F(":status", "404"), F("content-length", "9")};
  OK(ANY, CLI_IN, c404);
  assert_int_equal(info.block, RESP);
  assert_int_equal(info.content_length, 9);
  OK(ANY, CLI_IN | ES, c404);
  const hyper_field c204[] = {F(":status", "204")};
  OK(ANY, CLI_IN | ES, c204);
  assert_int_equal(info.block, RESP);
  assert_true(info.no_content);
}

/* ---- arguments, roles, the NO_VALIDATE switch ------------------------ */

static void test_fields_role_mismatch(void **state) {
  (void)state;
  const char *why;
  const hyper_field req[] = {REQ_PSEUDO};
  const hyper_field resp[] = {F(":status", "200")};
  /* A client does not receive requests; a server does not receive
   * responses or push promises, nor send requests. */
  assert_int_equal(hyper__h2_fields_validate(REQ, req, N(req), CLI_IN, &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_validate(REQ, req, N(req), SRV_OUT, &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_validate(RESP, resp, N(resp), SRV_IN, &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_validate(ANY, resp, N(resp), CLI_OUT, &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_validate(PUSH, req, N(req), SRV_IN, &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_validate(PUSH, req, N(req), CLI_OUT, &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_non_null(why);
}

static void test_fields_invalid_arguments(void **state) {
  (void)state;
  const hyper_field req[] = {REQ_PSEUDO};
  const char *why = NULL;
  assert_int_equal(hyper__h2_fields_validate(REQ, req, N(req), SRV_IN, NULL, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_validate(REQ, NULL, 3, SRV_IN, &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_validate((hyper__h2_block)99, req, N(req), SRV_IN,
                                             &info, &why),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* |why| is optional, and cleared on success. */
  assert_int_equal(hyper__h2_fields_validate(REQ, req, N(req), SRV_IN, &info, NULL), 0);
  const hyper_field bad[] = {F("X", "1")};
  assert_int_equal(hyper__h2_fields_validate(TRAIL, bad, 1, SRV_IN | ES, &info, NULL),
                   HYPER_ERR_H2_HEADER);
  why = "stale";
  assert_int_equal(hyper__h2_fields_validate(REQ, req, N(req), SRV_IN, &info, &why), 0);
  assert_null(why);
}

static void test_fields_no_validate(void **state) {
  (void)state;
  /* Validation off (h2's validate_inbound_headers=False): facts only. */
  const hyper_field req[] = {F("Accept", "x"), F(":method", "HEAD"), F(":path", "nope"),
                             F("connection", "close"), F("content-length", "12"),
                             F("content-length", "13"), F(":method", "GET"),
                             F("te", "trailers")};
  const unsigned nv = HYPER__H2_FIELDS_NO_VALIDATE;
  OK(REQ, SRV_IN | nv, req);
  assert_int_equal(info.method, HYPER__H2_METHOD_HEAD);
  assert_true(info.is_head);
  assert_slice(info.path, "nope");
  assert_slice(info.scheme, NULL);
  assert_int_equal(info.content_length, 12);
  assert_true(info.has_trailers_te);
  assert_int_equal(info.n_pseudo, 0);
  const hyper_field resp[] = {F(":status", "103"), F(":status", "200")};
  OK(ANY, CLI_IN | nv | ES, resp);
  assert_int_equal(info.block, INFO);
  assert_int_equal(info.status, 103);
  const hyper_field junk[] = {F(":status", "2x0"), F("content-length", "x")};
  OK(ANY, CLI_IN | nv, junk);
  assert_int_equal(info.block, RESP);
  assert_int_equal(info.status, -1);
  assert_int_equal(info.content_length, -1);
  /* Arguments are still checked. */
  assert_int_equal(hyper__h2_fields_validate(REQ, req, N(req), CLI_IN | nv, &info, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
}

/* Every name of the HPACK static table, hinted as the decoder hints it,
 * is classified exactly as the same name read octet by octet: as the only
 * regular field of a request and of a response, with a harmless value,
 * with values that break a generic rule, and as a pseudo-header field. */
static void test_fields_static_name_hints(void **state) {
  (void)state;
  static const char *const values[] = {"1", "", " x", "a\r\nb", "trailers",
                                       "GET", "200", "https", "/", "x y"};
  for (unsigned k = 1; k <= HYPER__HPACK_STATIC_LEN; k++) {
    const hyper__hpack_static_entry *e = &hyper__hpack_static[k - 1];
    for (size_t vi = 0; vi < N(values); vi++) {
      hyper_field f = {(const uint8_t *)e->name, e->name_len,
                       (const uint8_t *)values[vi], strlen(values[vi]), 0};
      if (e->name[0] == ':') {
        /* the field alone, and in the place the basic blocks have it */
        hyper_field req[] = {F(":method", "GET"), F(":scheme", "https"),
                             F(":path", "/"), f};
        hyper_field resp[] = {f, F("server", "x")};
        const char *why = "(not set)";
        (void)hyper__h2_fields_validate(REQ, req, N(req), SRV_IN, &info, &why);
        check_at(REQ, SRV_IN, req, N(req), why ? HYPER_ERR_H2_HEADER : 0, why,
                 __FILE__, __LINE__);
        (void)hyper__h2_fields_validate(RESP, resp, N(resp), CLI_IN, &info, &why);
        check_at(RESP, CLI_IN, resp, N(resp), why ? HYPER_ERR_H2_HEADER : 0, why,
                 __FILE__, __LINE__);
      } else {
        hyper_field req[] = {REQ_PSEUDO, f, f};
        hyper_field resp[] = {F(":status", "200"), f};
        hyper_field trl[] = {f};
        const char *why = "(not set)";
        (void)hyper__h2_fields_validate(REQ, req, N(req), SRV_IN, &info, &why);
        check_at(REQ, SRV_IN, req, N(req), why ? HYPER_ERR_H2_HEADER : 0, why,
                 __FILE__, __LINE__);
        (void)hyper__h2_fields_validate(RESP, resp, N(resp), CLI_IN, &info, &why);
        check_at(RESP, CLI_IN, resp, N(resp), why ? HYPER_ERR_H2_HEADER : 0, why,
                 __FILE__, __LINE__);
        (void)hyper__h2_fields_validate(TRAIL, trl, N(trl), SRV_IN | ES, &info, &why);
        check_at(TRAIL, SRV_IN | ES, trl, N(trl), why ? HYPER_ERR_H2_HEADER : 0, why,
                 __FILE__, __LINE__);
      }
    }
  }
  /* The kinds that matter, through hints alone (the names are not read:
   * a hint wins over the octets, which is why only the decoder's own hints
   * may be passed). */
  hyper_field cl[] = {F(":status", "200"), F("content-length", "abc")};
  uint8_t h[] = {8 | HYPER__H2_NAME_HINT_STATIC_VALUE, 28};
  const char *why = NULL;
  assert_int_equal(hyper__h2_fields_validate_hinted(RESP, cl, h, N(cl), CLI_IN, &info, &why),
                   HYPER_ERR_H2_HEADER);
  assert_string_equal(why, "invalid 'content-length'");
  hyper_field te[] = {REQ_PSEUDO, F("transfer-encoding", "chunked")};
  uint8_t th[] = {2 | HYPER__H2_NAME_HINT_STATIC_VALUE, 7 | HYPER__H2_NAME_HINT_STATIC_VALUE,
                  1, 4 | HYPER__H2_NAME_HINT_STATIC_VALUE, 57};
  assert_int_equal(hyper__h2_fields_validate_hinted(REQ, te, th, N(te), SRV_IN, &info, &why),
                   HYPER_ERR_H2_HEADER);
  assert_string_equal(why, "connection-specific field 'transfer-encoding'");
  /* Out-of-range hint bits (62, 63) are no hint: the name is read. */
  hyper_field up[] = {F(":status", "200"), F("X-Up", "1")};
  uint8_t uh[] = {62, 63};
  assert_int_equal(hyper__h2_fields_validate_hinted(RESP, up, uh, N(up), CLI_IN, &info, &why),
                   HYPER_ERR_H2_HEADER);
  assert_string_equal(why, "uppercase character in field name");
}

/* The encoder's lookups give the same hints as the decoder would for the
 * same fields (hyper__hpack_enc_lookup(), used to validate outbound
 * blocks): static names only when equal octet for octet (not "Accept"),
 * the value bit only for a static entry's value. */
static void test_fields_encoder_lookup_hints(void **state) {
  (void)state;
  const hyper_field f[] = {F(":method", "GET"),      F(":method", "PUT"),
                           F(":path", "/index.html"), F(":status", "404"),
                           F("accept", ""),           F("Accept", ""),
                           F("accept-encoding", "gzip, deflate"),
                           F("x-custom", "1"),        F("", ""),
                           F("www-authenticate", "x"), F(":authority", "")};
  hyper__hpack_pre pre[N(f)];
  uint8_t hints[N(f)];
  assert_int_equal(hyper__hpack_enc_lookup(f, N(f), pre, hints), 0);
  for (size_t i = 0; i < N(f); i++)
    assert_int_equal(hints[i], honest_hint(&f[i]));
  assert_int_equal(hints[0], 2 | HYPER__H2_NAME_HINT_STATIC_VALUE);
  assert_int_equal(hints[2], 4 | HYPER__H2_NAME_HINT_STATIC_VALUE);
  assert_int_equal(pre[2].sfull, 5);
  assert_int_equal(hints[5], 0);
  hyper_field bad = {NULL, 3, NULL, 0, 0};
  assert_int_equal(hyper__hpack_enc_lookup(&bad, 1, pre, hints), HYPER_ERR_INVALID_ARGUMENT);
}

/* Random blocks (a fixed-seed generator): names drawn from the static
 * table, near misses and pseudo-header fields, values from a small
 * alphabet with the forbidden octets; every block kind and role. Hinted
 * and unhinted validation must agree on each (check_at compares them). */
static uint32_t rnd_state = 12345u;
static uint32_t rnd(void) {
  rnd_state = rnd_state * 1103515245u + 12345u;
  return rnd_state >> 8;
}

static void test_fields_hints_random_blocks(void **state) {
  (void)state;
  static const char *const extra[] = {"te", "Host", "x-y", "connection", "keep-alive",
                                      ":protocol", ":bogus", "", "upgrade", "Content-Length"};
  static const char vchars[] = "aZ09/ :*\t\r\n\0.-@[]%";
  static const unsigned kinds[][2] = {
      {REQ, SRV_IN}, {REQ, CLI_OUT}, {RESP, CLI_IN}, {RESP, SRV_OUT}, {ANY, CLI_IN},
      {INFO, CLI_IN}, {TRAIL, SRV_IN | ES}, {TRAIL, CLI_IN | ES}, {PUSH, CLI_IN},
      {REQ, SRV_IN | XC}};
  char vbuf[16][8];
  for (int iter = 0; iter < 20000; iter++) {
    hyper_field f[16];
    size_t n = rnd() % 9;
    for (size_t i = 0; i < n; i++) {
      const char *name;
      if (rnd() % 4) {
        name = hyper__hpack_static[rnd() % HYPER__HPACK_STATIC_LEN].name;
      } else {
        name = extra[rnd() % N(extra)];
      }
      size_t vl = rnd() % 7;
      for (size_t k = 0; k < vl; k++)
        vbuf[i][k] = vchars[rnd() % (sizeof vchars - 1)];
      if (rnd() % 3 == 0) { /* often a plausible value */
        static const char *const good[] = {"GET", "https", "/", "200", "a.b", "1", "trailers", "CONNECT"};
        const char *g = good[rnd() % N(good)];
        vl = strlen(g);
        memcpy(vbuf[i], g, vl);
      }
      f[i] = (hyper_field){(const uint8_t *)name, strlen(name), (const uint8_t *)vbuf[i], vl, 0};
    }
    const unsigned *k = kinds[rnd() % N(kinds)];
    const char *why = "(not set)";
    int rv = hyper__h2_fields_validate((hyper__h2_block)k[0], f, n, k[1], &info, &why);
    check_at((hyper__h2_block)k[0], k[1], f, n, rv, rv == 0 ? NULL : why, __FILE__, __LINE__);
  }
}

/* Values are scanned word by word: NUL, CR and LF are found at every
 * position of values of every length from 1 to 40, and other control
 * octets (allowed by RFC 9113 §8.2.1) are not mistaken for them. */
static void test_fields_value_octets_every_position(void **state) {
  (void)state;
  uint8_t buf[40];
  static const uint8_t bad[] = {0x00, 0x0a, 0x0d};
  static const uint8_t fine[] = {0x01, 0x09, 0x0b, 0x0c, 0x0e, 0x1f, 0x7f, 0x80, 0xff};
  for (size_t len = 1; len <= sizeof buf; len++) {
    for (size_t pos = 0; pos < len; pos++) {
      for (size_t b = 0; b < N(bad) + N(fine); b++) {
        memset(buf, 'v', sizeof buf);
        int is_bad = b < N(bad);
        buf[pos] = is_bad ? bad[b] : fine[b - N(bad)];
        int edge_ws = buf[pos] == 0x09 && (pos == 0 || pos == len - 1);
        hyper_field req[] = {REQ_PSEUDO, {(const uint8_t *)"x-v", 3, buf, len, 0}};
        const char *want = is_bad    ? "NUL, CR or LF in field value"
                           : edge_ws ? "leading or trailing whitespace in field value"
                                     : NULL;
        check_at(REQ, SRV_IN, req, N(req), want ? HYPER_ERR_H2_HEADER : 0, want,
                 __FILE__, __LINE__);
        /* the same octet in :path and :authority, which forbid every
         * control octet, SP and DEL (RFC 3986) */
        hyper_field path[] = {F(":method", "GET"), F(":scheme", "https"),
                              F(":authority", "a"), {(const uint8_t *)":path", 5, buf, len, 0}};
        int uri_bad = buf[pos] < 0x21 || buf[pos] == 0x7f;
        const char *pwant = is_bad    ? "NUL, CR or LF in field value"
                            : edge_ws ? "leading or trailing whitespace in field value"
                            : uri_bad ? "invalid character in ':path'"
                            : buf[0] != '/' ? "':path' must start with '/'"
                                            : NULL;
        check_at(REQ, SRV_IN, path, N(path), pwant ? HYPER_ERR_H2_HEADER : 0, pwant,
                 __FILE__, __LINE__);
      }
    }
  }
}

/* ---- normalisation ---------------------------------------------------- */

static hyper__h2_fields_norm norm;

/* Asserts that field |i| of |f| is |name|: |value|. */
static void assert_field(const hyper_field *f, const char *name, const char *value) {
  assert_int_equal(f->name_len, strlen(name));
  assert_memory_equal(f->name, name, f->name_len);
  assert_int_equal(f->value_len, strlen(value));
  if (f->value_len)
    assert_memory_equal(f->value, value, f->value_len);
}

static void test_fields_normalize_lowercases(void **state) {
  (void)state;
  const hyper_field in[] = {F(":method", "GET"), F(":scheme", "https"),
                            F(":authority", "a"), F(":path", "/"),
                            F("Accept", "*/*"), F("user-agent", "x"),
                            F("X-Custom-Header", "V")};
  hyper_field out[N(in)];
  uint8_t names[64];
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, in, N(in), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, N(in));
  assert_int_equal(norm.n_lowered, 2);
  assert_int_equal(norm.name_bytes, strlen("accept") + strlen("x-custom-header"));
  assert_int_equal(norm.n_dropped, 0);
  assert_true(norm.changed);
  assert_field(&out[4], "accept", "*/*");
  assert_field(&out[6], "x-custom-header", "V"); /* values keep their case */
  /* Lowercased names live in |names|; the rest borrow |in|. */
  assert_ptr_equal(out[4].name, names);
  assert_ptr_equal(out[5].name, in[5].name);
  assert_ptr_equal(out[6].value, in[6].value);
  const char *why;
  assert_int_equal(hyper__h2_fields_validate(REQ, out, norm.n_fields, CLI_OUT, &info, &why), 0);
  assert_int_equal(hyper__h2_fields_validate(REQ, in, N(in), CLI_OUT, &info, &why),
                   HYPER_ERR_H2_HEADER);
}

static void test_fields_normalize_pseudo_lowercase(void **state) {
  (void)state;
  const hyper_field in[] = {F(":Method", "GET"), F(":SCHEME", "https"),
                            F(":authority", "a"), F(":path", "/")};
  hyper_field out[N(in)];
  uint8_t names[32];
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, in, N(in), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_field(&out[0], ":method", "GET");
  assert_field(&out[1], ":scheme", "https");
  assert_int_equal(norm.name_bytes, 14);
}

static void test_fields_normalize_drops_connection_specific(void **state) {
  (void)state;
  const hyper_field in[] = {REQ_PSEUDO,
                            F("Connection", "keep-alive"),
                            F("keep-alive", "timeout=5"),
                            F("accept", "*/*"),
                            F("Proxy-Connection", "keep-alive"),
                            F("transfer-encoding", "chunked"),
                            F("Upgrade", "websocket"),
                            F("x-last", "1")};
  hyper_field out[N(in)];
  uint8_t names[64];
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, in, N(in), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_dropped, 5);
  assert_int_equal(norm.n_fields, 6);
  assert_int_equal(norm.name_bytes, 0); /* dropped names are not copied */
  assert_field(&out[4], "accept", "*/*");
  assert_field(&out[5], "x-last", "1");
  assert_int_equal(hyper__h2_fields_validate(REQ, out, norm.n_fields, CLI_OUT, &info, NULL), 0);
  /* Responses too. */
  const hyper_field r[] = {F(":status", "200"), F("Transfer-Encoding", "chunked"),
                           F("content-type", "text/plain")};
  hyper_field ro[N(r)];
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, r, N(r), ro, N(ro),
                                                       NULL, 0, &norm),
                   0);
  assert_int_equal(norm.n_fields, 2);
  assert_field(&ro[1], "content-type", "text/plain");
}

static void test_fields_normalize_drops_nominated(void **state) {
  (void)state;
  /* RFC 9110 §7.6.1: fields named in Connection are connection-specific;
   * TE is kept (RFC 9110 §10.1.4 makes senders name it). */
  const hyper_field in[] = {REQ_PSEUDO,
                            F("connection", "close, X-Hop,TE , http2-settings"),
                            F("x-hop", "1"),
                            F("HTTP2-Settings", "AAMAAABkAAQAAP__"),
                            F("te", "trailers"),
                            F("x-keep", "2"),
                            F("close", "3")};
  hyper_field out[N(in)];
  uint8_t names[64];
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, in, N(in), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 6);
  assert_int_equal(norm.n_dropped, 4);
  assert_field(&out[4], "te", "trailers");
  assert_field(&out[5], "x-keep", "2");
  assert_int_equal(hyper__h2_fields_validate(REQ, out, norm.n_fields, CLI_OUT, &info, NULL), 0);
  assert_true(info.has_trailers_te);
}

static void test_fields_normalize_te(void **state) {
  (void)state;
  const hyper_field in[] = {REQ_PSEUDO, F("TE", "trailers, deflate;q=0.5")};
  hyper_field out[N(in)];
  uint8_t names[8];
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, in, N(in), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 5);
  assert_int_equal(norm.n_rewritten, 1);
  assert_field(&out[4], "te", "trailers");
  const hyper_field gz[] = {REQ_PSEUDO, F("te", "gzip, deflate")};
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, gz, N(gz), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 4);
  assert_int_equal(norm.n_dropped, 1);
  const hyper_field tr[] = {REQ_PSEUDO, F("te", "trailers")};
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, tr, N(tr), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 5);
  assert_int_equal(norm.n_rewritten, 0);
  assert_false(norm.changed);
  const hyper_field trq[] = {REQ_PSEUDO, F("te", "Trailers;q=1")};
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, trq, N(trq), out,
                                                       N(out), names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_rewritten, 1);
  assert_field(&out[4], "te", "trailers");
  /* In a response te is always dropped. */
  const hyper_field r[] = {F(":status", "200"), F("te", "trailers")};
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, r, N(r), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 1);
  /* Request trailers keep it; response trailers do not. */
  const hyper_field t[] = {F("te", "trailers")};
  assert_int_equal(hyper__h2_fields_normalize_outbound(TRAIL, CLI_OUT, t, N(t), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 1);
  assert_int_equal(hyper__h2_fields_normalize_outbound(TRAIL, SRV_OUT, t, N(t), out, N(out),
                                                       names, sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 0);
}

static void test_fields_normalize_trims_values(void **state) {
  (void)state;
  const hyper_field in[] = {F(":status", " 200"), F("x-a", "  v a l  "), F("x-b", "\t\t"),
                            F("x-c", "c")};
  hyper_field out[N(in)];
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, in, N(in), out, N(out),
                                                       NULL, 0, &norm),
                   0);
  assert_int_equal(norm.n_trimmed, 3);
  assert_field(&out[0], ":status", "200");
  assert_field(&out[1], "x-a", "v a l");
  assert_field(&out[2], "x-b", "");
  assert_field(&out[3], "x-c", "c");
  assert_ptr_equal(out[1].value, in[1].value + 2);
  assert_int_equal(hyper__h2_fields_validate(RESP, out, norm.n_fields, SRV_OUT, &info, NULL), 0);
}

static void test_fields_normalize_unchanged(void **state) {
  (void)state;
  const hyper_field in[] = {REQ_PSEUDO, F("accept", "*/*"), F("cookie", "a=b; c=d")};
  hyper_field out[N(in)];
  assert_int_equal(hyper__h2_fields_normalize_outbound(REQ, CLI_OUT, in, N(in), out, N(out),
                                                       NULL, 0, &norm),
                   0);
  assert_false(norm.changed);
  assert_int_equal(norm.n_fields, N(in));
  for (size_t i = 0; i < N(in); i++) { /* the very same spans */
    assert_ptr_equal(out[i].name, in[i].name);
    assert_int_equal(out[i].name_len, in[i].name_len);
    assert_ptr_equal(out[i].value, in[i].value);
    assert_int_equal(out[i].value_len, in[i].value_len);
  }
  /* Nothing is split, flags are kept. */
  hyper_field fl[] = {F("cookie", "a=b; c=d")};
  fl[0].flags = HYPER_FIELD_SENSITIVE;
  assert_int_equal(hyper__h2_fields_normalize_outbound(TRAIL, CLI_OUT, fl, 1, out, 1, NULL, 0,
                                                       &norm),
                   0);
  assert_int_equal(norm.n_fields, 1);
  assert_int_equal(out[0].flags, HYPER_FIELD_SENSITIVE);
}

static void test_fields_normalize_measure_and_too_small(void **state) {
  (void)state;
  const hyper_field in[] = {F(":status", "200"), F("Content-Type", "text/plain"),
                            F("Connection", "close"), F("X-Y", "z")};
  /* Measure only. */
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, in, N(in), NULL, 0,
                                                       NULL, 0, &norm),
                   0);
  assert_int_equal(norm.n_fields, 3);
  assert_int_equal(norm.name_bytes, strlen("content-type") + strlen("x-y"));
  assert_int_equal(norm.n_lowered, 2);
  assert_true(norm.changed);
  /* Too little room: an error, the sizes, and nothing written. */
  hyper_field out[4];
  uint8_t names[32];
  memset(out, 0, sizeof out);
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, in, N(in), out, 2, names,
                                                       sizeof names, &norm),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(norm.n_fields, 3);
  assert_null(out[0].name);
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, in, N(in), out, 4, names,
                                                       14, &norm),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(norm.name_bytes, 15);
  assert_null(out[0].name);
  /* Exactly the measured sizes suffice. */
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, in, N(in), out, 3, names,
                                                       15, &norm),
                   0);
  assert_field(&out[1], "content-type", "text/plain");
  assert_field(&out[2], "x-y", "z");
}

static void test_fields_normalize_in_place(void **state) {
  (void)state;
  hyper_field f[] = {F(":status", "200"), F("Connection", "x-a"), F("x-a", "1"),
                     F("Keep-Alive", "1"), F("X-B", " 2 "), F("x-c", "3")};
  uint8_t names[8];
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, f, N(f), f, N(f), names,
                                                       sizeof names, &norm),
                   0);
  assert_int_equal(norm.n_fields, 3);
  assert_field(&f[0], ":status", "200");
  assert_field(&f[1], "x-b", "2");
  assert_field(&f[2], "x-c", "3");
}

static void test_fields_normalize_connection_limit(void **state) {
  (void)state;
  hyper_field f[HYPER__H2_FIELDS_MAX_CONNECTION + 2];
  f[0] = (hyper_field)F(":status", "200");
  for (size_t i = 1; i < N(f); i++)
    f[i] = (hyper_field)F("connection", "close");
  hyper_field out[N(f)];
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, f, N(f), out, N(out),
                                                       NULL, 0, &norm),
                   HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, f, N(f) - 1, out,
                                                       N(out), NULL, 0, &norm),
                   0);
  assert_int_equal(norm.n_fields, 1);
}

static void test_fields_normalize_arguments(void **state) {
  (void)state;
  const hyper_field in[] = {F(":status", "200")};
  hyper_field out[1];
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, in, 1, out, 1, NULL, 0,
                                                       NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, NULL, 1, out, 1, NULL, 0,
                                                       &norm),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_normalize_outbound((hyper__h2_block)42, SRV_OUT, in, 1,
                                                       out, 1, NULL, 0, &norm),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_fields_normalize_outbound(RESP, SRV_OUT, NULL, 0, out, 1, NULL, 0,
                                                       &norm),
                   0);
  assert_int_equal(norm.n_fields, 0);
}

static void test_fields_normalize_alloc(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  const hyper_field in[] = {F(":method", "GET"), F(":scheme", "https"),
                            F(":authority", "a"), F(":path", "/"),
                            F("User-Agent", "x"), F("Transfer-Encoding", "chunked")};
  hyper_field *out = NULL;
  assert_int_equal(hyper__h2_fields_normalize_outbound_alloc(REQ, CLI_OUT, in, N(in), &fm.mem,
                                                             &out, &norm),
                   0);
  assert_non_null(out);
  assert_int_equal(fm.nalloc, 1);
  assert_int_equal(norm.n_fields, 5);
  assert_field(&out[4], "user-agent", "x");
  assert_int_equal(hyper__h2_fields_validate(REQ, out, norm.n_fields, CLI_OUT, &info, NULL), 0);
  hyper__mem_free(&fm.mem, out);
  assert_int_equal(fm.live_blocks, 0);
  /* Out of memory. */
  fm.fail_at = fm.nalloc + 1;
  out = NULL;
  assert_int_equal(hyper__h2_fields_normalize_outbound_alloc(REQ, CLI_OUT, in, N(in), &fm.mem,
                                                             &out, &norm),
                   HYPER_ERR_NOMEM);
  assert_null(out);
  assert_int_equal(fm.live_blocks, 0);
  /* An empty block still gives a pointer to free. */
  fm.fail_at = 0;
  assert_int_equal(hyper__h2_fields_normalize_outbound_alloc(TRAIL, CLI_OUT, NULL, 0, &fm.mem,
                                                             &out, &norm),
                   0);
  assert_non_null(out);
  hyper__mem_free(&fm.mem, out);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(hyper__h2_fields_normalize_outbound_alloc(TRAIL, CLI_OUT, in, 1, NULL, &out,
                                                             &norm),
                   HYPER_ERR_INVALID_ARGUMENT);
}

/* ---- RFC 9218 priority ------------------------------------------------ */

static hyper__h2_priority prio;

static int parse_str(const char *s) {
  prio.urgency = 0xee;
  prio.incremental = 0xee;
  return hyper__h2_priority_parse((const uint8_t *)s, strlen(s), &prio);
}

#define PRIO_OK(s, u, i)                                                       \
  do {                                                                         \
    assert_int_equal(parse_str(s), 0);                                         \
    assert_int_equal(prio.urgency, (u));                                       \
    assert_int_equal(prio.incremental, (i));                                   \
  } while (0)
#define PRIO_BAD(s)                                                            \
  do {                                                                         \
    assert_int_equal(parse_str(s), HYPER_ERR_INVALID_ARGUMENT);                \
    assert_int_equal(prio.urgency, 3);                                         \
    assert_int_equal(prio.incremental, 0);                                     \
  } while (0)

static void test_fields_priority_defaults(void **state) {
  (void)state;
  hyper__h2_priority p = {9, 9};
  hyper__h2_priority_init(&p);
  assert_int_equal(p.urgency, 3);
  assert_int_equal(p.incremental, 0);
  PRIO_OK("", 3, 0);
  assert_int_equal(hyper__h2_priority_parse(NULL, 0, &prio), 0);
  assert_int_equal(prio.urgency, 3);
}

static void test_fields_priority_urgency(void **state) {
  (void)state;
  char buf[8];
  for (int u = 0; u <= 7; u++) {
    snprintf(buf, sizeof buf, "u=%d", u);
    PRIO_OK(buf, u, 0);
  }
  /* Out of range or of another type: ignored (RFC 9218 §4). */
  PRIO_OK("u=8", 3, 0);
  PRIO_OK("u=-1", 3, 0);
  PRIO_OK("u=100", 3, 0);
  PRIO_OK("u=1.5", 3, 0);
  PRIO_OK("u=\"1\"", 3, 0);
  PRIO_OK("u=?1", 3, 0);
  PRIO_OK("u=low", 3, 0);
  PRIO_OK("u=(1 2)", 3, 0);
  PRIO_OK("u", 3, 0); /* a bare key is the boolean true */
  PRIO_OK("u=007", 7, 0);
}

static void test_fields_priority_incremental(void **state) {
  (void)state;
  PRIO_OK("i", 3, 1);
  PRIO_OK("i=?1", 3, 1);
  PRIO_OK("i=?0", 3, 0);
  PRIO_OK("i=1", 3, 0); /* an integer, not a boolean: ignored */
  PRIO_OK("i=\"?1\"", 3, 0);
  PRIO_OK("i;x=1", 3, 1); /* parameters on the member are ignored */
  PRIO_BAD("i=?2");
  PRIO_BAD("i=?");
  PRIO_BAD("i=?10");
}

static void test_fields_priority_both_and_whitespace(void **state) {
  (void)state;
  PRIO_OK("u=5, i", 5, 1);
  PRIO_OK("i, u=0", 0, 1);
  PRIO_OK("u=5,i", 5, 1);
  PRIO_OK("   u=5 ,  i", 5, 1);     /* leading SP, OWS around commas */
  PRIO_OK("u=5\t,\ti", 5, 1);       /* OWS includes HTAB */
  PRIO_OK("u=5, i  ", 5, 1);        /* trailing SP */
  PRIO_BAD("\tu=5");                /* only SP may lead */
  PRIO_BAD("u =5");
  PRIO_BAD("u= 5");
  PRIO_BAD("u=5 i");
}

static void test_fields_priority_unknown_members(void **state) {
  (void)state;
  PRIO_OK("u=2, foo=bar, x=\"s t\\\"r\\\\\", y=:aGVsbG8=:, z=?1, w=(a \"b\" 1 2.5);p=1, "
          "d=-1.25, tok=a:b/c, *k=*, dt=@1659578233, ds=%\"caf%c3%a9\", e=()",
          2, 0);
  PRIO_OK("u=1;foo=2;bar, i;x;y=?0", 1, 1);
  PRIO_OK("a-b.c_d*=1, u=4", 4, 0);
  PRIO_OK("urgent", 3, 0); /* a bare unknown key: a boolean member */
}

static void test_fields_priority_repeated_keys(void **state) {
  (void)state;
  /* RFC 9651 §3.2: the last instance of a key wins. */
  PRIO_OK("u=1, u=6", 6, 0);
  PRIO_OK("u=1, u=9", 3, 0); /* the last u is out of range: default */
  PRIO_OK("i, i=?0", 3, 0);
  PRIO_OK("i=?0, i", 3, 1);
}

static void test_fields_priority_garbage(void **state) {
  (void)state;
  /* Not a dictionary: the whole field is ignored (RFC 9651 §4.2). */
  PRIO_BAD("u=");
  PRIO_BAD("u=5,");
  PRIO_BAD("u=5, ");
  PRIO_BAD(",u=5");
  PRIO_BAD("U=5");
  PRIO_BAD("u=5;");
  PRIO_BAD("u=5;U");
  PRIO_BAD("===");
  PRIO_BAD("u=5, i=?2");
  PRIO_BAD("u=1234567890123456");   /* 16 digits */
  PRIO_BAD("u=\"unterminated");
  PRIO_BAD("x=\"bad\\escape\"");
  PRIO_BAD("x=\"tab\tinside\"");
  PRIO_BAD("x=1.2345");              /* more than 3 fraction digits */
  PRIO_BAD("x=1.");
  PRIO_BAD("x=1234567890123.1");     /* more than 12 integer digits */
  PRIO_BAD("x=-");
  PRIO_BAD("x=:a b:");
  PRIO_BAD("x=:abc");
  PRIO_BAD("x=(1 2");
  PRIO_BAD("x=(1,2)");
  PRIO_BAD("x=@1.5");
  PRIO_BAD("x=%\"%c3\"");            /* display string: not UTF-8 */
  PRIO_BAD("x=%\"%C3%A9\"");         /* display string: uppercase hex */
  PRIO_BAD("x=%\"a\"b");
  PRIO_BAD("x=#");
  PRIO_BAD("u=1 ,, i");
}

static void test_fields_priority_fields(void **state) {
  (void)state;
  const hyper_field two[] = {F("priority", "u=1"), F("x", "y"), F("priority", "i")};
  assert_int_equal(hyper__h2_priority_parse_fields(two, N(two), &prio), 0);
  assert_int_equal(prio.urgency, 1);
  assert_int_equal(prio.incremental, 1);
  const hyper_field later[] = {F("priority", "u=1, i"), F("priority", "u=6")};
  assert_int_equal(hyper__h2_priority_parse_fields(later, N(later), &prio), 0);
  assert_int_equal(prio.urgency, 6);
  assert_int_equal(prio.incremental, 1);
  const hyper_field none[] = {F("x", "y")};
  assert_int_equal(hyper__h2_priority_parse_fields(none, N(none), &prio), 0);
  assert_int_equal(prio.urgency, 3);
  const hyper_field bad[] = {F("priority", "u=1"), F("priority", "i=?9")};
  assert_int_equal(hyper__h2_priority_parse_fields(bad, N(bad), &prio),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(prio.urgency, 3);
  assert_int_equal(prio.incremental, 0);
  const hyper_field empty[] = {F("priority", "u=1"), F("priority", "")};
  assert_int_equal(hyper__h2_priority_parse_fields(empty, N(empty), &prio),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_fields_priority_format(void **state) {
  (void)state;
  uint8_t buf[HYPER__H2_PRIORITY_FORMAT_MAX];
  hyper__h2_priority p = {3, 0};
  assert_int_equal(hyper__h2_priority_format(&p, buf, sizeof buf), 0);
  p.urgency = 5;
  assert_int_equal(hyper__h2_priority_format(&p, buf, sizeof buf), 3);
  assert_memory_equal(buf, "u=5", 3);
  p.urgency = 3;
  p.incremental = 1;
  assert_int_equal(hyper__h2_priority_format(&p, buf, sizeof buf), 1);
  assert_memory_equal(buf, "i", 1);
  p.urgency = 0;
  assert_int_equal(hyper__h2_priority_format(&p, buf, sizeof buf), 6);
  assert_memory_equal(buf, "u=0, i", 6);
  assert_int_equal(hyper__h2_priority_format(&p, buf, 5), HYPER_ERR_BUFFER_TOO_SMALL);
  p.urgency = 8;
  assert_int_equal(hyper__h2_priority_format(&p, buf, sizeof buf), HYPER_ERR_INVALID_ARGUMENT);
  p.urgency = 1;
  p.incremental = 2;
  assert_int_equal(hyper__h2_priority_format(&p, buf, sizeof buf), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_priority_format(NULL, buf, sizeof buf), HYPER_ERR_INVALID_ARGUMENT);
  p.urgency = 3;
  p.incremental = 0;
  assert_int_equal(hyper__h2_priority_format(&p, NULL, 0), 0);
}

static void test_fields_priority_roundtrip(void **state) {
  (void)state;
  for (int u = 0; u <= 7; u++) {
    for (int i = 0; i <= 1; i++) {
      hyper__h2_priority p = {(uint8_t)u, (uint8_t)i}, q;
      uint8_t buf[HYPER__H2_PRIORITY_FORMAT_MAX];
      int len = hyper__h2_priority_format(&p, buf, sizeof buf);
      assert_true(len >= 0);
      assert_int_equal(hyper__h2_priority_parse(buf, (size_t)len, &q), 0);
      assert_int_equal(q.urgency, u);
      assert_int_equal(q.incremental, i);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fields_request_ok_and_facts),
      cmocka_unit_test(test_fields_request_methods),
      cmocka_unit_test(test_fields_request_invalid_method),
      cmocka_unit_test(test_fields_name_empty),
      cmocka_unit_test(test_fields_name_uppercase),
      cmocka_unit_test(test_fields_name_characters),
      cmocka_unit_test(test_fields_value_nul_cr_lf),
      cmocka_unit_test(test_fields_value_surrounding_whitespace),
      cmocka_unit_test(test_fields_pseudo_after_regular),
      cmocka_unit_test(test_fields_pseudo_unknown),
      cmocka_unit_test(test_fields_pseudo_duplicate),
      cmocka_unit_test(test_fields_pseudo_wrong_context),
      cmocka_unit_test(test_fields_pseudo_in_trailers),
      cmocka_unit_test(test_fields_trailers_need_end_stream),
      cmocka_unit_test(test_fields_connection_specific),
      cmocka_unit_test(test_fields_te),
      cmocka_unit_test(test_fields_content_length),
      cmocka_unit_test(test_fields_content_length_invalid),
      cmocka_unit_test(test_fields_content_length_repeated),
      cmocka_unit_test(test_fields_content_length_no_content_status),
      cmocka_unit_test(test_fields_request_missing_pseudo),
      cmocka_unit_test(test_fields_request_scheme),
      cmocka_unit_test(test_fields_request_path),
      cmocka_unit_test(test_fields_request_path_asterisk),
      cmocka_unit_test(test_fields_request_path_characters),
      cmocka_unit_test(test_fields_request_authority_and_host),
      cmocka_unit_test(test_fields_request_host_mismatch),
      cmocka_unit_test(test_fields_request_duplicate_host),
      cmocka_unit_test(test_fields_request_userinfo),
      cmocka_unit_test(test_fields_request_authority_characters),
      cmocka_unit_test(test_fields_connect),
      cmocka_unit_test(test_fields_connect_forbidden_pseudo),
      cmocka_unit_test(test_fields_connect_authority),
      cmocka_unit_test(test_fields_extended_connect),
      cmocka_unit_test(test_fields_extended_connect_rules),
      cmocka_unit_test(test_fields_push_promise),
      cmocka_unit_test(test_fields_push_promise_rules),
      cmocka_unit_test(test_fields_response_ok),
      cmocka_unit_test(test_fields_response_status_missing),
      cmocka_unit_test(test_fields_response_status_invalid),
      cmocka_unit_test(test_fields_response_class),
      cmocka_unit_test(test_fields_response_101),
      cmocka_unit_test(test_fields_informational_end_stream),
      cmocka_unit_test(test_fields_response_any),
      cmocka_unit_test(test_fields_role_mismatch),
      cmocka_unit_test(test_fields_invalid_arguments),
      cmocka_unit_test(test_fields_no_validate),
      cmocka_unit_test(test_fields_static_name_hints),
      cmocka_unit_test(test_fields_encoder_lookup_hints),
      cmocka_unit_test(test_fields_hints_random_blocks),
      cmocka_unit_test(test_fields_value_octets_every_position),
      cmocka_unit_test(test_fields_normalize_lowercases),
      cmocka_unit_test(test_fields_normalize_pseudo_lowercase),
      cmocka_unit_test(test_fields_normalize_drops_connection_specific),
      cmocka_unit_test(test_fields_normalize_drops_nominated),
      cmocka_unit_test(test_fields_normalize_te),
      cmocka_unit_test(test_fields_normalize_trims_values),
      cmocka_unit_test(test_fields_normalize_unchanged),
      cmocka_unit_test(test_fields_normalize_measure_and_too_small),
      cmocka_unit_test(test_fields_normalize_in_place),
      cmocka_unit_test(test_fields_normalize_connection_limit),
      cmocka_unit_test(test_fields_normalize_arguments),
      cmocka_unit_test(test_fields_normalize_alloc),
      cmocka_unit_test(test_fields_priority_defaults),
      cmocka_unit_test(test_fields_priority_urgency),
      cmocka_unit_test(test_fields_priority_incremental),
      cmocka_unit_test(test_fields_priority_both_and_whitespace),
      cmocka_unit_test(test_fields_priority_unknown_members),
      cmocka_unit_test(test_fields_priority_repeated_keys),
      cmocka_unit_test(test_fields_priority_garbage),
      cmocka_unit_test(test_fields_priority_fields),
      cmocka_unit_test(test_fields_priority_format),
      cmocka_unit_test(test_fields_priority_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
