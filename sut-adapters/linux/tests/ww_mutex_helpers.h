/* Plain-C face of the shim's ww_mutex for the GoogleTest suite (implemented kernel-side). */
#ifndef WW_MUTEX_HELPERS_H
#define WW_MUTEX_HELPERS_H
#ifdef __cplusplus
extern "C" {
#endif
#define WWT_BUG 1000	/* the call hit BUG()/"would sleep forever" */
void *wwt_lock_new(void);
void wwt_lock_free(void *p);	/* kfree of a lock or a ctx */
void *wwt_ctx_new(void);	/* ww_acquire_init on a wait-die class */
void wwt_ctx_done(void *ctx);
void wwt_ctx_fini(void *ctx);
unsigned long wwt_ctx_stamp(void *ctx);
unsigned int wwt_ctx_acquired(void *ctx);
int wwt_lock(void *lock, void *ctx, int interruptible, int sigpending);
int wwt_lock_slow(void *lock, void *ctx, int interruptible, int sigpending);
int wwt_trylock(void *lock, void *ctx);
int wwt_unlock(void *lock);
int wwt_is_locked(void *lock);
void *wwt_holder_ctx(void *lock);
unsigned long wwt_warns(void);
const char *wwt_last_bug(void);
void wwt_new_boot(void);
/* Real threads: a kthread takes the lock (own ctx, stamped before ours when kthread_first) and
 * holds it for hold_ms; then we lock with our ctx. Returns our ww_mutex_lock result; *waited_ms is
 * how long it blocked; *main_acquired_before is the lock count of our ctx before trying. */
int wwt_thread_contend(int hold_ms, int kthread_older, int main_holds_other, long *waited_ms);
#ifdef __cplusplus
}
#endif
#endif
