//! `optimize` on several threads, budgets, callbacks and heartbeats.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tunekit_runtime::{
    callbacks::{Progress, StopAtValue, StopWithoutImprovement},
    samplers::{Grid, Random, SampleContext, Sampler},
    storage::{InMemory, Journal, Propose, Storage, StudyInfo},
    trial::TrialEvent,
    Budget, Domain, Params, Result, SearchSpace, StopReason, Study, Trial, TrialState,
};

fn space() -> SearchSpace {
    SearchSpace::builder()
        .add("x", Domain::float(-5.0, 5.0))
        .add("n", Domain::int(0, 9))
        .build()
        .unwrap()
}

fn value_of(params: &Params) -> f64 {
    let x: f64 = params.get("x").unwrap();
    let n: f64 = params.get("n").unwrap();
    (x - 1.0).powi(2) + (n - 4.0).abs()
}

/// Counts how many objectives run at once.
#[derive(Default)]
struct Concurrency {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Concurrency {
    fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        let out = work();
        self.now.fetch_sub(1, Ordering::SeqCst);
        out
    }
}

fn check_nothing_lost_or_doubled(study: &Study<SearchSpace>, expected: usize) {
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), expected);
    for (i, trial) in trials.iter().enumerate() {
        assert_eq!(trial.number, i as u64);
        assert_eq!(trial.state, TrialState::Complete, "trial {i}");
        assert_eq!(trial.value, Some(value_of(&trial.params)), "trial {i}");
    }
    let true_best = trials
        .iter()
        .map(|t| (t.value.unwrap(), t.number))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap();
    let best = study.best().unwrap();
    assert_eq!((best.value, best.number), true_best);
}

fn lose_and_double_nothing(storage: impl Storage + 'static) {
    let concurrency = Concurrency::default();
    let study = Study::minimize(space())
        .workers(4)
        .seed(5)
        .storage(storage)
        .build()
        .unwrap();
    let stop = study
        .optimize(120, |p: &Params| {
            concurrency.run(|| {
                std::thread::sleep(Duration::from_millis(1));
                value_of(p)
            })
        })
        .unwrap();
    assert_eq!(stop, StopReason::TrialBudget);
    check_nothing_lost_or_doubled(&study, 120);
    assert!(
        concurrency.max.load(Ordering::SeqCst) >= 2,
        "the workers never overlapped"
    );
}

#[test]
fn worker_threads_lose_and_double_nothing_in_memory() {
    lose_and_double_nothing(InMemory::new());
}

#[test]
fn worker_threads_lose_and_double_nothing_in_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    lose_and_double_nothing(Journal::open(dir.path().join("parallel.jsonl")).unwrap());
}

#[test]
fn grid_hands_each_point_to_exactly_one_worker() {
    let grid_space = SearchSpace::builder()
        .add("x", Domain::int(0, 9))
        .add("kind", Domain::categorical(["a", "b", "c"]))
        .build()
        .unwrap();
    let study = Study::minimize(grid_space)
        .sampler(Grid::new())
        .workers(4)
        .build()
        .unwrap();
    let stop = study
        .optimize(1000, |p: &Params| {
            std::thread::sleep(Duration::from_micros(300));
            p.get::<f64>("x").unwrap()
        })
        .unwrap();
    assert_eq!(stop, StopReason::Exhausted);
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 30);
    let distinct: BTreeSet<String> = trials.iter().map(|t| format!("{:?}", t.params)).collect();
    assert_eq!(distinct.len(), 30);
}

