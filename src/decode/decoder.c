/* kdive decode: copies a kernel log through, adding source lines to stack
 * frames and RIP lines and disassembling Code: lines. Debug info is opened
 * lazily, on the first frame that needs it, so a log without frames costs
 * nothing and a missing file is reported once, not per frame. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/err.h"
#include "base/json.h"
#include "symbols/kernel_id.h"
#include "disasm/code_line.h"
#include "oops/oops.h"
#include "symbols/debuginfo_find.h"
#include "symbols/symbolizer.h"

struct module_slot {
	char name[KD_OOPS_MOD_MAX];
	struct kd_symfile *sf;  /* NULL when not found or unusable */
	struct module_slot *next;
};

struct kd_decoder {
	struct kd_symbolizer *sz;
	struct kd_module_finder *mf;
	char *vmlinux_path;        /* as given, or found from the release */
	char release[128];         /* given (-r) or read from the log */
	char sysroot[4096];        /* root of the standard debug-info places */
	struct kd_symfile *vmlinux;
	int vmlinux_state;         /* 0 untried, 1 open, -1 unusable */
	struct kd_kernel_id vmlinux_id;
	bool mismatch;             /* vmlinux is not the logged kernel */
	char basepath[4096];
	char srctree[4096];        /* absolute source root, for assembler CUs */
	bool basepath_auto;
	bool release_dirs_added;
	enum kd_code_mode mode;
	struct module_slot *modules;
	char **module_files;       /* opts' "NAME=PATH" */
	size_t n_module_files;
	FILE *diag;
	bool json;                 /* a document, not the annotated log */
	bool no_debuginfod;
	bool debuginfod_down;      /* said once; not asked again */
	struct kd_json j;          /* its "records" array is open while running */
};

static void say(struct kd_decoder *dec, const char *fmt, ...) KD_PRINTF(2, 3);

static void say(struct kd_decoder *dec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kd_vwarn(dec->diag, NULL, fmt, ap);
	va_end(ap);
}

kd_decoder *kd_decoder_new(const struct kd_decode_opts *opts, kd_err *err)
{
	kd_decoder *dec = calloc(1, sizeof(*dec));

	if (!dec) {
		kd_oom(err);
		return NULL;
	}
	dec->sz = kd_symbolizer_new(err);
	dec->mf = kd_module_finder_new();
	if (!dec->sz || !dec->mf)
		goto fail;
	if (opts->vmlinux && !(dec->vmlinux_path = strdup(opts->vmlinux)))
		goto fail;
	if (opts->release)
		snprintf(dec->release, sizeof(dec->release), "%s", opts->release);
	snprintf(dec->sysroot, sizeof(dec->sysroot), "%s", opts->sysroot ? opts->sysroot : "/");
	dec->json = opts->json;
	dec->no_debuginfod = opts->no_debuginfod;
	dec->basepath_auto = !opts->basepath || strcmp(opts->basepath, "auto") == 0;
	if (!dec->basepath_auto)
		snprintf(dec->basepath, sizeof(dec->basepath), "%s", opts->basepath);
	for (size_t i = 0; i < opts->n_module_dirs; i++)
		if (kd_module_finder_add_dir(dec->mf, opts->module_dirs[i]) != 0)
			goto fail;
	if (opts->n_module_files && !(dec->module_files = calloc(opts->n_module_files, sizeof(char *))))
		goto fail;
	for (; dec->n_module_files < opts->n_module_files; dec->n_module_files++)
		if (!(dec->module_files[dec->n_module_files] = strdup(opts->module_files[dec->n_module_files])))
			goto fail;
	return dec;
fail:
	if (dec->sz) /* otherwise kd_symbolizer_new said why */
		kd_oom(err);
	kd_decoder_free(dec);
	return NULL;
}

void kd_decoder_free(kd_decoder *dec)
{
	if (!dec)
		return;
	for (struct module_slot *m = dec->modules, *next; m; m = next) {
		next = m->next;
		free(m);
	}
	for (size_t i = 0; i < dec->n_module_files; i++)
		free(dec->module_files[i]);
	free(dec->module_files);
	kd_symbolizer_free(dec->sz);
	kd_module_finder_free(dec->mf);
	free(dec->vmlinux_path);
	free(dec);
}

/* The prefix left of `suffix` in the file of func's first line, or "". */
static void path_prefix(struct kd_decoder *dec, const char *func, const char *suffix, char *out,
			size_t len)
{
	struct kd_srcloc loc[1];
	uint64_t addr;
	size_t n, sl = strlen(suffix);

	out[0] = '\0';
	if (kd_symfile_lookup(dec->vmlinux, func, 0, &addr, NULL) != 0 ||
	    kd_symfile_srclines(dec->vmlinux, addr, loc, 1) == 0)
		return;
	n = strlen(loc[0].file);
	if (n > sl && strcmp(loc[0].file + n - sl, suffix) == 0 && n - sl < len)
		snprintf(out, len, "%.*s", (int)(n - sl), loc[0].file);
}

