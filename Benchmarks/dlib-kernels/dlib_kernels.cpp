// dlib's kernels alone, the limit zmface's per-frame time is compared with: the same frames as
// `zmface-bench pool` (decoded once, before timing), HOG at the given upsample, then for each face
// the 5-point shape and one 128-D descriptor, on one thread. No decode, queue, gates or classifier.
// Built by Benchmarks/pool.sh twice: -march=x86-64 and -march=x86-64-v3.
// Usage: dlib_kernels MODELS_DIR REPEAT UPSAMPLE FRAME...   (prints one JSON line)
#include <dlib/dnn.h>
#include <dlib/image_io.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "face_network.hpp"  // Sources/CDlib: the network exactly as zmface runs it

using namespace dlib;

using zmf::network::anet_type;

int main(int argc, char **argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: dlib_kernels MODELS_DIR REPEAT UPSAMPLE FRAME...\n");
        return 2;
    }
    const std::string models = argv[1];
    const int repeat = std::stoi(argv[2]), upsample = std::stoi(argv[3]);
    frontal_face_detector detector = get_frontal_face_detector();
    shape_predictor sp;
    anet_type net;
    deserialize(models + "/shape_predictor_5_face_landmarks.dat") >> sp;
    deserialize(models + "/dlib_face_recognition_resnet_model_v1.dat") >> net;
    std::vector<matrix<rgb_pixel>> images;
    for (int i = 4; i < argc; ++i) {
        images.emplace_back();
        load_image(images.back(), argv[i]);
    }
    auto run = [&](const matrix<rgb_pixel> &image) {
        // As dlib's Python binding and the shim: upsample, detect, map boxes back.
        pyramid_down<2> pyramid;
        matrix<rgb_pixel> scaled = image;
        for (int level = 0; level < upsample; ++level) pyramid_up(scaled, pyramid);
        std::vector<rectangle> boxes = detector(scaled);
        for (auto &box : boxes) box = pyramid.rect_down(box, upsample);
        for (const auto &box : boxes) {
            matrix<rgb_pixel> chip;
            extract_image_chip(image, get_face_chip_details(sp(image, box), 150, 0.25), chip);
            matrix<float, 0, 1> descriptor = net(chip);
            (void)descriptor;
        }
        return boxes.size();
    };
    run(images.front());  // warm-up
    size_t faces = 0, frames = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat; ++r)
        for (const auto &image : images) {
            faces += run(image);
            ++frames;
        }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("{\"frames\": %zu, \"faces\": %zu, \"wallSeconds\": %.3f, \"framesPerSecond\": %.3f}\n", frames, faces,
                wall, frames / wall);
    return 0;
}
