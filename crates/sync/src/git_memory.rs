//! libgit2's memory, counted and bounded: every allocation libgit2 makes goes through
//! [`install`]'s allocator, which refuses one that would take libgit2's total past
//! [`MAX_LIBGIT2_BYTES`] (libgit2 checks every allocation and fails the operation with
//! "out of memory").
//!
//! Why: a repository is a stranger's, and git objects can be built from deltas. A delta
//! declares the size of what it builds and libgit2 allocates that much, then copies from the
//! base up to 16 MiB an instruction: 128 instructions (a kilobyte) over a 16 MiB base are a
//! 2 GiB object, and a delta over that one is 256 GiB. No progress callback runs while
//! libgit2 resolves deltas, so no other bound can stop it; the process was killed for memory.
//!
//! The sizes come from the C library's own record of each block (`malloc_usable_size`,
//! `malloc_size`, `_msize`), not from a header of ours, so blocks allocated before the
//! allocator was installed are freed correctly (they only make the count low). Where the
//! platform has no such call, libgit2 keeps its own allocator and is unbounded.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// What libgit2 may hold at once, for all the fetches of the process together. Far more than a
/// fetch of any site needs (its objects' index: about 100 bytes an object; posts are at most
/// 4 MiB), far less than the memory of the machines Broadsheet runs on.
pub const MAX_LIBGIT2_BYTES: i64 = 1 << 30;

/// Bytes libgit2 holds now (blocks from before [`install`] freed after it make it lower).
static IN_USE: AtomicI64 = AtomicI64::new(0);
/// Allocations refused so far, so a failed fetch can tell that this was why.
static REFUSED: AtomicU64 = AtomicU64::new(0);

/// How many allocations have been refused in this process.
pub fn refusals() -> u64 {
    REFUSED.load(Ordering::Relaxed)
}

/// Bounds libgit2's allocations from now on (once per process; later calls do nothing).
pub fn install() {
    imp::install();
}

#[cfg(any(all(target_os = "linux", target_env = "gnu"), target_vendor = "apple", windows))]
#[allow(unsafe_code)] // libgit2's allocator is a table of C functions.
mod imp {
    use super::{IN_USE, MAX_LIBGIT2_BYTES, REFUSED};
    use libc::{c_char, c_int, c_void, size_t};
    use std::sync::atomic::Ordering;

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

    /// Whether `more` bytes fit; a refusal is counted.
    fn fits(more: usize) -> bool {
        let more = i64::try_from(more).unwrap_or(i64::MAX);
        if IN_USE.load(Ordering::Relaxed).saturating_add(more) > MAX_LIBGIT2_BYTES {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    extern "C" fn gmalloc(n: size_t, _file: *const c_char, _line: c_int) -> *mut c_void {
        if !fits(n) {
            return std::ptr::null_mut();
        }
        // SAFETY: plain malloc; a null answer is libgit2's to handle (it checks every one).
        let p = unsafe { libc::malloc(n) };
        if !p.is_null() {
            IN_USE.fetch_add(usable(p), Ordering::Relaxed);
        }
        p
    }

    extern "C" fn grealloc(p: *mut c_void, n: size_t, file: *const c_char, line: c_int) -> *mut c_void {
        if p.is_null() {
            return gmalloc(n, file, line);
        }
        let old = usable(p);
        if i64::try_from(n).unwrap_or(i64::MAX) > old && !fits(n - old as usize) {
            // As realloc failing does: the block stays as it was, and libgit2 still owns it.
            return std::ptr::null_mut();
        }
        // SAFETY: `p` is libgit2's live block; on failure it is left as it was.
        let q = unsafe { libc::realloc(p, n) };
        if !q.is_null() {
            IN_USE.fetch_add(usable(q) - old, Ordering::Relaxed);
        }
        q
    }

    extern "C" fn gfree(p: *mut c_void) {
        if p.is_null() {
            return;
        }
        IN_USE.fetch_sub(usable(p), Ordering::Relaxed);
        // SAFETY: `p` is libgit2's live block, freed once (libgit2's own contract).
        unsafe { libc::free(p) };
    }
}

#[cfg(not(any(all(target_os = "linux", target_env = "gnu"), target_vendor = "apple", windows)))]
mod imp {
    pub fn install() {
        log::warn!("libgit2's memory is not bounded on this platform");
        let _ = (&super::IN_USE, &super::REFUSED);
    }
}
