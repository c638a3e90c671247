/* Focused tests of the console-line scanner: prefixes, every frame form
 * with its spans, RIP and Code lines, what must stay text, and hostile
 * input. Each line is copied into a buffer of exactly its length, so under
 * `make SAN=1` any read past len is caught. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "oops/oops.h"

static void check_invariants(const struct kd_oops_line *o, size_t len)
{
	assert_true(o->body <= len);
	switch (o->kind) {
	case KD_OOPS_TEXT:
	case KD_OOPS_CODE:
		assert_int_equal(o->n_frames, 0);
		break;
	case KD_OOPS_IP:
		assert_int_equal(o->n_frames, 1);
		break;
	case KD_OOPS_FRAMES:
		assert_in_range(o->n_frames, 1, KD_OOPS_MAX_FRAMES);
		break;
	}
	if (o->kind == KD_OOPS_CODE)
		assert_true(o->body <= o->code_start && o->code_start < o->code_end &&
			    o->code_end <= len);
	for (size_t k = 0; k < o->n_frames; k++) {
		const struct kd_oops_sym *s = &o->frames[k];

		assert_true(o->body <= s->start && s->start < s->end && s->end <= len);
		assert_true(strlen(s->func) < KD_OOPS_SYM_MAX);
		assert_true(strlen(s->module) < KD_OOPS_MOD_MAX);
		assert_true(strlen(s->build_id) < KD_OOPS_BUILDID_MAX);
		if (s->mod_end)
			assert_true(s->end < s->mod_start && s->mod_start < s->mod_end &&
				    s->mod_end <= len);
		if (k > 0)
			assert_true(o->frames[k - 1].end <= s->start);
	}
}

/* Scans len bytes of s from a private copy of exactly that size. */
static void scan_n(struct kd_oops_scanner *sc, const char *s, size_t len,
		   struct kd_oops_line *out)
{
	char *copy = malloc(len);
	static char none;

	if (len)
		assert_non_null(copy);
	memcpy(copy ? copy : &none, s, len);
	kd_oops_scan_line(sc, copy ? copy : &none, len, out);
	free(copy);
	check_invariants(out, len);
}

static struct kd_oops_line *scan(const char *s)
{
	static struct kd_oops_line out;
	struct kd_oops_scanner sc;

	kd_oops_scanner_init(&sc);
	scan_n(&sc, s, strlen(s), &out);
	return &out;
}

static size_t prefix_len(const char *s)
{
	char *copy = malloc(strlen(s) + 1);
	size_t n;

	assert_non_null(copy);
	memcpy(copy, s, strlen(s));
	n = kd_oops_prefix_len(copy, strlen(s));
	free(copy);
	return n;
}

static void assert_span(const char *line, size_t start, size_t end, const char *want)
{
	assert_int_equal(end - start, strlen(want));
	assert_memory_equal(line + start, want, strlen(want));
}

/* --- prefixes ----------------------------------------------------------- */

static void test_prefixes(void **state)
{
	static const struct { const char *prefix, *rest; } cases[] = {
		{ "[ 123.456789] ", "msg" },
		{ "[  456.487620][    C1] ", " ieee80211_beacon_get_tim+0xb4/0x2b0" },
		{ "[   60.069552][ T2148] ", "RIP: 0010:rust_helper_BUG+0x8/0x10" },
		{ "[ 12.3][ T1234] ", " foo+0x1/0x2" },
		{ "[18444175627.134970] ", "general protection fault" },
		{ "[    T1] ", "msg" },
		{ "[ 2023-12-19 11:34:15 ] [70466.575935] ", " ? init_module+0x14/0xff0" },
		{ "[Tue Dec 19 11:34:15 2023] ", "msg" },
		{ "Oct 11 10:57:36 :HOSTNAME: kernel: [ 4552.564797] ", " [<ffffffff81057a56>] x" },
		{ "Dec  1 01:02:03 host kernel: ", "Call Trace:" },
		{ "Dec 19 11:34:15.123456 host kernel: ", "msg" },
		{ "2023-12-19T11:34:15.123456+01:00 host kernel: ", "msg" },
		{ "2023-12-19T11:34:15,123456+0100 ", "msg" },
		{ "2023-12-19T11:34:15Z ", "msg" },
		{ "kern  :warn  : [    3.078160] [      T0] ", " free_reserved_area+0xcc/0x170" },
		{ "user  :notice: [  218.594644] [    T442] ", "  6: Simple expression parser" },
		{ "<4>[   12.000000] ", "msg" },
		{ "<6>", "msg" },
		{ "", " [<ffffffff81057a56>] warn_slowpath_common+0x83/0x9b" },
		{ "", "\t__slab_alloc+0x617/0x6c1" },
		{ "", "[c000000010f930b0] [c000000008068df8] .eeh_dev_check_failure+0x278/0x390" },
		{ "", "[ INFO: possible circular locking dependency detected ]" },
		{ "", "[<ffffffff81057a56>] warn_slowpath_common+0x83/0x9b" },
		{ "", "[last unloaded: scsi_wait_scan]" },
		{ "", "Oct 11 10:57:36 host systemd[1]: Started foo." },
		{ "", "kern:bogus: x" },
		{ "", "usb: info: not dmesg -x" },
		{ "local3:info  : ", "msg" },
		{ "", "<IRQ>" },
		{ "", "/init: 384: .: [  271.403835] Kernel panic" },
		{ "", "[ 12.34 ] not a timestamp" },
		{ "", "Oct 11 10:57:36" },
		{ "", "Oct 111 10:57:36 host kernel: msg" },
		{ "", "2023-12-19T11:34:15" },
	};
	char line[256];

	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		snprintf(line, sizeof line, "%s%s", cases[k].prefix, cases[k].rest);
		if (prefix_len(line) != strlen(cases[k].prefix))
			fail_msg("prefix of \"%s\": got %zu, want %zu", line, prefix_len(line),
				 strlen(cases[k].prefix));
		assert_int_equal(scan(line)->body, strlen(cases[k].prefix));
	}
}

