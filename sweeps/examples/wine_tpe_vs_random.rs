//! RBF SVM or logistic regression on red wine quality: TPE against random search, each
//! with 40 trials of 5-fold cross-validation, over 3 seeds.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example wine_tpe_vs_random`

use tunekit::samplers::{Random, Tpe};
use tunekit_sweeps::wine_sweep;

fn main() -> Result<(), tunekit::BoxError> {
    const TRIALS: usize = 40;
    for seed in 0..3 {
        let tpe = wine_sweep::run(Tpe::default(), TRIALS, seed)?;
        let random = wine_sweep::run(Random, TRIALS, seed)?;
        println!("seed {seed}: best 5-fold CV accuracy after 10 / 20 / 40 trials");
        for (name, outcome) in [("TPE", &tpe), ("random", &random)] {
            let at = |n: usize| outcome.best_so_far[n.min(outcome.best_so_far.len()) - 1];
            println!(
                "  {name:<7} {:.4} / {:.4} / {:.4}   best: {:?}",
                at(10),
                at(20),
                at(TRIALS),
                outcome.best
            );
        }
    }
    Ok(())
}
