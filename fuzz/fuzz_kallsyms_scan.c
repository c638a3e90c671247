/* libFuzzer target for finding kallsyms' tables by their layout
 * (symbols/kallsyms_scan.c), which reads a crashed kernel's image that a
 * dump may hold corrupted. The input is the image from _stext on. Beyond
 * the sanitizers it checks that a failure says why in one line and that
 * tables it finds lie inside the input. Build with `make fuzz`; run with
 * -len_control=0 -max_len=16384 and a corpus seeded with 8 KB of zeros
 * (a page and a half is read at a time: shorter inputs reach nothing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STEXT 0x100000u

struct mem {
	const uint8_t *data;
	size_t size;
};

static int rd(void *ctx, uint64_t addr, void *buf, size_t len, kd_err *err)
{
	const struct mem *m = ctx;

	if (addr < STEXT || addr - STEXT > m->size || len > m->size - (addr - STEXT))
		return kd_fail(err, KD_ERR_FAULT, "0x%llx is not in the input", (unsigned long long)addr);
	memcpy(buf, m->data + (addr - STEXT), len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { data, size };
	struct kd_kallsyms_loc loc;
	kd_err err = { "" };

	if (kd_kallsyms_find(rd, &m, STEXT, &loc, &err) != 0) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	if (loc.token_index < STEXT || loc.token_index - STEXT + 512 > size || loc.names < STEXT)
		abort();
	return 0;
}