/* --- frames ------------------------------------------------------------- */

struct frame_case {
	const char *line;
	const char *text;            /* line[start..end) */
	const char *mod;             /* line[mod_start..mod_end), or NULL */
	const char *module, *build_id;
	bool reliable;
	uint64_t addr;               /* 0: none printed */
};

static void check_sym(const char *line, const struct kd_oops_sym *s, const struct frame_case *c)
{
	char text[KD_OOPS_SYM_MAX + 64];

	assert_span(line, s->start, s->end, c->text);
	snprintf(text, sizeof text, "%s+0x%" PRIx64 "/0x%" PRIx64, s->func, s->off, s->size);
	assert_string_equal(text, c->text);
	if (c->mod)
		assert_span(line, s->mod_start, s->mod_end, c->mod);
	else
		assert_true(s->mod_start == 0 && s->mod_end == 0);
	assert_string_equal(s->module, c->module);
	assert_string_equal(s->build_id, c->build_id);
	assert_int_equal(s->reliable, c->reliable);
	assert_int_equal(s->has_addr, c->addr != 0);
	if (c->addr)
		assert_int_equal(s->addr, c->addr);
}

static void check_frames(const struct frame_case *cases, size_t n, enum kd_oops_kind kind)
{
	for (size_t k = 0; k < n; k++) {
		const struct kd_oops_line *o = scan(cases[k].line);

		if (o->kind != kind || o->n_frames != 1)
			fail_msg("\"%s\": kind %d with %zu frames", cases[k].line, o->kind, o->n_frames);
		check_sym(cases[k].line, &o->frames[0], &cases[k]);
	}
}

