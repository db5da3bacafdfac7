//! Journal tests that need whole processes: killed with SIGKILL mid-run, interrupted with
//! SIGINT, and several optimizing one file at once.
//!
//! This file has its own `main` (`harness = false`): run with no arguments it runs the
//! tests; run with `TUNEKIT_CHILD` set it is the child process those tests spawn.

#[cfg(unix)]
mod unix {
    use std::collections::{BTreeMap, BTreeSet};
    use std::io::{BufRead, BufReader, Write};
    use std::ops::ControlFlow;
    use std::path::Path;
    use std::process::{Child, ChildStdout, Command, Stdio};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use rand::{Rng, SeedableRng};
    use tunekit_runtime::{
        callbacks::Progress,
        samplers::{Random, SampleContext, Sampler},
        storage::Journal,
        Domain, Params, SearchSpace, Study, Trial, TrialContext, TrialState,
    };

    const STUDY: &str = "crash-test";

    fn space() -> SearchSpace {
        SearchSpace::builder()
            .add("x", Domain::float(-2.0, 2.0))
            .add("depth", Domain::int(1, 8))
            .build()
            .unwrap()
    }

    /// The objective's value, computed again by the parent to check what was stored.
    fn value_of(params: &Params) -> f64 {
        let x: f64 = params.get("x").unwrap();
        let depth: f64 = params.get("depth").unwrap();
        (x - 0.3).powi(2) + depth / 10.0
    }

    // ----- the child -----------------------------------------------------------------

    /// A random sampler that notes how many trials other processes had created when it
    /// last proposed (they are the ones this process did not create), and how many of its
    /// proposals saw another process's trial still running (what a constant liar uses).
    struct Watching {
        inner: Random,
        mine: Mutex<BTreeSet<u64>>,
        foreign_seen: Mutex<usize>,
        saw_foreign_running: Mutex<usize>,
    }

