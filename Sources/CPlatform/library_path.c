// The file a loaded symbol comes from (dladdr needs _GNU_SOURCE on glibc, which Swift's Glibc module lacks).
#define _GNU_SOURCE
#include <dlfcn.h>
#include "cplatform.h"

const char *cplatform_library_path(const void *symbol) {
    Dl_info info;
    if (symbol && dladdr(symbol, &info) != 0 && info.dli_fname) return info.dli_fname;
    return 0;
}
