//! libgit2's memory during a fetch, counted and bounded: every allocation libgit2 makes goes
//! through [`install`]'s allocator, which counts what the thread holds while a [`Budget`] is
//! open on it and refuses a large block that would take that past [`MAX_FETCH_BYTES`]
//! (libgit2 checks those allocations and fails the operation with "out of memory").
//!
//! Why: a repository is a stranger's, and git objects can be built from deltas. A delta
//! declares the size of what it builds and libgit2 allocates that much, then copies from the
//! base up to 16 MiB an instruction: 128 instructions (a kilobyte) over a 16 MiB base are a
//! 2 GiB object, and a delta over that one is 256 GiB. No progress callback runs while
//! libgit2 resolves deltas, so no other bound can stop it; the process was killed for memory.
//!
//! Per fetch, on its thread, not per process: a process-wide count let one hostile fetch make
//! every other fetch fail — and a few libgit2 paths do not check an allocation (the shallow
//! roots' copy), so a refusal there, caused by another fetch's memory, was a null write.
//! Blocks under [`REFUSABLE_BYTES`] are counted, never refused, for the same reason: a
//! bomb is one large block, and small unchecked allocations must never see a null.
//!
//! The sizes come from the C library's own record of each block (`malloc_usable_size`,
//! `malloc_size`, `_msize`), not from a header of ours, so blocks allocated before the
//! allocator was installed, or on another thread, are freed correctly (they only move the
//! count). Where the platform has no such call, libgit2 keeps its own allocator, unbounded.

use std::cell::Cell;

/// What libgit2 may hold for one fetch. Far more than a fetch of any site needs (its objects'
/// index: about 100 bytes an object, at most 4 million; posts are at most 4 MiB), far less
/// than the memory of the machines Broadsheet runs on.
pub const MAX_FETCH_BYTES: i64 = 1 << 30;

/// Blocks at least this large may be refused; smaller ones are only counted.
pub const REFUSABLE_BYTES: usize = 1 << 20;

thread_local! {
    /// Bytes libgit2 holds on this thread since the open budget began; `None` when no budget
    /// is open (nothing is refused then).
    static IN_USE: Cell<Option<i64>> = const { Cell::new(None) };
    /// Allocations refused under the open budget.
    static REFUSED: Cell<u64> = const { Cell::new(0) };
}

/// Bounds libgit2's allocations on this thread while it lives (see the module's doc).
pub struct Budget(());

impl Budget {
    pub fn open() -> Budget {
        install();
        IN_USE.with(|c| c.set(Some(0)));
        REFUSED.with(|c| c.set(0));
        Budget(())
    }

    /// Whether an allocation was refused under this budget.
    pub fn refused(&self) -> bool {
        REFUSED.with(Cell::get) > 0
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        IN_USE.with(|c| c.set(None));
    }
}

/// Installs the counting allocator (once per process; later calls do nothing).
pub fn install() {
    imp::install();
}

/// Whether this thread may take a block of `size` bytes, `more` of them new (a realloc's
/// growth); a refusal is counted.
fn fits(size: usize, more: usize) -> bool {
    if size < REFUSABLE_BYTES {
        return true;
    }
    let Ok(Some(in_use)) = IN_USE.try_with(Cell::get) else { return true };
    if in_use.saturating_add(i64::try_from(more).unwrap_or(i64::MAX)) > MAX_FETCH_BYTES {
        let _ = REFUSED.try_with(|c| c.set(c.get() + 1));
        return false;
    }
    true
}

/// Adds `delta` bytes to this thread's count, if a budget is open.
fn count(delta: i64) {
    let _ = IN_USE.try_with(|c| {
        if let Some(n) = c.get() {
            c.set(Some(n.saturating_add(delta)));
        }
    });
}

#[cfg(any(all(target_os = "linux", target_env = "gnu"), target_vendor = "apple", windows))]
#[allow(unsafe_code)] // libgit2's allocator is a table of C functions.
mod imp {
    use super::{count, fits};
    use libc::{c_char, c_int, c_void, size_t};

