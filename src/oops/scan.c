/* Line classification: frames, RIP-style lines, instruction dumps, text.
 * A frame is recognised by where its symbol sits (first thing on the line
 * after markers, addresses and "? "), which is what keeps "WARNING: ... at
 * func+0x1/0x2", "BUG: KASAN: ... in func+...", lockdep "at: func+..." and
 * "hardirqs last enabled at (N): [<..>] func+..." lines out. */
#include <string.h>

#include "oops/parse.h"

enum {
	SCAN_PLAIN,
	SCAN_INSN_DUMP,   /* after ppc "Instruction dump:", lines of words */
};

void kd_oops_scanner_init(struct kd_oops_scanner *sc)
{
	sc->state = SCAN_PLAIN;
}

/* Starts a fresh sym in out->frames[n], reliable until shown otherwise. */
static struct kd_oops_sym *new_sym(struct kd_oops_line *out, size_t n)
{
	struct kd_oops_sym *s = &out->frames[n];

	s->reliable = true;
	s->has_addr = false;
	s->addr = 0;
	return s;
}

static bool found(struct kd_oops_line *out, enum kd_oops_kind kind, size_t n)
{
	out->kind = kind;
	out->n_frames = n;
	return true;
}

/* x86 "RIP: 0010:func+..", "RIP: 0010:[<a>]  [<a>] func+..", "RIP  [<a>]
 * func+..", "RIP: func+.. RSP: ..", "EIP: [<a>] func+.. SS:ESP ..", "IP:
 * [<a>] func+..", "EIP is at func+..": one symbol, not a frame. */
static bool scan_ip(struct kd_cur c, struct kd_oops_line *out)
{
	struct kd_oops_sym *s = new_sym(out, 0);

	if (!kd_eat(&c, "EIP is at ")) {
		if (!kd_eat(&c, "RIP") && !kd_eat(&c, "EIP") && !kd_eat(&c, "IP"))
			return false;
		if (!kd_eat_ch(&c, ':') && !kd_is_space(kd_peek(&c, 0)))
			return false;
		kd_skip_spaces(&c);
		if (kd_digits(&c, 0, true) == 4 && kd_peek(&c, 4) == ':')
			c.i += 5;   /* code segment selector */
		while (kd_oops_parse_addr(&c, false, &s->addr))
			s->has_addr = true;
	}
	return kd_oops_parse_sym(&c, s, true) && found(out, KD_OOPS_IP, 1);
}

/* arm64 "pc : func+..", "lr : func+..", ARM32/old arm64 "PC is at ..",
 * "LR is at ..", ppc64 "NIP [addr] func+..", "LR [addr] func+..": the
 * faulting location and its return address, listed as reliable frames. */
static bool scan_pc_lr(struct kd_cur c, struct kd_oops_line *out)
{
	static const struct { const char *head; bool addr; } regs[] = {
		{ "pc : ", false }, { "lr : ", false },
		{ "PC is at ", false }, { "LR is at ", false },
		{ "NIP ", true }, { "LR ", true },
	};
	struct kd_oops_sym *s = new_sym(out, 0);

	for (size_t k = 0; k < sizeof regs / sizeof regs[0]; k++) {
		struct kd_cur t = c;

		if (!kd_eat(&t, regs[k].head))
			continue;
		if (regs[k].addr && !kd_oops_parse_addr(&t, true, &s->addr))
			return false;
		s->has_addr = regs[k].addr;
		return kd_oops_parse_sym(&t, s, true) && found(out, KD_OOPS_FRAMES, 1);
	}
	return false;
}

/* ARM32 "[<a>] (callee) from [<b>] (caller+0x8/0x1c)" and the newer
 * "callee from caller+0x8/0x1c": the caller, which carries the return
 * address, is the frame; the callee was the previous line's caller. */
static bool scan_arm_from(struct kd_cur c, struct kd_oops_line *out)
{
	struct kd_oops_sym *s = new_sym(out, 0);
	bool paren = kd_oops_parse_addr(&c, false, &s->addr);

	if ((paren && !kd_eat_ch(&c, '(')) || !kd_oops_parse_sym(&c, s, false) ||
	    (paren && !kd_eat_ch(&c, ')')) || !kd_skip_spaces(&c) ||
	    !kd_eat(&c, "from") || !kd_skip_spaces(&c))
		return false;
	s = new_sym(out, 0);
	if (paren) {
		if (!kd_oops_parse_addr(&c, false, &s->addr) || !kd_eat_ch(&c, '('))
			return false;
		s->has_addr = true;
	}
	return kd_oops_parse_sym(&c, s, true) && (!paren || kd_eat_ch(&c, ')')) &&
	       found(out, KD_OOPS_FRAMES, 1);
}

