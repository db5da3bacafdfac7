//! TPE through the public API: it learns, respects the space, is reproducible, spreads
//! parallel workers, and avoids re-proposing discrete configs.

use std::collections::HashSet;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::{
    samplers::{Random, SampleContext, Sampler, Tpe},
    trial::TrialEvent,
    Direction, Domain, Error, Outcome, Params, SearchSpace, Study, Trial,
};

fn sphere_space(d: usize) -> SearchSpace {
    (0..d)
        .fold(SearchSpace::builder(), |b, i| {
            b.add(format!("x{i}"), Domain::float(-5.0, 5.0))
        })
        .build()
        .unwrap()
}

/// A shifted sphere: smooth, minimum 0 at x_i = 1.
fn sphere(p: &Params) -> Result<f64, Error> {
    let mut sum = 0.0;
    for (_, v) in p.iter() {
        let x = v.as_f64().unwrap();
        sum += (x - 1.0).powi(2);
    }
    Ok(sum)
}

fn best_of(space: SearchSpace, sampler: impl Sampler + 'static, seed: u64, budget: usize) -> f64 {
    let study = Study::minimize(space)
        .sampler(sampler)
        .seed(seed)
        .build()
        .unwrap();
    study.optimize(budget, sphere).unwrap();
    study.best().unwrap().value
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[test]
fn tpe_beats_random_search_on_a_smooth_function() {
    // 4-d sphere on [-5, 5]^4, 80 trials, 8 seeds. Random search's median best is about
    // 3.8; TPE's is about 0.07 (0.22 with Optuna's exact settings). A TPE that ignored the
    // good/bad split, or flipped the acquisition, would sit at random search's level.
    let seeds = 0..8u64;
    let random: Vec<f64> = seeds
        .clone()
        .map(|s| best_of(sphere_space(4), Random::new(), s, 80))
        .collect();
    let mr = median(random.clone());
    for (name, tpe, max_ratio) in [
        ("default", Tpe::new(), 0.1),
        ("optuna", Tpe::optuna(), 0.25),
    ] {
        let bests: Vec<f64> = seeds
            .clone()
            .map(|s| best_of(sphere_space(4), tpe.clone(), s, 80))
            .collect();
        let wins = bests.iter().zip(&random).filter(|(t, r)| t < r).count();
        let mt = median(bests.clone());
        eprintln!("sphere4 @80: TPE {name} median {mt:.4} {bests:.3?}; random median {mr:.4}");
        assert!(wins >= 7, "TPE {name} won only {wins}/8 seeds");
        assert!(
            mt < max_ratio * mr,
            "TPE {name} median {mt} vs random's {mr}"
        );
    }
}

fn conditional_space() -> SearchSpace {
    SearchSpace::builder()
        .add("opt", Domain::categorical(["sgd", "adam", "none"]))
        .add("lr", Domain::float(1e-4, 1.0).log())
        .add_when("momentum", Domain::float(0.0, 0.99), "opt", ["sgd"])
        .add_when(
            "nesterov",
            Domain::categorical([true, false]),
            "opt",
            ["sgd"],
        )
        .add_when("beta1", Domain::float(0.5, 0.999), "opt", ["adam"])
        .add_when(
            "warmup",
            Domain::Int {
                low: 0,
                high: 1000,
                log: false,
                step: Some(100),
            },
            "opt",
            ["adam"],
        )
        .add_when(
            "damp",
            Domain::float(0.0, 1.0).step(0.1),
            "nesterov",
            [false],
        )
        .add(
            "layers",
            Domain::Int {
                low: 1,
                high: 64,
                log: true,
                step: None,
            },
        )
        .build()
        .unwrap()
}

/// Best is sgd with momentum 0.9, lr 0.01, no nesterov, damp 0.3, layers 8.
fn conditional_loss(p: &Params) -> Result<f64, Error> {
    let lr: f64 = p.get("lr")?;
    let layers: i64 = p.get("layers")?;
    let base = (lr.log10() + 2.0).powi(2) + ((layers as f64).log2() - 3.0).powi(2) * 0.1;
    Ok(match p.get::<String>("opt")?.as_str() {
        "sgd" => {
            let m: f64 = p.get("momentum")?;
            let extra = if p.get::<bool>("nesterov")? {
                0.5
            } else {
                (p.get::<f64>("damp")? - 0.3).abs()
            };
            base + 4.0 * (m - 0.9).powi(2) + extra
        }
        "adam" => {
            base + 0.8
                + (p.get::<f64>("beta1")? - 0.9).abs()
                + p.get::<i64>("warmup")? as f64 / 2000.0
        }
        _ => base + 2.0,
    })
}

#[test]
fn conditional_runs_propose_exactly_the_active_params_and_learn_the_branches() {
    let mut tpe_best = Vec::new();
    let mut random_best = Vec::new();
    for seed in 0..5 {
        for (use_tpe, bests) in [(true, &mut tpe_best), (false, &mut random_best)] {
            let builder = Study::minimize(conditional_space()).seed(seed);
            let study = if use_tpe {
                builder.sampler(Tpe::new()).build().unwrap()
            } else {
                builder.sampler(Random::new()).build().unwrap()
            };
            study.optimize(120, conditional_loss).unwrap();
            for trial in study.trials().unwrap() {
                // Every active param present, in its domain and on its grid; nothing inactive.
                conditional_space().check(&trial.params).unwrap();
            }
            bests.push(study.best().unwrap().value);
        }
    }
    let (mt, mr) = (median(tpe_best.clone()), median(random_best.clone()));
    eprintln!("conditional @120: TPE {tpe_best:.3?} random {random_best:.3?}");
    // The optimum needs the right values inside the sgd branch's groups; random search
    // rarely gets all of them at once.
    assert!(mt < 0.5 * mr, "TPE median {mt} vs random {mr}");
}

#[test]
fn same_seed_same_proposals() {
    let run = |seed| {
        let study = Study::minimize(conditional_space())
            .sampler(Tpe::new())
            .seed(seed)
            .build()
            .unwrap();
        study.optimize(40, conditional_loss).unwrap();
        study
            .trials()
            .unwrap()
            .into_iter()
            .map(|t| t.params)
            .collect::<Vec<_>>()
    };
    let (a, b, c) = (run(9), run(9), run(10));
    assert!(a.iter().zip(&b).all(|(x, y)| x.same(y)));
    assert!(!a.iter().zip(&c).all(|(x, y)| x.same(y)));
}

fn finished(number: u64, params: Params, value: f64) -> Trial {
    let mut t = Trial::running(number, params);
    t.apply(&TrialEvent::Finished {
        number,
        outcome: Outcome::Complete(value),
        finished_at: chrono_now(),
    })
    .unwrap();
    t
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn propose(tpe: &Tpe, space: &SearchSpace, trials: &[Trial], seed: u64) -> Params {
    let ctx = SampleContext {
        space,
        trials,
        direction: Direction::Minimize,
        number: trials.len() as u64,
        seed,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    tpe.sample(&ctx, &mut rng).unwrap().unwrap()
}

#[test]
fn constant_liar_pushes_the_next_proposal_away_from_running_trials() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(0.0, 10.0))
        .build()
        .unwrap();
    // 30 finished trials of (x - 3)^2 on an even grid.
    let trials: Vec<Trial> = (0..30)
        .map(|i| {
            let x = i as f64 / 3.0;
            finished(i, Params::new().with("x", x), (x - 3.0).powi(2))
        })
        .collect();
    let mut moved = 0;
    for seed in 0..10 {
        let alone = propose(&Tpe::new(), &space, &trials, seed)
            .get::<f64>("x")
            .unwrap();
        // Five workers are already evaluating exactly that point.
        let n = trials.len() as u64;
        let mut with_running = trials.clone();
        for k in 0..5 {
            with_running.push(Trial::running(n + k, Params::new().with("x", alone)));
        }
        let liar = propose(&Tpe::new(), &space, &with_running, seed)
            .get::<f64>("x")
            .unwrap();
        let no_liar = propose(
            &Tpe::new().constant_liar(false),
            &space,
            &with_running,
            seed,
        )
        .get::<f64>("x")
        .unwrap();
        assert_eq!(
            no_liar, alone,
            "without the liar, running trials must not matter"
        );
        if (liar - alone).abs() > 0.05 {
            moved += 1;
        }
    }
    assert!(
        moved >= 8,
        "the liar moved the proposal in only {moved}/10 cases"
    );
}

#[test]
fn discrete_spaces_avoid_repeating_configs() {
    // 5 x 5 = 25 configs and a smooth objective: TPE converges on a few cells. Before
    // the no-repeat rule of finite spaces, margin 0 repeated itself (the old assertion
    // here: the default margin gives over 6 more distinct configs in 6 x 25 trials); now
    // no margin repeats a config while an unseen one remains.
    let space = SearchSpace::builder()
        .add("a", Domain::int(0, 4))
        .add("b", Domain::categorical(["p", "q", "r", "s", "t"]))
        .build()
        .unwrap();
    let objective = |p: &Params| -> Result<f64, Error> {
        let a: i64 = p.get("a")?;
        let b = ["p", "q", "r", "s", "t"]
            .iter()
            .position(|c| *c == p.get::<String>("b").unwrap())
            .unwrap();
        Ok((a - 2).pow(2) as f64 + (b as f64 - 1.0).powi(2))
    };
    let distinct = |tpe: Tpe, seed| {
        let study = Study::minimize(space.clone())
            .sampler(tpe)
            .seed(seed)
            .build()
            .unwrap();
        study.optimize(25, objective).unwrap();
        let seen: HashSet<String> = study
            .trials()
            .unwrap()
            .iter()
            .map(|t| serde_json::to_string(&t.params).unwrap())
            .collect();
        seen.len()
    };
    for tpe in [
        Tpe::new(),
        Tpe::new().duplicate_margin(0.0),
        Tpe::new().duplicate_margin(f64::INFINITY),
    ] {
        for seed in 0..6 {
            assert_eq!(distinct(tpe.clone(), seed), 25, "{tpe:?}, seed {seed}");
        }
    }
}

#[test]
fn invalid_options_are_reported_when_the_study_is_built() {
    let err = Study::minimize(sphere_space(1))
        .sampler(Tpe::new().n_candidates(0))
        .build();
    assert!(err
        .err()
        .unwrap()
        .to_string()
        .contains("n_candidates must be at least 1"));
    let err = Study::minimize(sphere_space(1))
        .sampler(Tpe::new().prior_weight(-1.0))
        .build();
    assert!(err.err().unwrap().to_string().contains("prior_weight"));
    let err = Study::minimize(sphere_space(1))
        .sampler(Tpe::new().max_above_kernels(Some(1)))
        .build();
    assert!(err
        .err()
        .unwrap()
        .to_string()
        .contains("max_above_kernels must be at least 2"));
}

#[test]
fn a_sampler_reused_across_histories_proposes_what_a_fresh_one_does() {
    // The sampler keeps decoded rows and kernel masses between asks; they must never
    // leak from one history into another.
    let space = sphere_space(3);
    // 1 100 trials: past 10 good trials (the spread floor) and 1 024 bad ones (the kernel
    // bound), with a good-set threshold kept from the previous history.
    let trials: Vec<Trial> = (0..1100)
        .map(|i| {
            let params = Params::new()
                .with("x0", (i as f64 * 0.37) % 10.0 - 5.0)
                .with("x1", (i as f64 * 0.91) % 10.0 - 5.0)
                .with("x2", (i as f64 * 0.13) % 10.0 - 5.0);
            let value = sphere(&params).unwrap();
            finished(i, params, value)
        })
        .collect();
    let shuffled: Vec<Trial> = trials
        .iter()
        .rev()
        .enumerate()
        .map(|(i, t)| finished(i as u64, t.params.clone(), t.value.unwrap() + 1.0))
        .collect();
    let warm = Tpe::new();
    let first = propose(&warm, &space, &trials, 5);
    let _ = propose(&warm, &space, &trials[..25], 6);
    let _ = propose(&warm, &space, &shuffled, 7);
    let again = propose(&warm, &space, &trials, 5);
    let fresh = propose(&Tpe::new(), &space, &trials, 5);
    assert!(
        first.same(&again) && first.same(&fresh),
        "{first:?} {again:?} {fresh:?}"
    );
}

#[test]
fn parallel_workers_share_one_tpe() {
    let study = Study::minimize(conditional_space())
        .sampler(Tpe::new())
        .seed(3)
        .workers(4)
        .build()
        .unwrap();
    study.optimize(80, conditional_loss).unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 80);
    for trial in &trials {
        conditional_space().check(&trial.params).unwrap();
    }
    assert!(study.best().unwrap().value < 0.5);
}