#[test]
fn a_panicking_trial_fails_alone() {
    let study = Study::minimize(space()).workers(3).seed(9).build().unwrap();
    study
        .optimize(60, |p: &Params| {
            if p.get::<i64>("n").unwrap() == 3 {
                panic!("n = 3 is not supported");
            }
            value_of(p)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 60);
    let mut panicked = 0;
    for trial in &trials {
        if trial.params.get::<i64>("n").unwrap() == 3 {
            panicked += 1;
            assert_eq!(trial.state, TrialState::Failed);
            assert_eq!(
                trial.failure.as_deref(),
                Some("the objective panicked: n = 3 is not supported")
            );
        } else {
            assert_eq!(trial.state, TrialState::Complete);
        }
    }
    assert!(
        panicked > 0,
        "the seed never drew n = 3; the test checks nothing"
    );
}

/// Records, for each proposal, the numbers of the running trials it was shown.
struct Recording {
    inner: Random,
    seen: Mutex<Vec<(u64, usize, Vec<u64>)>>,
}

impl Sampler for &'static Recording {
    fn name(&self) -> &'static str {
        "recording"
    }
    fn sample(
        &self,
        ctx: &SampleContext<'_>,
        rng: &mut dyn rand::RngCore,
    ) -> Result<Option<Params>> {
        let running = ctx
            .trials
            .iter()
            .filter(|t| t.state == TrialState::Running)
            .map(|t| t.number)
            .collect();
        self.seen
            .lock()
            .unwrap()
            .push((ctx.number, ctx.trials.len(), running));
        self.inner.sample(ctx, rng)
    }
}

fn running_seen_by_proposals(workers: usize) -> Vec<(u64, usize, Vec<u64>)> {
    let sampler: &'static Recording = Box::leak(Box::new(Recording {
        inner: Random::new(),
        seen: Mutex::new(Vec::new()),
    }));
    let study = Study::minimize(space())
        .workers(workers)
        .sampler(sampler)
        .build()
        .unwrap();
    study
        .optimize(12, |p: &Params| {
            std::thread::sleep(Duration::from_millis(25));
            value_of(p)
        })
        .unwrap();
    let seen = sampler.seen.lock().unwrap().clone();
    seen
}

#[test]
fn proposals_see_the_running_trials_of_other_workers() {
    let parallel = running_seen_by_proposals(3);
    assert_eq!(parallel.len(), 12);
    for (number, visible, running) in &parallel {
        assert_eq!(
            *visible as u64, *number,
            "a proposal must see every earlier trial"
        );
        assert!(running.iter().all(|r| r < number));
    }
    let with_others = parallel
        .iter()
        .filter(|(_, _, running)| !running.is_empty())
        .count();
    // Each proposal after the first round happens while the other workers sleep in
    // their objectives; allow for a loaded machine delaying a few of them.
    assert!(
        with_others >= 4,
        "only {with_others} of 12 proposals saw a running trial"
    );

    // The same check can fail: one worker never has another trial running.
    let sequential = running_seen_by_proposals(1);
    assert!(sequential.iter().all(|(_, _, running)| running.is_empty()));
}

#[test]
fn the_time_budget_starts_no_trial_late_and_finishes_the_running_ones() {
    let study = Study::minimize(space()).workers(2).build().unwrap();
    let limit = Duration::from_millis(150);
    let started = chrono::Utc::now();
    // Trials take 100 ms: two rounds start (at 0 and ~100 ms); a third would start at
    // ~200 ms, past the limit plus the slack allowed below for a loaded machine.
    let stop = study
        .optimize(limit, |p: &Params| {
            std::thread::sleep(Duration::from_millis(100));
            value_of(p)
        })
        .unwrap();
    assert_eq!(stop, StopReason::TimeBudget);
    let trials = study.trials().unwrap();
    assert!((2..=4).contains(&trials.len()), "{} trials", trials.len());
    let slack = Duration::from_millis(40);
    let deadline = started + chrono::Duration::from_std(limit + slack).unwrap();
    for trial in &trials {
        assert_eq!(
            trial.state,
            TrialState::Complete,
            "a trial was left running"
        );
        assert!(
            trial.started_at <= deadline,
            "trial {} started after the deadline",
            trial.number
        );
    }
}

#[test]
fn with_both_budgets_the_first_reached_stops() {
    let study = Study::minimize(space()).workers(2).build().unwrap();
    let budget = Budget::trials(5).with_time(Duration::from_secs(3600));
    assert_eq!(
        study.optimize(budget, value_of).unwrap(),
        StopReason::TrialBudget
    );
    assert_eq!(study.trials().unwrap().len(), 5);
    let budget = Budget::trials(1_000_000).with_time(Duration::from_millis(30));
    assert_eq!(
        study.optimize(budget, value_of).unwrap(),
        StopReason::TimeBudget
    );
}

