//! Ctrl-C (SIGINT) during `optimize`: the first one stops asking for trials, the second
//! one ends the process as usual.
//!
//! Signal handlers stay installed for the life of a process (the registry cannot put the
//! default disposition back), so the handler is installed once, on the first `optimize`
//! call that wants it, and stays transparent outside `optimize`: when no run is active it
//! performs the default action (terminate), exactly as if it were not there. During a run,
//! the first SIGINT only raises a flag the workers poll, and arms the default action for
//! the next one, so a user whose trial hangs can still press Ctrl-C again to quit.

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, OnceLock, PoisonError};

    use signal_hook::consts::SIGINT;

    /// When true, SIGINT does what it does by default (terminate).
    static DEFAULT_ACTION: AtomicBool = AtomicBool::new(true);
    /// Set by SIGINT; the workers of every active run poll it.
    static INTERRUPTED: AtomicBool = AtomicBool::new(false);
    /// How many `optimize` calls are watching.
    static ACTIVE_RUNS: Mutex<usize> = Mutex::new(0);
    static INSTALLED: OnceLock<bool> = OnceLock::new();

    fn install() -> bool {
        // Actions run in registration order: default first (it ends the process when
        // armed), then the flag, then arming the default for the next SIGINT.
        let installed = signal_hook::flag::register_conditional_default(SIGINT, &DEFAULT_ACTION)
            .and_then(|_| signal_hook::flag::register(SIGINT, &INTERRUPTED))
            .and_then(|_| signal_hook::flag::register(SIGINT, &DEFAULT_ACTION));
        match installed {
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(
                    "cannot handle Ctrl-C during optimize, it will end the process: {error}"
                );
                false
            }
        }
    }

    /// While alive, SIGINT sets the interrupted flag instead of ending the process.
    pub(super) struct Signal {
        active: bool,
    }

    impl Signal {
        pub(super) fn start() -> Signal {
            if !*INSTALLED.get_or_init(install) {
                return Signal { active: false };
            }
            let mut runs = ACTIVE_RUNS.lock().unwrap_or_else(PoisonError::into_inner);
            if *runs == 0 {
                INTERRUPTED.store(false, Ordering::SeqCst);
                DEFAULT_ACTION.store(false, Ordering::SeqCst);
            }
            *runs += 1;
            Signal { active: true }
        }

        pub(super) fn inactive() -> Signal {
            Signal { active: false }
        }

        pub(super) fn interrupted(&self) -> bool {
            self.active && INTERRUPTED.load(Ordering::SeqCst)
        }

        pub(super) fn is_active(&self) -> bool {
            self.active
        }
    }

    impl Drop for Signal {
        fn drop(&mut self) {
            if !self.active {
                return;
            }
            let mut runs = ACTIVE_RUNS.lock().unwrap_or_else(PoisonError::into_inner);
            *runs -= 1;
            if *runs == 0 {
                DEFAULT_ACTION.store(true, Ordering::SeqCst);
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    /// Ctrl-C is not intercepted on this platform: it ends the process as usual, and the
    /// journal's torn-line handling keeps the file readable.
    pub(super) struct Signal;

    impl Signal {
        pub(super) fn start() -> Signal {
            Signal
        }

        pub(super) fn inactive() -> Signal {
            Signal
        }

        pub(super) fn interrupted(&self) -> bool {
            false
        }

        pub(super) fn is_active(&self) -> bool {
            false
        }
    }
}

#[cfg(test)]
use std::sync::{atomic::AtomicBool, Arc, Mutex};

use super::progress_bar::Bar;

/// What one `optimize` call knows of Ctrl-C: whether it was pressed, and how to say that
/// it was noticed.
pub(crate) struct Watch {
    signal: imp::Signal,
    #[cfg(test)]
    simulated: Option<Arc<SimulatedInterrupt>>,
}

impl Watch {
    /// Catches SIGINT while this value lives.
    pub(crate) fn start() -> Watch {
        Watch::with_signal(imp::Signal::start())
    }

    /// Leaves SIGINT alone: it ends the process as usual.
    pub(crate) fn inactive() -> Watch {
        Watch::with_signal(imp::Signal::inactive())
    }

    fn with_signal(signal: imp::Signal) -> Watch {
        Watch {
            signal,
            #[cfg(test)]
            simulated: None,
        }
    }

    /// A watch whose Ctrl-C is pressed by the test, which also reads what it says.
    #[cfg(test)]
    pub(crate) fn simulated() -> (Watch, Arc<SimulatedInterrupt>) {
        let simulated = Arc::new(SimulatedInterrupt::default());
        let mut watch = Watch::inactive();
        watch.simulated = Some(Arc::clone(&simulated));
        (watch, simulated)
    }

    /// Whether Ctrl-C can be noticed at all (it is caught, on this platform).
    pub(crate) fn is_active(&self) -> bool {
        #[cfg(test)]
        if self.simulated.is_some() {
            return true;
        }
        self.signal.is_active()
    }

    pub(crate) fn interrupted(&self) -> bool {
        #[cfg(test)]
        if let Some(simulated) = &self.simulated {
            return simulated.pressed.load(std::sync::atomic::Ordering::SeqCst);
        }
        self.signal.interrupted()
    }

    /// Tells the user, at once, that Ctrl-C was noticed: above the progress bar if one
    /// is shown, else as a warning.
    pub(crate) fn acknowledge(&self, running: usize, bar: Option<&Bar>) {
        let note = format!(
            "interrupted: waiting for {running} running trial(s) to finish; press Ctrl-C \
             again to quit at once"
        );
        #[cfg(test)]
        if let Some(simulated) = &self.simulated {
            simulated
                .notes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(note.clone());
        }
        if !bar.is_some_and(|bar| bar.note(&note)) {
            tracing::warn!("{note}");
        }
    }
}

/// A Ctrl-C a test presses, and the notes the run wrote about it.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct SimulatedInterrupt {
    pub(crate) pressed: AtomicBool,
    pub(crate) notes: Mutex<Vec<String>>,
}
