/* The smallest kdive program: a kernel log on stdin, the same log on
 * stdout with each stack frame's source line, as `kdive decode VMLINUX`.
 *
 * Build against an installed libkdive (make install, or libkdive-dev):
 *   cc decode.c -o decode $(pkg-config --cflags --libs kdive)
 * Run:
 *   ./decode /usr/lib/debug/boot/vmlinux-$(uname -r) <oops.txt
 */
#include <stdio.h>

#include <kdive/kdive.h>

int main(int argc, char **argv)
{
	struct kd_decode_opts opts = {0};
	kd_decoder *dec;
	kd_err err;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s VMLINUX <LOG\n", argv[0]);
		return 2;
	}
	opts.vmlinux = argv[1];
	dec = kd_decoder_new(&opts, &err);
	if (!dec) {
		fprintf(stderr, "decode: %s\n", err.msg);
		return 1;
	}
	rc = kd_decoder_run(dec, stdin, stdout, stderr, &err);
	if (rc != 0)
		fprintf(stderr, "decode: %s\n", err.msg);
	kd_decoder_free(dec);
	return rc != 0;
}
