//! Long TPE runs on problems where a broken TPE shows: `TPE_LONGRUN=problem,trials,seeds[,sampler]`
//! (problems `sphere10`, `peaks2`, `ellipsoid10`; samplers `default`, `exact` (the default
//! with every trial a kernel of `g`), `old` (the default before issue 13), `optuna`, `random`,
//! `k<N>` (the default with at most N kernels for `g`)).
//! Prints, per seed, the best value at 100, 200, 300, 1 000, 2 000, 5 000, 10 000, ...
//! trials (those within the run), the median of the proposals' values per decile of the
//! run (a TPE whose proposals get worse over time shows a rising median), and the median
//! of the bests over seeds at each checkpoint. Run it optimised:
//! `TPE_LONGRUN=sphere10,10000,5 nice -n 10 cargo bench -p tunekit-runtime --bench tpe`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::{
    samplers::{Random, SampleContext, Sampler, Tpe},
    trial::TrialEvent,
    Direction, Domain, Outcome, Params, SearchSpace, Trial,
};

/// An objective on a point's coordinates, in space order.
type Objective = Box<dyn Fn(&[f64]) -> f64>;

/// A test function on a box, with its known minimum.
pub struct Problem {
    pub space: SearchSpace,
    pub optimum: f64,
    f: Objective,
}

impl Problem {
    /// The problem called `name`; `instance` picks the layout of random problems.
    pub fn by_name(name: &str, instance: u64) -> Problem {
        match name {
            "sphere10" => sphere(10),
            "peaks2" => random_peaks(2, 41, instance),
            "ellipsoid10" => ellipsoid(10),
            other => panic!("unknown problem {other}"),
        }
    }

    pub fn value(&self, params: &Params) -> f64 {
        let x: Vec<f64> = params.iter().map(|(_, v)| v.as_f64().unwrap()).collect();
        (self.f)(&x)
    }
}

fn box_space(d: usize, lo: f64, hi: f64) -> SearchSpace {
    (0..d)
        .fold(SearchSpace::builder(), |b, i| {
            b.add(format!("x{i:02}"), Domain::float(lo, hi))
        })
        .build()
        .unwrap()
}

/// Sphere on [-5, 5]^d with its minimum 0 at x_i = 1 (off the domain's centre, where the
/// prior kernel is centred).
pub fn sphere(d: usize) -> Problem {
    Problem {
        space: box_space(d, -5.0, 5.0),
        optimum: 0.0,
        f: Box::new(|x| x.iter().map(|x| (x - 1.0).powi(2)).sum()),
    }
}

/// An axis-aligned ellipsoid with condition number 1e4 on [-5, 5]^d, minimum 0 at x_i = 1:
/// a narrow valley along the first axis.
pub fn ellipsoid(d: usize) -> Problem {
    Problem {
        space: box_space(d, -5.0, 5.0),
        optimum: 0.0,
        f: Box::new(move |x| {
            x.iter()
                .enumerate()
                .map(|(i, x)| 1e4f64.powf(i as f64 / (d as f64 - 1.0)) * (x - 1.0).powi(2))
                .sum()
        }),
    }
}

/// Random peaks on [-5, 5]^d: `(10 - max_k h_k exp(-sum_j (x_j - c_kj)^2 / (2 w_kj^2)))^2`
/// over `peaks` axis-aligned Gaussian bumps drawn from `seed`. One peak is 10 tall (the
/// global minimum 0 at its centre); the others' heights are spread evenly over
/// [1.1, 9.1], so a run that settles on the tallest local peak keeps a regret of 0.81.
/// Widths: a log-uniform base in [0.3, 2] per peak times a log-uniform factor in
/// [0.18, 5.6] per axis, the first two axes rotated by a random angle per peak. Centres are uniform in [-4.5, 4.5]^d.
pub fn random_peaks(d: usize, peaks: usize, seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let bumps: Vec<(Vec<f64>, f64, Vec<f64>, f64)> = (0..peaks)
        .map(|k| {
            let centre = (0..d).map(|_| rng.random_range(-4.5..4.5)).collect();
            let height = if k == 0 {
                10.0
            } else {
                1.1 + 8.0 * (k - 1) as f64 / (peaks - 2).max(1) as f64
            };
            let base = 10f64.powf(rng.random_range(-0.523..0.301));
            let widths = (0..d)
                .map(|_| base * 10f64.powf(rng.random_range(-0.75..0.75)))
                .collect();
            let angle: f64 = rng.random_range(0.0..std::f64::consts::PI);
            (centre, height, widths, angle)
        })
        .collect();
    Problem {
        space: box_space(d, -5.0, 5.0),
        optimum: 0.0,
        f: Box::new(move |x| {
            let top = bumps
                .iter()
                .map(|(c, h, w, angle)| {
                    // Rotate the first two axes by the peak's angle.
                    let mut u: Vec<f64> = c.iter().zip(x).map(|(c, x)| x - c).collect();
                    if u.len() >= 2 {
                        let (sin, cos) = angle.sin_cos();
                        let (a, b) = (u[0], u[1]);
                        u[0] = cos * a - sin * b;
                        u[1] = sin * a + cos * b;
                    }
                    let r2: f64 = u.iter().zip(w).map(|(u, w)| (u / w).powi(2)).sum();
                    h * (-0.5 * r2).exp()
                })
                .fold(0.0, f64::max);
            (10.0 - top).powi(2)
        }),
    }
}

