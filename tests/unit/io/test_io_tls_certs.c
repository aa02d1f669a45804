/* Transport, TLS: the bad-certificate and negotiation cases of
 * HOSTILE-PEERS.md §H. Every certificate is made at test time with the
 * openssl CLI (a shell script kept below, run in a mkdtemp directory); the
 * peer is the thread server of io_testserver.h with a context built here
 * (security level 0, so that it can present the weak certificates).
 *
 * For every bad case the handshake must fail with HYPER_ERR_TLS_VERIFY and
 * the X509_V_ERR_* code that names the case (the distinct, non-retryable
 * error), the server must never see a finished handshake nor one byte of
 * application data (no request bytes sent), and nothing may leak. The
 * negotiation cases check the ALPN outcomes (h2, http/1.1, none, the
 * no_application_protocol alert and a server that selects a protocol we
 * did not offer: HYPER_ERR_TLS_ALPN) and a peer that closes or resets
 * during the handshake, and a TLS 1.2 server that asks for a
 * renegotiation after the preface (the read fails with HYPER_ERR_TLS:
 * RFC 9113 §9.2.1). The TLS 1.1-only server and the block-listed TLS 1.2
 * cipher cases are in test_io_tls.c. Not staged: TLS 1.3 post-handshake
 * authentication (we never offer it, so OpenSSL servers never ask). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/x509_vfy.h>

#include "io_testserver.h"

#include "failmem.h"
#include "io/transport.h"

/* ------------------------------------------------------------------------ */
/* Certificates                                                             */
/* ------------------------------------------------------------------------ */

/* Run as `sh -ec SCRIPT gen DIR`. Every leaf has a P-256 key unless said
 * otherwise; "ca" is the trusted root, "other" an unrelated root. */
