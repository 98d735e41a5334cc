// JPEG, PNG, WebP and BMP decoding to packed RGB24, the format chosen by the data's first bytes
// (never by a file name). JPEG and PNG go through libjpeg(-turbo) and libpng, the decoders the
// original's Python stack used (PIL/OpenCV), so pixels match bit for bit; JPEGs are turned upright
// by their EXIF orientation tag. WebP goes through libwebp; BMP through a strict decoder of its
// common forms written here. Stricter than a plain library call: a truncated file is an error, not
// a silently grey-filled picture, and image dimensions are checked against a limit before any
// pixel buffer is allocated.
#ifndef ZMF_IMAGE_CODECS_H
#define ZMF_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zmf_image_status {
    ZMF_IMAGE_OK = 0,
    ZMF_IMAGE_UNKNOWN_FORMAT = 1,   ///< no JPEG, PNG, WebP or BMP signature
    ZMF_IMAGE_CORRUPT = 2,          ///< the decoder rejected the data
    ZMF_IMAGE_TRUNCATED = 3,        ///< data ends before the image does
    ZMF_IMAGE_BAD_DIMENSIONS = 4,   ///< zero width or height
    ZMF_IMAGE_OUT_OF_MEMORY = 5,
    ZMF_IMAGE_TOO_MANY_PIXELS = 6,  ///< width*height above max_pixels
    ZMF_IMAGE_UNSUPPORTED_FORMAT = 7,  ///< a recognised format or variant not read; `err` names it
} zmf_image_status;

typedef struct zmf_decoded_image {
    uint8_t *rgb;  ///< width*height*3 bytes, rows packed; free with zmf_image_free
    int32_t width;
    int32_t height;
} zmf_decoded_image;

/// Decodes a JPEG, PNG, WebP or BMP held in memory. Alpha is dropped (not blended), as PIL's
/// convert("RGB") does. A JPEG's EXIF orientation (1-8) is applied, so width and height are the
/// upright picture's.
/// On failure `out->rgb` is NULL and `err` holds the decoder's message.
zmf_image_status zmf_image_decode(const uint8_t *data, size_t length, int64_t max_pixels,
                                  zmf_decoded_image *out, char *err, size_t err_len);

void zmf_image_free(zmf_decoded_image *image);

/// Encodes packed RGB24 rows as a baseline JPEG (quality 1...100). On success *out holds
/// *out_length bytes to release with zmf_buffer_free; returns 0, or -1 with `err` set.
int32_t zmf_image_encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                              uint8_t **out, size_t *out_length, char *err, size_t err_len);

void zmf_buffer_free(uint8_t *buffer);

#ifdef __cplusplus
}
#endif
#endif
