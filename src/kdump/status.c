/* kdive kdump: can this machine capture a dump? Each check reads what the
 * running kernel and the kdump service say (/proc, /sys, the service's
 * configuration, makedumpfile's version) and says what it means for a
 * capture; the verdict is the first check that fails, with its fix. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/err.h"
#include "base/json.h"
#include "base/run.h"
#include "kdump/config.h"

enum level { OK, INFO, WARN, FAIL };
static const char *const level_names[] = { "ok", "info", "warn", "FAIL" };

struct check {
	const char *name;
	enum level level;
	char text[768];
	char fix[512];
};

#define MAX_CHECKS 16

struct report {
	struct check c[MAX_CHECKS];
	size_t n;
	struct kd_kdump_config cfg;
	char release[128];
	uint64_t dump_bytes;    /* the expected dump, uncompressed at most */
};

static struct check *add(struct report *r, const char *name, enum level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct check *add(struct report *r, const char *name, enum level level, const char *fmt, ...)
{
	struct check *c = &r->c[r->n < MAX_CHECKS ? r->n++ : MAX_CHECKS - 1];
	va_list ap;

	c->name = name;
	c->level = level;
	c->fix[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
	return c;
}

/* The first line of a small /proc or /sys file, without its newline. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(buf, (int)len, f);

	if (f)
		fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static long read_long(const char *path, long fallback)
{
	char buf[64];

	return read_line(path, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : fallback;
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

#define MiB(x) ((double)(x) / (1 << 20))

/* What the capture kernel needs: its image decompressed (about four times
 * the bzImage), its initramfs unpacked (about three times), and 64 MiB
 * for it to run and for makedumpfile's bitmaps. 0 when the files are not
 * where the services put them. */
static uint64_t capture_estimate(const char *release, char *how, size_t len)
{
	char kernel[300], initrd[300];
	const char *initrds[] = { "/var/lib/kdump/initrd.img-%s", "/boot/initramfs-%skdump.img",
				  "/boot/initrd.img-%s", "/boot/initramfs-%s.img" };
	uint64_t k, i = 0;

	snprintf(kernel, sizeof(kernel), "/boot/vmlinuz-%s", release);
	if (!(k = file_size(kernel))) {
		snprintf(how, len, "the capture kernel's files are not in /boot (%s): not estimated", kernel);
		return 0;
	}
	for (size_t n = 0; n < sizeof(initrds) / sizeof(initrds[0]) && !i; n++) {
		snprintf(initrd, sizeof(initrd), initrds[n], release);
		i = file_size(initrd);
	}
	snprintf(how, len, "%s %.0f MiB x 4 + %s %.0f MiB x 3 + 64 MiB", kernel, MiB(k),
		 i ? initrd : "no initrd", MiB(i));
	return k * 4 + i * 3 + (64ULL << 20);
}

static void check_crashkernel(struct report *r)
{
	char cmdline[4096] = "", arg[128] = "", how[700];
	long size = read_long("/sys/kernel/kexec_crash_size", -1);
	uint64_t need = capture_estimate(r->release, how, sizeof(how));
	uint64_t suggest = need > (256ULL << 20) ? (need + (64ULL << 20) - 1) & ~((64ULL << 20) - 1) : 256ULL << 20;
	const char *p;
	struct check *c;

	read_line("/proc/cmdline", cmdline, sizeof(cmdline));
	/* the kernel takes the last one */
	for (p = cmdline; (p = strstr(p, "crashkernel=")); p++)
		if (p == cmdline || p[-1] == ' ')
			snprintf(arg, sizeof(arg), "%.*s", (int)strcspn(p, " "), p);
	if (!arg[0]) {
		c = add(r, "crashkernel", FAIL, "no crashkernel= on the kernel command line: no memory is "
			"reserved for a capture kernel");
		snprintf(c->fix, sizeof(c->fix), "add crashkernel=%lluM to GRUB_CMDLINE_LINUX_DEFAULT in "
			 "/etc/default/grub, run update-grub (RHEL: grubby --update-kernel=ALL "
			 "--args=crashkernel=%lluM) and reboot", (unsigned long long)(suggest >> 20),
			 (unsigned long long)(suggest >> 20));
		return;
	}
	if (size <= 0) {
		c = add(r, "crashkernel", FAIL, "%s is on the command line but nothing was reserved "
			"(/sys/kernel/kexec_crash_size %ld): the kernel could not find that much memory "
			"(dmesg | grep crashkernel)", arg, size);
		snprintf(c->fix, sizeof(c->fix), "a smaller size, or crashkernel=%lluM,high, and reboot",
			 (unsigned long long)(suggest >> 20));
		return;
	}
	if (need && (uint64_t)size < need) {
		c = add(r, "crashkernel", WARN, "%s: %.0f MiB reserved, but the capture kernel needs about "
			"%.0f MiB (%s)", arg, MiB(size), MiB(need), how);
		snprintf(c->fix, sizeof(c->fix), "crashkernel=%lluM on the kernel command line, and reboot",
			 (unsigned long long)(suggest >> 20));
		return;
	}
	add(r, "crashkernel", OK, "%s: %.0f MiB reserved (/sys/kernel/kexec_crash_size)%s%.0f MiB%s%s%s", arg,
	    MiB(size), need ? "; the capture kernel needs about " : "", need ? MiB(need) : 0.0,
	    need ? " (" : "", need ? how : "", need ? ")" : "");
	if (!need)
		add(r, "capture files", INFO, "%s", how);
}

static void check_loaded(struct report *r)
{
	long loaded = read_long("/sys/kernel/kexec_crash_loaded", -1);
	struct check *c;

	if (loaded == 1) {
		add(r, "capture kernel", OK, "loaded (/sys/kernel/kexec_crash_loaded 1)");
		return;
	}
	c = add(r, "capture kernel", FAIL, loaded < 0 ? "this kernel has no kexec crash support "
		"(/sys/kernel/kexec_crash_loaded is missing: CONFIG_CRASH_DUMP)" :
		"not loaded (/sys/kernel/kexec_crash_loaded 0): a panic now reboots without a dump");
	if (loaded < 0)
		snprintf(c->fix, sizeof(c->fix), "a kernel built with CONFIG_KEXEC and CONFIG_CRASH_DUMP");
	else if (read_long("/proc/sys/kernel/kexec_load_disabled", 0) == 1)
		snprintf(c->fix, sizeof(c->fix), "kernel.kexec_load_disabled is 1: nothing can load it "
			 "until a reboot; load the capture kernel at boot, before anything sets it");
	else if (strcmp(r->cfg.service, "kdump-tools") == 0)
		snprintf(c->fix, sizeof(c->fix), "systemctl restart kdump-tools (kdump-config load), and "
			 "see kdump-config show");
	else if (strcmp(r->cfg.service, "kdump") == 0)
		snprintf(c->fix, sizeof(c->fix), "kdumpctl restart (systemctl restart kdump), and see "
			 "kdumpctl status");
	else
		snprintf(c->fix, sizeof(c->fix), "apt install kdump-tools (dnf install kexec-tools), or "
			 "by hand: kexec -p /boot/vmlinuz-%s --initrd=/boot/initrd.img-%s --append=\"$(cat "
			 "/proc/cmdline | sed 's/crashkernel=[^ ]*//') irqpoll nr_cpus=1 reset_devices\"",
			 r->release, r->release);
}

static void check_service(struct report *r, bool found)
{
	const struct kd_kdump_config *g = &r->cfg;
	struct check *c;

	if (!found) {
		add(r, "service", INFO, "no kdump service configured (/etc/default/kdump-tools, "
		    "/etc/kdump.conf): a capture kernel loaded by hand saves what its own initramfs does");
		return;
	}
	if (g->enabled == 0) {
		c = add(r, "service", FAIL, "%s: USE_KDUMP=0: the service loads no capture kernel", g->file);
		snprintf(c->fix, sizeof(c->fix), "USE_KDUMP=1 in %s, then systemctl restart kdump-tools",
			 g->file);
		return;
	}
	add(r, "service", OK, "%s (%s): dumps to %s%s%s, collector \"%s\"", g->service, g->file, g->dir,
	    g->target[0] ? " on " : "", g->target, g->collector);
}

/* The expected dump at the configured dump level, from /proc/meminfo:
 * what the level keeps, uncompressed (an upper bound). */
static uint64_t dump_estimate(const struct kd_kdump_config *g, char *how, size_t len)
{
	static const char *const keys[] = { "MemTotal", "MemFree", "Cached", "Buffers", "AnonPages" };
	uint64_t kb[5] = { 0 };
	int level = g->dump_level < 0 ? 0 : g->dump_level;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		for (size_t i = 0; i < 5; i++) {
			size_t n = strlen(keys[i]);
			if (strncmp(line, keys[i], n) == 0 && line[n] == ':')
				kb[i] = strtoull(line + n + 1, NULL, 10);
		}
	if (f)
		fclose(f);
	uint64_t keep = kb[0];
	if (level & 16)
		keep -= kb[1] < keep ? kb[1] : keep;
	uint64_t cache = (level & 4) ? kb[2] + kb[3] : (level & 2) ? kb[2] : 0;
	keep -= cache < keep ? cache : keep;
	if (level & 8)
		keep -= kb[4] < keep ? kb[4] : keep;
	snprintf(how, len, "dump level %d of %.0f MiB of memory (/proc/meminfo), %s", level,
		 MiB(kb[0] << 10), g->compressed ? "before compression" : "uncompressed");
	return keep << 10;
}

static void check_dir(struct report *r, const char *dir)
{
	char how[256];
	struct statvfs vfs;
	struct stat st;
	struct check *c;
	uint64_t need = r->dump_bytes = dump_estimate(&r->cfg, how, sizeof(how)), avail;

	if (r->cfg.target[0] && strncmp(r->cfg.target, "ext", 3) != 0 && strncmp(r->cfg.target, "xfs", 3) != 0) {
		add(r, "dump directory", INFO, "%s on %s: a remote target, not checked from here", dir,
		    r->cfg.target);
		return;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		c = add(r, "dump directory", FAIL, "%s does not exist", dir);
		snprintf(c->fix, sizeof(c->fix), "mkdir -p %.300s (or point %.100s at a directory that does)", dir,
			 r->cfg.service[0] ? r->cfg.file : "kdive kdump --dir");
		return;
	}
	if (access(dir, W_OK) != 0 && geteuid() == 0) {
		c = add(r, "dump directory", FAIL, "%s is not writable (read-only file system?)", dir);
		snprintf(c->fix, sizeof(c->fix), "a writable directory for the dumps");
		return;
	}
	if (statvfs(dir, &vfs) != 0) {
		add(r, "dump directory", WARN, "%s: its free space cannot be read", dir);
		return;
	}
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (avail < need && r->cfg.compressed && avail >= need / 4) {
		c = add(r, "dump directory", WARN, "%s: %.0f MiB free, a dump takes up to %.0f MiB before "
			"compression (%s): it fits if it compresses to %.0f%%", dir, MiB(avail), MiB(need), how,
			100.0 * (double)avail / (double)need);
		snprintf(c->fix, sizeof(c->fix), "more room in %.300s to be sure", dir);
		return;
	}
	if (avail < need) {
		c = add(r, "dump directory", FAIL, "%s: %.0f MiB free, a dump takes up to %.0f MiB (%s)", dir,
			MiB(avail), MiB(need), how);
		snprintf(c->fix, sizeof(c->fix), "free %.0f MiB in %.300s, or send the dumps elsewhere (%.100s)",
			 MiB(need - avail), dir, r->cfg.service[0] ? r->cfg.file : "--dir");
		return;
	}
	add(r, "dump directory", OK, "%s: %.0f MiB free, a dump takes up to %.0f MiB (%s)", dir, MiB(avail),
	    MiB(need), how);
}

/* Kernel release "6.12.117+deb12-cloud-amd64" -> 6012. */
static int kernel_version(const char *release)
{
	int a = 0, b = 0;

	sscanf(release, "%d.%d", &a, &b);
	return a * 1000 + b;
}

static void check_makedumpfile(struct report *r)
{
	char out[512], *argv[] = { "makedumpfile", "-v", NULL };
	int maj = 0, min = 0, pat = 0, kv = kernel_version(r->release), level = r->cfg.dump_level;
	const char *v;
	struct check *c;
	kd_err err;

	if (!r->cfg.makedumpfile) {
		add(r, "makedumpfile", INFO, "not used (core_collector \"%s\")", r->cfg.collector);
		return;
	}
	if (kd_run(argv, out, sizeof(out), 5000, &err) < 0) {
		c = add(r, "makedumpfile", r->cfg.service[0] ? FAIL : WARN, "%s", err.msg);
		snprintf(c->fix, sizeof(c->fix), "apt install makedumpfile (dnf install kexec-tools)");
		return;
	}
	if (!(v = strstr(out, "version ")) || sscanf(v + 8, "%d.%d.%d", &maj, &min, &pat) < 2) {
		add(r, "makedumpfile", WARN, "its version cannot be read (\"%.60s\")", out);
		return;
	}
	int mv = maj * 10000 + min * 100 + pat;
	/* Known problems, from makedumpfile's releases: 6.10 moved the slab
	 * flag into page_type (1.7.6 follows), 6.12 reworked page_type again
	 * (1.7.7 follows). */
	if (kv >= 6010 && mv < 10706 && (level & 8)) {
		c = add(r, "makedumpfile", WARN, "%d.%d.%d with %s: slab pages (every task_struct) pass for "
			"user pages and are dropped at dump level %d: the dump will have no tasks",
			maj, min, pat, r->release, level);
		snprintf(c->fix, sizeof(c->fix), "makedumpfile 1.7.6 or later (1.7.7 for 6.12+), or a dump "
			 "level without 8 (MAKEDUMP_ARGS=\"-c -d 23\")");
	} else if (kv >= 6012 && mv < 10707) {
		c = add(r, "makedumpfile", WARN, "%d.%d.%d with %s: free pages are not recognised: dumps "
			"are much larger than needed", maj, min, pat, r->release);
		snprintf(c->fix, sizeof(c->fix), "makedumpfile 1.7.7 or later");
	} else {
		add(r, "makedumpfile", OK, "%d.%d.%d, no known problem with %s", maj, min, pat, r->release);
	}
}

static void check_sysrq(struct report *r)
{
	long mask = read_long("/proc/sys/kernel/sysrq", -1);

	if (mask < 0) {
		add(r, "sysrq", INFO, "no /proc/sys/kernel/sysrq (CONFIG_MAGIC_SYSRQ off): no test crash "
		    "by sysrq");
		return;
	}
	add(r, "sysrq", INFO, "kernel.sysrq %ld: as root, echo c > /proc/sysrq-trigger crashes the machine "
	    "for a test whatever the mask; Alt-SysRq-C on a console is %s", mask,
	    mask == 1 || (mask & 8) ? "allowed" : "not allowed (needs 1 or the 8 bit)");
}

static void check_panic_knobs(struct report *r)
{
	static const struct {
		const char *name, *off, *on;
		enum level off_level;
	} knobs[] = {
		{ "panic_on_oops", "an oops kills only the task that hit it: no dump (sysctl "
		  "kernel.panic_on_oops=1)", "an oops panics: a dump", WARN },
		{ "panic_on_warn", "a WARN is logged only", "a WARN panics: a dump", INFO },
		{ "softlockup_panic", "a soft lockup is logged only (kernel.softlockup_panic=1 for a dump)",
		  "a soft lockup panics: a dump", INFO },
		{ "hung_task_panic", "a hung task is logged only (kernel.hung_task_panic=1 for a dump)",
		  "a hung task panics: a dump", INFO },
	};
	char path[128];

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/kernel/%s", knobs[i].name);
		long v = read_long(path, -1);
		if (v < 0)
			continue; /* not in this kernel (hung_task without DETECT_HUNG_TASK) */
		add(r, knobs[i].name, v ? OK : knobs[i].off_level, "%ld: %s", v, v ? knobs[i].on : knobs[i].off);
	}
	long t = read_long("/proc/sys/kernel/panic", -1);
	if (t >= 0)
		add(r, "panic", INFO, "%ld: %s", t, t == 0 ? "without a capture kernel a panic waits forever" :
		    t > 0 ? "without a capture kernel a panic reboots after that many seconds" :
			    "without a capture kernel a panic reboots at once");
}

static void check_lockdown(struct report *r)
{
	char lock[128] = "", *sel;

	if (!read_line("/sys/kernel/security/lockdown", lock, sizeof(lock)) || !(sel = strchr(lock, '[')))
		return;
	if (sel[strcspn(sel, "]")] == ']')
		sel[strcspn(sel, "]") + 1] = '\0';
	if (strcmp(sel, "[none]") == 0)
		add(r, "lockdown", OK, "none: kexec may load any capture kernel");
	else
		add(r, "lockdown", INFO, "%s (Secure Boot): only kexec -s (kexec_file_load) with a signed "
		    "kernel can load the capture kernel", sel);
}

static void gather(struct report *r, const char *dir)
{
	struct utsname u;
	bool found = kd_kdump_config_read(&r->cfg);

	snprintf(r->release, sizeof(r->release), "%s", uname(&u) == 0 ? u.release : "");
	check_crashkernel(r);
	check_service(r, found);
	check_loaded(r);
	check_dir(r, dir ? dir : r->cfg.dir);
	check_makedumpfile(r);
	check_sysrq(r);
	check_panic_knobs(r);
	check_lockdown(r);
}

static const struct check *first_failure(const struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].level == FAIL)
			return &r->c[i];
	return NULL;
}

