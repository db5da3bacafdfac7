//! The constant liar in a study: workers that ask while others are still running spread
//! out. Parallel workers are simulated deterministically by asking a batch of trials before
//! telling any of them, which is what `optimize` with N workers does.

use tunekit_runtime::{samplers::Tpe, Domain, Params, SearchSpace, Study};

const WORKERS: usize = 4;
const BATCHES: usize = 15;

/// Pairs of trials in the same batch closer than `radius` to each other, over all batches.
fn near_duplicates(tpe: Tpe, seed: u64, radius: f64) -> usize {
    let space = SearchSpace::builder()
        .add("x", Domain::float(0.0, 10.0))
        .add("y", Domain::float(0.0, 10.0))
        .build()
        .unwrap();
    let study = Study::minimize(space)
        .sampler(tpe)
        .seed(seed)
        .build()
        .unwrap();
    let point = |p: &Params| (p.get::<f64>("x").unwrap(), p.get::<f64>("y").unwrap());
    let mut close = 0;
    for _ in 0..BATCHES {
        let batch: Vec<_> = (0..WORKERS).map(|_| study.ask().unwrap()).collect();
        let points: Vec<(f64, f64)> = batch.iter().map(|t| point(t.params())).collect();
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                if ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() < radius {
                    close += 1;
                }
            }
        }
        for (trial, (x, y)) in batch.iter().zip(points) {
            study
                .tell(trial, (x - 3.0).powi(2) + (y - 7.0).powi(2))
                .unwrap();
        }
    }
    close
}

#[test]
fn constant_liar_gives_fewer_near_duplicate_proposals_in_a_batch() {
    let (mut with_liar, mut without) = (0, 0);
    for seed in 0..6 {
        with_liar += near_duplicates(Tpe::new(), seed, 0.25);
        without += near_duplicates(Tpe::new().constant_liar(false), seed, 0.25);
    }
    eprintln!("near-duplicate pairs in batches: liar {with_liar}, no liar {without}");
    assert!(
        with_liar * 3 < without * 2,
        "the liar should cut near-duplicates by a third or more: {with_liar} vs {without}"
    );
}
