#include "zmf_image_codecs.h"

/* stdio.h must precede jpeglib.h, which uses FILE without including it. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>

static void set_error(char *err, size_t err_len, const char *message) {
    if (err != NULL && err_len > 0) snprintf(err, err_len, "%s", message);
}

/* ZMF_IMAGE_OK, ZMF_IMAGE_BAD_DIMENSIONS (zero) or ZMF_IMAGE_TOO_MANY_PIXELS (the configured limit). */
static int dimensions_status(int64_t width, int64_t height, int64_t max_pixels) {
    if (width <= 0 || height <= 0) return ZMF_IMAGE_BAD_DIMENSIONS;
    return width * height <= max_pixels ? ZMF_IMAGE_OK : ZMF_IMAGE_TOO_MANY_PIXELS;
}

/* ---- EXIF orientation ---- */

/* A small strict reader of the one tag we need (Orientation, 0x0112, in IFD0) rather than libexif:
   libexif parses every tag, maker note and thumbnail of the segment (a large surface with a long
   CVE history) to give us one 16-bit value, and it would be a second copy of the APP1 data next to
   the one libjpeg already keeps. Every offset is checked against the segment's length. A missing,
   damaged or out-of-range tag means "as stored" (1), as cv2.imread and Pillow treat it: the
   picture itself is intact, and refusing a photo because of its metadata would lose it. */
static uint32_t exif_read(const uint8_t *p, int big_endian, int bytes) {
    uint32_t value = 0;
    for (int i = 0; i < bytes; ++i) {
        const uint8_t byte = big_endian ? p[i] : p[bytes - 1 - i];
        value = (value << 8) | byte;
    }
    return value;
}

static int exif_orientation(const uint8_t *segment, size_t length) {
    static const uint8_t exif_id[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (segment == NULL || length < 6 + 8 || memcmp(segment, exif_id, 6) != 0) return 1;
    const uint8_t *tiff = segment + 6;
    const size_t tiff_length = length - 6;
    int big_endian;
    if (tiff[0] == 'I' && tiff[1] == 'I') big_endian = 0;
    else if (tiff[0] == 'M' && tiff[1] == 'M') big_endian = 1;
    else return 1;
    if (exif_read(tiff + 2, big_endian, 2) != 42) return 1;
    const uint32_t ifd = exif_read(tiff + 4, big_endian, 4);
    if (ifd < 8 || (size_t)ifd > tiff_length - 2) return 1;
    const uint32_t entries = exif_read(tiff + ifd, big_endian, 2);
    if ((size_t)entries * 12 > tiff_length - ifd - 2) return 1;
    for (uint32_t i = 0; i < entries; ++i) {
        const uint8_t *entry = tiff + ifd + 2 + (size_t)i * 12;
        if (exif_read(entry, big_endian, 2) != 0x0112) continue;
        /* type SHORT (3), one value, held in the first two bytes of the value field */
        if (exif_read(entry + 2, big_endian, 2) != 3 || exif_read(entry + 4, big_endian, 4) != 1) return 1;
        const uint32_t orientation = exif_read(entry + 8, big_endian, 2);
        return orientation >= 1 && orientation <= 8 ? (int)orientation : 1;
    }
    return 1;
}

/* Turns packed RGB24 stored as `orientation` says into the upright picture (orientations 5 to 8
   swap width and height). Returns a new buffer, or NULL when out of memory; `out_width` and
   `out_height` receive the upright size. */
static uint8_t *orient_pixels(const uint8_t *stored, int32_t width, int32_t height, int orientation,
                              int32_t *out_width, int32_t *out_height) {
    const int swaps = orientation >= 5;
    const size_t out_w = (size_t)(swaps ? height : width), out_h = (size_t)(swaps ? width : height);
    uint8_t *upright = malloc(out_w * out_h * 3);
    if (upright == NULL) return NULL;
    const size_t w = (size_t)width, h = (size_t)height;
    for (size_t sy = 0; sy < h; ++sy) {
        const uint8_t *row = stored + sy * w * 3;
        for (size_t sx = 0; sx < w; ++sx) {
            size_t ox, oy; /* where the stored pixel (sx, sy) lands in the upright picture */
            switch (orientation) {
            case 2: ox = w - 1 - sx; oy = sy; break;          /* mirrored */
            case 3: ox = w - 1 - sx; oy = h - 1 - sy; break;  /* rotated 180° */
            case 4: ox = sx; oy = h - 1 - sy; break;          /* mirrored vertically */
            case 5: ox = sy; oy = sx; break;                  /* transposed */
            case 6: ox = h - 1 - sy; oy = sx; break;          /* needs 90° clockwise */
            case 7: ox = h - 1 - sy; oy = w - 1 - sx; break;  /* transverse */
            case 8: ox = sy; oy = w - 1 - sx; break;          /* needs 90° counter-clockwise */
            default: ox = sx; oy = sy; break;
            }
            memcpy(upright + (oy * out_w + ox) * 3, row + sx * 3, 3);
        }
    }
    *out_width = (int32_t)out_w;
    *out_height = (int32_t)out_h;
    return upright;
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
    /* Keep APP1 segments (EXIF) for the orientation tag; frames without one cost nothing more. */
    jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&info, TRUE);
    int orientation = 1;
    for (jpeg_saved_marker_ptr marker = info.marker_list; marker != NULL; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 && memcmp(marker->data, "Exif\0", 6) == 0) {
            orientation = exif_orientation(marker->data, marker->data_length);
            break;
        }
    }
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
    if (orientation != 1) {
        uint8_t *upright = orient_pixels(pixels, out->width, out->height, orientation, &out->width, &out->height);
        free(pixels);
        out->rgb = upright;
        if (upright == NULL) {
            out->width = out->height = 0;
            set_error(err, err_len, "out of memory for the decoded image");
            return ZMF_IMAGE_OUT_OF_MEMORY;
        }
    }
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