static void test_frames(void **state)
{
	static const char rust[] =
		" _RNvXs1_CscPPBqWtAqum_11ashmem_rustNtB5_6AshmemNtNtCs43vyB533jt3_6kernel"
		"10miscdevice10MiscDevice4mmap+0xe44/0xfb0";
	static const struct frame_case cases[] = {
		{ " dump_stack_lvl+0x99/0x250", "dump_stack_lvl+0x99/0x250", NULL, "", "", true, 0 },
		{ " ? __pfx_dump_stack_lvl+0x10/0x10", "__pfx_dump_stack_lvl+0x10/0x10", NULL, "", "", false, 0 },
		{ " [<ffffffff81057a56>] warn_slowpath_common+0x83/0x9b",
		  "warn_slowpath_common+0x83/0x9b", NULL, "", "", true, 0xffffffff81057a56 },
		{ " [<ffffffff81032b0a>] ? pfn_pte+0x26/0x29", "pfn_pte+0x26/0x29", NULL, "", "", false,
		  0xffffffff81032b0a },
		{ "  [<000000004fa15e98>] el0_svc_naked+0x34/0x38", "el0_svc_naked+0x34/0x38", NULL, "", "",
		  true, 0x4fa15e98 },
		{ " cros_typec_probe+0xd4/0x4d9 [cros_ec_typec]", "cros_typec_probe+0xd4/0x4d9",
		  "[cros_ec_typec]", "cros_ec_typec", "", true, 0 },
		{ " ext4_fill_super+0x1a/0x30 [ext4 0123456789abcdef0123456789abcdef01234567]",
		  "ext4_fill_super+0x1a/0x30", "[ext4 0123456789abcdef0123456789abcdef01234567]", "ext4",
		  "0123456789abcdef0123456789abcdef01234567", true, 0 },
		{ " ? my_drv_fn.cold+0x5/0x9 [my-drv deadbeef]", "my_drv_fn.cold+0x5/0x9",
		  "[my-drv deadbeef]", "my-drv", "deadbeef", false, 0 },
		{ " show_stack+0x20/0x38 (C)", "show_stack+0x20/0x38", NULL, "", "", true, 0 },
		{ " __switch_to+0x2b0/0x6e0 (T)", "__switch_to+0x2b0/0x6e0", NULL, "", "", true, 0 },
		{ " handler+0x2b0/0x6e0 [mod] (CF)", "handler+0x2b0/0x6e0", "[mod]", "mod", "", true, 0 },
		{ "[c000000010f930b0] [c000000008068df8] .eeh_dev_check_failure+0x278/0x390 (unreliable)",
		  ".eeh_dev_check_failure+0x278/0x390", NULL, "", "", false, 0xc000000008068df8 },
		{ "[c000000010f93340] [d0000000008c991c] .ipr_probe_ioa+0x6c/0x1390 [ipr]",
		  ".ipr_probe_ioa+0x6c/0x1390", "[ipr]", "ipr", "", true, 0xd0000000008c991c },
		{ "[<818df678>] (dump_backtrace) from [<818df774>] (show_stack+0x18/0x1c)",
		  "show_stack+0x18/0x1c", NULL, "", "", true, 0x818df774 },
		{ "[<c0013e4c>] (unwind_backtrace+0x0/0xf8) from [<c0011ad8>] (show_stack+0x10/0x14)",
		  "show_stack+0x10/0x14", NULL, "", "", true, 0xc0011ad8 },
		{ "[<bf000000>] (foo [mymod]) from [<bf000100>] (bar+0x10/0x20 [mymod])",
		  "bar+0x10/0x20", "[mymod]", "mymod", "", true, 0xbf000100 },
		{ " unwind_backtrace from show_stack+0x10/0x14", "show_stack+0x10/0x14", NULL, "", "", true, 0 },
		{ " foo [mymod] from bar+0x10/0x20 [mymod]", "bar+0x10/0x20", "[mymod]", "mymod", "", true, 0 },
		{ " <IRQ>  [<ffffffff8140c8fc>] sched_show_task+0x2cb/0x2d6", "sched_show_task+0x2cb/0x2d6",
		  NULL, "", "", true, 0xffffffff8140c8fc },
		{ " <IRQ> [  168.317567]  [<ffffffff81eb4be9>] dump_stack+0xc1/0x128", "dump_stack+0xc1/0x128",
		  NULL, "", "", true, 0xffffffff81eb4be9 },
		{ " <EOI>  [<ffffffff81ee2a47>] ? clear_page_c_e+0x7/0x10", "clear_page_c_e+0x7/0x10", NULL,
		  "", "", false, 0xffffffff81ee2a47 },
		{ " <<EOE>>  [<ffffffff81000000>] do_IRQ+0x1/0x2", "do_IRQ+0x1/0x2", NULL, "", "", true,
		  0xffffffff81000000 },
		{ "pc : __list_del_entry_valid+0xcc/0xd0", "__list_del_entry_valid+0xcc/0xd0", NULL, "", "",
		  true, 0 },
		{ "lr : foo+0x1/0x2 [mod]", "foo+0x1/0x2", "[mod]", "mod", "", true, 0 },
		{ "PC is at shmem_getpage_gfp+0x584/0x72c", "shmem_getpage_gfp+0x584/0x72c", NULL, "", "",
		  true, 0 },
		{ "LR is at SyS_darby+0x34/0x48", "SyS_darby+0x34/0x48", NULL, "", "", true, 0 },
		{ "NIP [c000000008068dfc] .eeh_dev_check_failure+0x27c/0x390",
		  ".eeh_dev_check_failure+0x27c/0x390", NULL, "", "", true, 0xc000000008068dfc },
		{ "LR [c000000008068df8] .eeh_dev_check_failure+0x278/0x390",
		  ".eeh_dev_check_failure+0x278/0x390", NULL, "", "", true, 0xc000000008068df8 },
		{ "\t__slab_alloc+0x617/0x6c1", "__slab_alloc+0x617/0x6c1", NULL, "", "", true, 0 },
		{ "       lock_acquire+0x8e/0xb0", "lock_acquire+0x8e/0xb0", NULL, "", "", true, 0 },
		{ rust, rust + 1, NULL, "", "", true, 0 },
		{ " dump_stack+0x1/0x2\r", "dump_stack+0x1/0x2", NULL, "", "", true, 0 },
		{ " $x+0x1/0x2", "$x+0x1/0x2", NULL, "", "", true, 0 },
		/* a bracket that is no module is left alone */
		{ " foo+0x1/0x2 [mod", "foo+0x1/0x2", NULL, "", "", true, 0 },
		{ " foo+0x1/0x2 [mod 0123", "foo+0x1/0x2", NULL, "", "", true, 0 },
		{ " foo+0x1/0x2 [mod xyz]", "foo+0x1/0x2", NULL, "", "", true, 0 },
	};

	(void)state;
	check_frames(cases, sizeof cases / sizeof cases[0], KD_OOPS_FRAMES);
}