    /// libgit2's `git_allocator` (`git2/sys/alloc.h`), which libgit2-sys does not declare.
    #[repr(C)]
    struct GitAllocator {
        gmalloc: extern "C" fn(size_t, *const c_char, c_int) -> *mut c_void,
        grealloc: extern "C" fn(*mut c_void, size_t, *const c_char, c_int) -> *mut c_void,
        gfree: extern "C" fn(*mut c_void),
    }

    static ALLOCATOR: GitAllocator = GitAllocator { gmalloc, grealloc, gfree };

    pub fn install() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: the option copies the table (three functions that live for the whole
            // process). libgit2 keeps an allocator set before its initialisation, and one set
            // after it frees the earlier blocks correctly: both are the C library's malloc.
            unsafe {
                libgit2_sys::git_libgit2_opts(
                    libgit2_sys::GIT_OPT_SET_ALLOCATOR as c_int,
                    &ALLOCATOR as *const GitAllocator,
                );
            }
        });
    }

    /// The size the C library gave the block at `p` (not null).
    fn usable(p: *mut c_void) -> i64 {
        // SAFETY: `p` is a live block from this C library's malloc or realloc.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        let n = unsafe { libc::malloc_usable_size(p) };
        #[cfg(target_vendor = "apple")]
        let n = unsafe { libc::malloc_size(p) };
        #[cfg(windows)]
        let n = unsafe { libc::_msize(p) };
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    extern "C" fn gmalloc(n: size_t, _file: *const c_char, _line: c_int) -> *mut c_void {
        if !fits(n, n) {
            return std::ptr::null_mut();
        }
        // SAFETY: plain malloc. A null answer is libgit2's to handle: `fits` refuses only
        // large blocks, which libgit2 checks (a few small allocations it does not).
        let p = unsafe { libc::malloc(n) };
        if !p.is_null() {
            count(usable(p));
        }
        p
    }

    extern "C" fn grealloc(p: *mut c_void, n: size_t, file: *const c_char, line: c_int) -> *mut c_void {
        if p.is_null() {
            return gmalloc(n, file, line);
        }
        let old = usable(p);
        if i64::try_from(n).unwrap_or(i64::MAX) > old && !fits(n, n - old as usize) {
            // As realloc failing does: the block stays as it was, and libgit2 still owns it.
            return std::ptr::null_mut();
        }
        // SAFETY: `p` is libgit2's live block; on failure it is left as it was.
        let q = unsafe { libc::realloc(p, n) };
        if !q.is_null() {
            count(usable(q) - old);
        }
        q
    }

    extern "C" fn gfree(p: *mut c_void) {
        if p.is_null() {
            return;
        }
        count(-usable(p));
        // SAFETY: `p` is libgit2's live block, freed once (libgit2's own contract).
        unsafe { libc::free(p) };
    }
}

#[cfg(not(any(all(target_os = "linux", target_env = "gnu"), target_vendor = "apple", windows)))]
mod imp {
    pub fn install() {
        log::warn!("libgit2's memory is not bounded on this platform");
        let _ = (super::fits, super::count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_large_blocks_past_this_fetchs_budget_are_refused_and_only_on_its_thread() {
        let budget = Budget::open();
        count(MAX_FETCH_BYTES - 1024);
        assert!(fits(64 * 1024, 64 * 1024) && fits(100, 100), "small blocks are never refused");
        assert!(!budget.refused());
        assert!(!fits(REFUSABLE_BYTES, REFUSABLE_BYTES), "a large block past the budget is");
        assert!(budget.refused());
        // Another thread (another fetch, or none) has its own count.
        assert!(std::thread::spawn(|| fits(REFUSABLE_BYTES * 8, REFUSABLE_BYTES * 8)).join().unwrap());
        count(-(MAX_FETCH_BYTES - 1024));
        assert!(fits(REFUSABLE_BYTES * 8, REFUSABLE_BYTES * 8), "freed, there is room again");
        drop(budget);
        count(MAX_FETCH_BYTES * 4);
        assert!(fits(usize::MAX, usize::MAX), "no budget open: nothing refused");
        let fresh = Budget::open();
        assert!(!fresh.refused(), "each fetch starts afresh");
    }
}
