/* The version of the library actually linked. */
#include "hyper/version.h"

const char *hyper_lib_version(void) { return HYPER_VERSION_STR; }

uint32_t hyper_lib_version_num(void) { return HYPER_VERSION_NUM; }
