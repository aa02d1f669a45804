/* hyper — umbrella header: includes every public header, nothing else. */
#ifndef HYPER_HYPER_H
#define HYPER_HYPER_H

#include "common.h"
#include "version.h" /* generated into the build tree */
#include "hpack.h"

#endif /* HYPER_HYPER_H */