/* The line from the brief: spans let a decoder append after the frame and
 * keep every other byte of the line. */
static void test_seed_line(void **state)
{
	static const char line[] =
		"[ 2023-12-19 11:34:15 ] [70466.635802]  ? init_module+0x14/0xff0 [kernel_call_trace]";
	static const struct frame_case want = {
		line, "init_module+0x14/0xff0", "[kernel_call_trace]", "kernel_call_trace", "", false, 0
	};
	const struct kd_oops_line *o = scan(line);
	const struct kd_oops_sym *s = &o->frames[0];
	char edited[256];

	(void)state;
	assert_int_equal(o->kind, KD_OOPS_FRAMES);
	assert_int_equal(o->n_frames, 1);
	assert_int_equal(o->body, strlen("[ 2023-12-19 11:34:15 ] [70466.635802] "));
	check_sym(line, s, &want);
	assert_string_equal(s->func, "init_module");
	assert_int_equal(s->off, 0x14);
	assert_int_equal(s->size, 0xff0);

	snprintf(edited, sizeof edited, "%.*s hello.c:12%s", (int)s->mod_end, line, line + s->mod_end);
	assert_string_equal(edited, "[ 2023-12-19 11:34:15 ] [70466.635802]  ? init_module+0x14/0xff0 "
				    "[kernel_call_trace] hello.c:12");
	snprintf(edited, sizeof edited, "%.*s<X>%s", (int)s->end, line, line + s->end);
	assert_string_equal(edited, "[ 2023-12-19 11:34:15 ] [70466.635802]  ? init_module+0x14/0xff0<X> "
				    "[kernel_call_trace]");
}

static void test_several_frames_on_a_line(void **state)
{
	static const char two[] =
		" [<ffffffff81000001>] a+0x1/0x2 [<ffffffff81000002>] ? b.isra.0+0x3/0x4 [m]";
	static const struct frame_case want[] = {
		{ two, "a+0x1/0x2", NULL, "", "", true, 0xffffffff81000001 },
		{ two, "b.isra.0+0x3/0x4", "[m]", "m", "", false, 0xffffffff81000002 },
	};
	static const char five[] = "[<1>] a+0x1/0x2 [<2>] b+0x1/0x2 [<3>] c+0x1/0x2 "
				   "[<4>] d+0x1/0x2 [<5>] e+0x1/0x2";
	const struct kd_oops_line *o = scan(two);

	(void)state;
	assert_int_equal(o->kind, KD_OOPS_FRAMES);
	assert_int_equal(o->n_frames, 2);
	check_sym(two, &o->frames[0], &want[0]);
	check_sym(two, &o->frames[1], &want[1]);

	/* a second frame needs its address; bare text after a frame is not one */
	o = scan(" a+0x1/0x2 b+0x3/0x4");
	assert_int_equal(o->n_frames, 1);

	o = scan(five);
	assert_int_equal(o->n_frames, KD_OOPS_MAX_FRAMES);
	assert_string_equal(o->frames[3].func, "d");
}