/* decode_stacktrace.sh's "auto": the build directory is where kernel_init's
 * file sits, minus init/main.c. Assembler CUs name their files by absolute
 * path, so the source root (head_64.S's directory minus arch/x86/kernel)
 * is stripped too. */
static void derive_basepath(struct kd_decoder *dec)
{
	path_prefix(dec, "kernel_init", "/init/main.c", dec->basepath, sizeof(dec->basepath));
	path_prefix(dec, "startup_64", "/arch/x86/kernel/head_64.S", dec->srctree,
		    sizeof(dec->srctree));
}

/* A debug file not installed, from debuginfod: by the build-id the log
 * gives, else, when the log is the running kernel's own, the one the
 * running kernel gives (module NULL: vmlinux). 0 and path, or -1 with
 * why ("" when no server was asked). */
static int fetch(struct kd_decoder *dec, const char *module, const char *logged_id, char *path,
		 size_t len, kd_err *why)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	char id[KD_OOPS_BUILDID_MAX], what[256];
	struct utsname u;

	why->msg[0] = '\0';
	if (dec->no_debuginfod || dec->debuginfod_down || !urls || !*urls)
		return -1;
	snprintf(id, sizeof(id), "%s", logged_id);
	if (!id[0] && uname(&u) == 0 && strcmp(u.release, dec->release) == 0)
		kd_running_build_id(module, id, sizeof(id));
	if (!id[0])
		return -1;
	snprintf(what, sizeof(what), "%s %s%s", module ? "module" : "vmlinux of", module ? module : dec->release,
		 logged_id[0] ? "" : " (the running kernel's build-id)");
	if (kd_debuginfod_find(id, what, dec->diag, path, len, why) == 0)
		return 0;
	if ((dec->debuginfod_down = why->code == KD_ERR_IO)) {
		size_t n = strlen(why->msg);
		snprintf(why->msg + n, sizeof(why->msg) - n, " (not asked again)");
	}
	return -1;
}

static bool open_vmlinux(struct kd_decoder *dec)
{
	char path[4096], banner[512], hint[512];
	kd_err err = { "" }, why;

	if (dec->vmlinux_state)
		return dec->vmlinux_state > 0;
	dec->vmlinux_state = -1;
	if (!dec->vmlinux_path) {
		if (!dec->release[0])
			return false; /* wait for the log's CPU: line to name it */
		if (kd_find_vmlinux(dec->release, dec->sysroot, path, sizeof(path), &err) != 0 &&
		    fetch(dec, NULL, "", path, sizeof(path), &why) != 0) {
			say(dec, "%s%s%s; frames are left as they are", err.msg, why.msg[0] ? "; " : "", why.msg);
			return false;
		}
		dec->vmlinux_path = strdup(path);
		if (!dec->vmlinux_path)
			return false;
	}
	dec->vmlinux = kd_symbolizer_add(dec->sz, "vmlinux", dec->vmlinux_path, &err);
	if (!dec->vmlinux || kd_symfile_check(dec->vmlinux, dec->vmlinux_path, &err) != 0) {
		kd_debug_package_hint(dec->release[0] ? dec->release : "RELEASE", hint, sizeof(hint));
		say(dec, "%s; kernel frames are left as they are: give the debug vmlinux of the "
		    "crashed kernel (%s)", err.msg, hint);
		return false;
	}
	if (kd_symfile_read_string(dec->vmlinux, "linux_banner", banner, sizeof(banner), &err) == 0)
		kd_kernel_id_from_banner(banner, &dec->vmlinux_id);
	snprintf(dec->vmlinux_id.build_id, sizeof(dec->vmlinux_id.build_id), "%s",
		 kd_symfile_build_id(dec->vmlinux));
	if (dec->basepath_auto)
		derive_basepath(dec);
	dec->vmlinux_state = 1;
	return true;
}

static void check_kernel_id(struct kd_decoder *dec, const struct kd_kernel_id *logged)
{
	char why[512], hint[512];

	if (!dec->release[0])
		snprintf(dec->release, sizeof(dec->release), "%s", logged->release);
	if (!open_vmlinux(dec) || dec->mismatch)
		return;
	if (kd_kernel_id_differs(logged, &dec->vmlinux_id, why, sizeof(why))) {
		dec->mismatch = true;
		kd_debug_package_hint(logged->release, hint, sizeof(hint));
		say(dec, "%s does not match this log: %s; kernel frames are left as they are "
		    "(%s)", dec->vmlinux_path, why, hint);
	}
}

