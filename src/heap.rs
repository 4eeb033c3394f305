//! The process's heap (glibc's malloc): when freed memory goes back to the system.
//!
//! One large issue must stay within 10× its size, so the writers hand freed pages back
//! (`malloc_trim`) as they go. A batch of many small issues wants the opposite: every
//! page given back is faulted in again by the next issue (on the 132 development issues
//! that was 200,000 page faults and a tenth of the CPU). [`keep_for_reuse`] switches a
//! process to the batch behaviour.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Free memory below this stays in the process ([`release_free_memory`] does nothing).
/// 0 (the default): always trim.
static RETAIN: AtomicUsize = AtomicUsize::new(0);

/// How much freed memory a batch keeps for its next issues: above what the 132
/// development issues leave free at `--jobs 2` (at most 49 MB measured), far below a
/// large issue's hundreds.
pub const BATCH_RETAIN: usize = 96 << 20;

/// Keeps up to `bytes` of freed memory in the process for the next allocations: glibc
/// neither trims nor unmaps below that, and [`release_free_memory`] leaves it alone.
/// Call once, before the worker threads start (`batch` does).
pub fn keep_for_reuse(bytes: usize) {
    RETAIN.store(bytes, Ordering::Relaxed);
    imp::tune(bytes);
}

/// Hands memory freed by finished pages back to the system, unless less than what
/// [`keep_for_reuse`] asked to keep is free. The writers make and drop a compressor and
/// buffers for every page (krilla, the OFD's zip); glibc keeps the holes they leave, and
/// a large issue's RSS grew with its page count.
pub fn release_free_memory() {
    let retain = RETAIN.load(Ordering::Relaxed);
    if retain == 0 || imp::free_bytes().is_none_or(|free| free > retain) {
        imp::trim();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use std::ffi::c_int;

    /// glibc's `struct mallinfo2` (all fields `size_t`).
    #[repr(C)]
    struct MallInfo2 {
        arena: usize,
        ordblks: usize,
        smblks: usize,
        hblks: usize,
        hblkhd: usize,
        usmblks: usize,
        fsmblks: usize,
        uordblks: usize,
        fordblks: usize,
        keepcost: usize,
    }

    extern "C" {
        fn malloc_trim(pad: usize) -> c_int;
        fn mallopt(param: c_int, value: c_int) -> c_int;
        fn mallinfo2() -> MallInfo2;
    }

    const M_TRIM_THRESHOLD: c_int = -1;
    const M_TOP_PAD: c_int = -2;
    const M_MMAP_THRESHOLD: c_int = -3;
    /// glibc refuses larger mmap thresholds (half its 64 MB heap size on 64-bit).
    const MMAP_THRESHOLD_MAX: usize = 32 << 20;

    pub fn tune(bytes: usize) {
        let clamp = |v: usize| c_int::try_from(v).unwrap_or(c_int::MAX);
        // SAFETY: mallopt only changes malloc's parameters; it has no preconditions
        // (a refused value leaves the old one).
        unsafe {
            // Freed memory at the top of a heap stays up to `bytes`, …
            mallopt(M_TRIM_THRESHOLD, clamp(bytes));
            // … each heap grows by 16 MB at a time rather than a page, …
            mallopt(M_TOP_PAD, clamp(16 << 20));
            // … and blocks up to 32 MB come from the heaps, not from mmap (an mmapped
            // block is unmapped when freed and faulted in again when next needed).
            mallopt(M_MMAP_THRESHOLD, clamp(MMAP_THRESHOLD_MAX.min(bytes)));
        }
    }

    /// Free bytes held by malloc's heaps (all arenas).
    pub fn free_bytes() -> Option<usize> {
        // SAFETY: mallinfo2 only reads malloc's statistics; it has no preconditions.
        Some(unsafe { mallinfo2() }.fordblks)
    }

    pub fn trim() {
        // SAFETY: malloc_trim only returns unused heap pages to the kernel; it has no
        // preconditions and is safe to call at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub fn tune(_bytes: usize) {}
    pub fn free_bytes() -> Option<usize> {
        None
    }
    pub fn trim() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_memory_is_measured_where_it_can_be_trimmed() {
        // Where trimming exists (glibc), the free bytes it decides by are readable.
        let v = vec![1u8; 1 << 20];
        drop(std::hint::black_box(v));
        assert_eq!(
            imp::free_bytes().is_some(),
            cfg!(all(target_os = "linux", target_env = "gnu"))
        );
    }
}