/// The values of `trials` proposals of `sampler` on `problem`, each ask seeded as a
/// study seeds it (ChaCha8, stream = trial number).
pub fn run(problem: &Problem, sampler: &dyn Sampler, seed: u64, trials: usize) -> Vec<f64> {
    let mut history: Vec<Trial> = Vec::with_capacity(trials);
    let mut values = Vec::with_capacity(trials);
    for number in 0..trials as u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(number);
        let ctx = SampleContext {
            space: &problem.space,
            trials: &history,
            direction: Direction::Minimize,
            number,
            seed,
        };
        let params = sampler.sample(&ctx, &mut rng).unwrap().unwrap();
        let value = problem.value(&params);
        values.push(value - problem.optimum);
        let mut trial = Trial::running(number, params);
        trial
            .apply(&TrialEvent::Finished {
                number,
                outcome: Outcome::Complete(value),
                finished_at: chrono::Utc::now(),
            })
            .unwrap();
        history.push(trial);
    }
    values
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

pub fn sampler_by_name(name: &str) -> Box<dyn Sampler> {
    match name {
        "default" => Box::new(Tpe::new()),
        // The default with `g(x)` over every trial (no kernel bound).
        "exact" => Box::new(Tpe::new().max_above_kernels(None)),
        // The default before issue 13: no spread floor, no kernel bound.
        "old" => Box::new(Tpe::new().spread_floor(false).max_above_kernels(None)),
        "optuna" => Box::new(Tpe::optuna()),
        "random" => Box::new(Random::new()),
        // `k<N>`: the default with `g(x)` over at most N kernels.
        other => match other.strip_prefix('k').and_then(|n| n.parse().ok()) {
            Some(n) => Box::new(Tpe::new().max_above_kernels(Some(n))),
            None => panic!("unknown sampler {other}"),
        },
    }
}

pub fn main(spec: &str) {
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    let trials: usize = parts[1].parse().unwrap();
    let seeds: u64 = parts[2].parse().unwrap();
    let sampler_name = parts.get(3).copied().unwrap_or("default");
    let sampler = sampler_by_name(sampler_name);
    let checkpoints: Vec<usize> = [
        100, 200, 300, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000,
    ]
    .into_iter()
    .filter(|&c| c <= trials)
    .collect();
    let mut bests: Vec<Vec<f64>> = vec![Vec::new(); checkpoints.len()];
    let started = std::time::Instant::now();
    for seed in 0..seeds {
        // Random problems get a new layout per seed.
        let problem = Problem::by_name(parts[0], seed);
        let values = run(&problem, sampler.as_ref(), seed, trials);
        let mut line = format!("seed {seed}:");
        for (i, &c) in checkpoints.iter().enumerate() {
            let best = values[..c].iter().copied().fold(f64::INFINITY, f64::min);
            bests[i].push(best);
            line += &format!(" @{c} {best:.3e}");
        }
        let deciles: Vec<String> = values
            .chunks(trials.div_ceil(10))
            .map(|chunk| format!("{:.2e}", median(chunk.to_vec())))
            .collect();
        // Proposals 10x worse than the run's median: draws far from the good region.
        let typical = median(values.clone());
        let far: Vec<String> = values
            .chunks(trials.div_ceil(10))
            .map(|chunk| {
                let far = chunk.iter().filter(|&&v| v > 10.0 * typical).count();
                format!("{:.0}%", 100.0 * far as f64 / chunk.len() as f64)
            })
            .collect();
        println!(
            "{line}\n  proposal medians by decile: {}\n  share 10x worse than the run's median: {}",
            deciles.join(" "),
            far.join(" ")
        );
    }
    let summary: Vec<String> = checkpoints
        .iter()
        .zip(&bests)
        .map(|(c, b)| format!("@{c} {:.3e}", median(b.clone())))
        .collect();
    println!(
        "{} {sampler_name} median best regret over {seeds} seeds: {} ({:.1} s)",
        parts[0],
        summary.join(" "),
        started.elapsed().as_secs_f64()
    );
}
