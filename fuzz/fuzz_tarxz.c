/* libFuzzer target for the source tarball reader (source/tarxz.h): the
 * tar headers inside a .tar.xz (a package's file, or any file a user
 * puts where the package goes) and the member list kept in the cache
 * (a file anyone could have written). The first input byte picks which:
 * even, the rest is a tar archive, xz-compressed here, then listed and
 * read; odd, the rest is a cached member list for a small valid tarball,
 * whose offsets and sizes are then trusted only as far as the xz index
 * allows. Build with `make fuzz`. */
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/tarxz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_xz(const char *path, const uint8_t *data, size_t size)
{
	size_t cap = size + size / 2 + 4096, out = 0;
	uint8_t *buf = malloc(cap);
	FILE *f;
	int rc = -1;

	if (buf && lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL, data, size, buf, &out, cap) ==
			   LZMA_OK &&
	    (f = fopen(path, "wb"))) {
		rc = fwrite(buf, 1, out, f) == out ? 0 : -1;
		fclose(f);
	}
	free(buf);
	return rc;
}

static void read_some(struct kd_tarxz *t)
{
	static const char *const names[] = { "a", "kernel/panic.c", "", "x/y" };
	char *text;
	size_t len;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (kd_tarxz_read(t, names[i], &text, &len, NULL) == 0)
			free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tar[64], idx[64];
	struct kd_tarxz *t;
	kd_err err;

	if (size < 1)
		return 0;
	snprintf(tar, sizeof(tar), "/tmp/fuzz_tarxz.%d.tar.xz", (int)getpid());
	snprintf(idx, sizeof(idx), "/tmp/fuzz_tarxz.%d.idx", (int)getpid());
	unlink(idx);
	if (!(data[0] & 1)) {
		if (write_xz(tar, data + 1, size - 1) != 0)
			return 0;
	} else {
		/* one member "top/a" of 3 bytes, then the cached list under test */
		static uint8_t small[2048];
		struct stat st;
		FILE *f;
		memset(small, 0, sizeof(small));
		strcpy((char *)small, "top/a");
		memcpy(small + 124, "00000000003", 11);
		small[156] = '0';
		memcpy(small + 512, "abc", 3);
		if (write_xz(tar, small, sizeof(small)) != 0 || stat(tar, &st) != 0 ||
		    !(f = fopen(idx, "wb")))
			return 0;
		fprintf(f, "kdive-tarxz-index 1 %llu %llu\n", (unsigned long long)st.st_size,
			(unsigned long long)st.st_mtime);
		fwrite(data + 1, 1, size - 1, f);
		fclose(f);
	}
	if ((t = kd_tarxz_open(tar, idx, NULL, &err))) {
		read_some(t);
		kd_tarxz_close(t);
	} else if (!err.msg[0] || strchr(err.msg, '\n')) {
		abort(); /* a refusal says why, in one line */
	}
	unlink(idx);
	unlink(tar);
	return 0;
}
