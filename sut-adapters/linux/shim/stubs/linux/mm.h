#ifndef _SHIM_LINUX_MM_H
#define _SHIM_LINUX_MM_H
/*
 * What dma-resv.c's lockdep priming (dma_resv_lockdep) needs of the mm: an mm_struct whose
 * mmap_lock and an address_space whose i_mmap_rwsem are lock classes of the recorder (rwsems:
 * read is a non-recursive read, as down_read is for lockdep). No memory is managed.
 */
#include <linux/init.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
struct mm_struct { struct lockdep_map mmap_lock; };
struct address_space { struct lockdep_map i_mmap_rwsem; };
static inline struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (mm)
		mm->mmap_lock.name = "&mm->mmap_lock";
	return mm;
}
static inline void mmput(struct mm_struct *mm) { kfree(mm); }
static inline void mmap_read_lock(struct mm_struct *mm) { lock_acquire(&mm->mmap_lock, 0, 0, 1, 1, NULL, 0); }
static inline void mmap_read_unlock(struct mm_struct *mm) { lock_release(&mm->mmap_lock, 0); }
static inline void address_space_init_once(struct address_space *mapping)
{
	mapping->i_mmap_rwsem = (struct lockdep_map){ .name = "&mapping->i_mmap_rwsem" };
}
static inline void i_mmap_lock_write(struct address_space *m) { lock_acquire(&m->i_mmap_rwsem, 0, 0, 0, 1, NULL, 0); }
static inline void i_mmap_unlock_write(struct address_space *m) { lock_release(&m->i_mmap_rwsem, 0); }
#endif