    impl Sampler for Watching {
        fn name(&self) -> &'static str {
            "watching"
        }
        fn sample(
            &self,
            ctx: &SampleContext<'_>,
            rng: &mut dyn rand::RngCore,
        ) -> tunekit_runtime::Result<Option<Params>> {
            let mut mine = self.mine.lock().unwrap();
            let foreign = ctx
                .trials
                .iter()
                .filter(|t| !mine.contains(&t.number))
                .count();
            *self.foreign_seen.lock().unwrap() = foreign;
            if ctx
                .trials
                .iter()
                .any(|t| t.state == TrialState::Running && !mine.contains(&t.number))
            {
                *self.saw_foreign_running.lock().unwrap() += 1;
            }
            mine.insert(ctx.number);
            self.inner.sample(ctx, rng)
        }
    }

    impl Sampler for &'static Watching {
        fn name(&self) -> &'static str {
            (**self).name()
        }
        fn sample(
            &self,
            ctx: &SampleContext<'_>,
            rng: &mut dyn rand::RngCore,
        ) -> tunekit_runtime::Result<Option<Params>> {
            (**self).sample(ctx, rng)
        }
    }

    /// Optimizes into the journal named by `TUNEKIT_CHILD`, printing `complete N VALUE`
    /// once each trial is recorded (the callback runs after the record is written).
    pub fn child(path: &str) {
        let budget: usize = env("TUNEKIT_TRIALS").parse().unwrap();
        let seed: u64 = env("TUNEKIT_SEED").parse().unwrap();
        if let Ok(go) = std::env::var("TUNEKIT_GO") {
            println!("ready");
            std::io::stdout().flush().unwrap();
            while !Path::new(&go).exists() {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let sampler: &'static Watching = Box::leak(Box::new(Watching {
            inner: Random::new(),
            mine: Mutex::new(BTreeSet::new()),
            foreign_seen: Mutex::new(0),
            saw_foreign_running: Mutex::new(0),
        }));
        let study = Study::minimize(space())
            .name(STUDY)
            .seed(seed)
            .workers(2)
            .sampler(sampler)
            .storage(Journal::open(path).unwrap())
            .callback(|trial: &Trial, _: &Progress| {
                if trial.state == TrialState::Complete {
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "complete {} {:?}", trial.number, trial.value.unwrap()).unwrap();
                    out.flush().unwrap();
                }
                ControlFlow::Continue(())
            })
            .build()
            .unwrap();
        let pause = Duration::from_micros(env("TUNEKIT_PAUSE_US").parse().unwrap());
        let stop = study
            .optimize(budget, |params: &Params, trial: &mut TrialContext| {
                for step in 0..3 {
                    trial.report(step, value_of(params) + 1.0 / (step as f64 + 1.0))?;
                    std::thread::sleep(pause);
                }
                trial.set_user_attr("pid", std::process::id())?;
                Ok::<f64, tunekit_runtime::Error>(value_of(params))
            })
            .unwrap();
        println!(
            "foreign_seen {} {}",
            sampler.foreign_seen.lock().unwrap(),
            sampler.saw_foreign_running.lock().unwrap()
        );
        println!("stopped {stop:?}");
        std::io::stdout().flush().unwrap();
        if std::env::var("TUNEKIT_LINGER").is_ok() {
            // Outside optimize, Ctrl-C must end the process as if tunekit were not there.
            std::thread::sleep(Duration::from_secs(30));
        }
    }

    fn env(name: &str) -> String {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set for the child"))
    }

    // ----- the parent ----------------------------------------------------------------

    fn spawn(
        path: &Path,
        trials: usize,
        seed: u64,
        pause_us: u64,
        extra: &[(&str, &str)],
    ) -> Child {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .env("TUNEKIT_CHILD", path)
            .env("TUNEKIT_TRIALS", trials.to_string())
            .env("TUNEKIT_SEED", seed.to_string())
            .env("TUNEKIT_PAUSE_US", pause_us.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, value) in extra {
            command.env(key, value);
        }
        command.spawn().unwrap()
    }

    /// Reads `complete N VALUE` lines into `reported`; returns the first other line.
    fn read_until_other(
        lines: &mut impl Iterator<Item = std::io::Result<String>>,
        reported: &mut BTreeMap<u64, f64>,
        stop_after: Option<usize>,
    ) -> Option<String> {
        for line in lines {
            let line = line.ok()?;
            let mut words = line.split_whitespace();
            if words.next() == Some("complete") {
                let number = words.next().unwrap().parse().unwrap();
                let value = words.next().unwrap().parse().unwrap();
                assert!(
                    reported.insert(number, value).is_none(),
                    "trial {number} reported twice"
                );
                if stop_after.is_some_and(|n| reported.len() >= n) {
                    return None;
                }
            } else {
                return Some(line);
            }
        }
        None
    }

    fn reopen(path: &Path) -> Study<SearchSpace> {
        Study::minimize(space())
            .name(STUDY)
            .storage(Journal::open(path).unwrap())
            .build()
            .unwrap()
    }

    fn lines(stdout: ChildStdout) -> impl Iterator<Item = std::io::Result<String>> {
        BufReader::new(stdout).lines()
    }

    /// Checks what every test checks after children ran: dense unique numbers, every
    /// reported trial present with its value, values consistent with the params.
    fn check_journal(trials: &[Trial], reported: &BTreeMap<u64, f64>) {
        for (index, trial) in trials.iter().enumerate() {
            assert_eq!(
                trial.number, index as u64,
                "numbers must be dense and unique"
            );
            if trial.state == TrialState::Complete {
                assert_eq!(trial.value, Some(value_of(&trial.params)));
                if trial.user_attrs.contains_key("pid") {
                    assert_eq!(trial.intermediate.len(), 3, "trial {index}");
                }
            }
        }
        for (&number, &value) in reported {
            let trial = trials
                .get(number as usize)
                .unwrap_or_else(|| panic!("trial {number} was reported complete but is missing"));
            assert_eq!(trial.state, TrialState::Complete, "trial {number}");
            assert_eq!(trial.value, Some(value), "trial {number}");
        }
    }

    pub fn sigkill_at_random_moments_loses_no_reported_trial() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_127);
        let mut reported = BTreeMap::new();
        let mut stale_total = 0;
        for round in 0..6 {
            let before = reported.len();
            let mut child = spawn(&path, 100_000, round, rng.random_range(0..400), &[]);
            let mut lines = lines(child.stdout.take().unwrap());
            let wait_for = before + rng.random_range(0..25);
            read_until_other(&mut lines, &mut reported, Some(wait_for));
            std::thread::sleep(Duration::from_micros(rng.random_range(0..3000)));
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            // Lines already in the pipe were written before the kill, so they count too.
            read_until_other(&mut lines, &mut reported, None);

            let study = reopen(&path);
            let trials = study.trials().unwrap();
            check_journal(&trials, &reported);
            let stale: Vec<_> = trials
                .iter()
                .filter(|t| t.failure.as_deref().is_some_and(|f| f.starts_with("stale")))
                .collect();
            assert!(
                trials.iter().all(|t| t.state.is_finished()),
                "round {round}: a trial of the dead child is still running"
            );
            // Two workers: at most two trials were running at each kill.
            assert!(
                stale.len() - stale_total <= 2,
                "round {round}: {} new stale trials",
                stale.len() - stale_total
            );
            stale_total = stale.len();
            // The killed child's owner file went with its stale trials: only the
            // reopening study's own is left (a claim cut short would be hidden).
            let owners: Vec<_> = std::fs::read_dir(dir.path().join("journal.jsonl.owners"))
                .unwrap()
                .map(|entry| entry.unwrap().file_name().into_string().unwrap())
                .filter(|name| !name.starts_with('.'))
                .collect();
            assert_eq!(owners.len(), 1, "round {round}: owner files {owners:?}");

            // The study runs on, numbering after the last trial.
            let next = trials.len() as u64;
            study.optimize(3, |p: &Params| value_of(p)).unwrap();
            let after = study.trials().unwrap();
            assert_eq!(after.len() as u64, next + 3);
            assert!(after[next as usize..]
                .iter()
                .all(|t| t.state == TrialState::Complete));
            println!(
                "  round {round}: {} trials in the journal, {} reported before the kill, {} stale",
                after.len(),
                reported.len(),
                stale_total
            );
        }
        assert!(
            reported.len() >= 6,
            "the children reported too few trials to test anything"
        );
    }

    pub fn processes_share_one_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.jsonl");
        let go = dir.path().join("go");
        let go_str = go.to_str().unwrap().to_owned();
        const PER_CHILD: usize = 40;
        let mut children: Vec<Child> = (0..3)
            .map(|seed| spawn(&path, PER_CHILD, seed, 500, &[("TUNEKIT_GO", &go_str)]))
            .collect();
        // Start them together, once all three are up, so that they really overlap.
        let mut outputs: Vec<_> = children
            .iter_mut()
            .map(|child| {
                let mut lines = lines(child.stdout.take().unwrap());
                let ready = read_until_other(&mut lines, &mut BTreeMap::new(), None);
                assert_eq!(ready.as_deref(), Some("ready"));
                lines
            })
            .collect();
        std::fs::write(&go, b"").unwrap();
        let mut by_child = Vec::new();
        for (child, lines) in children.iter_mut().zip(&mut outputs) {
            let mut reported = BTreeMap::new();
            let foreign = read_until_other(lines, &mut reported, None).unwrap();
            let stopped = read_until_other(lines, &mut reported, None).unwrap();
            assert_eq!(stopped, "stopped TrialBudget");
            assert!(child.wait().unwrap().success());
            let counts: Vec<usize> = foreign
                .strip_prefix("foreign_seen ")
                .unwrap()
                .split(' ')
                .map(|n| n.parse().unwrap())
                .collect();
            by_child.push((reported, counts[0], counts[1]));
        }
        let trials = reopen(&path).trials().unwrap();
        let mut union = BTreeMap::new();
        for (reported, foreign, _) in &by_child {
            assert_eq!(
                reported.len(),
                PER_CHILD,
                "each child finishes its own budget"
            );
            assert!(
                *foreign > 0,
                "a child's sampler never saw another process's trials"
            );
            for (&number, &value) in reported {
                assert!(
                    union.insert(number, value).is_none(),
                    "trial {number} claimed by two processes"
                );
            }
        }
        let saw_running: usize = by_child.iter().map(|c| c.2).sum();
        assert!(
            saw_running > 0,
            "no proposal ever saw another process's running trial"
        );
        assert_eq!(trials.len(), 3 * PER_CHILD, "the union is exactly the sum");
        assert_eq!(union.len(), trials.len());
        check_journal(&trials, &union);
        let pids: BTreeSet<_> = trials
            .iter()
            .map(|t| t.user_attrs["pid"].to_string())
            .collect();
        assert_eq!(pids.len(), 3);
    }

    pub fn ctrl_c_finishes_running_trials_then_returns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("interrupted.jsonl");
        let mut child = spawn(&path, 100_000, 7, 2000, &[("TUNEKIT_LINGER", "1")]);
        let mut lines = lines(child.stdout.take().unwrap());
        let mut reported = BTreeMap::new();
        read_until_other(&mut lines, &mut reported, Some(5));
        signal(&child, "INT");
        let foreign = read_until_other(&mut lines, &mut reported, None);
        assert_eq!(foreign.as_deref(), Some("foreign_seen 0 0"));
        let stopped = read_until_other(&mut lines, &mut reported, None);
        assert_eq!(stopped.as_deref(), Some("stopped Interrupted"));

        // The child is still alive (lingering), and none of its trials is left running.
        let trials = reopen(&path).trials().unwrap();
        check_journal(&trials, &reported);
        assert!(trials.iter().all(|t| t.state == TrialState::Complete));
        assert_eq!(trials.len(), reported.len());
        assert!(child.try_wait().unwrap().is_none());

        // Outside optimize, Ctrl-C ends the process as by default.
        signal(&child, "INT");
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the child ignored Ctrl-C outside optimize"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(2), "{status:?}");
    }

    fn signal(child: &Child, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[cfg(unix)]
fn main() {
    if let Ok(path) = std::env::var("TUNEKIT_CHILD") {
        return unix::child(&path);
    }
    let tests: [(&str, fn()); 3] = [
        (
            "sigkill_at_random_moments_loses_no_reported_trial",
            unix::sigkill_at_random_moments_loses_no_reported_trial,
        ),
        (
            "processes_share_one_journal",
            unix::processes_share_one_journal,
        ),
        (
            "ctrl_c_finishes_running_trials_then_returns",
            unix::ctrl_c_finishes_running_trials_then_returns,
        ),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        println!("test {name} ...");
        match std::panic::catch_unwind(test) {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" }
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

#[cfg(not(unix))]
fn main() {
    println!("the process tests need Unix signals; skipped");
}
