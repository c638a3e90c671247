#include "symbols/zstd_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "base/err.h"

bool kd_is_zstd_file(const char *path)
{
	static const unsigned char magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	unsigned char head[4] = { 0 };
	FILE *f = fopen(path, "rb");
	bool zst = f && fread(head, 1, 4, f) == 4 && memcmp(head, magic, 4) == 0;

	if (f)
		fclose(f);
	return zst;
}

int kd_zstd_file_read(const char *path, size_t max, char **data, size_t *len, kd_err *err)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	FILE *f = fopen(path, "rb");
	char in[1 << 16];
	size_t cap = 1 << 20, used = 0, got, rc = 0;
	char *out = malloc(cap);
	int ret = -1;

	if (!f) {
		kd_fail_errno(err, "%s", path);
		goto done;
	}
	if (!dctx || !out) {
		kd_oom(err);
		goto done;
	}
	while ((got = fread(in, 1, sizeof(in), f)) > 0) {
		ZSTD_inBuffer ib = { in, got, 0 };

		while (ib.pos < ib.size) {
			if (used == cap) {
				char *grown = cap * 2 <= max ? realloc(out, cap * 2) : NULL;
				if (!grown) {
					kd_fail(err, KD_ERR_CORRUPT, "%s: decompresses to more than %zu bytes", path, max);
					goto done;
				}
				out = grown;
				cap *= 2;
			}
			ZSTD_outBuffer ob = { out, cap, used };
			rc = ZSTD_decompressStream(dctx, &ob, &ib);
			used = ob.pos;
			if (ZSTD_isError(rc)) {
				kd_fail(err, KD_ERR_CORRUPT, "%s: %s", path, ZSTD_getErrorName(rc));
				goto done;
			}
		}
	}
	if (rc != 0) { /* the last frame did not end */
		kd_fail(err, KD_ERR_CORRUPT, "%s: truncated zstd data (copy it again)", path);
		goto done;
	}
	*data = out;
	*len = used;
	out = NULL;
	ret = 0;
done:
	free(out);
	ZSTD_freeDCtx(dctx);
	if (f)
		fclose(f);
	return ret;
}
