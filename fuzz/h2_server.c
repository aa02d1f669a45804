/*
 * fuzz/h2_server.c — libFuzzer target for the sans-IO HTTP/2 core in the
 * server role. The harness, its input layout and its oracles are those of
 * fuzz/h2_client.c, built here with H2FUZZ_SERVER: the fuzz bytes play the
 * client and follow a valid client preface (and, unless byte 0 bit 1 is set,
 * the client's SETTINGS and the ACK of ours); the harness answers requests
 * (1xx, pushes when the client allows them, responses with bodies sent
 * within the flow-control windows, trailers, refusals, GOAWAY).
 */
#define H2FUZZ_SERVER 1
#include "h2_client.c"