static void test_not_frames(void **state)
{
	static const char *const lines[] = {
		"WARNING: CPU: 0 PID: 3004 at lib/string_helpers.c:1029 __fortify_report+0x6c/0x74",
		"WARNING: net/mac80211/tx.c:5024 at __ieee80211_beacon_get+0x125d/0x1630, CPU#1: syz/1",
		"WARNING: at mm/page_alloc.c:2204 __alloc_pages_nodemask+0x231/0x8f0()",
		"BUG: KASAN: slab-use-after-free in __list_add_valid_or_report+0x16a/0x1a0",
		"BUG: KFENCE: out-of-bounds read in test_out_of_bounds_read+0xa6/0x234",
		" #0: ffffffff8a79dbe8 (cb_lock){++++}, at: genl_rcv+0x19/0x40",
		"ffff88803d3d5d28 ((wq_completion)wg-kex-wireguard1){+.+.}, at: flush_workqueue+0xe6/0x1520",
		" (&(&conn->lock)->rlock#2){+.+...}, at: [<ffffffffa00b7ecc>] sco_chan_del+0x4c/0x170 [bt]",
		"hardirqs last  enabled at (416209): [<ffffffff8188cdac>] restore_args+0x0/0x30",
		"softirqs last disabled at (0): [<0000000000000000>] 0x0",
		"Workqueue: events_unbound fsnotify_mark_destroy_workfn",
		"INFO: Allocated in scsi_host_alloc+0x4a/0x490 age=1688",
		"handlers:",
		"[<00000000a1b2c3d4>] irq_default_primary_handler threaded [<000000001234>] tps_irq [tps]",
		" ? 0xffffffffc04f9000",
		" [<f8315000>] ? 0xf8315000",
		"\t0xffffffffa04ab03d",
		"PC is at 0xffffffffdeadbeef",
		"pc : [<c0333330>]    lr : [<c0333200>]    psr: 80070113",
		"NIP: c000000008068dfc LR: c000000008068df8 CTR: 00000000015c6170",
		" <IRQ>",
		" </TASK>",
		"Call Trace:",
		"Function entered at [<c0123456>] from [<c0123457>]",
		"[<c0333330>] (shmem_getpage_gfp) from [<c031c7a0>] (generic_perform_write)",
		" foo+0x1/0x2zz",
		" foo+0x1",
		" foo+1/2",
		" ?foo+0x1/0x2",
		"Instruction dump:",
	};

	(void)state;
	for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++)
		if (scan(lines[k])->kind != KD_OOPS_TEXT)
			fail_msg("\"%s\" is not text", lines[k]);
}

/* --- RIP lines ---------------------------------------------------------- */

static void test_ip_lines(void **state)
{
	static const struct frame_case cases[] = {
		{ "RIP: 0010:__ieee80211_beacon_get+0x125d/0x1630", "__ieee80211_beacon_get+0x125d/0x1630",
		  NULL, "", "", true, 0 },
		{ "[   12.3] RIP: 0010:amdgpu_vm_sdma_commit+0x46/0x120 [amdgpu]",
		  "amdgpu_vm_sdma_commit+0x46/0x120", "[amdgpu]", "amdgpu", "", true, 0 },
		{ "RIP: 0010:[<ffffffffa0525326>]  [<ffffffffa0525326>] wdev_priv.part.8+0x4/0x6 [wl]",
		  "wdev_priv.part.8+0x4/0x6", "[wl]", "wl", "", true, 0xffffffffa0525326 },
		{ "RIP  [<ffffffff81171b02>] find_get_entry+0x42/0xc0", "find_get_entry+0x42/0xc0", NULL, "",
		  "", true, 0xffffffff81171b02 },
		{ "RIP: __list_del_entry_valid+0x370/0x390 RSP: ffff8801d1067968",
		  "__list_del_entry_valid+0x370/0x390", NULL, "", "", true, 0 },
		{ "RIP: e030:xen_foo+0x1/0x2", "xen_foo+0x1/0x2", NULL, "", "", true, 0 },
		{ "RIP: 0010:.LC16+0x30d/0x7a7", ".LC16+0x30d/0x7a7", NULL, "", "", true, 0 },
		{ "EIP: [<f83f9f24>] radeon_audio_detect+0x54/0x140 [radeon] SS:ESP 0068:f33b9d04",
		  "radeon_audio_detect+0x54/0x140", "[radeon]", "radeon", "", true, 0xf83f9f24 },
		{ "IP: [<f83f9f24>] radeon_audio_detect+0x54/0x140 [radeon]", "radeon_audio_detect+0x54/0x140",
		  "[radeon]", "radeon", "", true, 0xf83f9f24 },
		{ "IP: kmem_cache_alloc+0x1/0x2", "kmem_cache_alloc+0x1/0x2", NULL, "", "", true, 0 },
		{ "EIP is at radeon_audio_detect+0x54/0x140 [radeon]", "radeon_audio_detect+0x54/0x140",
		  "[radeon]", "radeon", "", true, 0 },
	};
	static const char *const text[] = {
		"RIP: 0033:0x7ff0b911e69d",
		"RIP: 0023:0xf7f07fcc",
		"EIP: 0060:[<f83f9f24>] EFLAGS: 00010246 CPU: 0",
		"IPv6: ADDRCONF(NETDEV_UP): eth0: link is not ready",
		"RIP: 0010:",
		"RIPS: foo+0x1/0x2",
	};

	(void)state;
	check_frames(cases, sizeof cases / sizeof cases[0], KD_OOPS_IP);
	for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
		if (scan(text[k])->kind != KD_OOPS_TEXT)
			fail_msg("\"%s\" is not text", text[k]);
}