/* ---- WebP ---- */

static zmf_image_status decode_webp(const uint8_t *data, size_t length, int64_t max_pixels,
                                    zmf_decoded_image *out, char *err, size_t err_len) {
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        set_error(err, err_len, "libwebp version mismatch");
        return ZMF_IMAGE_CORRUPT;
    }
    VP8StatusCode status = WebPGetFeatures(data, length, &config.input);
    if (status == VP8_STATUS_NOT_ENOUGH_DATA) {
        set_error(err, err_len, "WebP header ends early");
        return ZMF_IMAGE_TRUNCATED;
    }
    if (status != VP8_STATUS_OK) {
        snprintf(err, err_len, "WebP header is invalid (libwebp status %d)", (int)status);
        return status == VP8_STATUS_UNSUPPORTED_FEATURE ? ZMF_IMAGE_UNSUPPORTED_FORMAT : ZMF_IMAGE_CORRUPT;
    }
    if (config.input.has_animation) {
        set_error(err, err_len, "animated WebP");
        return ZMF_IMAGE_UNSUPPORTED_FORMAT;
    }
    const int dimensions = dimensions_status(config.input.width, config.input.height, max_pixels);
    if (dimensions != ZMF_IMAGE_OK) {
        snprintf(err, err_len, "image dimensions %dx%d are outside the accepted range (at most %lld pixels)",
                 config.input.width, config.input.height, (long long)max_pixels);
        return dimensions;
    }
    const size_t row_bytes = (size_t)config.input.width * 3, size = row_bytes * (size_t)config.input.height;
    uint8_t *pixels = malloc(size);
    if (pixels == NULL) {
        set_error(err, err_len, "out of memory for the decoded image");
        return ZMF_IMAGE_OUT_OF_MEMORY;
    }
    /* Alpha is dropped, not blended, as for PNG. */
    config.output.colorspace = MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = pixels;
    config.output.u.RGBA.stride = (int)row_bytes;
    config.output.u.RGBA.size = size;
    status = WebPDecode(data, length, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) {
        free(pixels);
        if (status == VP8_STATUS_NOT_ENOUGH_DATA) {
            set_error(err, err_len, "WebP data ends before the image does");
            return ZMF_IMAGE_TRUNCATED;
        }
        snprintf(err, err_len, "WebP data is invalid (libwebp status %d)", (int)status);
        return ZMF_IMAGE_CORRUPT;
    }
    out->rgb = pixels;
    out->width = config.input.width;
    out->height = config.input.height;
    return ZMF_IMAGE_OK;
}

/* ---- BMP ----
   No Debian library fits: stb_image (libstb-dev) reads past-the-end bytes as zeros, so a cut file
   becomes a picture with a black bottom, and its issue tracker holds open memory-safety reports;
   gdk-pixbuf and FreeImage are whole frameworks for one rarely used format. This decoder reads
   only the common forms (BITMAPINFOHEADER and its V2-V5 extensions; 24-bit, 32-bit with BI_RGB or
   the standard BGRX masks, 8-bit palette; bottom-up and top-down) and checks every field against
   the pixel limit and the file's length before allocating or reading. Anything else is refused
   as unsupported, naming the variant. */

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static int bmp_header_size_known(uint32_t size) {
    return size == 12 || size == 40 || size == 52 || size == 56 || size == 64 || size == 108 || size == 124;
}

