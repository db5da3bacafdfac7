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
    pub(crate) struct Watch {
        active: bool,
    }

    impl Watch {
        pub(crate) fn start() -> Watch {
            if !*INSTALLED.get_or_init(install) {
                return Watch { active: false };
            }
            let mut runs = ACTIVE_RUNS.lock().unwrap_or_else(PoisonError::into_inner);
            if *runs == 0 {
                INTERRUPTED.store(false, Ordering::SeqCst);
                DEFAULT_ACTION.store(false, Ordering::SeqCst);
            }
            *runs += 1;
            Watch { active: true }
        }

        pub(crate) fn inactive() -> Watch {
            Watch { active: false }
        }

        pub(crate) fn interrupted(&self) -> bool {
            self.active && INTERRUPTED.load(Ordering::SeqCst)
        }
    }

    impl Drop for Watch {
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
    pub(crate) struct Watch;

    impl Watch {
        pub(crate) fn start() -> Watch {
            Watch
        }

        pub(crate) fn inactive() -> Watch {
            Watch
        }

        pub(crate) fn interrupted(&self) -> bool {
            false
        }
    }
}

pub(crate) use imp::Watch;