/* --- Code lines --------------------------------------------------------- */

static void check_code(const char *line, const char *bytes)
{
	const struct kd_oops_line *o = scan(line);

	if (o->kind != KD_OOPS_CODE)
		fail_msg("\"%s\" is not code", line);
	assert_span(line, o->code_start, o->code_end, bytes);
}

static void test_code_lines(void **state)
{
	static const char *const text[] = {
		"Code: Bad RIP value.",
		"Code: bad PC value",
		"Code: Unable to access opcode bytes at 0x7f7ace38e8ff.",
		"Code: 18 65 48 8b 04 2",   /* a byte split by a pasted line wrap */
		"Code:",
		"Code: <0f",
		"Code: 48 <0f 0b",
		"Code: 123",
		"60000000 7f44d378",        /* words without "Instruction dump:" */
	};
	static const char *const dump[][2] = {
		{ "Instruction dump:", NULL },
		{ "60000000 7f44d378 <0fe00000> XXXXXXXX", "60000000 7f44d378 <0fe00000> XXXXXXXX" },
		{ "[ 1.2] 3c62ff84 38635108 ", "3c62ff84 38635108" },
		{ "---[ end trace 0123 ]---", NULL },
		{ "60000000 7f44d378", NULL },
	};
	struct kd_oops_scanner sc;
	struct kd_oops_line out;

	(void)state;
	check_code("[  456.536355][    C1] Code: e7 e8 27 f2 <0f> 0b 90 e9", "e7 e8 27 f2 <0f> 0b 90 e9");
	check_code("Code: d4210000 9001b460 912e4800 94a768fa (d4210000) ",
		   "d4210000 9001b460 912e4800 94a768fa (d4210000)");
	check_code("Code: ea000005 e59d302c e3a00000 (e5823000)\r",
		   "ea000005 e59d302c e3a00000 (e5823000)");
	check_code("Code: 4620 f7ff (e7fe) 4620", "4620 f7ff (e7fe) 4620");
	for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
		if (scan(text[k])->kind != KD_OOPS_TEXT)
			fail_msg("\"%s\" is not text", text[k]);

	kd_oops_scanner_init(&sc);
	for (size_t k = 0; k < sizeof dump / sizeof dump[0]; k++) {
		scan_n(&sc, dump[k][0], strlen(dump[k][0]), &out);
		assert_int_equal(out.kind, dump[k][1] ? KD_OOPS_CODE : KD_OOPS_TEXT);
		if (dump[k][1])
			assert_span(dump[k][0], out.code_start, out.code_end, dump[k][1]);
	}
}

/* --- hostile input ------------------------------------------------------ */

static void test_empty_and_truncated(void **state)
{
	static const char *const text[] = {
		"", " ", "\t", "?", " ? ", "[", "<", "[<", "[<ffff", "[<ffffffff81234567>",
		"[<ffffffff81234567>] ", "[<ffffffff81234567>] ?", "func+", "func+0x", "func+0x14",
		"func+0x14/", "func+0x14/0x", "func+0x/0x10", "+0x1/0x2", " ? +0x1/0x2", "RIP: 0010:[<ffff",
		"RIP: 0010:[<ffffffff81234567>] ", "Code: ", "Code: <", "Code: (0f", "pc : ", "NIP [c00",
		"NIP [c000] ", "[<a>] (f) from [<b>] (g+0x1/0x2", "[<a>] (f+0x1/0x2", "x from ",
		"x from y", "<IRQ", "<IRQ> [", "<IRQ> [ 12.", "[ 12.", "[ 12.3", "[ T1", "[ 2023-12-19 11:34",
		"Oct 11 10:57:36 host kern", "Oct 11 10:57", "Oct", "kern  :warn", "kern  :warn  :", "<4",
		"2023-12-19T11:34", "EIP is at ", "LR is at func+0x1/",
	};

	(void)state;
	for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
		if (scan(text[k])->kind != KD_OOPS_TEXT)
			fail_msg("\"%s\" is not text", text[k]);
	assert_int_equal(scan("kern  :warn  :")->body, strlen("kern  :warn  :"));
}

