/* libFuzzer target for perf probe's definition syntax (probe/spec.h): the
 * text comes from a command line or a script. Beyond the sanitizers it
 * checks that a refused definition says why in one line, and that an
 * accepted one has a point (a function, or a file with a line or
 * pattern). Build with `make fuzz`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct kd_probe_spec s;
	kd_err err = { "" };

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (kd_probe_spec_parse(text, &s, &err) != 0) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
	} else {
		if (!s.func && !(s.file && (s.line || s.pattern)))
			abort();
		for (size_t i = 0; i < s.nargs; i++)
			if (!s.args[i].expr || !s.args[i].expr[0])
				abort();
		kd_probe_spec_free(&s);
	}
	free(text);
	return 0;
}
