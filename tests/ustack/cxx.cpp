// C++ frames for the ustack tests: a method in a namespace, a template.
#include <unistd.h>

extern "C" void block_forever(void);

namespace kd {
struct Widget {
	int n;
	__attribute__((noinline)) void spin(int depth);
};

template <typename T> __attribute__((noinline)) void twice(T &w)
{
	w.spin(2); // TWICE_CALL
	__asm__ volatile("" ::: "memory");
}

void Widget::spin(int depth)
{
	if (depth == 0)
		block_forever(); // SPIN_BLOCK
	else
		spin(depth - 1); // SPIN_RECURSE
	__asm__ volatile("" ::: "memory");
}
} // namespace kd

extern "C" void cxx_entry(void)
{
	kd::Widget w{ 1 };
	kd::twice(w); // CXX_ENTRY
	__asm__ volatile("" ::: "memory");
}