static void test_numbers(void **state)
{
	char sym[KD_OOPS_SYM_MAX + 16], mod[KD_OOPS_MOD_MAX + 32], line[1024];
	const struct kd_oops_line *o;

	(void)state;
	o = scan(" f+0xffffffffffffffff/0xffffffffffffffff");
	assert_int_equal(o->kind, KD_OOPS_FRAMES);
	assert_true(o->frames[0].off == UINT64_MAX && o->frames[0].size == UINT64_MAX);
	assert_int_equal(scan(" f+0x000000000000000000000001/0x2")->frames[0].off, 1);
	assert_int_equal(scan(" f+0x190/0x190")->kind, KD_OOPS_FRAMES);
	/* an offset past the size is a line cut inside the size */
	assert_int_equal(scan(" ? do_fault+0x1a7/0x41")->kind, KD_OOPS_TEXT);
	assert_int_equal(scan("RIP: 0010:f+0x1a7/0x4")->kind, KD_OOPS_TEXT);
	assert_int_equal(scan(" f+0x10000000000000000/0x10")->kind, KD_OOPS_TEXT);
	assert_int_equal(scan(" f+0x10/0x10000000000000000")->kind, KD_OOPS_TEXT);
	assert_int_equal(scan("[<1ffffffffffffffff>] f+0x1/0x2")->kind, KD_OOPS_TEXT);
	assert_int_equal(scan("RIP: 0010:[<1ffffffffffffffff>] f+0x1/0x2")->kind, KD_OOPS_TEXT);

	/* kallsyms names are under 512 bytes, module names under 64 */
	memset(sym, 'a', sizeof sym);
	snprintf(line, sizeof line, " %.*s+0x1/0x2", KD_OOPS_SYM_MAX - 1, sym);
	assert_int_equal(strlen(scan(line)->frames[0].func), KD_OOPS_SYM_MAX - 1);
	snprintf(line, sizeof line, " %.*s+0x1/0x2", KD_OOPS_SYM_MAX, sym);
	assert_int_equal(scan(line)->kind, KD_OOPS_TEXT);
	memset(mod, 'm', sizeof mod);
	snprintf(line, sizeof line, " f+0x1/0x2 [%.*s]", KD_OOPS_MOD_MAX - 1, mod);
	assert_int_equal(strlen(scan(line)->frames[0].module), KD_OOPS_MOD_MAX - 1);
	snprintf(line, sizeof line, " f+0x1/0x2 [%.*s]", KD_OOPS_MOD_MAX, mod);
	assert_string_equal(scan(line)->frames[0].module, "");
	memset(mod, 'a', sizeof mod);
	snprintf(line, sizeof line, " f+0x1/0x2 [m %.*s%.*s]", 64, mod, 64, mod);
	assert_int_equal(strlen(scan(line)->frames[0].build_id), KD_OOPS_BUILDID_MAX - 1);
	snprintf(line, sizeof line, " f+0x1/0x2 [m %.*s%.*s]", 64, mod, 65, mod);
	assert_string_equal(scan(line)->frames[0].module, "");
}

