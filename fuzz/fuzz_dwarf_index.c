/* libFuzzer target for the DWARF name index kept on disk (a cache file
 * anyone could have written): parsed with the build-id and size its own
 * header claims, so the fuzzer reaches past the header, then looked up.
 * Beyond the sanitizers, it checks that a refused file says why in one
 * line. Build with `make fuzz`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/dwarf_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "task_struct", "jiffies", "", "a", "init_task" };
	char build_id[137] = "";
	uint64_t info_size = 0, dies[4];
	struct kd_dwarf_index *idx;
	kd_err err = { "" };
	void *copy;

	/* the header's build-id (at 32) and debug_info size (at 24) */
	if (size >= 168) {
		memcpy(build_id, data + 32, 136);
		memcpy(&info_size, data + 24, 8);
	}
	if (!(copy = malloc(size ? size : 1)))
		return 0;
	memcpy(copy, data, size);
	idx = kd_dwarf_index_parse(copy, size, build_id, info_size, &err);
	if (!idx) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
		free(copy);
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int k = KD_DWN_STRUCT; k <= KD_DWN_VAR_DECL; k++)
			kd_dwarf_index_find(idx, names[i], k, dies, 4);
	kd_dwarf_index_free(idx); /* frees copy: the index owns its bytes */
	return 0;
}
