/*
 * hyper-cli internals: the parsed command line (args.c), output formatting
 * and the --debug trace (output.c), driven by main.c. Uses only the public
 * headers in include/hyper/.
 */
#ifndef HYPER_CLI_H
#define HYPER_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "hyper/client.h"
#include "hyper/hdrs.h"

/* Exit codes (documented in --help and doc/hyper.1). */
enum cli_exit {
  CLI_EXIT_OK = 0,
  CLI_EXIT_ERROR = 1,    /* anything else: output file, decoding, memory */
  CLI_EXIT_USAGE = 2,    /* bad flag, item, URL or unreadable file */
  CLI_EXIT_REDIRECT = 3, /* --follow: too many redirects or a loop; also a
                          * 3xx answer with --check-status (not followed) */
  CLI_EXIT_4XX = 4,      /* --check-status and a 4xx response */
  CLI_EXIT_5XX = 5,      /* --check-status and a 5xx response */
  CLI_EXIT_CONNECT = 6,  /* name resolution or TCP connect failed */
  CLI_EXIT_TLS = 7,      /* TLS handshake, verification or ALPN failed */
  CLI_EXIT_PROTOCOL = 8, /* HTTP/2 protocol error, reset, connection lost */
  CLI_EXIT_TIMEOUT = 9   /* a timeout expired */
};

typedef struct cli_opts {
  /* request */
  char *method;       /* owned, upper-case */
  char *scheme;       /* "http" or "https" (owned) */
  char *host;         /* "host:port" as given to hyper_client_new (owned) */
  char *path;         /* path with query, items' queries appended (owned) */
  char *url;          /* the full URL for display (owned) */
  hyper_hdrs *headers; /* user headers, names lowercased */
  char *body;         /* owned; NULL: no body */
  size_t body_len;
  int json_body;      /* body was built from data items */
  /* behaviour */
  int verbose, headers_only, debug, push, check_status, insecure, h2c, http1;
  int upgrade;        /* --upgrade: http:// asks for h2c with Upgrade */
  int follow;         /* -F/--follow: follow redirects */
  long max_redirects; /* --max-redirects (default 30) */
  int download;
  char *output;       /* -o FILE (owned) */
  char *trace_json;   /* --trace-json FILE (owned) */
  char *cacert, *capath, *cert, *key; /* owned */
  long timeout_ms, connect_timeout_ms, linger_ms;
} cli_opts;

/* args.c */
/* Parses argv into |o| (zeroed by the caller). Returns 0 to go on, -1 after
 * printing --help or --version (exit 0), or CLI_EXIT_USAGE after printing a
 * one-line error. */
int cli_parse_args(cli_opts *o, int argc, char **argv);
void cli_opts_cleanup(cli_opts *o);
/* Parses |url| ([http[s]://]host[:port][/path][?query], as on the command
 * line) into o->scheme, o->host and o->path (replaced; owned by |o|).
 * Returns 0, or -1 after printing a one-line error. */
int cli_parse_url(cli_opts *o, const char *url);
void cli_usage(FILE *f);
/* Prints "hyper: error: ..." to stderr. */
void cli_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* output.c */
typedef struct cli_trace {
  FILE *debug;  /* stderr with --debug, else NULL */
  FILE *json;   /* --trace-json file, else NULL */
} cli_trace;
void cli_trace_hook(const hyper_h2_trace *rec, void *user);
/* Pretty-prints |j| with 4-space indentation, in colour when |colour|. */
void cli_print_json(FILE *f, const json_t *j, int colour);
void cli_print_request_head(FILE *f, const cli_opts *o, const char *proto);
void cli_print_response_head(FILE *f, const hyper_resp *r, const char *proto);
/* Progress meter for downloads. */
typedef struct cli_progress {
  int tty;
  unsigned long long total; /* 0: unknown */
  unsigned long long done;
  double start, last;
} cli_progress;
void cli_progress_start(cli_progress *p, int tty, unsigned long long total);
void cli_progress_update(cli_progress *p, size_t n);
void cli_progress_finish(cli_progress *p, const char *file);
double cli_now(void);

#endif /* HYPER_CLI_H */
