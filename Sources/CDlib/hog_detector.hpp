// dlib's HOG frontal face detector behind a plain function table, compiled twice: into the shim
// for the x86-64 baseline, and into libzmfhog-x86-64-v3.so with AVX2 and FMA (CDlibHOGx86_64v3).
// dlib's scan and pyramid code are header templates, so the instruction set is chosen here, when
// they are compiled; hog_dispatch.cpp picks one copy at run time by what the CPU supports.
#pragma once

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "hog_kernel.h"
#include "shim_support.hpp"

namespace zmf::hog {

inline void *create(char *err, size_t err_len) {
    return zmf::guarded<void *>(err, err_len, nullptr, []() -> void * {
        return new dlib::frontal_face_detector(dlib::get_frontal_face_detector());
    });
}

inline void destroy(void *detector) { delete static_cast<dlib::frontal_face_detector *>(detector); }

inline int32_t detect(void *detector, const uint8_t *rgb, int32_t width, int32_t height, int32_t stride,
                      int32_t upsample, zmf_rect *out, int32_t max_out, char *err, size_t err_len) {
    return zmf::guarded<int32_t>(err, err_len, -1, [&]() -> int32_t {
        if (detector == nullptr) throw std::invalid_argument("no model set");
        if (upsample < 0 || upsample > 8) throw std::invalid_argument("upsample must be 0...8");
        auto &hog = *static_cast<dlib::frontal_face_detector *>(detector);
        auto view = zmf::make_view(rgb, width, height, stride);
        std::vector<dlib::rect_detection> detections;
        // Same steps as dlib's Python binding (run_detector_with_upscale), so boxes match
        // face_recognition.face_locations(model="hog") exactly.
        if (upsample == 0) {
            hog(view, detections, 0.0);
        } else {
            dlib::pyramid_down<2> pyramid;
            dlib::array2d<dlib::rgb_pixel> scaled;
            dlib::pyramid_up(view, scaled, pyramid);
            for (int32_t level = 1; level < upsample; ++level) dlib::pyramid_up(scaled, pyramid);
            hog(scaled, detections, 0.0);
            for (auto &d : detections) d.rect = pyramid.rect_down(d.rect, upsample);
        }
        int32_t count = 0;
        for (const auto &d : detections) {
            if (count >= max_out) break;
            out[count++] = zmf::to_zmf(d.rect, d.detection_confidence);
        }
        return count;
    });
}

}  // namespace zmf::hog
