//! Tunes gradient descent on the Rosenbrock function with grid, random and TPE search,
//! and prints what each found. No data, no model crates: the smallest typed sweep.
//!
//! The objective is real numeric work: run `steps` iterations of gradient descent (plain
//! or with momentum) from a fixed start and report how far from the minimum it ends.
//!
//! Run: `cargo run --release --example rosenbrock`

use tunekit::prelude::*;

/// How to run gradient descent. The search space is declared on the type.
#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct Descent {
    #[tune(1e-5..=1e-2, log)]
    learning_rate: f64,
    #[tune(choice(500, 1000, 2000))]
    steps: u32,
    #[tune]
    method: Method,
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
enum Method {
    Plain,
    Momentum {
        #[tune(0.5..=0.95, step = 0.15)]
        momentum: f64,
    },
}

/// Rosenbrock's banana valley: minimum 0 at (1, 1), hard for plain gradient descent.
fn rosenbrock(x: f64, y: f64) -> f64 {
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

/// Runs the descent `cfg` describes and returns the final loss.
fn descend(cfg: &Descent) -> Result<f64, String> {
    let momentum = match cfg.method {
        Method::Plain => 0.0,
        Method::Momentum { momentum } => momentum,
    };
    let (mut x, mut y, mut vx, mut vy) = (-1.5, 2.0, 0.0, 0.0);
    for _ in 0..cfg.steps {
        let (gx, gy) = (
            -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
            200.0 * (y - x * x),
        );
        vx = momentum * vx - cfg.learning_rate * gx;
        vy = momentum * vy - cfg.learning_rate * gy;
        x += vx;
        y += vy;
        if !(x.is_finite() && y.is_finite()) || x.abs() > 1e6 {
            // Diverged: the study records a failed trial with this reason and goes on.
            return Err(format!(
                "diverged at learning rate {:.2e}",
                cfg.learning_rate
            ));
        }
    }
    Ok(rosenbrock(x, y))
}

fn main() -> Result<(), tunekit::Error> {
    // A grid needs discrete values: narrow the learning rate to 6 points at the call site.
    let grid = Study::minimize(space!(Descent {
        learning_rate: choice(1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3)
    }))
    .sampler(Grid::new())
    .build()?;
    grid.optimize(1000, descend)?;
    report("grid search (whole grid)", &grid)?;

    for (name, sampler) in [
        (
            "random search",
            Box::new(Random) as Box<dyn tunekit::samplers::Sampler>,
        ),
        ("TPE", Box::new(Tpe::default())),
    ] {
        let study = Study::minimize(space!(Descent))
            .sampler(sampler)
            .seed(7)
            .build()?;
        study.optimize(60, descend)?;
        report(&format!("{name} (60 trials)"), &study)?;
    }
    Ok(())
}

fn report(title: &str, study: &Study<TypedSpace<Descent>>) -> Result<(), tunekit::Error> {
    let trials = study.trials()?;
    let failed = trials
        .iter()
        .filter(|t| t.state == TrialState::Failed)
        .count();
    println!("{title}: {} trials, {failed} diverged", trials.len());
    match study.best() {
        Some(best) => println!("  best loss {:.3e} with {:?}", best.value, best.config),
        None => println!("  every trial diverged"),
    }
    Ok(())
}
