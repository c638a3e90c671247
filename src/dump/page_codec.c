/* Page decompression for kdump-compressed dumps: each page descriptor's
 * flags name the codec makedumpfile (or QEMU) used for that page. */
#include "dump/dump_int.h"

#include <lzo/lzo1x.h>
#include <pthread.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

enum { ZLIB = 0x1, LZO = 0x2, SNAPPY = 0x4, ZSTD = 0x20 };

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ok;

static void lzo_setup(void)
{
	lzo_ok = lzo_init() == LZO_E_OK;
}

const char *kd_page_codec_name(uint32_t flags)
{
	switch (flags) {
	case ZLIB: return "zlib";
	case LZO: return "lzo";
	case SNAPPY: return "snappy";
	case ZSTD: return "zstd";
	default: return NULL;
	}
}

static const char *short_page = "decompresses to fewer bytes than a page";

const char *kd_page_decompress(uint32_t flags, const void *in, size_t inlen,
			       void *page, size_t page_size)
{
	switch (flags) {
	case ZLIB: {
		uLongf out = page_size;
		int rc = uncompress(page, &out, in, inlen);
		if (rc == Z_BUF_ERROR && out == page_size)
			return "is cut short or inflates to more than a page";
		if (rc != Z_OK)
			return zError(rc);
		return out == page_size ? NULL : short_page;
	}
	case LZO: {
		lzo_uint out = page_size;
		pthread_once(&lzo_once, lzo_setup);
		if (!lzo_ok)
			return "cannot be decoded: lzo_init failed";
		if (lzo1x_decompress_safe(in, inlen, page, &out, NULL) != LZO_E_OK)
			return "is corrupt (lzo1x_decompress_safe failed)";
		return out == page_size ? NULL : short_page;
	}
	case SNAPPY: {
		size_t out;
		if (snappy_uncompressed_length(in, inlen, &out) != SNAPPY_OK)
			return "is corrupt (no snappy length)";
		if (out != page_size)
			return "does not decompress to one page";
		if (snappy_uncompress(in, inlen, page, &out) != SNAPPY_OK)
			return "is corrupt (snappy_uncompress failed)";
		return NULL;
	}
	case ZSTD: {
		size_t out = ZSTD_decompress(page, page_size, in, inlen);
		if (ZSTD_isError(out))
			return ZSTD_getErrorName(out);
		return out == page_size ? NULL : short_page;
	}
	default:
		return "uses an unknown compression";
	}
}