static const char gen_script[] =
    "cd \"$1\"\n"
    "n=10\n"
    "key() { openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
    "-nodes -keyout \"$1.key\" -out \"$1.csr\" -subj \"$2\"; }\n"
    "root() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
    "-nodes -keyout \"$1.key\" -out \"$1.pem\" -subj \"/CN=$2\" -days 2 "
    "-addext basicConstraints=critical,CA:TRUE "
    "-addext keyUsage=critical,keyCertSign,cRLSign; }\n"
    /* sign STEM ISSUER EXT [DAYS] [DIGEST] */
    "sign() { n=$((n+1)); printf '%b' \"$3\" > \"$1.ext\";"
    " openssl x509 -req -in \"$1.csr\" -CA \"$2.pem\" -CAkey \"$2.key\""
    " -set_serial $n -days \"${4:-2}\" -\"${5:-sha256}\" -out \"$1.pem\""
    " -extfile \"$1.ext\"; }\n"
    "LEAF='basicConstraints=critical,CA:FALSE\\n"
    "extendedKeyUsage=serverAuth\\n'\n"
    "SAN='subjectAltName=DNS:localhost,IP:127.0.0.1\\n'\n"
    "ICA='basicConstraints=critical,CA:TRUE\\n"
    "keyUsage=critical,keyCertSign,cRLSign\\n'\n"
    "root ca 'hyper test CA'\n"
    "root other 'unrelated CA'\n"
    "key good /CN=localhost; sign good ca \"$SAN$LEAF\"\n"
    /* 1 self-signed leaf */
    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
    "-keyout self.key -out self.pem -subj /CN=localhost -days 2 "
    "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
    "-addext basicConstraints=critical,CA:FALSE\n"
    /* 2 unknown CA */
    "key unknown /CN=localhost; sign unknown other \"$SAN$LEAF\"\n"
    /* 3 expired: notAfter one day before notBefore (= now) */
    "key expired /CN=localhost; sign expired ca \"$SAN$LEAF\" -1\n"
    /* 4 not yet valid: `openssl ca` can set the start date */
    "mkdir -p db; : > db/index.txt; echo 40 > db/serial\n"
    "printf '[ca]\\ndefault_ca=c\\n[c]\\ndatabase=db/index.txt\\n"
    "new_certs_dir=db\\nserial=db/serial\\ndefault_md=sha256\\npolicy=p\\n"
    "unique_subject=no\\n[p]\\ncommonName=supplied\\n' > ca.cnf\n"
    "key future /CN=localhost; printf '%b' \"$SAN$LEAF\" > future.ext\n"
    "openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key "
    "-in future.csr -out future.pem -startdate 20991231000000Z "
    "-enddate 21000101000000Z -extfile future.ext -notext\n"
    /* 5 wrong host */
    "key wrong /CN=wrong.example\n"
    "sign wrong ca \"subjectAltName=DNS:wrong.example\\n$LEAF\"\n"
    /* 6 CN only, no SAN */
    "key cnonly /CN=localhost; sign cnonly ca \"$LEAF\"\n"
    /* 7 wildcard */
    "key wild /CN=wild; sign wild ca \"subjectAltName=DNS:*.example.com\\n"
    "$LEAF\"\n"
    /* 8 DNS-only and IP-only SANs, and an IP written as a DNS SAN */
    "key dnsonly /CN=localhost\n"
    "sign dnsonly ca \"subjectAltName=DNS:localhost\\n$LEAF\"\n"
    "key iponly /CN=ip; sign iponly ca \"subjectAltName=IP:127.0.0.1\\n"
    "$LEAF\"\n"
    "key ipasdns /CN=ip; sign ipasdns ca \"subjectAltName=DNS:127.0.0.1\\n"
    "$LEAF\"\n"
    /* 9 NUL in the SAN: dNSName \"localhost\\0.evil.example\" as raw DER
     * (SEQUENCE { [2] IA5String }) */
    "key nul /CN=nul; sign nul ca \"subjectAltName=DER:3019821"
    "76c6f63616c686f7374002e6576696c2e6578616d706c65\\n$LEAF\"\n"
    /* 10 an intermediate the server may omit */
    "key int /CN=intermediate; sign int ca \"$ICA\"\n"
    "key viaint /CN=localhost; sign viaint int \"$SAN$LEAF\"\n"
    "cat viaint.pem int.pem > viaint-chain.pem\n"
    /* 11 an intermediate without CA:TRUE */
    "key notca /CN=not-a-ca\n"
    "sign notca ca 'basicConstraints=critical,CA:FALSE\\n"
    "keyUsage=critical,keyCertSign,cRLSign\\n'\n"
    "key vianotca /CN=localhost; sign vianotca notca \"$SAN$LEAF\"\n"
    "cat vianotca.pem notca.pem > vianotca-chain.pem\n"
    /* 12 pathLenConstraint 0 on the first intermediate, yet a second one
     * below it */
    "key plen0 /CN=pathlen-0\n"
    "sign plen0 ca 'basicConstraints=critical,CA:TRUE,pathlen:0\\n"
    "keyUsage=critical,keyCertSign,cRLSign\\n'\n"
    "key plen1 /CN=below-pathlen-0; sign plen1 plen0 \"$ICA\"\n"
    "key viaplen /CN=localhost; sign viaplen plen1 \"$SAN$LEAF\"\n"
    "cat viaplen.pem plen1.pem plen0.pem > viaplen-chain.pem\n"
    /* 13 EKU clientAuth only */
    "key eku /CN=localhost\n"
    "sign eku ca \"${SAN}basicConstraints=critical,CA:FALSE\\n"
    "extendedKeyUsage=clientAuth\\n\"\n"
    /* 14 an RSA-1024 leaf key, and a SHA-1 signature */
    "openssl req -new -newkey rsa:1024 -nodes -keyout rsa1024.key "
    "-out rsa1024.csr -subj /CN=localhost\n"
    "sign rsa1024 ca \"$SAN$LEAF\"\n"
    "key sha1 /CN=localhost; sign sha1 ca \"$SAN$LEAF\" 2 sha1\n"
    /* 15 a hashed CA directory */
    "mkdir cadir; cp ca.pem cadir/; openssl rehash cadir\n";