static zmf_image_status decode_bmp(const uint8_t *data, size_t length, int64_t max_pixels,
                                   zmf_decoded_image *out, char *err, size_t err_len) {
    if (length < 14 + 40) {
        set_error(err, err_len, "BMP header ends early");
        return ZMF_IMAGE_TRUNCATED;
    }
    const uint32_t pixel_offset = le32(data + 10);
    const uint32_t header_size = le32(data + 14);
    if (header_size == 12 || header_size == 64) {
        set_error(err, err_len, "OS/2 BMP");
        return ZMF_IMAGE_UNSUPPORTED_FORMAT;
    }
    if ((size_t)14 + header_size > length) {
        set_error(err, err_len, "BMP header ends early");
        return ZMF_IMAGE_TRUNCATED;
    }
    const int32_t width = (int32_t)le32(data + 18);
    const int32_t signed_height = (int32_t)le32(data + 22);
    const uint16_t planes = le16(data + 26), bits = le16(data + 28);
    const uint32_t compression = le32(data + 30), colours_used = le32(data + 46);
    if (planes != 1) {
        snprintf(err, err_len, "BMP declares %u colour planes (must be 1)", planes);
        return ZMF_IMAGE_CORRUPT;
    }
    if (width <= 0 || signed_height == 0 || signed_height == INT32_MIN) {
        snprintf(err, err_len, "image dimensions %dx%d are outside the accepted range (at most %lld pixels)",
                 width, signed_height, (long long)max_pixels);
        return ZMF_IMAGE_BAD_DIMENSIONS;
    }
    const int top_down = signed_height < 0;
    const int64_t height = top_down ? -(int64_t)signed_height : signed_height;
    if (dimensions_status(width, height, max_pixels) != ZMF_IMAGE_OK) {
        snprintf(err, err_len, "image dimensions %dx%lld are outside the accepted range (at most %lld pixels)",
                 width, (long long)height, (long long)max_pixels);
        return ZMF_IMAGE_TOO_MANY_PIXELS;
    }
    if (bits != 8 && bits != 24 && bits != 32) {
        snprintf(err, err_len, "%u-bit BMP", bits);
        return ZMF_IMAGE_UNSUPPORTED_FORMAT;
    }
    /* Where the header (and BI_BITFIELDS masks after a 40-byte header) end and the palette starts. */
    size_t table = (size_t)14 + header_size;
    if (compression == 3 && bits == 32) {
        const uint8_t *masks = data + 14 + 40;
        if (header_size == 40) {
            if (table + 12 > length) {
                set_error(err, err_len, "BMP colour masks end early");
                return ZMF_IMAGE_TRUNCATED;
            }
            table += 12;
        }
        if (le32(masks) != 0x00FF0000u || le32(masks + 4) != 0x0000FF00u || le32(masks + 8) != 0x000000FFu) {
            set_error(err, err_len, "BMP with non-standard colour masks");
            return ZMF_IMAGE_UNSUPPORTED_FORMAT;
        }
    } else if (compression != 0) {
        static const char *const names[] = {"", "RLE8-compressed", "RLE4-compressed", "bit-field", "JPEG-compressed",
                                            "PNG-compressed"};
        snprintf(err, err_len, "%s %u-bit BMP", compression <= 5 ? names[compression] : "unknown-compression", bits);
        return ZMF_IMAGE_UNSUPPORTED_FORMAT;
    }
    uint8_t palette[256][3];
    uint32_t colours = 0;
    if (bits == 8) {
        colours = colours_used == 0 ? 256 : colours_used;
        if (colours > 256) {
            snprintf(err, err_len, "BMP declares %u palette colours (at most 256)", colours);
            return ZMF_IMAGE_CORRUPT;
        }
        if (table + (size_t)colours * 4 > length) {
            set_error(err, err_len, "BMP palette ends early");
            return ZMF_IMAGE_TRUNCATED;
        }
        for (uint32_t i = 0; i < colours; ++i) {
            const uint8_t *entry = data + table + (size_t)i * 4; /* blue, green, red, reserved */
            palette[i][0] = entry[2];
            palette[i][1] = entry[1];
            palette[i][2] = entry[0];
        }
        table += (size_t)colours * 4;
    }
    if (pixel_offset < table) {
        set_error(err, err_len, "BMP pixel data starts inside the header or palette");
        return ZMF_IMAGE_CORRUPT;
    }
    const size_t bytes_per_pixel = bits / 8;
    const size_t row_bytes = ((size_t)width * bits + 31) / 32 * 4;
    const size_t needed = row_bytes * (size_t)height;
    if (pixel_offset > length || length - pixel_offset < needed) {
        snprintf(err, err_len, "BMP pixel data ends after %zu of %zu bytes",
                 pixel_offset > length ? (size_t)0 : length - pixel_offset, needed);
        return ZMF_IMAGE_TRUNCATED;
    }
    uint8_t *pixels = malloc((size_t)width * (size_t)height * 3);
    if (pixels == NULL) {
        set_error(err, err_len, "out of memory for the decoded image");
        return ZMF_IMAGE_OUT_OF_MEMORY;
    }
    for (int64_t y = 0; y < height; ++y) {
        const uint8_t *row = data + pixel_offset + row_bytes * (size_t)(top_down ? y : height - 1 - y);
        uint8_t *target = pixels + (size_t)y * (size_t)width * 3;
        if (bits == 8) {
            for (int32_t x = 0; x < width; ++x) {
                if (row[x] >= colours) { /* refused rather than read as black */
                    free(pixels);
                    snprintf(err, err_len, "BMP pixel uses colour %u of a %u-colour palette", row[x], colours);
                    return ZMF_IMAGE_CORRUPT;
                }
                memcpy(target + (size_t)x * 3, palette[row[x]], 3);
            }
            continue;
        }
        for (int32_t x = 0; x < width; ++x) { /* stored blue, green, red (, unused or alpha) */
            const uint8_t *source = row + (size_t)x * bytes_per_pixel;
            target[(size_t)x * 3] = source[2];
            target[(size_t)x * 3 + 1] = source[1];
            target[(size_t)x * 3 + 2] = source[0];
        }
    }
    out->rgb = pixels;
    out->width = width;
    out->height = (int32_t)height;
    return ZMF_IMAGE_OK;
}

