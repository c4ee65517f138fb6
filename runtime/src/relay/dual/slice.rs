//! Where a run of a dual-LLM request runs: on the runtime's worker within an instruction
//! slice, or, once a program has shown it needs more, off the worker with the full budget.
//!
//! A run on the worker serves nothing else until it ends, so a program started in it gets at
//! most [`WORKER_SLICE`] instructions. A program that uses them up stops the run
//! ([`Stop::SliceSpent`](super::replay::Stop)); the run is abandoned (it worked on a copy of
//! the session and its effects are replaced by the next run's) and the request runs again
//! with the configured budget on a blocking thread, replaying the same LLM replies under the
//! same clock, so it reaches the answer it would have reached on the worker. From then on the
//! request's runs stay off the worker.
//!
//! The VM keeps the instruction budget it was started with for its whole life, suspensions
//! included (it is part of its snapshot), so a program started under the slice must never be
//! parked in the session: a sliced run that ends at a call of such a program
//! ([`Stop::SlicedProgram`](super::replay::Stop)) runs once more with the full budget, on the
//! worker (deterministic, it does the same work as the run it repeats).
//!
//! For the same reason a run that resumes a stored program (a tool result) is not sliced: the
//! program has the full budget and the VM cannot lower it.
// TODO(next): with a VM API to read a program's instruction count and set its limit, every run
// could get `used + WORKER_SLICE` and the full limit back before parking: resumed programs
// would be sliced too, and a sliced run that parks a program would not need repeating.

use super::super::error::{ApiError, ErrorCode};

/// Instructions a program started on the worker may run before the request moves off it.
///
/// The seed programs need 34 and 36 instructions and the relay_load program 12, so a realistic
/// plan reaches its next call or its end far within it; a loop of 100,000 iterations needs
/// about 700,000. It is 2% of the default budget (`limits.vm_max_instructions`, 10 million):
/// a few milliseconds of a worker in a release build, the most one request takes from the
/// others before it moves to a blocking thread.
pub const WORKER_SLICE: u64 = 200_000;

/// How one run of a request is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// On the worker; a program it starts gets [`WORKER_SLICE`] instructions (below the
    /// configured budget).
    Sliced,
    /// On the worker, with the configured budget: when that is no more than the slice, or to
    /// repeat a sliced run that parked a program started under the slice.
    Whole,
    /// On a blocking thread, with the configured budget.
    OffWorker,
}

impl Run {
    /// The first run of a request whose configured budget is `budget`.
    pub fn first(budget: u64) -> Run {
        if WORKER_SLICE < budget {
            Run::Sliced
        } else {
            Run::Whole
        }
    }

    /// The instruction budget of a program started in this run.
    pub fn instructions(self, budget: u64) -> u64 {
        match self {
            Run::Sliced => WORKER_SLICE.min(budget),
            Run::Whole | Run::OffWorker => budget,
        }
    }
}

/// Runs `run` on a blocking thread, in the caller's span. A panic is an internal error (the
/// session is unchanged: nothing is committed).
pub async fn off_worker<T: Send + 'static>(
    run: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(run))
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::InternalError,
                "internal error: the dual-LLM run failed; the session is unchanged",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_within_the_slice_is_never_sliced() {
        assert_eq!(Run::first(10_000_000), Run::Sliced);
        assert_eq!(Run::Sliced.instructions(10_000_000), WORKER_SLICE);
        assert_eq!(Run::first(WORKER_SLICE), Run::Whole);
        assert_eq!(Run::first(1_000), Run::Whole);
        assert_eq!(Run::Whole.instructions(1_000), 1_000);
        assert_eq!(Run::OffWorker.instructions(10_000_000), 10_000_000);
    }
}