static char dir[64];

static int run_quiet(char *const argv[]) { return ts_run(argv); }

static int group_setup(void **state) {
  (void)state;
  (void)snprintf(dir, sizeof dir, "/tmp/hyper-tlscases-XXXXXX");
  if (mkdtemp(dir) == NULL)
    return -1;
  char *argv[] = {"sh", "-ec", (char *)gen_script, "gen", dir, NULL};
  if (run_quiet(argv) != 0) {
    print_error("cannot make the test certificates (openssl CLI)\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  if (dir[0]) {
    char *argv[] = {"rm", "-rf", dir, NULL};
    (void)run_quiet(argv);
  }
  return 0;
}

static const char *F(const char *name) {
  static char buf[8][160];
  static int at;
  at = (at + 1) % 8;
  (void)snprintf(buf[at], sizeof buf[at], "%s/%s", dir, name);
  return buf[at];
}

/* ------------------------------------------------------------------------ */
/* The server                                                               */
/* ------------------------------------------------------------------------ */

typedef enum alpn_mode {
  ALPN_NONE,      /* no ALPN callback: the reply carries no ALPN */
  ALPN_H2,        /* select h2 */
  ALPN_H1,        /* select http/1.1 */
  ALPN_REFUSE,    /* no overlap: fatal no_application_protocol alert */
  ALPN_UNOFFERED  /* select "h2c", which the client did not offer */
} alpn_mode;

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned inlen, void *arg) {
  (void)ssl;
  (void)in;
  (void)inlen;
  alpn_mode m = (alpn_mode)(intptr_t)arg;
  static const unsigned char h2[] = "h2", h1[] = "http/1.1", h2c[] = "h2c";
  switch (m) {
  case ALPN_H2:
    *out = h2;
    *outlen = 2;
    return SSL_TLSEXT_ERR_OK;
  case ALPN_H1:
    *out = h1;
    *outlen = 8;
    return SSL_TLSEXT_ERR_OK;
  case ALPN_UNOFFERED:
    *out = h2c;
    *outlen = 3;
    return SSL_TLSEXT_ERR_OK;
  case ALPN_REFUSE:
    return SSL_TLSEXT_ERR_ALERT_FATAL; /* RFC 7301 §3.2 */
  default:
    return SSL_TLSEXT_ERR_NOACK;
  }
}

