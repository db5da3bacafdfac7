//! Tunes a gradient-descent optimizer on the Rosenbrock function with random search and
//! grid search, and prints the best settings each found.
//!
//! The objective is real numeric work: run `steps` iterations of gradient descent (plain
//! or with momentum) from a fixed start and report how far from the minimum it ends.
//!
//! Run: `cargo run --release --example quickstart`

use tunekit::{Domain, Error, Grid, Params, Random, SearchSpace, Study};

/// Rosenbrock's banana valley: minimum 0 at (1, 1), hard for plain gradient descent.
fn rosenbrock(x: f64, y: f64) -> f64 {
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

fn gradient(x: f64, y: f64) -> (f64, f64) {
    (
        -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
        200.0 * (y - x * x),
    )
}

/// Runs the optimizer the params describe and returns the final loss.
fn descend(params: &Params) -> Result<f64, Error> {
    let lr: f64 = params.get("learning_rate")?;
    let steps: u32 = params.get("steps")?;
    let momentum: f64 = match params.get::<String>("optimizer")?.as_str() {
        "momentum" => params.get("momentum")?,
        _ => 0.0,
    };
    let (mut x, mut y) = (-1.5, 2.0);
    let (mut vx, mut vy) = (0.0, 0.0);
    for _ in 0..steps {
        let (gx, gy) = gradient(x, y);
        vx = momentum * vx - lr * gx;
        vy = momentum * vy - lr * gy;
        x += vx;
        y += vy;
        if !x.is_finite() || !y.is_finite() || x.abs() > 1e6 {
            // Diverged: the study records a failed trial and moves on.
            return Err(Error::InvalidParams(format!(
                "diverged with learning rate {lr:.2e}"
            )));
        }
    }
    Ok(rosenbrock(x, y))
}

fn main() -> Result<(), Error> {
    let space = SearchSpace::builder()
        .add("learning_rate", Domain::float(1e-5, 1e-2).log())
        .add("steps", Domain::categorical([500, 1000, 2000]))
        .add("optimizer", Domain::categorical(["plain", "momentum"]))
        .add_when(
            "momentum",
            Domain::float(0.5, 0.95).step(0.15),
            "optimizer",
            ["momentum"],
        )
        .build()?;

    let random = Study::minimize(space.clone())
        .sampler(Random)
        .seed(7)
        .build()?;
    random.optimize(60, descend)?;
    report("random search (60 trials)", &random)?;

    // A grid needs discrete values: the learning rate on 6 log-spaced points.
    let grid_space = SearchSpace::builder()
        .add(
            "learning_rate",
            Domain::categorical([1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3]),
        )
        .add("steps", Domain::categorical([500, 1000, 2000]))
        .add("optimizer", Domain::categorical(["plain", "momentum"]))
        .add_when(
            "momentum",
            Domain::float(0.5, 0.95).step(0.15),
            "optimizer",
            ["momentum"],
        )
        .build()?;
    let grid = Study::minimize(grid_space).sampler(Grid::new()).build()?;
    let stop = grid.optimize(1000, descend)?;
    println!("grid search stopped: {stop:?}");
    report("grid search (whole grid)", &grid)?;
    Ok(())
}

fn report(title: &str, study: &Study<SearchSpace>) -> Result<(), Error> {
    let trials = study.trials()?;
    let failed = trials.iter().filter(|t| t.failure.is_some()).count();
    let best = study
        .best()
        .ok_or_else(|| Error::InvalidParams("every trial failed".into()))?;
    println!("{title}: {} trials, {failed} diverged", trials.len());
    println!(
        "  best loss {:.3e} with {}",
        best.value,
        serde_json::to_string(&best.params).unwrap_or_default()
    );
    Ok(())
}
