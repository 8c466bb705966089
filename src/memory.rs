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

/// The memory a run may take: `KINDSCAPE_MEMORY_LIMIT` if set (bytes, or with a `K`, `M`, `G`
/// or `T` suffix, powers of 1024), else what the system reports as available (`MemAvailable`
/// on Linux); `None` where neither is known, and nothing is checked.
pub fn budget() -> Option<u64> {
    if let Some(limit) = std::env::var("KINDSCAPE_MEMORY_LIMIT")
        .ok()
        .and_then(|v| parse_size(&v))
    {
        return Some(limit);
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, shift) = match t.chars().last()?.to_ascii_uppercase() {
        'K' => (&t[..t.len() - 1], 10),
        'M' => (&t[..t.len() - 1], 20),
        'G' => (&t[..t.len() - 1], 30),
        'T' => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// Refuses `bytes` of memory for `what` when they exceed [`budget`], with a message that says
/// what is too large and how much it would take. The caller adds the file or key.
pub fn check_fits(what: &str, bytes: u64) -> Result<(), String> {
    match budget() {
        Some(limit) if bytes > limit => Err(format!(
            "{what} would need about {} of memory, more than the {} available (set KINDSCAPE_MEMORY_LIMIT to change the limit)",
            human_bytes(bytes),
            human_bytes(limit)
        )),
        _ => Ok(()),
    }
}

/// `1.5 GB`, `320 MB`, `12 KB` (powers of 1024, one decimal below 10).
pub fn human_bytes(bytes: u64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else if value < 10.0 {
        format!("{value:.1} {}", units[unit])
    } else {
        format!("{value:.0} {}", units[unit])
    }
}

/// About what a run holds per home at its peak, all stages together: 8 M homes peak at 5.1 GB
/// in the whole flow over a dense network (docs/PERFORMANCE.md), and a raster grid's cells
/// take more while they are read as features. Used to refuse, before the work, more homes than
/// fit.
pub const BYTES_PER_HOME: u64 = 1024;

/// Refuses `homes` homes when a run on them would not fit in memory.
pub fn check_homes(homes: usize) -> Result<(), String> {
    check_fits(
        &format!("{homes} homes"),
        (homes as u64).saturating_mul(BYTES_PER_HOME),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_printed() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("2K"), Some(2048));
        assert_eq!(parse_size("3 g"), Some(3 << 30));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("99999999999T"), None);
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(1536), "1.5 KB");
        assert_eq!(human_bytes(15 << 30), "15 GB");
    }
}