/* The file opts.module_files names for module, or NULL. */
static const char *given_file(const struct kd_decoder *dec, const char *module)
{
	size_t len = strlen(module);

	for (size_t i = 0; i < dec->n_module_files; i++)
		if (strncmp(dec->module_files[i], module, len) == 0 && dec->module_files[i][len] == '=')
			return dec->module_files[i] + len + 1;
	return NULL;
}

static struct kd_symfile *module_file(struct kd_decoder *dec, const struct kd_oops_sym *sym)
{
	struct module_slot *m;
	char where[2048], hint[512], fetched[4096];
	kd_err err = { "" }, why = { "" };
	const char *path;

	for (m = dec->modules; m; m = m->next)
		if (strcmp(m->name, sym->module) == 0)
			return m->sf;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	snprintf(m->name, sizeof(m->name), "%s", sym->module);
	m->next = dec->modules;
	dec->modules = m;

	if (!dec->release_dirs_added && dec->release[0]) {
		kd_module_finder_add_release(dec->mf, dec->release, dec->sysroot);
		dec->release_dirs_added = true;
	}
	path = given_file(dec, sym->module);
	if (!path)
		path = kd_module_finder_find(dec->mf, sym->module);
	if (!path && fetch(dec, sym->module, sym->build_id, fetched, sizeof(fetched), &why) == 0)
		path = fetched;
	if (!path) {
		kd_module_finder_describe(dec->mf, where, sizeof(where));
		kd_debug_package_hint(dec->release[0] ? dec->release : "RELEASE", hint, sizeof(hint));
		say(dec, "no debug info for module %s (looked for %s.ko* in %s%s%s): pass the directory "
		    "it was built in, or %s", sym->module, sym->module, where[0] ? where : "no directory",
		    why.msg[0] ? "; " : "", why.msg, hint);
		return NULL;
	}
	m->sf = kd_symbolizer_add(dec->sz, sym->module, path, &err);
	if (!m->sf || kd_symfile_check(m->sf, path, &err) != 0) {
		say(dec, "module %s: %s; its frames are left as they are", sym->module, err.msg);
		m->sf = NULL;
		return NULL;
	}
	if (sym->build_id[0] && kd_symfile_build_id(m->sf)[0] &&
	    strcmp(sym->build_id, kd_symfile_build_id(m->sf)) != 0) {
		say(dec, "module %s: %s has build-id %s, the log shows %s; its frames are left as "
		    "they are", sym->module, path, kd_symfile_build_id(m->sf), sym->build_id);
		m->sf = NULL;
	}
	return m->sf;
}

static const char *strip_prefix(const char *file, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n && strncmp(file, prefix, n) == 0 && file[n] == '/')
		return file + n + 1;
	return file;
}

static const char *strip_base(const struct kd_decoder *dec, const char *file)
{
	file = strip_prefix(strip_prefix(file, dec->basepath), dec->srctree);
	while (file[0] == '.' && file[1] == '/')
		file += 2;
	return file;
}

/* sym's source lines, the innermost inlined call first; 0 if unknown. */
static size_t source_chain(struct kd_decoder *dec, const struct kd_oops_sym *sym,
			   struct kd_srcloc loc[KD_SRC_CHAIN_MAX])
{
	struct kd_symfile *sf;
	uint64_t addr;

	if (sym->module[0]) {
		sf = module_file(dec, sym);
	} else {
		if (!open_vmlinux(dec) || dec->mismatch)
			return 0;
		sf = dec->vmlinux;
	}
	if (!sf || kd_symfile_lookup(sf, sym->func, sym->size, &addr, NULL) != 0)
		return 0;
	return kd_symfile_srclines(sf, addr + sym->off, loc, KD_SRC_CHAIN_MAX);
}

/* --json: a frame or RIP symbol as an object with its source chain. */
static void json_sym(struct kd_decoder *dec, size_t log_line, bool ip, const struct kd_oops_sym *sym)
{
	struct kd_srcloc loc[KD_SRC_CHAIN_MAX];
	struct kd_json *j = &dec->j;
	size_t n = source_chain(dec, sym, loc);

	kd_json_object(j, NULL);
	kd_json_int(j, "log_line", (long long)log_line);
	kd_json_str(j, "kind", ip ? "ip" : "frame");
	kd_json_str(j, "function", sym->func);
	kd_json_int(j, "offset", (long long)sym->off);
	kd_json_int(j, "size", (long long)sym->size);
	kd_json_str(j, "module", sym->module[0] ? sym->module : NULL);
	kd_json_bool(j, "reliable", sym->reliable);
	kd_json_array(j, "source");
	for (size_t i = 0; i < n; i++) {
		kd_json_object(j, NULL);
		kd_json_str(j, "file", strip_base(dec, loc[i].file));
		kd_json_int(j, "line", loc[i].line);
		kd_json_end(j, '}');
	}
	kd_json_end(j, ']');
	kd_json_end(j, '}');
}