/// The values of `trials` asks of `sampler` minimizing `f` on `space`, each ask seeded
/// as a study seeds it; a plain loop, so a debug build runs a few thousand asks quickly.
fn values_of_run(
    space: &SearchSpace,
    f: &dyn Fn(&[f64]) -> f64,
    sampler: &dyn Sampler,
    seed: u64,
    trials: usize,
) -> Vec<f64> {
    let mut history: Vec<Trial> = Vec::with_capacity(trials);
    let mut values = Vec::with_capacity(trials);
    for number in 0..trials as u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(number);
        let ctx = SampleContext {
            space,
            trials: &history,
            direction: Direction::Minimize,
            number,
            seed,
        };
        let params = sampler.sample(&ctx, &mut rng).unwrap().unwrap();
        let x: Vec<f64> = params.iter().map(|(_, v)| v.as_f64().unwrap()).collect();
        let value = f(&x);
        values.push(value);
        history.push(finished(number, params, value));
    }
    values
}

fn best_within(values: &[f64], n: usize) -> f64 {
    values[..n].iter().copied().fold(f64::INFINITY, f64::min)
}

/// Issue 13: the default TPE stalled on a sphere: the magic clip kept `l(x)`'s kernels at
/// least 4% of the range wide, so once the good trials were closer together than that,
/// the best stopped improving (10-d: stuck near 0.15 from about trial 1 000). With the
/// spread floor it keeps improving. 4-d, 700 trials, 2 seeds (about 15 s in a debug
/// build): the best at 700 is over 3x better than at 300 and below 5e-5 (measured 5.6x
/// to 1.6e-5 and 7x to 9.9e-6; with `spread_floor(false)` 1.03x to 2.1e-3 and 1.0x to
/// 2.8e-3, which fails both).
#[test]
fn tpe_keeps_improving_on_a_sphere() {
    let space = sphere_space(4);
    let f = |x: &[f64]| x.iter().map(|x| (x - 1.0).powi(2)).sum::<f64>();
    for seed in 0..2 {
        let values = values_of_run(&space, &f, &Tpe::new(), seed, 700);
        let (at300, at700) = (best_within(&values, 300), best_within(&values, 700));
        eprintln!("sphere4 seed {seed}: best {at300:.3e} at 300, {at700:.3e} at 700");
        assert!(
            at700 < at300 / 3.0 && at700 < 5e-5,
            "seed {seed}: {at300} -> {at700}"
        );
    }
}

