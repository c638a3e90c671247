/* libFuzzer target for the dump readers: the input is a dump file (any
 * format); it is opened through a memfd and a few pages, notes and
 * VMCOREINFO are read. Beyond the sanitizers, it checks the error
 * convention: a failure always leaves one non-empty line.
 * Build with `make fuzz`, or by hand: clang -fsanitize=fuzzer,address,undefined
 * -Iinclude -Isrc with this file, the src/dump and src/base sources and
 * `pkg-config --libs zlib lzo2 snappy libzstd`. Seeds: the first 64 KiB of
 * each lab dump. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dump/dump.h"

static void check(int rc, const kd_err *err)
{
	if (rc < 0 && (!err->msg[0] || strchr(err->msg, '\n')))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	unsigned char buf[3 * 4096];
	const void *desc;
	struct kd_dump *d;
	char path[64];
	size_t len, reads = 0;
	kd_err err;

	if (fd < 0)
		fd = memfd_create("kdive-fuzz-dump", 0);
	if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err.msg[0] = '\0';
	d = kd_dump_open(path, &err);
	check(d ? 0 : -1, &err);
	if (!d)
		return 0;
	kd_dump_format(d);
	kd_dump_vmcoreinfo(d, &len);
	kd_dump_is_filtered(d);
	for (size_t c = 0; c < kd_dump_ncpu_notes(d) && c < 4; c++)
		kd_dump_prstatus(d, c, &desc, &len);
	kd_dump_note(d, "QEMU", 0, 0, &desc, &len);
	/* the first pages, dumped ones further on, and reads across pages */
	for (uint64_t pfn = 0; pfn < 4096 && reads < 24; pfn++) {
		enum kd_page_state s = kd_dump_page_state(d, pfn);

		if (pfn >= 8 && s != KD_PAGE_DUMPED)
			continue;
		err.msg[0] = '\0';
		check(kd_dump_read_phys(d, pfn * 4096 + (reads % 3) * 100, buf,
					reads % 2 ? sizeof(buf) : 8, &err), &err);
		reads++;
	}
	err.msg[0] = '\0';
	check(kd_dump_read_phys(d, kd_dump_info(d)->max_pfn * 4096, buf, 8, &err), &err);
	kd_dump_close(d);
	return 0;
}