/* Starts an echo server presenting |chain| (leaf first) with |key|. */
static void start(tsrv *s, const char *chain, const char *key,
                  alpn_mode alpn) {
  memset(s, 0, sizeof *s);
  SSL_CTX *c = SSL_CTX_new(TLS_server_method());
  assert_non_null(c);
  SSL_CTX_set_security_level(c, 0); /* present weak certificates too */
  if (SSL_CTX_use_certificate_chain_file(c, F(chain)) != 1 ||
      SSL_CTX_use_PrivateKey_file(c, F(key), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(c);
    ERR_clear_error();
    fail_msg("server cannot load %s / %s", chain, key);
  }
  if (alpn != ALPN_NONE)
    SSL_CTX_set_alpn_select_cb(c, alpn_cb, (void *)(intptr_t)alpn);
  s->mode = TS_ECHO;
  s->ctx = c;
  assert_int_equal(ts_start(s), 0);
}

/* ------------------------------------------------------------------------ */
/* The client                                                               */
/* ------------------------------------------------------------------------ */

static const char *const alpn_h2_h1[] = {"h2", "http/1.1"};

typedef struct cfg {
  const char *ca_file; /* file name in dir; NULL: none */
  const char *ca_dir;  /* directory name in dir; NULL: none */
  int system_store;    /* neither: the system store */
  int insecure;
  int alpn_required;
} cfg;

/* TCP to 127.0.0.1:|port|, then the TLS handshake verifying |host| (any
 * name: no resolution is involved). With failmem to prove nothing stays
 * allocated after a failure. Returns the hyper_err; |*out| set on 0. */
static int handshake(hyper__io **out, uint16_t port, const char *host,
                     const cfg *c, hyper__io_error *err) {
  static failmem fm; /* outlives the call: a returned io uses it */
  failmem_init(&fm);
  hyper__tls_opts o;
  hyper__tls_opts_init(&o);
  char caf[160], cad[160];
  if (c->ca_file) {
    (void)snprintf(caf, sizeof caf, "%s", F(c->ca_file));
    o.ca_file = caf;
  }
  if (c->ca_dir) {
    (void)snprintf(cad, sizeof cad, "%s", F(c->ca_dir));
    o.ca_dir = cad;
  }
  o.insecure = c->insecure;
  o.alpn = alpn_h2_h1;
  o.alpn_count = 2;
  o.alpn_required = c->alpn_required;
  hyper__tls_ctx *ctx = NULL;
  int rv = hyper__tls_ctx_new(&ctx, &o, &fm.mem, err);
  if (rv != 0)
    return rv;
  hyper__io_opts io_o;
  hyper__io_opts_init(&io_o);
  io_o.idle_timeout_ms = 5000;
  hyper__io *io = NULL;
  rv = hyper__io_connect(&io, "127.0.0.1", port, &io_o, NULL,
                         hyper__io_deadline_after(5000), &fm.mem, err);
  assert_int_equal(rv, 0);
  rv = hyper__io_start_tls(io, ctx, host, hyper__io_deadline_after(5000));
  hyper__tls_ctx_free(ctx);
  if (rv != 0) {
    *err = *hyper__io_last_error(io);
    hyper__io_free(io);
    assert_int_equal(fm.live_blocks, 0);
    *out = NULL;
    return rv;
  }
  *out = io;
  return 0;
}

static void echo_ok(hyper__io *io) {
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_write_all(io, "GET", 3, dl), 0);
  size_t got = 0;
  while (got < 3) {
    hyper_slice s;
    assert_int_equal(hyper__io_read_avail(io, dl, &s), 0);
    got += s.len;
    hyper__io_consume(io, s.len);
  }
}

/* One case: |host| against a server with |chain|/|key|. |want_vr| is the
 * X509_V_ERR_* expected (X509_V_OK: the handshake must succeed and carry
 * data). */
static void check(const char *what, const char *chain, const char *key,
                  const char *host, const cfg *c, long want_vr) {
  tsrv s;
  start(&s, chain, key, ALPN_H2);
  hyper__io *io = NULL;
  hyper__io_error err;
  memset(&err, 0, sizeof err);
  int rv = handshake(&io, s.port, host, c, &err);
  if (want_vr == X509_V_OK) {
    if (rv != 0)
      print_error("%s: unexpected %s: %s\n", what, hyper_err_name(rv),
                  err.desc);
    assert_int_equal(rv, 0);
    echo_ok(io);
    hyper__io_free(io);
    ts_stop(&s);
    assert_true(s.hs_ok);
    assert_int_equal(s.echoed, 3);
    print_message("%-34s ok\n", what);
    return;
  }
  ts_stop(&s);
  print_message("%-34s %s, %ld: %s\n", what, hyper_err_name(rv),
                err.verify_result, err.desc);
  assert_int_equal(rv, HYPER_ERR_TLS_VERIFY);
  assert_int_equal(err.code, HYPER_ERR_TLS_VERIFY);
  assert_int_equal(err.verify_result, want_vr);
  assert_non_null(strstr(err.desc, X509_verify_cert_error_string(want_vr)));
  /* nothing reached the application layer of the server */
  assert_false(s.hs_ok);
  assert_int_equal(s.echoed, 0);
}

static const cfg trust_ca = {.ca_file = "ca.pem"};

/* ------------------------------------------------------------------------ */
/* Certificate cases 1-15                                                   */
/* ------------------------------------------------------------------------ */

