//! Writes before checks: the writer marks each write's arrival, and checks
//! take turns while writes are arriving. It sits below both, so that
//! neither reaches into the other.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes before checks (写入优先). While writes are arriving (one within
/// `PRIORITY_WINDOW`), at most `limit` checks are worked on at once and
/// the others wait their turn, in order; with no write arriving, checks are
/// not limited. A check load that keeps every core busy otherwise puts each
/// step of a write (its request read, its answer sent) behind every check
/// queued before it, and writes fall to about 0.4x of their rate alone.
#[derive(Clone)]
pub struct WritePriority {
    inner: Arc<PriorityState>,
}

/// How long after a write arrives checks are still limited.
pub const PRIORITY_WINDOW: std::time::Duration = std::time::Duration::from_millis(100);

struct PriorityState {
    started: std::time::Instant,
    /// When the newest write arrived, in microseconds after `started`; 0
    /// before any.
    last_write: AtomicU64,
    window_micros: u64,
    turns: tokio::sync::Semaphore,
    limit: u32,
}

impl WritePriority {
    /// `limit` 0 never limits checks.
    pub fn new(limit: u32, window: std::time::Duration) -> WritePriority {
        WritePriority {
            inner: Arc::new(PriorityState {
                started: std::time::Instant::now(),
                last_write: AtomicU64::new(0),
                window_micros: u64::try_from(window.as_micros()).unwrap_or(u64::MAX),
                turns: tokio::sync::Semaphore::new(limit as usize),
                limit,
            }),
        }
    }

    /// Microseconds since `started`, never 0.
    fn now(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_micros()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Marks a write's arrival: checks take turns for `window` from now.
    pub fn write_arrived(&self) {
        self.inner.last_write.store(self.now(), Ordering::Relaxed);
    }

    /// Waits for a check's turn while writes are arriving; hold the permit
    /// until the check is answered. `share`: how much of `limit` the check
    /// takes (at least 1, at most all of it).
    pub async fn check_turn(&self, share: u32) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let inner = &*self.inner;
        let last = inner.last_write.load(Ordering::Relaxed);
        if inner.limit == 0 || last == 0 || self.now().saturating_sub(last) > inner.window_micros {
            return None;
        }
        inner.turns.acquire_many(share.clamp(1, inner.limit)).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn checks_take_turns_only_while_writes_arrive() {
        let priority = WritePriority::new(2, Duration::from_millis(50));
        assert!(priority.check_turn(1).await.is_none(), "no write yet: checks are not limited");

        priority.write_arrived();
        let first = priority.check_turn(1).await.expect("a turn while writing");
        let second = priority.check_turn(1).await.expect("a second turn");
        let waiting = tokio::time::timeout(Duration::from_millis(20), priority.check_turn(1)).await;
        assert!(waiting.is_err(), "a third check waits while two are worked on");
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(20), priority.check_turn(1)).await;
        assert!(matches!(third, Ok(Some(_))), "a turn given back goes to the next check");
        drop((second, third));

        // A batch takes the whole limit, however many codes it has.
        let batch = priority.check_turn(1000).await.expect("a batch's turn");
        assert!(tokio::time::timeout(Duration::from_millis(20), priority.check_turn(1)).await.is_err());
        drop(batch);

        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(priority.check_turn(1).await.is_none(), "no write for longer than the window: not limited");
    }

    #[tokio::test]
    async fn a_limit_of_zero_never_limits_checks() {
        let priority = WritePriority::new(0, Duration::from_secs(60));
        priority.write_arrived();
        assert!(priority.check_turn(1).await.is_none());
    }
}
