// The function table of one compiled copy of the HOG detector (hog_detector.hpp). Internal to the
// shim: Swift only sees zmf_detect_hog and zmf_hog_kernel_info.
#pragma once

#include "zmf_dlib.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zmf_hog_kernel {
    /// The instruction set this copy was compiled for: "x86-64" or "x86-64-v3".
    const char *target;
    void *(*create)(char *err, size_t err_len);
    void (*destroy)(void *detector);
    int32_t (*detect)(void *detector, const uint8_t *rgb, int32_t width, int32_t height, int32_t stride,
                      int32_t upsample, zmf_rect *out, int32_t max_out, char *err, size_t err_len);
} zmf_hog_kernel;

/// The symbol libzmfhog-x86-64-v3.so exports (the only one it exports).
typedef const zmf_hog_kernel *(*zmf_hog_kernel_entry)(void);
#define ZMF_HOG_KERNEL_V3_ENTRY "zmf_hog_kernel_x86_64_v3"

#ifdef __cplusplus
}
#endif