#[test]
fn stop_at_value_stops_right_after_the_first_trial_that_reaches_it() {
    let grid_space = SearchSpace::builder()
        .add("n", Domain::int(0, 9))
        .build()
        .unwrap();
    let study = Study::minimize(grid_space)
        .sampler(Grid::new())
        .seed(4)
        .callback(StopAtValue(1.0))
        .build()
        .unwrap();
    let stop = study
        .optimize(100, |p: &Params| (p.get::<f64>("n").unwrap() - 4.0).abs())
        .unwrap();
    assert_eq!(stop, StopReason::Callback);
    let values: Vec<f64> = study
        .trials()
        .unwrap()
        .iter()
        .map(|t| t.value.unwrap())
        .collect();
    let (last, before) = values.split_last().unwrap();
    assert!(*last <= 1.0, "{values:?}");
    assert!(before.iter().all(|v| *v > 1.0), "{values:?}");
    assert!(values.len() < 10);
}

#[test]
fn stop_without_improvement_stops_after_exactly_k_trials_without_a_new_best() {
    for seed in 0..5 {
        let study = Study::minimize(space())
            .seed(seed)
            .callback(StopWithoutImprovement(4))
            .build()
            .unwrap();
        assert_eq!(
            study.optimize(10_000, value_of).unwrap(),
            StopReason::Callback
        );
        let values: Vec<f64> = study
            .trials()
            .unwrap()
            .iter()
            .map(|t| t.value.unwrap())
            .collect();
        // Trials since the best so far last improved, after each trial.
        let mut best = f64::INFINITY;
        let mut since = 0;
        let mut patience = Vec::new();
        for value in &values {
            since += 1;
            if *value < best {
                best = *value;
                since = 0;
            }
            patience.push(since);
        }
        assert_eq!(patience.last(), Some(&4), "seed {seed}: {values:?}");
        assert!(
            patience[..patience.len() - 1].iter().all(|&p| p < 4),
            "seed {seed}"
        );
    }
}

#[test]
fn callbacks_run_once_per_trial_one_at_a_time_with_workers() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&calls);
    let study = Study::minimize(space())
        .workers(4)
        .callback(move |trial: &Trial, progress: &Progress| {
            recorded
                .lock()
                .unwrap()
                .push((trial.number, trial.state, progress.finished));
            ControlFlow::Continue(())
        })
        .build()
        .unwrap();
    study.optimize(50, value_of).unwrap();
    let calls = calls.lock().unwrap();
    let numbers: BTreeSet<u64> = calls.iter().map(|c| c.0).collect();
    assert_eq!(numbers, (0..50).collect());
    assert!(calls.iter().all(|c| c.1 == TrialState::Complete));
    let finished: Vec<usize> = calls.iter().map(|c| c.2).collect();
    assert_eq!(finished, (1..=50).collect::<Vec<_>>());
}

#[test]
fn a_callback_stop_lets_the_other_workers_finish_their_trials() {
    let study = Study::minimize(space())
        .workers(3)
        .callback(|_: &Trial, _: &Progress| ControlFlow::Break(()))
        .build()
        .unwrap();
    let stop = study
        .optimize(100, |p: &Params| {
            std::thread::sleep(Duration::from_millis(5));
            value_of(p)
        })
        .unwrap();
    assert_eq!(stop, StopReason::Callback);
    let trials = study.trials().unwrap();
    assert!((1..=3).contains(&trials.len()), "{} trials", trials.len());
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
}

/// In-memory storage that asks for heartbeats and records them.
#[derive(Default)]
struct Beating {
    inner: InMemory,
    beats: Mutex<Vec<Vec<u64>>>,
    stale_checks: AtomicUsize,
}

