// Internal helpers shared by the shim's translation units: exception containment and a zero-copy
// view of a caller-owned RGB buffer.
#pragma once

#include <dlib/image_processing/generic_image.h>
#include <dlib/pixel.h>

#include <cstdint>
#include <cstdio>
#include <exception>

#include "zmf_dlib.h"

namespace zmf {

inline void write_error(char *err, size_t err_len, const char *message) {
    if (err != nullptr && err_len > 0) {
        std::snprintf(err, err_len, "%s", message);
    }
}

/// Runs `body` and turns any C++ exception into `failure` plus a message, so nothing unwinds into
/// Swift.
template <typename Result, typename Body>
Result guarded(char *err, size_t err_len, Result failure, Body &&body) {
    try {
        return body();
    } catch (const std::exception &e) {
        write_error(err, err_len, e.what());
    } catch (...) {
        write_error(err, err_len, "unknown C++ exception in dlib shim");
    }
    return failure;
}

/// Read-only RGB24 rows owned by the caller. dlib's generic image interface finds these free
/// functions by argument-dependent lookup, so they must live in this namespace, not in dlib's.
struct rgb_view {
    const uint8_t *data;
    long rows;
    long columns;
    long stride;
};

inline long num_rows(const rgb_view &v) { return v.rows; }
inline long num_columns(const rgb_view &v) { return v.columns; }
inline const void *image_data(const rgb_view &v) { return v.data; }
inline void *image_data(rgb_view &v) { return const_cast<uint8_t *>(v.data); }
inline long width_step(const rgb_view &v) { return v.stride; }

inline rgb_view make_view(const uint8_t *rgb, int32_t width, int32_t height, int32_t stride) {
    if (rgb == nullptr || width <= 0 || height <= 0 || stride < width * 3) {
        throw std::invalid_argument("invalid RGB buffer (null, empty or stride too small)");
    }
    return rgb_view{rgb, height, width, stride};
}

inline zmf_rect to_zmf(const dlib::rectangle &r, double confidence) {
    return zmf_rect{static_cast<int32_t>(r.left()), static_cast<int32_t>(r.top()),
                    static_cast<int32_t>(r.right()), static_cast<int32_t>(r.bottom()), confidence};
}

}  // namespace zmf

namespace dlib {
template <> struct image_traits<zmf::rgb_view> {
    typedef rgb_pixel pixel_type;
};
}  // namespace dlib
