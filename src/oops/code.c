/* Instruction dumps: x86 "Code:" bytes with the faulting one in <..>,
 * arm64/ARM32 words with it in (..), ppc64 "Instruction dump:" words with
 * XXXXXXXX for unreadable ones. */
#include "oops/parse.h"

/* Bytes, Thumb halfwords or words; anything else ("Bad RIP value.",
 * a byte cut in half by a pasted line wrap) makes the line text. */
static bool parse_token(struct kd_cur *c)
{
	struct kd_cur t = *c;
	int close = kd_eat_ch(&t, '<') ? '>' : kd_eat_ch(&t, '(') ? ')' : 0;
	size_t n = kd_digits(&t, 0, true);

	if (n == 0 && kd_eat(&t, "XXXXXXXX"))
		n = 8;
	else
		t.i += n;
	if ((n != 2 && n != 4 && n != 8) || (close && !kd_eat_ch(&t, close)))
		return false;
	*c = t;
	return true;
}

static bool at_line_end(struct kd_cur t)
{
	while (kd_is_space(kd_peek(&t, 0)) || kd_peek(&t, 0) == '\r')
		t.i++;
	return kd_peek(&t, 0) < 0;
}

bool kd_oops_parse_code(struct kd_cur *c, struct kd_oops_line *out)
{
	struct kd_cur t = *c;
	size_t start = t.i, end;

	if (!parse_token(&t))
		return false;
	do {
		end = t.i;
		if (at_line_end(t)) {
			out->kind = KD_OOPS_CODE;
			out->code_start = start;
			out->code_end = end;
			c->i = end;
			return true;
		}
	} while (kd_skip_spaces(&t) && parse_token(&t));
	return false;
}
