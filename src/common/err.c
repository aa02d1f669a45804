/* hyper_strerror() and hyper_err_name(), expanded from HYPER_ERR_MAP. */
#include "internal.h"

const char *hyper_strerror(int err) {
  switch (err) {
  case HYPER_OK:
    return "success";
#define XX(name, value, msg)                                                   \
  case HYPER_ERR_##name:                                                       \
    return msg;
    HYPER_ERR_MAP(XX)
#undef XX
  default:
    return "unknown error";
  }
}

const char *hyper_err_name(int err) {
  switch (err) {
  case HYPER_OK:
    return "OK";
#define XX(name, value, msg)                                                   \
  case HYPER_ERR_##name:                                                       \
    return #name;
    HYPER_ERR_MAP(XX)
#undef XX
  default:
    return "UNKNOWN";
  }
}

int hyper_err_is_fatal(int err) { return err <= -900 && err > -1000; }

int hyper_err_is_compression(int err) {
  return err <= -200 && err > -300 && err != HYPER_ERR_HPACK_HEADER_LIST &&
         err != HYPER_ERR_HPACK_FIELD_TOO_LONG;
}
