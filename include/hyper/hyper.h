/* hyper — umbrella header: includes every public header, nothing else. */
#ifndef HYPER_HYPER_H
#define HYPER_HYPER_H

#include <hyper/common.h>
#include <hyper/version.h> /* generated into the build tree */
#include <hyper/hpack.h>
#include <hyper/frame.h>
#include <hyper/h2.h>
#include <hyper/hdrs.h>
#include <hyper/h1.h>
#include <hyper/client.h>

#endif /* HYPER_HYPER_H */