/// A 2-d landscape of 41 Gaussian peaks of random position and width (rotated, axes up to
/// 30x apart), one 10 tall and the others spread over [1.1, 9.1]:
/// `(10 - max_k h_k exp(-|x - c_k|^2_k / 2))^2`, minimum 0 at the tallest peak's centre.
/// Settling on the tallest local peak leaves a regret of 0.81.
fn random_peaks(seed: u64) -> impl Fn(&[f64]) -> f64 {
    use rand::Rng;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let peaks: Vec<([f64; 2], f64, [f64; 2], f64)> = (0..41)
        .map(|k| {
            let centre = [rng.random_range(-4.5..4.5), rng.random_range(-4.5..4.5)];
            let height = if k == 0 {
                10.0
            } else {
                1.1 + 8.0 * (k - 1) as f64 / 39.0
            };
            let base = 10f64.powf(rng.random_range(-0.523..0.301));
            let widths = [
                base * 10f64.powf(rng.random_range(-0.75..0.75)),
                base * 10f64.powf(rng.random_range(-0.75..0.75)),
            ];
            (
                centre,
                height,
                widths,
                rng.random_range(0.0..std::f64::consts::PI),
            )
        })
        .collect();
    move |x: &[f64]| {
        let top = peaks
            .iter()
            .map(|(c, h, w, angle)| {
                let (sin, cos) = angle.sin_cos();
                let (a, b) = (x[0] - c[0], x[1] - c[1]);
                let (u, v) = (cos * a - sin * b, sin * a + cos * b);
                h * (-0.5 * ((u / w[0]).powi(2) + (v / w[1]).powi(2))).exp()
            })
            .fold(0.0, f64::max);
        (10.0 - top).powi(2)
    }
}