impl Storage for &'static Beating {
    fn open(&self, info: &StudyInfo) -> Result<Option<StudyInfo>> {
        self.inner.open(info)
    }
    fn set_space(&self, space: &SearchSpace) -> Result<()> {
        self.inner.set_space(space)
    }
    fn describe(&self) -> String {
        "a heartbeat-recording storage".into()
    }
    fn create_trial(&self, propose: &mut Propose<'_>) -> Result<Option<Trial>> {
        self.inner.create_trial(propose)
    }
    fn record(&self, event: TrialEvent) -> Result<()> {
        self.inner.record(event)
    }
    fn read(&self, read: &mut dyn FnMut(&[Trial])) -> Result<()> {
        self.inner.read(read)
    }
    fn heartbeat_interval(&self) -> Option<Duration> {
        Some(Duration::from_millis(5))
    }
    fn heartbeat(&self, running: &[u64]) -> Result<()> {
        self.beats.lock().unwrap().push(running.to_vec());
        Ok(())
    }
    fn fail_stale_trials(&self) -> Result<Vec<u64>> {
        self.stale_checks.fetch_add(1, Ordering::SeqCst);
        Ok(Vec::new())
    }
}

#[test]
fn optimize_sends_heartbeats_for_its_running_trials_and_stops_with_them() {
    let storage: &'static Beating = Box::leak(Box::default());
    let study = Study::minimize(space())
        .workers(2)
        .storage(storage)
        .build()
        .unwrap();
    study
        .optimize(6, |p: &Params| {
            std::thread::sleep(Duration::from_millis(30));
            value_of(p)
        })
        .unwrap();
    assert_eq!(storage.stale_checks.load(Ordering::SeqCst), 1);
    let beats = storage.beats.lock().unwrap().clone();
    assert!(
        beats.len() >= 4,
        "{} heartbeats in ~90 ms at one per 5 ms",
        beats.len()
    );
    let with_trials: Vec<_> = beats.iter().filter(|b| !b.is_empty()).collect();
    assert!(!with_trials.is_empty());
    assert!(with_trials
        .iter()
        .all(|b| b.len() <= 2 && b.iter().all(|&n| n < 6)));
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(
        storage.beats.lock().unwrap().len(),
        beats.len(),
        "heartbeats went on after optimize"
    );
}

/// Waits up to 5 s (a loaded machine) for `done`; whether it came.
fn eventually(done: impl Fn() -> bool) -> bool {
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < until {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    done()
}

#[test]
fn an_asked_trial_sends_heartbeats_until_told_and_none_after_the_study_is_dropped() {
    let storage: &'static Beating = Box::leak(Box::default());
    let study = Study::minimize(space()).storage(storage).build().unwrap();
    let beats = || storage.beats.lock().unwrap().clone();
    let asked = study.ask().unwrap();
    assert!(
        eventually(|| beats().iter().filter(|b| b.as_slice() == [0]).count() >= 3),
        "an asked trial beats every 5 ms: {:?}",
        beats()
    );
    study.tell(&asked, 1.0).unwrap();
    // Telling waits for a beat in flight: none names the trial afterwards, and none is
    // sent while nothing runs.
    let after_tell = beats().len();
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(beats().len(), after_tell, "no beats once nothing runs");
    let left_running = study.ask().unwrap();
    assert!(eventually(|| beats().iter().any(|b| b.as_slice() == [1])));
    let before_drop = beats().len();
    drop(left_running); // not told: it runs (and beats) while the study lives
    assert!(eventually(|| beats().len() > before_drop));
    assert_eq!(beats().last().map(Vec::as_slice), Some(&[1][..]));
    drop(study);
    let after_drop = beats().len();
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(
        beats().len(),
        after_drop,
        "heartbeats went on after the study was dropped"
    );
}

#[test]
fn the_progress_bar_changes_nothing_but_the_screen() {
    let run = |bar: bool, budget: Budget| {
        let study = Study::minimize(space())
            .seed(21)
            .progress_bar(bar)
            .build()
            .unwrap();
        let stop = study.optimize(budget, value_of).unwrap();
        let params: Vec<Params> = study
            .trials()
            .unwrap()
            .into_iter()
            .map(|t| t.params)
            .collect();
        (stop, params)
    };
    assert_eq!(
        run(true, Budget::trials(15)),
        run(false, Budget::trials(15))
    );
    let (stop, trials) = run(true, Budget::time(Duration::from_millis(50)));
    assert_eq!(stop, StopReason::TimeBudget);
    assert!(!trials.is_empty());
}
