/* One symbolic location: "func+0xOFF/0xSIZE [mod build-id]" and the
 * "[<address>]" brackets printed before it. */
#include <string.h>

#include "oops/parse.h"

/* Module names are at most MODULE_NAME_LEN; the kernel turns '-' into '_'
 * but out-of-tree builds and hand-edited logs keep it. */
static bool is_modch(int ch)
{
	return kd_is_alnum(ch) || ch == '_' || ch == '-';
}

/* "[mod]" or "[mod build-id-hex]", as printed by %pS / %pSb. */
static bool parse_module(struct kd_cur *c, struct kd_oops_sym *sym)
{
	struct kd_cur t = *c;
	const char *name, *id = NULL;
	size_t n = 0, nid = 0;

	if (!kd_eat_ch(&t, '['))
		return false;
	name = t.s + t.i;
	while (n < KD_OOPS_MOD_MAX && is_modch(kd_peek(&t, n)))
		n++;
	if (n == 0 || n == KD_OOPS_MOD_MAX)
		return false;
	t.i += n;
	if (kd_eat_ch(&t, ' ')) {
		id = t.s + t.i;
		nid = kd_digits(&t, 0, true);
		if (nid == 0 || nid >= KD_OOPS_BUILDID_MAX)
			return false;
		t.i += nid;
	}
	if (!kd_eat_ch(&t, ']'))
		return false;
	memcpy(sym->module, name, n);
	sym->module[n] = '\0';
	if (nid)
		memcpy(sym->build_id, id, nid);
	sym->build_id[nid] = '\0';
	sym->mod_start = c->i;
	sym->mod_end = t.i;
	*c = t;
	return true;
}

bool kd_oops_parse_sym(struct kd_cur *c, struct kd_oops_sym *sym, bool need_off)
{
	struct kd_cur t = *c, m;
	uint64_t off = 0, size = 0;
	size_t n = 0;

	/* kallsyms names are shorter than KSYM_NAME_LEN (512): a longer run
	 * is not a symbol, and stopping here bounds the work on huge lines. */
	while (n < KD_OOPS_SYM_MAX && kd_is_symch(kd_peek(&t, n)))
		n++;
	if (n == 0 || n == KD_OOPS_SYM_MAX)
		return false;
	t.i += n;
	if (kd_eat(&t, "+0x")) {
		/* %pB may print an offset equal to the size (a call that ends a
		 * function), never a larger one: that is a line cut inside the
		 * size, "do_fault+0x1a7/0x41" from ".../0x410". */
		if (!kd_hex(&t, &off) || !kd_eat(&t, "/0x") || !kd_hex(&t, &size) || off > size)
			return false;
	} else if (need_off) {
		return false;
	}
	if (kd_is_symch(kd_peek(&t, 0)))
		return false;

	memcpy(sym->func, c->s + c->i, n);
	sym->func[n] = '\0';
	sym->start = c->i;
	sym->end = t.i;
	sym->off = off;
	sym->size = size;
	sym->module[0] = sym->build_id[0] = '\0';
	sym->mod_start = sym->mod_end = 0;

	m = t;
	if (kd_skip_spaces(&m) && parse_module(&m, sym))
		t = m;
	*c = t;
	return true;
}

bool kd_oops_parse_addr(struct kd_cur *c, bool bare_ok, uint64_t *addr)
{
	struct kd_cur t = *c;
	uint64_t v;
	bool angle;

	if (!kd_eat_ch(&t, '['))
		return false;
	angle = kd_eat_ch(&t, '<');
	if (!angle && !bare_ok)
		return false;
	if (!kd_hex(&t, &v) || (angle && !kd_eat_ch(&t, '>')) || !kd_eat_ch(&t, ']'))
		return false;
	kd_skip_spaces(&t);
	*c = t;
	*addr = v;
	return true;
}
