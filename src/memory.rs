//! Giving freed memory back to the system between stages.
//!
//! glibc keeps the memory a program frees, per thread arena, for its next allocations. The
//! stages of a run allocate in several threads (parsing, distances, quantiles) and free it
//! again; without a trim the process keeps the high-water mark of every arena, about 80 MB
//! more than it holds at the peak of a 1 M-home run. No crate wraps `malloc_trim`, so it is
//! called through `libc` here.

/// Returns the free memory of every malloc arena to the system (Linux with glibc; elsewhere
/// nothing).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory that is free; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