static void annotate(struct kd_decoder *dec, const char *line, size_t len, bool nl,
		     const struct kd_oops_line *ol, FILE *out)
{
	size_t pos = 0;

	for (size_t i = 0; i < ol->n_frames; i++) {
		const struct kd_oops_sym *sym = &ol->frames[i];
		struct kd_srcloc loc[KD_SRC_CHAIN_MAX];
		size_t n;

		if (sym->end < pos || sym->end > len)
			continue;
		fwrite(line + pos, 1, sym->end - pos, out);
		pos = sym->end;
		/* " (file:line file:line ...)" after the symbol */
		if ((n = source_chain(dec, sym, loc)) == 0)
			continue;
		fputs(" (", out);
		for (size_t l = 0; l < n; l++)
			fprintf(out, "%s%s:%d", l ? " " : "", strip_base(dec, loc[l].file), loc[l].line);
		fputc(')', out);
	}
	fwrite(line + pos, 1, len - pos, out);
	if (nl)
		fputc('\n', out);
}

static void disassemble(struct kd_decoder *dec, const char *line, size_t log_line,
			const struct kd_oops_line *ol, FILE *out)
{
	struct kd_code_bytes code;
	kd_err err = { "" };
	int rc = kd_code_parse(line + ol->code_start, ol->code_end - ol->code_start, &code, &err);

	if (dec->json) {
		kd_json_object(&dec->j, NULL);
		kd_json_int(&dec->j, "log_line", (long long)log_line);
		kd_json_str(&dec->j, "kind", "code");
		if (rc != 0) {
			kd_json_str(&dec->j, "error", err.msg);
		} else {
			kd_json_array(&dec->j, "instructions");
			kd_code_json(&code, dec->mode, &dec->j);
			kd_json_end(&dec->j, ']');
		}
		kd_json_end(&dec->j, '}');
		return;
	}
	if (rc != 0) {
		fprintf(out, "(%s)\n", err.msg);
		return;
	}
	kd_code_print(&code, dec->mode, out);
}

int kd_decoder_run(kd_decoder *dec, FILE *in, FILE *out, FILE *diag, kd_err *err)
{
	struct kd_oops_scanner sc;
	struct kd_oops_line ol;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;

	dec->diag = diag;
	kd_oops_scanner_init(&sc);
	if (dec->json) {
		kd_json_init(&dec->j, out);
		kd_json_object(&dec->j, NULL);
		kd_json_array(&dec->j, "records");
	}
	for (size_t log_line = 1; (got = getline(&line, &cap, in)) >= 0; log_line++) {
		size_t len = (size_t)got;
		struct kd_kernel_id logged;
		bool nl = len && line[len - 1] == '\n';

		len -= nl;
		kd_oops_scan_line(&sc, line, len, &ol);
		if (ol.body <= len) {
			const char *body = line + ol.body;
			size_t blen = len - ol.body;

			if (kd_kernel_id_from_cpu_line(body, blen, &logged))
				check_kernel_id(dec, &logged);
			else if (blen > 4 && memcmp(body, "EIP:", 4) == 0)
				dec->mode = KD_CODE_I386;
		}
		if (dec->json) {
			if (ol.kind == KD_OOPS_CODE)
				disassemble(dec, line, log_line, &ol, out);
			else if (ol.kind == KD_OOPS_FRAMES || ol.kind == KD_OOPS_IP)
				for (size_t i = 0; i < ol.n_frames; i++)
					json_sym(dec, log_line, ol.kind == KD_OOPS_IP, &ol.frames[i]);
			continue;
		}
		switch (ol.kind) {
		case KD_OOPS_FRAMES:
		case KD_OOPS_IP:
			annotate(dec, line, len, nl, &ol, out);
			break;
		case KD_OOPS_CODE:
			fwrite(line, 1, len, out);
			fputc('\n', out);
			disassemble(dec, line, log_line, &ol, out);
			break;
		default:
			/* Byte-exact, even for a last line without its newline. */
			fwrite(line, 1, (size_t)got, out);
		}
	}
	free(line);
	if (dec->json) {
		kd_json_end(&dec->j, ']');
		kd_json_str(&dec->j, "release", dec->release[0] ? dec->release : NULL);
		kd_json_str(&dec->j, "vmlinux", dec->vmlinux_state > 0 && !dec->mismatch ? dec->vmlinux_path : NULL);
		kd_json_end(&dec->j, '}');
	}
	if (ferror(in) || ferror(out))
		return kd_fail_errno(err, "decode: I/O error");
	if (!dec->vmlinux_state && !dec->vmlinux_path && !dec->release[0])
		say(dec, "no vmlinux given and the log names no kernel release (no \"CPU: ... Comm:\" "
		    "line): pass VMLINUX or -r RELEASE");
	return 0;
}
