//! The Qmc sampler from the prelude, on a typed space: every config is a point of the
//! space, and a seeded sweep proposes the same configs every run.

use std::sync::Mutex;

use tunekit::prelude::*;
use tunekit::samplers::QmcSequence;

#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct Train {
    #[tune(1e-5..=1e-1, log)]
    learning_rate: f64,
    #[tune(choice(16, 32, 64))]
    batch_size: usize,
    #[tune(1..=4)]
    layers: u32,
    #[tune(0.0..=0.5, step = 0.1)]
    dropout: f64,
    #[tune]
    optimizer: Optimizer,
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
enum Optimizer {
    Sgd {
        #[tune(0.0..=0.9, step = 0.1)]
        momentum: f64,
    },
    Adam,
}

fn sweep(sampler: Qmc) -> Vec<Train> {
    let study = Study::minimize(space!(Train))
        .sampler(sampler)
        .seed(4)
        .build()
        .unwrap();
    let configs = Mutex::new(Vec::new());
    study
        .optimize(32, |cfg: &Train| {
            configs.lock().unwrap().push(cfg.clone());
            cfg.learning_rate.log10().abs() + cfg.dropout
        })
        .unwrap();
    configs.into_inner().unwrap()
}

#[test]
fn qmc_from_the_prelude_sweeps_a_typed_space_reproducibly() {
    for sampler in [
        Qmc::sobol(),
        Qmc::halton(),
        tunekit::samplers::Qmc::default(),
    ] {
        let configs = sweep(sampler);
        assert_eq!(configs.len(), 32);
        assert_eq!(configs, sweep(sampler), "{sampler:?}");
        for cfg in &configs {
            assert!((1e-5..=1e-1).contains(&cfg.learning_rate), "{cfg:?}");
            assert!([16, 32, 64].contains(&cfg.batch_size), "{cfg:?}");
            assert!((1..=4).contains(&cfg.layers), "{cfg:?}");
            let tenths = cfg.dropout * 10.0;
            assert!((0.0..=5.0).contains(&tenths) && (tenths - tenths.round()).abs() < 1e-9);
        }
        // Stratified categoricals. Sobol's first 32 points hold one point in each
        // 1/32 of every dimension: exactly 16 per optimizer, and 10 to 12 per batch size
        // (a third is 10.67 cells). Halton's are within a point or two of that; random
        // draws spread wider (for the optimizer, 16 +- 2 holds 1 time in 1.4).
        let sgd = configs
            .iter()
            .filter(|c| matches!(c.optimizer, Optimizer::Sgd { .. }))
            .count();
        let batches =
            [16, 32, 64].map(|size| configs.iter().filter(|c| c.batch_size == size).count());
        if sampler.sequence() == QmcSequence::Sobol {
            assert_eq!(sgd, 16, "{sampler:?}");
            assert!(batches.iter().all(|n| (10..=12).contains(n)), "{batches:?}");
        } else {
            assert!((14..=18).contains(&sgd), "{sampler:?}: {sgd} of 32 use SGD");
            assert!(batches.iter().all(|n| (9..=13).contains(n)), "{batches:?}");
        }
    }
}
