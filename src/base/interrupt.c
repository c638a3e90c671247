#include <signal.h>

#include "base/interrupt.h"

static volatile sig_atomic_t flag;

void kd_session_interrupt(void)
{
	flag = 1;
}

void kd_interrupt_clear(void)
{
	flag = 0;
}

bool kd_interrupted(void)
{
	return flag != 0;
}

int kd_interrupt_check(kd_err *err)
{
	return flag ? kd_fail(err, KD_ERR_INTERRUPTED, "interrupted") : 0;
}