static void test_tls_case_control(void **state) {
  (void)state;
  check("good certificate (DNS)", "good.pem", "good.key", "localhost",
        &trust_ca, X509_V_OK);
  check("good certificate (IP)", "good.pem", "good.key", "127.0.0.1",
        &trust_ca, X509_V_OK);
}

static void test_tls_case_01_self_signed(void **state) {
  (void)state;
  check("1 self-signed leaf", "self.pem", "self.key", "localhost", &trust_ca,
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  /* the explicit insecure switch, and only it, accepts it */
  cfg insecure = {.ca_file = "ca.pem", .insecure = 1};
  check("1 self-signed leaf, insecure", "self.pem", "self.key", "localhost",
        &insecure, X509_V_OK);
}

static void test_tls_case_02_unknown_ca(void **state) {
  (void)state;
  check("2 unknown CA", "unknown.pem", "unknown.key", "localhost", &trust_ca,
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

static void test_tls_case_03_expired(void **state) {
  (void)state;
  check("3 expired", "expired.pem", "expired.key", "localhost", &trust_ca,
        X509_V_ERR_CERT_HAS_EXPIRED);
}

static void test_tls_case_04_not_yet_valid(void **state) {
  (void)state;
  check("4 not yet valid", "future.pem", "future.key", "localhost",
        &trust_ca, X509_V_ERR_CERT_NOT_YET_VALID);
}

static void test_tls_case_05_wrong_host(void **state) {
  (void)state;
  check("5 wrong host (SAN mismatch)", "wrong.pem", "wrong.key", "localhost",
        &trust_ca, X509_V_ERR_HOSTNAME_MISMATCH);
  check("5 right host, control", "wrong.pem", "wrong.key", "wrong.example",
        &trust_ca, X509_V_OK);
}

static void test_tls_case_06_cn_only(void **state) {
  (void)state;
  /* RFC 9110 §4.3.4 / RFC 6125 §6.4.4: the CN is not consulted */
  check("6 CN only, no SAN", "cnonly.pem", "cnonly.key", "localhost",
        &trust_ca, X509_V_ERR_HOSTNAME_MISMATCH);
}

static void test_tls_case_07_wildcard_depth(void **state) {
  (void)state;
  check("7 *.example.com for a.b.example.com", "wild.pem", "wild.key",
        "a.b.example.com", &trust_ca, X509_V_ERR_HOSTNAME_MISMATCH);
  check("7 *.example.com for example.com", "wild.pem", "wild.key",
        "example.com", &trust_ca, X509_V_ERR_HOSTNAME_MISMATCH);
  check("7 *.example.com for a.example.com", "wild.pem", "wild.key",
        "a.example.com", &trust_ca, X509_V_OK);
}

static void test_tls_case_08_ip_vs_dns(void **state) {
  (void)state;
  check("8 IP host, DNS-only SAN", "dnsonly.pem", "dnsonly.key",
        "127.0.0.1", &trust_ca, X509_V_ERR_IP_ADDRESS_MISMATCH);
  check("8 IP host, IP text as DNS SAN", "ipasdns.pem", "ipasdns.key",
        "127.0.0.1", &trust_ca, X509_V_ERR_IP_ADDRESS_MISMATCH);
  check("8 DNS host, IP-only SAN", "iponly.pem", "iponly.key", "localhost",
        &trust_ca, X509_V_ERR_HOSTNAME_MISMATCH);
  check("8 IP host, IP SAN, control", "iponly.pem", "iponly.key",
        "127.0.0.1", &trust_ca, X509_V_OK);
}

static void test_tls_case_09_nul_in_san(void **state) {
  (void)state;
  check("9 NUL byte in the SAN", "nul.pem", "nul.key", "localhost",
        &trust_ca, X509_V_ERR_HOSTNAME_MISMATCH);
}

static void test_tls_case_10_missing_intermediate(void **state) {
  (void)state;
  check("10 missing intermediate", "viaint.pem", "viaint.key", "localhost",
        &trust_ca, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  check("10 complete chain, control", "viaint-chain.pem", "viaint.key",
        "localhost", &trust_ca, X509_V_OK);
}

static void test_tls_case_11_intermediate_not_ca(void **state) {
  (void)state;
  check("11 intermediate without CA:TRUE", "vianotca-chain.pem",
        "vianotca.key", "localhost", &trust_ca, X509_V_ERR_INVALID_CA);
}

static void test_tls_case_12_path_length(void **state) {
  (void)state;
  check("12 pathLen violated", "viaplen-chain.pem", "viaplen.key",
        "localhost", &trust_ca, X509_V_ERR_PATH_LENGTH_EXCEEDED);
}

static void test_tls_case_13_eku_client_only(void **state) {
  (void)state;
  check("13 EKU clientAuth only", "eku.pem", "eku.key", "localhost",
        &trust_ca, X509_V_ERR_INVALID_PURPOSE);
}

static void test_tls_case_14_weak_key_and_digest(void **state) {
  (void)state;
  /* hyper raises OpenSSL's security level to at least 2 */
  check("14 RSA-1024 leaf key", "rsa1024.pem", "rsa1024.key", "localhost",
        &trust_ca, X509_V_ERR_EE_KEY_TOO_SMALL);
  check("14 SHA-1 signature", "sha1.pem", "sha1.key", "localhost",
        &trust_ca, X509_V_ERR_CA_MD_TOO_WEAK);
}

static void test_tls_case_15_trust_store_options(void **state) {
  (void)state;
  cfg dir_only = {.ca_dir = "cadir"};
  check("15 CA directory (good)", "good.pem", "good.key", "localhost",
        &dir_only, X509_V_OK);
  cfg other = {.ca_file = "other.pem"};
  check("15 CA file of another CA (bad)", "good.pem", "good.key",
        "localhost", &other, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  cfg other_dir = {.ca_file = "other.pem", .ca_dir = "cadir"};
  check("15 CA file + directory (good)", "good.pem", "good.key", "localhost",
        &other_dir, X509_V_OK);
  cfg sys = {.system_store = 1};
  check("15 system store (bad)", "good.pem", "good.key", "localhost", &sys,
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  /* an option naming nothing fails before any connection */
  cfg missing = {.ca_file = "no-such-file.pem"};
  hyper__io *io = NULL;
  hyper__io_error err;
  assert_int_equal(handshake(&io, 1, "localhost", &missing, &err),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.desc, "no-such-file.pem"));
}

/* ------------------------------------------------------------------------ */
/* Negotiation                                                              */
/* ------------------------------------------------------------------------ */

static void test_tls_negotiation_alpn(void **state) {
  (void)state;
  struct {
    alpn_mode srv;
    int required;
    int want;            /* hyper_err */
    const char *proto;   /* expected selection on success */
  } cases[] = {
      {ALPN_H2, 1, 0, "h2"},
      {ALPN_H1, 0, 0, "http/1.1"},
      {ALPN_NONE, 0, 0, NULL}, /* the caller falls back to HTTP/1.1 */
      {ALPN_NONE, 1, HYPER_ERR_TLS_ALPN, NULL},
      {ALPN_REFUSE, 0, HYPER_ERR_TLS_ALPN, NULL},
      {ALPN_UNOFFERED, 0, HYPER_ERR_TLS_ALPN, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tsrv s;
    start(&s, "good.pem", "good.key", cases[i].srv);
    cfg c = {.ca_file = "ca.pem", .alpn_required = cases[i].required};
    hyper__io *io = NULL;
    hyper__io_error err;
    memset(&err, 0, sizeof err);
    int rv = handshake(&io, s.port, "localhost", &c, &err);
    if (rv == 0) {
      const char *p = hyper__io_alpn(io);
      print_message("ALPN case %zu: selected %s\n", i, p ? p : "(none)");
      if (cases[i].proto)
        assert_string_equal(p, cases[i].proto);
      else
        assert_null(p);
      echo_ok(io);
      hyper__io_free(io);
    } else {
      print_message("ALPN case %zu: %s: %s\n", i, hyper_err_name(rv),
                    err.desc);
    }
    ts_stop(&s);
    assert_int_equal(rv, cases[i].want);
    if (rv != 0)
      assert_int_equal(s.echoed, 0);
  }
}

/* A TLS 1.2 server that asks for a renegotiation once the connection is
 * up (HelloRequest), then sends data. */
typedef struct reneg_srv {
  int lfd;
  uint16_t port;
  pthread_t th;
  SSL_CTX *ctx;
  int hello_request_sent;
} reneg_srv;

static void *reneg_main(void *arg) {
  reneg_srv *r = arg;
  struct pollfd p = {r->lfd, POLLIN, 0};
  if (poll(&p, 1, TS_SAFETY_MS) != 1)
    return NULL;
  int fd = accept(r->lfd, NULL, NULL);
  if (fd < 0)
    return NULL;
  struct timeval tv = {TS_SAFETY_MS / 1000, 0};
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  SSL *ssl = SSL_new(r->ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    char b[64];
    /* the client speaks first (as an HTTP/2 preface would) */
    if (SSL_read(ssl, b, sizeof b) > 0 && SSL_renegotiate(ssl) == 1 &&
        SSL_do_handshake(ssl) == 1) {
      r->hello_request_sent = 1;
      (void)SSL_write(ssl, "after", 5);
      while (SSL_read(ssl, b, sizeof b) > 0) {
      }
    }
  }
  SSL_free(ssl);
  close(fd);
  ERR_clear_error();
  OPENSSL_thread_stop();
  return NULL;
}

static void test_tls_negotiation_renegotiation(void **state) {
  (void)state;
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE); /* the server writes with write(2) */
  pthread_sigmask(SIG_BLOCK, &set, &old);
  reneg_srv r;
  memset(&r, 0, sizeof r);
  r.ctx = SSL_CTX_new(TLS_server_method());
  assert_non_null(r.ctx);
  assert_int_equal(SSL_CTX_set_max_proto_version(r.ctx, TLS1_2_VERSION), 1);
  assert_int_equal(SSL_CTX_use_certificate_chain_file(r.ctx, F("good.pem")),
                   1);
  assert_int_equal(
      SSL_CTX_use_PrivateKey_file(r.ctx, F("good.key"), SSL_FILETYPE_PEM), 1);
  SSL_CTX_set_alpn_select_cb(r.ctx, alpn_cb, (void *)(intptr_t)ALPN_H2);
  r.lfd = ts_listen(0, 4, 0, &r.port);
  assert_true(r.lfd >= 0);
  assert_int_equal(pthread_create(&r.th, NULL, reneg_main, &r), 0);
  pthread_sigmask(SIG_SETMASK, &old, NULL);

  cfg c = {.ca_file = "ca.pem"};
  hyper__io *io = NULL;
  hyper__io_error err;
  int rv = handshake(&io, r.port, "localhost", &c, &err);
  assert_int_equal(rv, 0);
  assert_string_equal(hyper__io_tls_version(io), "TLSv1.2");
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_write_all(io, "PRI * HTTP/2.0", 14, dl), 0);
  hyper_slice sl;
  rv = hyper__io_read_avail(io, dl, &sl);
  print_message("renegotiation: %s: %s\n", hyper_err_name(rv),
                hyper__io_last_error(io)->desc);
  assert_int_equal(rv, HYPER_ERR_TLS);
  assert_non_null(strstr(hyper__io_last_error(io)->desc, "renegotiation"));
  /* sticky: the "after" data is never delivered */
  assert_int_equal(hyper__io_read_avail(io, dl, &sl), HYPER_ERR_TLS);
  hyper__io_free(io);
  pthread_join(r.th, NULL);
  close(r.lfd);
  SSL_CTX_free(r.ctx);
  assert_true(r.hello_request_sent);
}

/* Handshake EOF or reset (curl test_05_09): a clean, distinct error. */
static void test_tls_negotiation_handshake_eof_reset(void **state) {
  (void)state;
  cfg c = {.ca_file = "ca.pem"};
  hyper__io *io = NULL;
  hyper__io_error err;
  /* the peer half-closes (FIN) before the ClientHello arrives and never
   * answers it; staged on one thread: connect, accept, shutdown, then the
   * handshake (the ClientHello lands in a socket that is still open for
   * reading, so no RST) */
  uint16_t port;
  int lfd = ts_listen(0, 4, 0, &port);
  assert_true(lfd >= 0);
  hyper__io_opts io_o;
  hyper__io_opts_init(&io_o);
  assert_int_equal(hyper__io_connect(&io, "127.0.0.1", port, &io_o, NULL,
                                     hyper__io_deadline_after(5000), NULL,
                                     &err),
                   0);
  int afd = accept(lfd, NULL, NULL);
  assert_true(afd >= 0);
  assert_int_equal(shutdown(afd, SHUT_WR), 0);
  hyper__tls_opts to;
  hyper__tls_opts_init(&to);
  char caf[160];
  (void)snprintf(caf, sizeof caf, "%s", F("ca.pem"));
  to.ca_file = caf;
  hyper__tls_ctx *ctx = NULL;
  assert_int_equal(hyper__tls_ctx_new(&ctx, &to, NULL, &err), 0);
  int rv = hyper__io_start_tls(io, ctx, "localhost",
                               hyper__io_deadline_after(5000));
  err = *hyper__io_last_error(io);
  hyper__io_free(io);
  hyper__tls_ctx_free(ctx);
  close(afd);
  close(lfd);
  print_message("handshake EOF: %s: %s\n", hyper_err_name(rv), err.desc);
  assert_int_equal(rv, HYPER_ERR_TLS_HANDSHAKE);
  assert_int_equal(err.sys_errno, 0);
  assert_non_null(strstr(err.desc, "closed"));
  /* the peer reads the ClientHello, then resets the connection */
  tsrv r = {.mode = TS_RESET};
  assert_int_equal(ts_start(&r), 0);
  rv = handshake(&io, r.port, "localhost", &c, &err);
  ts_stop(&r);
  print_message("handshake RST: %s: %s\n", hyper_err_name(rv), err.desc);
  assert_int_equal(rv, HYPER_ERR_TLS_HANDSHAKE);
  assert_int_equal(err.sys_errno, ECONNRESET);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tls_case_control),
      cmocka_unit_test(test_tls_case_01_self_signed),
      cmocka_unit_test(test_tls_case_02_unknown_ca),
      cmocka_unit_test(test_tls_case_03_expired),
      cmocka_unit_test(test_tls_case_04_not_yet_valid),
      cmocka_unit_test(test_tls_case_05_wrong_host),
      cmocka_unit_test(test_tls_case_06_cn_only),
      cmocka_unit_test(test_tls_case_07_wildcard_depth),
      cmocka_unit_test(test_tls_case_08_ip_vs_dns),
      cmocka_unit_test(test_tls_case_09_nul_in_san),
      cmocka_unit_test(test_tls_case_10_missing_intermediate),
      cmocka_unit_test(test_tls_case_11_intermediate_not_ca),
      cmocka_unit_test(test_tls_case_12_path_length),
      cmocka_unit_test(test_tls_case_13_eku_client_only),
      cmocka_unit_test(test_tls_case_14_weak_key_and_digest),
      cmocka_unit_test(test_tls_case_15_trust_store_options),
      cmocka_unit_test(test_tls_negotiation_alpn),
      cmocka_unit_test(test_tls_negotiation_handshake_eof_reset),
      cmocka_unit_test(test_tls_negotiation_renegotiation),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
