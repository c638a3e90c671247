/* libFuzzer target for the kallsyms decoder (symbols/kallsyms.h): the
 * tables come from a crashed kernel's memory, which a dump may hold
 * corrupted. The input is that memory: the symbol count and relative base
 * first, then the token index and token table, the offsets, the names.
 * Beyond the sanitizers it checks that a refused table says why in one
 * line, and that lookups of every decoded name find it. Build with
 * `make fuzz`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
	const uint8_t *data;
	size_t size;
};

static int rd(void *ctx, uint64_t addr, void *buf, size_t len, kd_err *err)
{
	const struct mem *m = ctx;

	if (addr > m->size || len > m->size - addr)
		return kd_fail(err, KD_ERR_FAULT, "0x%llx is not in the input", (unsigned long long)addr);
	memcpy(buf, m->data + addr, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { data, size };
	uint32_t n = 0;
	struct kd_kallsyms_loc loc = { .num_syms = 0, .relative_base = 8, .token_index = 16,
				       .token_table = 528, .offsets = 4624 };
	struct kd_kallsyms *ks;
	kd_err err = { "" };

	if (size >= 4)
		memcpy(&n, data, 4);
	loc.names = loc.offsets + 4 * (uint64_t)(n % 4096);
	if (!(ks = kd_kallsyms_load(&loc, rd, &m, &err))) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	for (uint64_t a = 0; a < 64; a++) {
		uint64_t off, sz, addr;
		char letter;
		const char *name = kd_kallsyms_at(ks, a * 0x1000, NULL, &off, &sz, &letter);
		if (name && kd_kallsyms_lookup(ks, name, &addr, NULL) != 0)
			abort(); /* every name the table gives can be looked up */
	}
	kd_kallsyms_free(ks);
	return 0;
}
