// The MMOD CNN face detector (face_recognition's "cnn" model). A separate translation unit so the
// two heavy network headers compile in parallel.
#include <dlib/dnn.h>
#include <dlib/image_transforms.h>

#include <stdexcept>

#include "shim_support.hpp"

namespace {
using namespace dlib;

// Must match mmod_human_face_detector.dat (dlib's examples/dnn_mmod_face_detection_ex.cpp).
template <long num_filters, typename SUBNET> using con5d = con<num_filters, 5, 5, 2, 2, SUBNET>;
template <long num_filters, typename SUBNET> using con5 = con<num_filters, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET>
using downsampler =
    relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;
using net_type = loss_mmod<
    con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;
}  // namespace

struct zmf_cnn {
    net_type net;
};

extern "C" {

zmf_cnn *zmf_cnn_load(const char *mmod_path, char *err, size_t err_len) {
    return zmf::guarded<zmf_cnn *>(err, err_len, nullptr, [&]() -> zmf_cnn * {
        auto cnn = std::make_unique<zmf_cnn>();
        dlib::deserialize(mmod_path) >> cnn->net;
        return cnn.release();
    });
}

void zmf_cnn_free(zmf_cnn *cnn) { delete cnn; }

int32_t zmf_detect_cnn(zmf_cnn *cnn, const uint8_t *rgb, int32_t width, int32_t height,
                       int32_t stride, int32_t upsample, zmf_rect *out, int32_t max_out, char *err,
                       size_t err_len) {
    return zmf::guarded<int32_t>(err, err_len, -1, [&]() -> int32_t {
        if (cnn == nullptr) throw std::invalid_argument("no CNN detector");
        if (upsample < 0 || upsample > 4) throw std::invalid_argument("upsample must be 0...4");
        auto view = zmf::make_view(rgb, width, height, stride);
        // The network's input layer takes a matrix, so this path makes one copy.
        dlib::matrix<dlib::rgb_pixel> image;
        dlib::assign_image(image, view);
        dlib::pyramid_down<2> pyramid;
        for (int32_t i = 0; i < upsample; ++i) dlib::pyramid_up(image);
        auto detections = cnn->net(image);
        int32_t count = 0;
        for (auto &d : detections) {
            if (count >= max_out) break;
            out[count++] = zmf::to_zmf(pyramid.rect_down(d.rect, upsample), d.detection_confidence);
        }
        return count;
    });
}

}  // extern "C"