static void test_binary_garbage(void **state)
{
	static const char blob[] = "\0\x01\xff[<\0>]\x80 ? f\0+0x1/0x2 [m\0]\n\r\x7f<IRQ\0>Code: 0\0";
	static const char nul_sym[] = " f+0x1/0x2 [m\0]";
	static const char alphabet[] = " \t[]<>()?+/:.-_x0123456789abcdefTCXfrom\0\xff\x80\r";
	static const char *const words[] = {
		"[<ffffffff81000000>]", "[ 12.345678]", "[  T12]", " ? ", "func", "+0x1f/0x20",
		" [mod]", " [mod 0123abcd]", "RIP: 0010:", "Code: ", "<IRQ>", " from ", "(T)",
		"(unreliable)", "Instruction dump:", "pc : ", "NIP [c0000000]", "kern  :warn  : ",
		"Oct 11 10:57:36 h kernel: ", "<4>", "<0f>", "(d4210000)", "XXXXXXXX", "0x",
	};
	struct kd_oops_scanner sc;
	struct kd_oops_line out;
	char line[160];
	uint64_t seed = 0x9e3779b97f4a7c15u;

	(void)state;
	kd_oops_scanner_init(&sc);
	for (size_t n = 0; n <= sizeof blob - 1; n++)
		scan_n(&sc, blob, n, &out);
	scan_n(&sc, nul_sym, sizeof nul_sym - 1, &out);
	assert_int_equal(out.kind, KD_OOPS_FRAMES);
	assert_string_equal(out.frames[0].module, "");

	/* random lines built from syntax pieces: whatever they are, the
	 * invariants hold and nothing is read past the end */
	for (int round = 0; round < 20000; round++) {
		size_t len = 0, target;

		seed = seed * 6364136223846793005u + 1442695040888963407u;
		target = (size_t)(seed >> 58) * 2;
		while (len < target && len < sizeof line - 32) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			if ((seed >> 40) & 1) {
				const char *w = words[(seed >> 41) % (sizeof words / sizeof words[0])];

				memcpy(line + len, w, strlen(w));
				len += strlen(w);
			} else {
				line[len++] = alphabet[(seed >> 41) % (sizeof alphabet - 1)];
			}
		}
		scan_n(&sc, line, len, &out);
	}
}

static void test_huge_lines(void **state)
{
	enum { BIG = 100 * 1024 };
	char *line = malloc(BIG + 64);
	struct kd_oops_scanner sc;
	struct kd_oops_line out;
	clock_t t0 = clock();

	(void)state;
	assert_non_null(line);
	kd_oops_scanner_init(&sc);

	memset(line, 'a', BIG);
	memcpy(line + BIG, "+0x1/0x2", 8);
	scan_n(&sc, line, BIG + 8, &out);
	assert_int_equal(out.kind, KD_OOPS_TEXT);

	memset(line, ' ', BIG);
	memcpy(line + BIG, "f+0x1/0x2", 9);
	scan_n(&sc, line, BIG + 9, &out);
	assert_int_equal(out.kind, KD_OOPS_FRAMES);
	assert_int_equal(out.frames[0].start, BIG);

	memcpy(line, "f+0x", 4);
	memset(line + 4, '0', BIG);
	memcpy(line + 4 + BIG, "1/0x2", 5);
	scan_n(&sc, line, BIG + 9, &out);
	assert_int_equal(out.frames[0].off, 1);

	for (size_t k = 0; k + 2 <= BIG; k += 2)
		memcpy(line + k, "[<", 2);
	scan_n(&sc, line, BIG, &out);
	assert_int_equal(out.kind, KD_OOPS_TEXT);

	for (size_t k = 0; k + 21 <= BIG; k += 21)
		memcpy(line + k, "[<ffffffff81000000>] ", 21);
	scan_n(&sc, line, BIG, &out);
	assert_int_equal(out.kind, KD_OOPS_TEXT);

	for (size_t k = 0; k + 7 <= BIG; k += 7)
		memcpy(line + k, "<IRQ>  ", 7);
	scan_n(&sc, line, BIG, &out);
	assert_int_equal(out.kind, KD_OOPS_TEXT);

	memcpy(line, "Code: ", 6);
	for (size_t k = 6; k < BIG; k += 3)
		memcpy(line + k, "0f ", 3);
	scan_n(&sc, line, BIG / 3 * 3, &out);
	assert_int_equal(out.kind, KD_OOPS_CODE);

	line[0] = '[';
	memset(line + 1, ' ', BIG);
	scan_n(&sc, line, BIG, &out);
	assert_int_equal(out.kind, KD_OOPS_TEXT);

	for (size_t k = 0; k + 15 <= BIG; k += 15)
		memcpy(line + k, "[ 12.345678]   ", 15);
	scan_n(&sc, line, BIG, &out);
	assert_int_equal(out.kind, KD_OOPS_TEXT);

	/* linear work: each of these takes well under a millisecond; anything
	 * quadratic in the line length would take seconds */
	assert_true(clock() - t0 < 2 * CLOCKS_PER_SEC);
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_seed_line),
		cmocka_unit_test(test_several_frames_on_a_line),
		cmocka_unit_test(test_not_frames),
		cmocka_unit_test(test_ip_lines),
		cmocka_unit_test(test_code_lines),
		cmocka_unit_test(test_empty_and_truncated),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_huge_lines),
	};

	return cmocka_run_group_tests_name("oops_lines", tests, NULL, NULL);
}
