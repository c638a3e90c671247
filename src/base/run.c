#include "base/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"

extern char **environ;

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int kd_run(char *const argv[], char *out, size_t len, int timeout_ms, kd_err *err)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status = 0, rc;
	size_t got = 0;
	long deadline = now_ms() + timeout_ms;
	pid_t pid;

	if (len)
		out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) != 0)
		return kd_fail_errno(err, "%s: cannot make a pipe", argv[0]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return kd_fail(err, rc == ENOENT ? KD_ERR_LOOKUP : KD_ERR_IO, "%s: %s", argv[0],
			       rc == ENOENT ? "not installed (not in PATH)" : strerror(rc));
	}
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		long left = deadline - now_ms();
		char buf[512];
		ssize_t n;

		int ready = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if ((n = read(fds[0], buf, sizeof(buf))) <= 0)
			break;
		for (ssize_t i = 0; i < n && got + 1 < len; i++)
			out[got++] = buf[i];
		if (len)
			out[got] = '\0';
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return kd_fail(err, KD_ERR_IO, "%s did not finish in %d ms", argv[0], timeout_ms);
	return WEXITSTATUS(status);
}
