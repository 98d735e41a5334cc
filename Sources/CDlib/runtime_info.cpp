// BLAS thread control and version strings. OpenBLAS is looked up with dlsym so the shim links only
// the generic libblas name and still runs (slowly) on the reference BLAS.
#include <dlfcn.h>
#include <malloc.h>

#include <dlib/revision.h>

#include <string>

#include "zmf_dlib.h"

#define ZMF_STR2(x) #x
#define ZMF_STR(x) ZMF_STR2(x)

extern "C" {

int32_t zmf_blas_set_threads(int32_t threads) {
    using set_fn = void (*)(int);
    auto set = reinterpret_cast<set_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (set == nullptr) return -1;
    set(threads);
    return 0;
}

const char *zmf_blas_info(void) {
    using config_fn = char *(*)(void);
    static const std::string info = [] {
        auto config = reinterpret_cast<config_fn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
        return config ? std::string("OpenBLAS ") + config() : std::string("unknown BLAS");
    }();
    return info.c_str();
}

void zmf_release_free_memory(void) { malloc_trim(0); }

const char *zmf_dlib_version(void) {
    return ZMF_STR(DLIB_MAJOR_VERSION) "." ZMF_STR(DLIB_MINOR_VERSION) "." ZMF_STR(DLIB_PATCH_VERSION);
}

}  // extern "C"
