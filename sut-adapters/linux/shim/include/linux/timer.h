#ifndef _SHIM_LINUX_TIMER_H
#define _SHIM_LINUX_TIMER_H
/* Timers fire on one shim timer thread (softirq context stand-in) at their jiffies deadline. */
#include <linux/types.h>
#include <linux/list.h>
#include <linux/jiffies.h>
struct timer_list {
	struct list_head entry;		/* on the pending list when queued */
	unsigned long expires;
	void (*function)(struct timer_list *);
	u32 flags;
	int running;
};
void timer_setup(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags);
#define timer_setup_on_stack timer_setup
static inline void destroy_timer_on_stack(struct timer_list *timer) { (void)timer; }
#define timer_destroy_on_stack destroy_timer_on_stack	/* the 6.16+ names */
int mod_timer(struct timer_list *timer, unsigned long expires);
void add_timer(struct timer_list *timer);
int del_timer(struct timer_list *timer);
int del_timer_sync(struct timer_list *timer);
#define timer_delete_sync del_timer_sync
#define timer_delete del_timer
int timer_pending(const struct timer_list *timer);
#define from_timer(var, callback_timer, timer_fieldname) \
	container_of(callback_timer, typeof(*var), timer_fieldname)
#define timer_container_of from_timer
#endif
