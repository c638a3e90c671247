#include "ustack/symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <inttypes.h>
#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>

static char *debuginfo_path;

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

Dwfl *kd_udwfl_open(int pid, char *why, size_t len)
{
	Dwfl *dwfl = dwfl_begin(&callbacks);
	int rc;

	if (!dwfl) {
		snprintf(why, len, "libdwfl: %s", dwfl_errmsg(-1));
		return NULL;
	}
	if ((rc = dwfl_linux_proc_report(dwfl, pid)) != 0 || dwfl_report_end(dwfl, NULL, NULL) != 0) {
		snprintf(why, len, "cannot read /proc/%d/maps: %s", pid,
			 rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return NULL;
	}
	return dwfl;
}

/* C++ names demangled as gdb shows them in bt (no parameter list). */
static void set_name(char *out, size_t len, const char *name)
{
	char *d = name && name[0] == '_' && name[1] == 'Z' ? cplus_demangle(name, DMGL_ANSI) : NULL;

	snprintf(out, len, "%s", d ? d : name ? name : "");
	free(d);
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));

	if (!n)
		n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	return n ? n : dwarf_diename(die);
}

static void call_site(Dwarf_Die *inl, Dwarf_Files *files, char *file, size_t len, int *line)
{
	Dwarf_Attribute a;
	Dwarf_Word fidx = 0, l = 0;
	const char *name;

	file[0] = '\0';
	*line = 0;
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &a), &fidx) == 0 && files &&
	    (name = dwarf_filesrc(files, fidx, NULL, NULL)))
		snprintf(file, len, "%s", name);
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &a), &l) == 0)
		*line = (int)l;
}

int kd_usym(Dwfl *dwfl, uint64_t pc, bool activation, struct kd_uframe *out, int max)
{
	uint64_t at = activation ? pc : pc - 1;
	Dwfl_Module *m = dwfl_addrmodule(dwfl, at);
	struct kd_uframe *f = &out[0];
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu, *scopes = NULL;
	Dwarf_Files *files = NULL;
	int n = 1, nscopes;

	Dwarf_Addr start = 0, end = 0;

	memset(f, 0, sizeof(*f));
	f->pc = pc;
	/* a wild pc (a smashed stack) can come back with a module it is not in */
	if (!m || !dwfl_module_info(m, NULL, &start, &end, NULL, NULL, NULL, NULL) || at < start || at >= end)
		return 1;
	const char *sname = dwfl_module_addrinfo(m, at, &off, &sym, NULL, NULL, NULL), *main_file = NULL;
	/* the file's path once addrinfo found it; else the mapping's name */
	f->module = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, &main_file, NULL);
	if (main_file)
		f->module = main_file;
	set_name(f->func, sizeof(f->func), sname);
	f->off = off + (at != pc);
	if (!(cu = dwfl_module_addrdie(m, at, &bias))) {
		f->no_debug = !dwfl_module_getdwarf(m, &bias);
		return 1;
	}
	Dwfl_Line *l = dwfl_module_getsrc(m, at);
	const char *src;
	int line;
	if (l && (src = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL))) {
		snprintf(f->file, sizeof(f->file), "%s", src);
		f->line = line;
	}
	dwarf_getsrcfiles(cu, &files, NULL);
	/* the innermost scope at pc, then its concrete nesting (getscopes
	 * goes on into an inlined function's abstract origin instead):
	 * each inlined call is a frame of its own, located where it was
	 * called from in the function around it */
	nscopes = dwarf_getscopes(cu, at - bias, &scopes);
	if (nscopes > 0) {
		Dwarf_Die inner = scopes[0];
		free(scopes);
		scopes = NULL;
		nscopes = dwarf_getscopes_die(&inner, &scopes);
	}
	for (int i = 0; i < nscopes; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
			continue;
		set_name(out[n - 1].func, sizeof(out[n - 1].func), die_name(&scopes[i]));
		if (tag == DW_TAG_subprogram || n == max)
			break;
		struct kd_uframe *next = &out[n++];
		*next = out[n - 2]; /* keeps the symbol's offset: the outermost frame's */
		out[n - 2].inlined = true;
		out[n - 2].off = 0;
		call_site(&scopes[i], files, next->file, sizeof(next->file), &next->line);
		next->inlined = false;
	}
	free(scopes);
	/* the outermost keeps the symbol's offset; a stripped name stays the ELF's */
	if (!out[n - 1].func[0])
		set_name(out[n - 1].func, sizeof(out[n - 1].func), sname);
	return n;
}

void kd_uframe_print(const struct kd_uframe *f, int n, FILE *out)
{
	fprintf(out, "#%-2d 0x%016" PRIx64 " in %s ()", n, f->pc, f->func[0] ? f->func : "??");
	if (f->file[0])
		fprintf(out, " at %s:%d\n", f->file, f->line);
	else if (f->module)
		fprintf(out, " from %s\n", f->module);
	else
		fputc('\n', out);
}

int kd_upcs_print(Dwfl *dwfl, const uint64_t *pcs, size_t n, bool first_exact, int level, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		struct kd_uframe f[KD_UFRAME_MAX];
		int k = kd_usym(dwfl, pcs[i], i == 0 && first_exact, f, KD_UFRAME_MAX);
		for (int j = 0; j < k; j++)
			kd_uframe_print(&f[j], level++, out);
	}
	return level;
}