static void print_json(const struct report *r, FILE *out)
{
	const struct check *bad = first_failure(r);
	struct kd_json j;

	kd_json_init(&j, out);
	kd_json_object(&j, NULL);
	kd_json_bool(&j, "ready", !bad);
	kd_json_str(&j, "reason", bad ? bad->text : NULL);
	kd_json_str(&j, "fix", bad ? bad->fix : NULL);
	kd_json_str(&j, "release", r->release);
	kd_json_str(&j, "service", r->cfg.service[0] ? r->cfg.service : NULL);
	kd_json_uint(&j, "dump_bytes", r->dump_bytes);
	kd_json_array(&j, "checks");
	for (size_t i = 0; i < r->n; i++) {
		kd_json_object(&j, NULL);
		kd_json_str(&j, "name", r->c[i].name);
		kd_json_str(&j, "status", r->c[i].level == FAIL ? "fail" : level_names[r->c[i].level]);
		kd_json_str(&j, "text", r->c[i].text);
		kd_json_str(&j, "fix", r->c[i].fix[0] ? r->c[i].fix : NULL);
		kd_json_end(&j, '}');
	}
	kd_json_end(&j, ']');
	kd_json_end(&j, '}');
}

static void print_text(const struct report *r, FILE *out)
{
	const struct check *bad = first_failure(r);
	size_t warns = 0;

	for (size_t i = 0; i < r->n; i++)
		warns += r->c[i].level == WARN;
	if (bad)
		fprintf(out, "NOT READY: %s; fix: %s\n", bad->text, bad->fix[0] ? bad->fix : "see below");
	else if (warns)
		fprintf(out, "ready (%zu warning%s below)\n", warns, warns == 1 ? "" : "s");
	else
		fputs("ready\n", out);
	for (size_t i = 0; i < r->n; i++) {
		fprintf(out, "  %-16s %-4s  %s\n", r->c[i].name, level_names[r->c[i].level], r->c[i].text);
		if (r->c[i].fix[0] && r->c[i].level >= WARN)
			fprintf(out, "  %-16s       fix: %s\n", "", r->c[i].fix);
	}
}

int kd_kdump_status(const struct kd_kdump_opts *o, FILE *out, kd_err *err)
{
	struct report *r = calloc(1, sizeof(*r));
	int ready;

	if (!r)
		return kd_oom(err);
	gather(r, o ? o->dir : NULL);
	if (o && o->json)
		print_json(r, out);
	else
		print_text(r, out);
	ready = !first_failure(r);
	free(r);
	if (ferror(out))
		return kd_fail(err, KD_ERR_IO, "kdump: write error");
	return ready;
}