/* " (unreliable)" (ppc64) or arm64's unwinder source " (T)", " (C)",
 * " (CF)", ...: not part of the symbol. */
static void scan_suffixes(struct kd_cur *c, struct kd_oops_sym *s)
{
	for (;;) {
		struct kd_cur t = *c;
		size_t n;

		kd_skip_spaces(&t);
		if (kd_eat(&t, "(unreliable)")) {
			s->reliable = false;
		} else {
			for (n = 0; n < 4 && kd_is_upper(kd_peek(&t, n + 1)); n++)
				;
			if (kd_peek(&t, 0) != '(' || n == 0 || kd_peek(&t, n + 1) != ')')
				return;
			t.i += n + 2;
		}
		*c = t;
	}
}

/* "[<a>] ? func+0x1/0x2 [mod]", ppc64 "[sp] [ip] .func+0x1/0x2", or a bare
 * "func+0x1/0x2 (T)"; more address-led frames may follow on the line. */
static bool scan_frames(struct kd_cur c, struct kd_oops_line *out)
{
	size_t n = 0;

	while (n < KD_OOPS_MAX_FRAMES) {
		struct kd_oops_sym *s = new_sym(out, n);
		struct kd_cur t = c;

		while (kd_oops_parse_addr(&t, true, &s->addr))
			s->has_addr = true;
		if (n > 0 && !s->has_addr)
			break;
		if (kd_peek(&t, 0) == '?' && kd_is_space(kd_peek(&t, 1))) {
			t.i++;
			kd_skip_spaces(&t);
			s->reliable = false;
		}
		if (!kd_oops_parse_sym(&t, s, true))
			break;
		scan_suffixes(&t, s);
		kd_skip_spaces(&t);
		c = t;
		n++;
	}
	return n > 0 && found(out, KD_OOPS_FRAMES, n);
}

/* "<IRQ>", "</NMI>", "<EOI>", "<<EOE>>", "<#DF>"... */
static bool skip_marker(struct kd_cur *c)
{
	struct kd_cur t = *c;
	size_t open = 0, n = 0;

	while (kd_eat_ch(&t, '<'))
		open++;
	kd_eat_ch(&t, '/');
	kd_eat_ch(&t, '#');
	while (kd_is_upper(kd_peek(&t, n)))
		n++;
	t.i += n;
	if (open == 0 || open > 2 || n == 0)
		return false;
	while (open--)
		if (!kd_eat_ch(&t, '>'))
			return false;
	*c = t;
	return true;
}

/* A frame may share its line with a marker, even with a second printk
 * timestamp in between: "<IRQ> [  168.317567]  [<ffffffff81eb4be9>] ..". */
static bool scan_trace(struct kd_cur c, struct kd_oops_line *out)
{
	while (skip_marker(&c)) {
		kd_skip_spaces(&c);
		c.i += kd_oops_prefix_len(c.s + c.i, c.len - c.i);
		kd_skip_spaces(&c);
	}
	return scan_arm_from(c, out) || scan_frames(c, out);
}

static bool scan_code(struct kd_cur c, struct kd_oops_line *out)
{
	if (!kd_eat(&c, "Code:"))
		return false;
	kd_skip_spaces(&c);
	return kd_oops_parse_code(&c, out);
}

void kd_oops_scan_line(struct kd_oops_scanner *sc, const char *line, size_t len,
		       struct kd_oops_line *out)
{
	struct kd_cur c = { line, len, 0 };
	bool in_dump = sc->state == SCAN_INSN_DUMP;

	out->kind = KD_OOPS_TEXT;
	out->n_frames = 0;
	out->code_start = out->code_end = 0;
	out->body = c.i = kd_oops_prefix_len(line, len);
	kd_skip_spaces(&c);
	sc->state = SCAN_PLAIN;

	if (in_dump && kd_oops_parse_code(&c, out)) {
		sc->state = SCAN_INSN_DUMP;
		return;
	}
	if (kd_eat(&c, "Instruction dump:")) {
		sc->state = SCAN_INSN_DUMP;
		return;
	}
	if (scan_code(c, out) || scan_ip(c, out) || scan_pc_lr(c, out))
		return;
	scan_trace(c, out);
}