/// Issue 13: on a multimodal problem TPE must never do worse than random search. 20
/// random-peaks layouts, 200 trials each: TPE's median regret is below 1e-3 of random
/// search's (measured: about 1e-7 against 0.3), and it ends on the tallest peak
/// (regret under 0.1) on at least as many layouts as random search.
#[test]
fn tpe_beats_random_search_on_random_peaks() {
    let space = sphere_space(2);
    let mut tpe = Vec::new();
    let mut random = Vec::new();
    for seed in 0..20 {
        let f = random_peaks(seed);
        tpe.push(best_within(
            &values_of_run(&space, &f, &Tpe::new(), seed, 200),
            200,
        ));
        random.push(best_within(
            &values_of_run(&space, &f, &Random::new(), seed, 200),
            200,
        ));
    }
    let found = |v: &[f64]| v.iter().filter(|&&r| r < 0.1).count();
    let (mt, mr) = (median(tpe.clone()), median(random.clone()));
    eprintln!(
        "peaks2 @200: TPE median {mt:.3e}, on the tallest peak {}/20; random {mr:.3e}, {}/20",
        found(&tpe),
        found(&random)
    );
    assert!(mt < 1e-3 * mr, "TPE median {mt} vs random's {mr}");
    assert!(found(&tpe) >= found(&random), "{tpe:?} vs {random:?}");
}