/* ---- format detection ---- */

/* The name of a recognised image format zmface does not read, or NULL. */
static const char *unsupported_format(const uint8_t *data, size_t length) {
    if (length >= 6 && (memcmp(data, "GIF87a", 6) == 0 || memcmp(data, "GIF89a", 6) == 0)) return "GIF";
    if (length >= 4 && (memcmp(data, "II*\0", 4) == 0 || memcmp(data, "MM\0*", 4) == 0)) return "TIFF";
    if (length >= 12 && memcmp(data + 4, "ftyp", 4) == 0) {
        if (memcmp(data + 8, "avif", 4) == 0 || memcmp(data + 8, "avis", 4) == 0) return "AVIF";
        if (memcmp(data + 8, "hei", 3) == 0 || memcmp(data + 8, "mif1", 4) == 0 || memcmp(data + 8, "msf1", 4) == 0)
            return "HEIF/HEIC";
    }
    if (length >= 12 && memcmp(data, "\0\0\0\x0CjP  \r\n\x87\n", 12) == 0) return "JPEG 2000";
    if (length >= 4 && memcmp(data, "\xFF\x4F\xFF\x51", 4) == 0) return "JPEG 2000";
    if (length >= 2 && data[0] == 0xFF && data[1] == 0x0A) return "JPEG XL";
    if (length >= 12 && memcmp(data, "\0\0\0\x0CJXL \r\n\x87\n", 12) == 0) return "JPEG XL";
    if (length >= 4 && memcmp(data, "8BPS", 4) == 0) return "Photoshop (PSD)";
    if (length >= 4 && memcmp(data, "\0\0\1\0", 4) == 0) return "ICO";
    return NULL;
}

zmf_image_status zmf_image_decode(const uint8_t *data, size_t length, int64_t max_pixels,
                                  zmf_decoded_image *out, char *err, size_t err_len) {
    static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    out->rgb = NULL;
    out->width = 0;
    out->height = 0;
    if (data == NULL) length = 0;
    /* JPEG first: ZoneMinder frames take this branch after three byte comparisons. */
    if (length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
        return decode_jpeg(data, length, max_pixels, out, err, err_len);
    }
    if (length >= 8 && memcmp(data, png_signature, 8) == 0) {
        return decode_png(data, length, max_pixels, out, err, err_len);
    }
    if (length >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) {
        return decode_webp(data, length, max_pixels, out, err, err_len);
    }
    if (length >= 18 && data[0] == 'B' && data[1] == 'M' && bmp_header_size_known(le32(data + 14))) {
        return decode_bmp(data, length, max_pixels, out, err, err_len);
    }
    const char *other = length > 0 ? unsupported_format(data, length) : NULL;
    if (other != NULL) {
        set_error(err, err_len, other);
        return ZMF_IMAGE_UNSUPPORTED_FORMAT;
    }
    set_error(err, err_len, "not a JPEG, PNG, WebP or BMP file");
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
