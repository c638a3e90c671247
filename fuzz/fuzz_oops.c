/* libFuzzer target for the console-line scanner: the input is a log, split
 * at '\n' and scanned line by line with one scanner, as a decoder would.
 * Each line is copied to a buffer of exactly its size so ASan sees any read
 * past len, and every offset in the result is checked against the line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oops/oops.h"

static void check(const char *line, size_t len, const struct kd_oops_line *o)
{
	size_t frames = o->kind == KD_OOPS_IP ? 1 : o->kind == KD_OOPS_FRAMES ? o->n_frames : 0;

	if (o->body > len || o->n_frames != frames || o->n_frames > KD_OOPS_MAX_FRAMES ||
	    (o->kind == KD_OOPS_FRAMES && o->n_frames == 0))
		abort();
	if (o->kind == KD_OOPS_CODE &&
	    !(o->body <= o->code_start && o->code_start < o->code_end && o->code_end <= len))
		abort();
	for (size_t k = 0; k < o->n_frames; k++) {
		const struct kd_oops_sym *s = &o->frames[k];
		size_t n = strnlen(s->func, KD_OOPS_SYM_MAX);

		if (!(o->body <= s->start && s->start < s->end && s->end <= len))
			abort();
		if (n == 0 || n == KD_OOPS_SYM_MAX || s->start + n >= s->end ||
		    memcmp(line + s->start, s->func, n) != 0)
			abort();
		n = strnlen(s->module, KD_OOPS_MOD_MAX);
		if (s->mod_end && !(s->end < s->mod_start && s->mod_start + n + 2 <= s->mod_end &&
				    s->mod_end <= len && memcmp(line + s->mod_start + 1, s->module, n) == 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_oops_scanner sc;
	struct kd_oops_line out;
	size_t pos = 0;

	kd_oops_scanner_init(&sc);
	while (pos <= size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
		char *line = malloc(len);

		if (!line)
			return 0;
		memcpy(line, data + pos, len);
		kd_oops_scan_line(&sc, line, len, &out);
		check(line, len, &out);
		if (kd_oops_prefix_len(line, len) != out.body)
			abort();
		free(line);
		pos += len + 1;
	}
	return 0;
}
