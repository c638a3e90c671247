/* ustack test program: known call chains in four threads, a shared
 * library frame, inlined calls, C++ frames, a signal frame and a stack
 * whose return address was overwritten; each thread blocks forever where
 * the test (and gdb) can read its stack. Prints "ready" once all four are
 * in place (the last one says it). */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

int lib_call(int (*cb)(int), int x);
void cxx_entry(void);

static atomic_int ready, interrupting;

void block_forever(void)
{
	if (atomic_fetch_add(&ready, 1) == 3)
		write(1, "ready\n", 6); /* write: this may run in a signal handler */
	for (;;)
		pause(); /* BLOCK */
}

static __attribute__((noinline)) int callback(int x)
{
	block_forever(); /* CALLBACK_BLOCK */
	return x;
}

static inline __attribute__((always_inline)) int inlined_step(int x)
{
	return lib_call(callback, x * 2); /* INLINED_CALL */
}

static __attribute__((noinline)) int outer(int x)
{
	int r = inlined_step(x + 1); /* OUTER_CALL */
	__asm__ volatile("" ::: "memory");
	return r;
}

static void on_usr1(int sig)
{
	(void)sig;
	block_forever(); /* HANDLER_BLOCK */
}

static __attribute__((noinline)) void interrupted(void)
{
	atomic_store(&interrupting, 1);
	for (;;)
		pause(); /* INTERRUPTED */
}

static void *signal_thread(void *arg)
{
	(void)arg;
	interrupted(); /* SIGNAL_THREAD_CALL */
	return NULL;
}

/* A corrupt stack: its own return address overwritten, as a buffer
 * overflow leaves it; the walk must stop there, not wander or loop. */
static __attribute__((noinline, optimize("no-omit-frame-pointer"))) void smashed(void)
{
	void **frame = __builtin_frame_address(0);

	frame[1] = (void *)0x4141414141414141ULL; /* SMASH */
	block_forever(); /* SMASHED_BLOCK */
}

static void *smash_thread(void *arg)
{
	(void)arg;
	smashed();
	return NULL;
}

static void *cxx_thread(void *arg)
{
	(void)arg;
	cxx_entry(); /* CXX_THREAD_CALL */
	return NULL;
}

int main(void)
{
	pthread_t a, b, c;

	signal(SIGUSR1, on_usr1);
	pthread_create(&a, NULL, signal_thread, NULL);
	pthread_create(&b, NULL, cxx_thread, NULL);
	pthread_create(&c, NULL, smash_thread, NULL);
	while (!atomic_load(&interrupting)) /* in interrupted(): the signal lands there */
		usleep(1000);
	usleep(10000); /* past the store, into pause() */
	pthread_kill(a, SIGUSR1);
	return outer(1); /* MAIN_CALL */
}
