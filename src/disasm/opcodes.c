/* libopcodes' headers want a PACKAGE macro (a bfd.h config check). */
#define PACKAGE "kdive"
#include <dis-asm.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "disasm/opcodes.h"

struct sink {
	char *buf;
	size_t len, pos;
	kd_insn_namer namer;
	void *ctx;
};

static int sink_vprintf(struct sink *s, const char *fmt, va_list ap)
{
	int n = vsnprintf(s->buf + s->pos, s->len - s->pos, fmt, ap);

	if (n > 0)
		s->pos = s->pos + (size_t)n < s->len ? s->pos + (size_t)n : s->len - 1;
	return n;
}

static int sink_printf(void *stream, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sink_vprintf(stream, fmt, ap);
	va_end(ap);
	return n;
}

static int sink_styled(void *stream, enum disassembler_style style, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)style;
	va_start(ap, fmt);
	n = sink_vprintf(stream, fmt, ap);
	va_end(ap);
	return n;
}

/* objdump prints targets as plain hex when it has no symbols; with a
 * namer, gdb's " <symbol+off>" follows. */
static void print_address(bfd_vma addr, struct disassemble_info *info)
{
	struct sink *s = info->stream;
	char name[256] = "";

	if (s->namer)
		s->namer(s->ctx, addr, name, sizeof(name));
	info->fprintf_func(info->stream, "0x%llx%s", (unsigned long long)addr, name);
}

void kd_insn_decode(const unsigned char *buf, size_t n, size_t off, uint64_t vma,
		    enum kd_code_mode mode, struct kd_insn *insn)
{
	kd_insn_decode_named(buf, n, off, vma, mode, NULL, NULL, insn);
}

void kd_insn_decode_named(const unsigned char *buf, size_t n, size_t off, uint64_t vma,
			  enum kd_code_mode mode, kd_insn_namer namer, void *ctx,
			  struct kd_insn *insn)
{
	struct sink s = { insn->text, sizeof(insn->text), 0, namer, ctx };
	struct disassemble_info di;
	unsigned long mach = mode == KD_CODE_I386 ? bfd_mach_i386_i386 : bfd_mach_x86_64;
	disassembler_ftype fn;

	insn->text[0] = '\0';
	insn->len = 0;
	if (off >= n)
		return;
	init_disassemble_info(&di, &s, sink_printf, sink_styled);
	di.arch = bfd_arch_i386;
	di.mach = mach;
	di.buffer = (bfd_byte *)buf + off;
	di.buffer_length = n - off;
	di.buffer_vma = vma;
	di.read_memory_func = buffer_read_memory;
	di.print_address_func = print_address;
	disassemble_init_for_target(&di);
	fn = disassembler(bfd_arch_i386, false, mach, NULL);
	if (!fn)
		return;
	insn->len = fn(vma, &di);
	/* objdump pads the mnemonic; drop libopcodes' trailing blanks. */
	size_t l = strlen(insn->text);
	while (l && insn->text[l - 1] == ' ')
		insn->text[--l] = '\0';
}
