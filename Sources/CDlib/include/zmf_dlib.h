// The C face of the dlib shim: the only API through which Swift reaches dlib.
// Every function catches C++ exceptions and reports them through `err` (a C++ exception that
// reaches Swift aborts the process). Images are packed 8-bit RGB rows (AV_PIX_FMT_RGB24 layout).
// A model handle must only be used by one thread at a time: dlib networks keep per-call scratch
// tensors inside the object, and sharing one silently corrupts descriptors.
#ifndef ZMF_DLIB_H
#define ZMF_DLIB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A dlib rectangle: inclusive corners, as dlib reports them. May extend outside the image.
typedef struct zmf_rect {
    int32_t left, top, right, bottom;
    double confidence;
} zmf_rect;

/// HOG frontal face detector + 5-point shape predictor + ResNet descriptor network.
typedef struct zmf_models zmf_models;
/// MMOD CNN face detector.
typedef struct zmf_cnn zmf_cnn;

zmf_models *zmf_models_load(const char *shape_predictor_path, const char *resnet_path, char *err,
                            size_t err_len);
void zmf_models_free(zmf_models *models);

zmf_cnn *zmf_cnn_load(const char *mmod_path, char *err, size_t err_len);
void zmf_cnn_free(zmf_cnn *cnn);

/// Runs the HOG detector like dlib's Python binding (face_recognition's "hog" model): the image is
/// pyramid-upsampled `upsample` times and boxes are mapped back. Returns the number of boxes written
/// (most confident first; at most max_out), or -1 with `err` set.
int32_t zmf_detect_hog(zmf_models *models, const uint8_t *rgb, int32_t width, int32_t height,
                       int32_t stride, int32_t upsample, zmf_rect *out, int32_t max_out, char *err,
                       size_t err_len);

/// Which compiled copy of the HOG detector this process runs, and why: "x86-64-v3 (AVX2, FMA) from
/// <path>" or "x86-64 baseline (<reason>)". Chosen once, at the first call or model load. Static storage.
const char *zmf_hog_kernel_info(void);

/// Runs the MMOD CNN detector like dlib's Python binding (face_recognition's "cnn" model).
int32_t zmf_detect_cnn(zmf_cnn *cnn, const uint8_t *rgb, int32_t width, int32_t height,
                       int32_t stride, int32_t upsample, zmf_rect *out, int32_t max_out, char *err,
                       size_t err_len);

/// The 5 landmarks of the face in `face` (dlib's 5-point model: two corners of each eye, then the
/// bottom of the nose), as x,y pairs in image pixels into out[10]. Returns 0, or -1 with `err` set.
int32_t zmf_face_landmarks(zmf_models *models, const uint8_t *rgb, int32_t width, int32_t height,
                           int32_t stride, zmf_rect face, float out[10], char *err, size_t err_len);

/// 5-point landmarks, aligned 150x150 chip (padding 0.25), ResNet descriptor. `landmarks` are the
/// face's 5 points from zmf_face_landmarks when the caller already has them (the shape predictor
/// then does not run again), or NULL. With jitters > 1 the mean over that many jittered chips; the
/// jitter generator is seeded afresh on every call so the same input always gives the same
/// descriptor. Returns 0, or -1 with `err` set.
int32_t zmf_face_descriptor(zmf_models *models, const uint8_t *rgb, int32_t width, int32_t height,
                            int32_t stride, zmf_rect face, const float *landmarks, int32_t jitters,
                            float out[128], char *err, size_t err_len);

/// Focus measure of the original server: OpenCV's BGR->grey conversion (15-bit fixed point), 3x3 Laplacian with
/// BORDER_REFLECT_101 into doubles, population variance. `roi` is half-open [left,right)x[top,bottom)
/// and must lie inside the image. Returns -1 for an empty or out-of-bounds roi.
double zmf_laplacian_variance(const uint8_t *rgb, int32_t width, int32_t height, int32_t stride,
                              int32_t left, int32_t top, int32_t right, int32_t bottom);

/// Sets OpenBLAS's thread count at run time (found with dlsym, so nothing links OpenBLAS directly).
/// Returns 0, or -1 when the BLAS in use has no such call.
int32_t zmf_blas_set_threads(int32_t threads);
/// "OpenBLAS <config>" or "unknown BLAS". Static storage.
const char *zmf_blas_info(void);
/// Returns freed heap memory of every malloc arena to the system (glibc malloc_trim). Worker threads
/// each allocate from their own arena, which otherwise keeps a retired worker's model memory mapped.
void zmf_release_free_memory(void);

/// dlib's version, e.g. "19.24.0". Static storage.
const char *zmf_dlib_version(void);

#ifdef __cplusplus
}
#endif
#endif
