// The original server's blur gate, reproduced without OpenCV: cv2.cvtColor(BGR2GRAY) then
// cv2.Laplacian(grey, CV_64F).var(). Matching OpenCV bit for bit keeps the original's
// focusMeasureThreshold meaningful.
#include <cstdint>
#include <vector>

#include "zmf_dlib.h"

namespace {
// cv::borderInterpolate for BORDER_REFLECT_101 (…c b | a b c | b a…).
inline long reflect101(long i, long n) {
    if (n == 1) return 0;
    while (i < 0 || i >= n) {
        if (i < 0) i = -i;
        if (i >= n) i = 2 * n - 2 - i;
    }
    return i;
}
}  // namespace

extern "C" double zmf_laplacian_variance(const uint8_t *rgb, int32_t width, int32_t height,
                                         int32_t stride, int32_t left, int32_t top, int32_t right,
                                         int32_t bottom) {
    if (rgb == nullptr || left < 0 || top < 0 || right > width || bottom > height || left >= right ||
        top >= bottom || stride < width * 3) {
        return -1;
    }
    const long w = right - left, h = bottom - top;
    std::vector<int32_t> grey(static_cast<size_t>(w * h));
    for (long y = 0; y < h; ++y) {
        const uint8_t *row = rgb + (top + y) * static_cast<long>(stride) + left * 3;
        for (long x = 0; x < w; ++x) {
            const uint8_t *p = row + x * 3;
            // OpenCV 4's fixed-point RGB->grey for 8-bit images (gray_shift 15). The older 14-bit
            // weights (4899, 9617, 1868) round differently on a few pixels per face.
            grey[y * w + x] = (p[0] * 9798 + p[1] * 19235 + p[2] * 3735 + (1 << 14)) >> 15;
        }
    }
    std::vector<double> lap(static_cast<size_t>(w * h));
    double sum = 0;
    for (long y = 0; y < h; ++y) {
        const long up = reflect101(y - 1, h), down = reflect101(y + 1, h);
        for (long x = 0; x < w; ++x) {
            const long l = reflect101(x - 1, w), r = reflect101(x + 1, w);
            const double v = grey[up * w + x] + grey[down * w + x] + grey[y * w + l] +
                             grey[y * w + r] - 4.0 * grey[y * w + x];
            lap[y * w + x] = v;
            sum += v;
        }
    }
    const double mean = sum / static_cast<double>(w * h);
    double squares = 0;
    for (double v : lap) squares += (v - mean) * (v - mean);
    return squares / static_cast<double>(w * h);
}
