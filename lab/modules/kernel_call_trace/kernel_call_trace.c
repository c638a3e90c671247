#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mm.h>
char *ptr = NULL;
int __init init_module(void) {
  *ptr = 0;
  printk(KERN_ALERT "Call trace:\n");
  return 0;
}
void __exit cleanup_module(void) { }
MODULE_LICENSE("GPL");
