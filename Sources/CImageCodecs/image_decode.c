#include "zmf_image_codecs.h"

/* stdio.h must precede jpeglib.h, which uses FILE without including it. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

static void set_error(char *err, size_t err_len, const char *message) {
    if (err != NULL && err_len > 0) snprintf(err, err_len, "%s", message);
}

/* ZMF_IMAGE_OK, ZMF_IMAGE_BAD_DIMENSIONS (zero) or ZMF_IMAGE_TOO_MANY_PIXELS (the configured limit). */
static int dimensions_status(int64_t width, int64_t height, int64_t max_pixels) {
    if (width <= 0 || height <= 0) return ZMF_IMAGE_BAD_DIMENSIONS;
    return width * height <= max_pixels ? ZMF_IMAGE_OK : ZMF_IMAGE_TOO_MANY_PIXELS;
}

/* ---- JPEG ---- */

typedef struct jpeg_failure {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    zmf_image_status status;
    char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void jpeg_fail(j_common_ptr info) {
    jpeg_failure *failure = (jpeg_failure *)info->err;
    (*info->err->format_message)(info, failure->message);
    failure->status = ZMF_IMAGE_CORRUPT;
    longjmp(failure->jump, 1);
}

/* libjpeg reports running out of data only as a warning and pads the rest of the picture with
   grey. A detector fed that grey would answer "no face" for a file that was merely cut short, so
   the warning is promoted to an error. Other warnings (extraneous bytes, which many cameras
   produce) stay warnings. */
static void jpeg_message(j_common_ptr info, int level) {
    jpeg_failure *failure = (jpeg_failure *)info->err;
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) {
        (*info->err->format_message)(info, failure->message);
        failure->status = ZMF_IMAGE_TRUNCATED;
        longjmp(failure->jump, 1);
    }
}

static zmf_image_status decode_jpeg(const uint8_t *data, size_t length, int64_t max_pixels,
                                    zmf_decoded_image *out, char *err, size_t err_len) {
    struct jpeg_decompress_struct info;
    jpeg_failure failure;
    uint8_t *volatile pixels = NULL;
    memset(&failure, 0, sizeof failure);
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    failure.manager.emit_message = jpeg_message;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        set_error(err, err_len, failure.message);
        return failure.status;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)length);
    jpeg_read_header(&info, TRUE);
    int dimensions = dimensions_status(info.image_width, info.image_height, max_pixels);
    if (dimensions != ZMF_IMAGE_OK) {
        snprintf(err, err_len, "image dimensions %ux%u are outside the accepted range (at most %lld pixels)",
                 info.image_width, info.image_height, (long long)max_pixels);
        jpeg_destroy_decompress(&info);
        return dimensions;
    }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    if (info.output_components != 3) {
        jpeg_destroy_decompress(&info);
        set_error(err, err_len, "JPEG colour space cannot be converted to RGB");
        return ZMF_IMAGE_CORRUPT;
    }
    const size_t row_bytes = (size_t)info.output_width * 3;
    pixels = malloc(row_bytes * info.output_height);
    if (pixels == NULL) {
        jpeg_destroy_decompress(&info);
        set_error(err, err_len, "out of memory for the decoded image");
        return ZMF_IMAGE_OUT_OF_MEMORY;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + row_bytes * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    out->rgb = pixels;
    out->width = (int32_t)info.output_width;
    out->height = (int32_t)info.output_height;
    jpeg_destroy_decompress(&info);
    return ZMF_IMAGE_OK;
}

/* ---- PNG ---- */

static zmf_image_status decode_png(const uint8_t *data, size_t length, int64_t max_pixels,
                                   zmf_decoded_image *out, char *err, size_t err_len) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, length)) {
        set_error(err, err_len, image.message);
        png_image_free(&image);
        return ZMF_IMAGE_CORRUPT;
    }
    int dimensions = dimensions_status(image.width, image.height, max_pixels);
    if (dimensions != ZMF_IMAGE_OK) {
        snprintf(err, err_len, "image dimensions %ux%u are outside the accepted range (at most %lld pixels)",
                 image.width, image.height, (long long)max_pixels);
        png_image_free(&image);
        return dimensions;
    }
    /* Read with alpha and drop it afterwards: asking libpng for RGB would composite onto a
       background, while PIL (the original's loader) simply discards the channel. */
    image.format = PNG_FORMAT_RGBA;
    const size_t pixel_count = (size_t)image.width * image.height;
    uint8_t *rgba = malloc(pixel_count * 4);
    if (rgba == NULL) {
        png_image_free(&image);
        set_error(err, err_len, "out of memory for the decoded image");
        return ZMF_IMAGE_OUT_OF_MEMORY;
    }
    if (!png_image_finish_read(&image, NULL, rgba, 0, NULL)) {
        const int truncated = strstr(image.message, "Read Error") != NULL ||
                              strstr(image.message, "truncated") != NULL ||
                              strstr(image.message, "end of") != NULL;
        set_error(err, err_len, image.message);
        free(rgba);
        png_image_free(&image);
        return truncated ? ZMF_IMAGE_TRUNCATED : ZMF_IMAGE_CORRUPT;
    }
    for (size_t i = 0; i < pixel_count; ++i) {
        rgba[i * 3] = rgba[i * 4];
        rgba[i * 3 + 1] = rgba[i * 4 + 1];
        rgba[i * 3 + 2] = rgba[i * 4 + 2];
    }
    out->rgb = realloc(rgba, pixel_count * 3);
    if (out->rgb == NULL) out->rgb = rgba;
    out->width = (int32_t)image.width;
    out->height = (int32_t)image.height;
    return ZMF_IMAGE_OK;
}

zmf_image_status zmf_image_decode(const uint8_t *data, size_t length, int64_t max_pixels,
                                  zmf_decoded_image *out, char *err, size_t err_len) {
    static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    out->rgb = NULL;
    out->width = 0;
    out->height = 0;
    if (data != NULL && length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
        return decode_jpeg(data, length, max_pixels, out, err, err_len);
    }
    if (data != NULL && length >= 8 && memcmp(data, png_signature, 8) == 0) {
        return decode_png(data, length, max_pixels, out, err, err_len);
    }
    set_error(err, err_len, "not a JPEG or PNG file");
    return ZMF_IMAGE_UNKNOWN_FORMAT;
}

void zmf_image_free(zmf_decoded_image *image) {
    if (image == NULL) return;
    free(image->rgb);
    image->rgb = NULL;
}

/* ---- JPEG encoding (dataset tools write crops) ---- */

int32_t zmf_image_encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                              uint8_t **out, size_t *out_length, char *err, size_t err_len) {
    struct jpeg_compress_struct info;
    jpeg_failure failure;
    unsigned char *volatile buffer = NULL;
    unsigned long length = 0;
    *out = NULL;
    *out_length = 0;
    if (rgb == NULL || width <= 0 || height <= 0) {
        set_error(err, err_len, "nothing to encode");
        return -1;
    }
    memset(&failure, 0, sizeof failure);
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        set_error(err, err_len, failure.message);
        return -1;
    }
    jpeg_create_compress(&info);
    unsigned char *target = NULL;
    jpeg_mem_dest(&info, &target, &length);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)info.next_scanline * (size_t)width * 3);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    buffer = target;
    jpeg_destroy_compress(&info);
    *out = buffer;
    *out_length = length;
    return 0;
}

void zmf_buffer_free(uint8_t *buffer) { free(buffer); }
