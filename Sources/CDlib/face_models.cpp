// HOG detector, 5-point shape predictor and ResNet descriptor network: the model set that every
// recognition worker owns one copy of.
#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/image_transforms.h>

#include <stdexcept>
#include <vector>

#include "face_network.hpp"
#include "hog_kernel.h"
#include "shim_support.hpp"

namespace zmf {
const zmf_hog_kernel &hog_kernel();  // hog_dispatch.cpp
}

namespace {
using namespace dlib;

// Fixed so that jittered descriptors are reproducible: the same face always gives the same
// encoding, unlike the original server whose generator carried state across calls.
constexpr const char *jitter_seed = "zmface-jitter";
}  // namespace

struct zmf_models {
    /// The HOG detector from the copy of the code chosen for this CPU, owned by this model set.
    const zmf_hog_kernel *hog = nullptr;
    void *detector = nullptr;
    dlib::shape_predictor shape_predictor;
    zmf::network::anet_type net;

    ~zmf_models() {
        if (detector != nullptr) hog->destroy(detector);
    }
};

extern "C" {

zmf_models *zmf_models_load(const char *shape_predictor_path, const char *resnet_path, char *err,
                            size_t err_len) {
    return zmf::guarded<zmf_models *>(err, err_len, nullptr, [&]() -> zmf_models * {
        auto models = std::make_unique<zmf_models>();
        models->hog = &zmf::hog_kernel();
        models->detector = models->hog->create(err, err_len);
        if (models->detector == nullptr) return nullptr;
        dlib::deserialize(shape_predictor_path) >> models->shape_predictor;
        dlib::deserialize(resnet_path) >> models->net;
        return models.release();
    });
}

void zmf_models_free(zmf_models *models) { delete models; }

int32_t zmf_detect_hog(zmf_models *models, const uint8_t *rgb, int32_t width, int32_t height,
                       int32_t stride, int32_t upsample, zmf_rect *out, int32_t max_out, char *err,
                       size_t err_len) {
    if (models == nullptr) {
        zmf::write_error(err, err_len, "no model set");
        return -1;
    }
    return models->hog->detect(models->detector, rgb, width, height, stride, upsample, out, max_out, err, err_len);
}

int32_t zmf_face_landmarks(zmf_models *models, const uint8_t *rgb, int32_t width, int32_t height,
                           int32_t stride, zmf_rect face, float out[10], char *err, size_t err_len) {
    return zmf::guarded<int32_t>(err, err_len, -1, [&]() -> int32_t {
        if (models == nullptr) throw std::invalid_argument("no model set");
        auto view = zmf::make_view(rgb, width, height, stride);
        dlib::rectangle box(face.left, face.top, face.right, face.bottom);
        if (box.is_empty()) throw std::invalid_argument("empty face box");
        auto shape = models->shape_predictor(view, box);
        if (shape.num_parts() != 5) throw std::runtime_error("the shape predictor is not the 5-point model");
        for (unsigned long i = 0; i < 5; ++i) {
            out[2 * i] = static_cast<float>(shape.part(i).x());
            out[2 * i + 1] = static_cast<float>(shape.part(i).y());
        }
        return 0;
    });
}

int32_t zmf_face_descriptor(zmf_models *models, const uint8_t *rgb, int32_t width, int32_t height,
                            int32_t stride, zmf_rect face, const float *landmarks, int32_t jitters,
                            float out[128], char *err, size_t err_len) {
    return zmf::guarded<int32_t>(err, err_len, -1, [&]() -> int32_t {
        if (models == nullptr) throw std::invalid_argument("no model set");
        if (jitters < 0) throw std::invalid_argument("jitters must not be negative");
        auto view = zmf::make_view(rgb, width, height, stride);
        dlib::rectangle box(face.left, face.top, face.right, face.bottom);
        if (box.is_empty()) throw std::invalid_argument("empty face box");
        dlib::full_object_detection shape;
        if (landmarks != nullptr) {
            // The points zmf_face_landmarks returned: whole pixels, so the floats are exact.
            std::vector<dlib::point> parts;
            for (int i = 0; i < 5; ++i)
                parts.emplace_back(static_cast<long>(landmarks[2 * i]), static_cast<long>(landmarks[2 * i + 1]));
            shape = dlib::full_object_detection(box, parts);
        } else {
            shape = models->shape_predictor(view, box);
        }
        dlib::matrix<dlib::rgb_pixel> chip;
        dlib::extract_image_chip(view, dlib::get_face_chip_details(shape, 150, 0.25), chip);
        dlib::matrix<float, 0, 1> descriptor;
        if (jitters <= 1) {
            descriptor = models->net(chip);
        } else {
            dlib::rand generator;
            generator.set_seed(jitter_seed);
            std::vector<dlib::matrix<dlib::rgb_pixel>> crops;
            crops.reserve(jitters);
            for (int32_t i = 0; i < jitters; ++i) crops.push_back(dlib::jitter_image(chip, generator));
            auto descriptors = models->net(crops, 16);
            descriptor = dlib::mean(dlib::mat(descriptors));
        }
        if (descriptor.size() != 128) throw std::runtime_error("descriptor is not 128-D");
        for (long i = 0; i < 128; ++i) out[i] = descriptor(i);
        return 0;
    });
}

}  // extern "C"
