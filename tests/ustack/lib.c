/* A shared library frame for the ustack tests: calls back into the program. */
__attribute__((noinline)) int lib_call(int (*cb)(int), int x)
{
	int r = cb(x + 1); /* LIB_CALL */
	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return r;
}
