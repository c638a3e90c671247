/* libFuzzer target: the whole decoder on arbitrary log text, without debug
 * info (a missing vmlinux), so scanning, Code: parsing and disassembly of
 * every marked line get fuzzed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kdive/kdive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_decode_opts opts = { .vmlinux = "/nonexistent/vmlinux" };
	kd_err err = { "" };
	FILE *in = fmemopen((void *)data, size ? size : 1, "r");
	FILE *out = fopen("/dev/null", "w");
	kd_decoder *dec = kd_decoder_new(&opts, &err);

	if (in && out && dec && size)
		kd_decoder_run(dec, in, out, NULL, &err);
	kd_decoder_free(dec);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	return 0;
}