/// The kernel bound of `g(x)` (`max_above_kernels`) changes nothing while the trials
/// outside the good set fit in it: same proposals as the unbounded TPE, ask by ask.
#[test]
fn bounded_g_equals_the_exact_one_while_the_history_fits() {
    let space = sphere_space(3);
    let f = |x: &[f64]| x.iter().map(|x| (x - 1.0).powi(2)).sum::<f64>();
    // 150 trials: at most 135 outside the good set, under a bound of 140.
    let bounded = Tpe::new().max_above_kernels(Some(140));
    let exact = Tpe::new().max_above_kernels(None);
    let a = values_of_run(&space, &f, &bounded, 4, 150);
    let b = values_of_run(&space, &f, &exact, 4, 150);
    assert_eq!(a, b);
    // Past the bound the proposals differ (the bound is in effect), but not the quality:
    // same median best over 5 seeds within 3x at 400 trials with a bound of 64.
    let tight = Tpe::new().max_above_kernels(Some(64));
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for seed in 0..5 {
        let a = values_of_run(&space, &f, &tight, seed, 400);
        let b = values_of_run(&space, &f, &exact, seed, 400);
        assert_ne!(a, b);
        with.push(best_within(&a, 400));
        without.push(best_within(&b, 400));
    }
    let (mw, mo) = (median(with), median(without));
    eprintln!("sphere3 @400: bound 64 median {mw:.3e}, exact {mo:.3e}");
    assert!(mw < 3.0 * mo && mo < 3.0 * mw, "{mw} vs {mo}");
}
