// The HOG detector compiled for x86-64-v3 (AVX2, FMA): built as libzmfhog-x86-64-v3.so with hidden
// visibility, so its copies of dlib's templates never clash with the shim's baseline ones, and
// loaded with dlopen only on a CPU that has these instructions (hog_dispatch.cpp).
#include "../CDlib/hog_detector.hpp"

extern "C" __attribute__((visibility("default"))) const zmf_hog_kernel *zmf_hog_kernel_x86_64_v3(void) {
    static const zmf_hog_kernel kernel = {"x86-64-v3", zmf::hog::create, zmf::hog::destroy, zmf::hog::detect};
    return &kernel;
}
