//! A small multi-layer perceptron classifier on the CPU, built on candle.
//!
//! Everything random (weight init, shuffling, dropout masks) comes from one
//! `StdRng` seeded by the caller, so a run is a pure function of
//! `(config, data, seed)`. candle's own CPU RNG cannot be seeded
//! (`Device::Cpu.set_seed` returns an error), so it is never used here:
//! no `Var::randn`, no `candle_nn::Dropout`, no `candle_nn::init`.
//!
//! Inputs are rows of `f32` features and `u32` class labels `0..k`.
//! Features are standardized with the training set's mean and std; the
//! fitted statistics are stored in the [`Model`] and reused at prediction.

use candle_core::{Device, Result, Tensor, Var, backprop::GradStore};
use candle_nn::{AdamW, Optimizer as _, ParamsAdamW, loss::cross_entropy};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use tunekit::tunable;

use crate::digits::Classification;

/// The optimizer and its hyperparameters, with the ranges the examples search: a
/// `#[tunable]` enum whose variants carry their own (conditional) params.
#[tunable]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Optimizer {
    /// Adam (no weight decay).
    Adam {
        /// Learning rate, searched on a log scale.
        #[tune(1e-4..=3e-2, log)]
        learning_rate: f64,
    },
    /// SGD with classical (PyTorch-style) momentum; `momentum = 0.0` is plain SGD.
    Sgd {
        /// Learning rate, searched on a log scale.
        #[tune(1e-3..=3e-1, log)]
        learning_rate: f64,
        /// Momentum coefficient.
        #[tune(0.0..=0.95, step = 0.05)]
        momentum: f64,
    },
}

/// Hyperparameters of one training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MlpConfig {
    /// Optimizer and its hyperparameters.
    pub optimizer: Optimizer,
    /// Samples per gradient step.
    pub batch_size: usize,
    /// Passes over the training set.
    pub epochs: usize,
    /// Width of every hidden layer.
    pub hidden: usize,
    /// Number of hidden layers (>= 1).
    pub hidden_layers: usize,
    /// Dropout probability after each hidden activation, in `[0, 1)`.
    pub dropout: f64,
}

impl Default for MlpConfig {
    fn default() -> Self {
        Self {
            optimizer: Optimizer::Adam {
                learning_rate: 1e-3,
            },
            batch_size: 32,
            epochs: 20,
            hidden: 64,
            hidden_layers: 1,
            dropout: 0.0,
        }
    }
}

/// One fully connected layer: `y = x @ w + b`, with `w` of shape `(in, out)`.
#[derive(Debug)]
struct Dense {
    w: Var,
    b: Var,
}

impl Dense {
    /// PyTorch's default `nn.Linear` init: `U(-1/sqrt(in), 1/sqrt(in))` for weights and bias.
    fn new(inputs: usize, outputs: usize, rng: &mut StdRng, dev: &Device) -> Result<Self> {
        let bound = 1.0 / (inputs as f32).sqrt();
        let mut uniform =
            |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-bound..bound)).collect() };
        let w = Var::from_vec(uniform(inputs * outputs), (inputs, outputs), dev)?;
        let b = Var::from_vec(uniform(outputs), outputs, dev)?;
        Ok(Self { w, b })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.matmul(self.w.as_tensor())?
            .broadcast_add(self.b.as_tensor())
    }
}

/// A trained classifier.
#[derive(Debug)]
pub struct Model {
    layers: Vec<Dense>,
    mean: Vec<f32>,
    std: Vec<f32>,
    n_classes: usize,
}

impl Model {
    /// Number of classes the model predicts.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Logits for already standardized inputs. `dropout` is `Some((p, rng))` in training only.
    fn logits(&self, x: &Tensor, mut dropout: Option<(f64, &mut StdRng)>) -> Result<Tensor> {
        let Some((last, hidden)) = self.layers.split_last() else {
            candle_core::bail!("a model has at least one layer");
        };
        let mut h = x.clone();
        for layer in hidden {
            h = layer.forward(&h)?.relu()?;
            if let Some((p, rng)) = dropout.as_mut()
                && *p > 0.0
            {
                h = h.mul(&dropout_mask(h.dims2()?, *p, rng, h.device())?)?;
            }
        }
        last.forward(&h)
    }

    /// Predicted class for every row of `x`.
    pub fn predict(&self, x: &[Vec<f32>]) -> Result<Vec<u32>> {
        if x.is_empty() {
            return Ok(Vec::new());
        }
        check_rows(x, self.mean.len())?;
        let x = standardized_tensor(x, &self.mean, &self.std, &Device::Cpu)?;
        self.logits(&x, None)?.argmax(1)?.to_vec1::<u32>()
    }
}

/// Trains an MLP on `(x_train, y_train)`. Deterministic for a given `seed`.
///
/// The number of classes is `max(y_train) + 1`. Empty or ragged input, mismatched
/// lengths or an invalid config (zero batch size/width/layers, dropout outside `[0, 1)`)
/// are errors.
pub fn train_mlp(
    cfg: &MlpConfig,
    x_train: &[Vec<f32>],
    y_train: &[u32],
    seed: u64,
) -> Result<Model> {
    train_mlp_with(
        cfg,
        x_train,
        y_train,
        seed,
        |_, _| ControlFlow::Continue(()),
    )
}

/// Like [`train_mlp`], but calls `on_epoch(epoch, &model)` after every epoch
/// (`epoch` counts from 1) with the current weights, e.g. to report an
/// intermediate validation score to a pruner. Returning `ControlFlow::Break(())`
/// stops training early. The callback does not affect the random stream, so
/// the weights after epoch `k` are the same with or without it.
pub fn train_mlp_with(
    cfg: &MlpConfig,
    x_train: &[Vec<f32>],
    y_train: &[u32],
    seed: u64,
    on_epoch: impl FnMut(usize, &Model) -> ControlFlow<()>,
) -> Result<Model> {
    try_train_mlp(cfg, x_train, y_train, seed, on_epoch)
}

/// Fraction of rows of `x` whose predicted class equals `y`.
pub fn accuracy(model: &Model, x: &[Vec<f32>], y: &[u32]) -> Result<f64> {
    if x.len() != y.len() {
        candle_core::bail!("{} rows of features but {} labels", x.len(), y.len());
    }
    if y.is_empty() {
        return Ok(0.0);
    }
    let pred = model.predict(x)?;
    let correct = pred.iter().zip(y).filter(|(p, t)| p == t).count();
    Ok(correct as f64 / y.len() as f64)
}

/// Trains on `train` and returns the accuracy on `valid`: one fold of a cross-validation,
/// or the final retrain-and-test.
pub fn fit_and_score(
    cfg: &MlpConfig,
    train: &Classification,
    valid: &Classification,
    seed: u64,
) -> Result<f64> {
    let model = train_mlp(cfg, &train.x, &train.y, seed)?;
    accuracy(&model, &valid.x, &valid.y)
}

fn try_train_mlp(
    cfg: &MlpConfig,
    x: &[Vec<f32>],
    y: &[u32],
    seed: u64,
    mut on_epoch: impl FnMut(usize, &Model) -> ControlFlow<()>,
) -> Result<Model> {
    if x.is_empty() || x.len() != y.len() {
        candle_core::bail!(
            "need a non-empty training set with one label per row, got {} rows and {} labels",
            x.len(),
            y.len()
        );
    }
    if cfg.batch_size == 0 || cfg.hidden == 0 || cfg.hidden_layers == 0 {
        candle_core::bail!("batch size, hidden width and hidden layers must be at least 1");
    }
    if !(0.0..1.0).contains(&cfg.dropout) {
        candle_core::bail!("dropout must be in [0, 1), got {}", cfg.dropout);
    }

    let n_features = x[0].len();
    if n_features == 0 {
        candle_core::bail!("need at least one feature per row");
    }
    check_rows(x, n_features)?;
    let n_classes = y.iter().max().map_or(0, |&c| c as usize + 1);

    let dev = Device::Cpu;
    let mut rng = StdRng::seed_from_u64(seed);
    let (mean, std) = column_stats(x);

    let mut layers = Vec::with_capacity(cfg.hidden_layers + 1);
    let mut inputs = n_features;
    for _ in 0..cfg.hidden_layers {
        layers.push(Dense::new(inputs, cfg.hidden, &mut rng, &dev)?);
        inputs = cfg.hidden;
    }
    layers.push(Dense::new(inputs, n_classes, &mut rng, &dev)?);
    let model = Model {
        layers,
        mean,
        std,
        n_classes,
    };

    let vars: Vec<Var> = model
        .layers
        .iter()
        .flat_map(|l| [l.w.clone(), l.b.clone()])
        .collect();
    let mut opt = Opt::new(cfg.optimizer, vars)?;

    // Standardize once; batches are gathered from this row-major buffer.
    let xs: Vec<f32> = x
        .iter()
        .flat_map(|row| standardize_row(row, &model.mean, &model.std))
        .collect();
    let mut order: Vec<usize> = (0..x.len()).collect();
    let mut xb = Vec::with_capacity(cfg.batch_size * n_features);
    let mut yb = Vec::with_capacity(cfg.batch_size);

    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(cfg.batch_size) {
            xb.clear();
            yb.clear();
            for &i in batch {
                xb.extend_from_slice(&xs[i * n_features..(i + 1) * n_features]);
                yb.push(y[i]);
            }
            let xt = Tensor::from_slice(&xb, (batch.len(), n_features), &dev)?;
            let yt = Tensor::from_slice(&yb, batch.len(), &dev)?;
            let logits = model.logits(&xt, Some((cfg.dropout, &mut rng)))?;
            let loss = cross_entropy(&logits, &yt)?;
            opt.step(&loss.backward()?)?;
        }
        if on_epoch(epoch, &model).is_break() {
            break;
        }
    }
    Ok(model)
}

/// The two supported optimizers behind one `step`.
enum Opt {
    Adam(AdamW),
    Sgd(Sgd),
}

impl Opt {
    fn new(cfg: Optimizer, vars: Vec<Var>) -> Result<Self> {
        Ok(match cfg {
            Optimizer::Adam { learning_rate } => {
                let params = ParamsAdamW {
                    lr: learning_rate,
                    weight_decay: 0.0,
                    ..Default::default()
                };
                Self::Adam(AdamW::new(vars, params)?)
            }
            Optimizer::Sgd {
                learning_rate,
                momentum,
            } => Self::Sgd(Sgd::new(vars, learning_rate, momentum)?),
        })
    }

    fn step(&mut self, grads: &GradStore) -> Result<()> {
        match self {
            Self::Adam(opt) => opt.step(grads),
            Self::Sgd(opt) => opt.step(grads),
        }
    }
}

/// SGD with momentum as in PyTorch: `v = mu * v + g; p -= lr * v`.
/// (candle_nn's `SGD` has no momentum.)
struct Sgd {
    params: Vec<(Var, Var)>, // (parameter, velocity)
    lr: f64,
    momentum: f64,
}

impl Sgd {
    fn new(vars: Vec<Var>, lr: f64, momentum: f64) -> Result<Self> {
        let params = vars
            .into_iter()
            .map(|v| {
                let velocity = Var::zeros(v.shape(), v.dtype(), v.device())?;
                Ok((v, velocity))
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            params,
            lr,
            momentum,
        })
    }

    fn step(&mut self, grads: &GradStore) -> Result<()> {
        for (p, v) in &self.params {
            let Some(g) = grads.get(p) else { continue };
            let step = if self.momentum == 0.0 {
                g.clone()
            } else {
                let next = ((v.as_tensor() * self.momentum)? + g)?;
                v.set(&next)?;
                next
            };
            p.set(&(p.as_tensor() - (step * self.lr)?)?)?;
        }
        Ok(())
    }
}

/// Inverted-dropout mask: each entry is `0` with probability `p`, else `1 / (1 - p)`.
fn dropout_mask(shape: (usize, usize), p: f64, rng: &mut StdRng, dev: &Device) -> Result<Tensor> {
    let keep = 1.0 / (1.0 - p) as f32;
    let mask: Vec<f32> = (0..shape.0 * shape.1)
        .map(|_| if rng.random_bool(p) { 0.0 } else { keep })
        .collect();
    Tensor::from_vec(mask, shape, dev)
}

/// An error unless every row has `n_features` features.
fn check_rows(x: &[Vec<f32>], n_features: usize) -> Result<()> {
    match x.iter().position(|row| row.len() != n_features) {
        Some(i) => candle_core::bail!("row {i} has {} features, expected {n_features}", x[i].len()),
        None => Ok(()),
    }
}

/// Per-column mean and standard deviation of rows of equal length; constant columns
/// get std 1.
fn column_stats(x: &[Vec<f32>]) -> (Vec<f32>, Vec<f32>) {
    let n = x.len() as f64;
    let d = x[0].len();
    let mut sum = vec![0f64; d];
    let mut sum_sq = vec![0f64; d];
    for row in x {
        for (j, &v) in row.iter().enumerate() {
            sum[j] += f64::from(v);
            sum_sq[j] += f64::from(v) * f64::from(v);
        }
    }
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let std = sum_sq
        .iter()
        .zip(&mean)
        .map(|(sq, m)| {
            let sd = (sq / n - m * m).max(0.0).sqrt();
            if sd > 1e-8 { sd as f32 } else { 1.0 }
        })
        .collect();
    (mean.into_iter().map(|m| m as f32).collect(), std)
}

fn standardize_row<'a>(
    row: &'a [f32],
    mean: &'a [f32],
    std: &'a [f32],
) -> impl Iterator<Item = f32> + 'a {
    row.iter().zip(mean).zip(std).map(|((v, m), s)| (v - m) / s)
}

fn standardized_tensor(x: &[Vec<f32>], mean: &[f32], std: &[f32], dev: &Device) -> Result<Tensor> {
    let flat: Vec<f32> = x
        .iter()
        .flat_map(|r| standardize_row(r, mean, std))
        .collect();
    Tensor::from_vec(flat, (x.len(), mean.len()), dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two well-separated Gaussian-ish blobs built from a seeded rng.
    fn blobs(n: usize, seed: u64) -> (Vec<Vec<f32>>, Vec<u32>) {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|i| {
                let c = (i % 2) as u32;
                let off = if c == 0 { -2.0 } else { 2.0 };
                let row = (0..4)
                    .map(|_| off + rng.random_range(-1.0f32..1.0))
                    .collect();
                (row, c)
            })
            .unzip()
    }

    fn weights(m: &Model) -> Vec<Vec<f32>> {
        m.layers
            .iter()
            .map(|l| l.w.as_tensor().flatten_all().unwrap().to_vec1().unwrap())
            .collect()
    }

    #[test]
    fn learns_separable_data_with_both_optimizers() {
        let (x, y) = blobs(200, 1);
        for optimizer in [
            Optimizer::Adam {
                learning_rate: 1e-2,
            },
            Optimizer::Sgd {
                learning_rate: 5e-2,
                momentum: 0.9,
            },
        ] {
            let cfg = MlpConfig {
                optimizer,
                epochs: 5,
                hidden: 16,
                dropout: 0.2,
                ..Default::default()
            };
            let m = train_mlp(&cfg, &x, &y, 7).unwrap();
            assert!(accuracy(&m, &x, &y).unwrap() > 0.95, "{optimizer:?}");
        }
    }

    #[test]
    fn epoch_callback_sees_progress_and_can_stop_early() {
        let (x, y) = blobs(100, 3);
        let cfg = MlpConfig {
            epochs: 10,
            hidden: 8,
            ..Default::default()
        };
        let mut seen = Vec::new();
        let stopped = train_mlp_with(&cfg, &x, &y, 5, |epoch, m| {
            seen.push(accuracy(m, &x, &y).unwrap());
            if epoch == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!(seen.len(), 3);
        let three_epochs = train_mlp(&MlpConfig { epochs: 3, ..cfg }, &x, &y, 5).unwrap();
        assert_eq!(weights(&stopped), weights(&three_epochs));
    }

    #[test]
    fn diverging_run_does_not_panic() {
        let (x, y) = blobs(50, 4);
        let optimizer = Optimizer::Sgd {
            learning_rate: 1e3,
            momentum: 0.99,
        };
        let cfg = MlpConfig {
            optimizer,
            epochs: 3,
            ..Default::default()
        };
        let acc = accuracy(&train_mlp(&cfg, &x, &y, 0).unwrap(), &x, &y).unwrap();
        assert!((0.0..=1.0).contains(&acc));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let (x, y) = blobs(20, 5);
        let cfg = MlpConfig {
            epochs: 1,
            ..Default::default()
        };
        let mut ragged = x.clone();
        ragged[7].pop();
        assert!(train_mlp(&cfg, &ragged, &y, 0).is_err());
        assert!(train_mlp(&cfg, &vec![Vec::new(); 20], &y, 0).is_err());
        assert!(train_mlp(&cfg, &x, &y[1..], 0).is_err());
        let model = train_mlp(&cfg, &x, &y, 0).unwrap();
        assert!(model.predict(&ragged).is_err());
        assert!(accuracy(&model, &x, &y[1..]).is_err());
    }

    #[test]
    fn same_seed_same_model_different_seed_different_model() {
        let (x, y) = blobs(100, 2);
        let cfg = MlpConfig {
            epochs: 3,
            hidden: 8,
            dropout: 0.3,
            ..Default::default()
        };
        let a = weights(&train_mlp(&cfg, &x, &y, 42).unwrap());
        let b = weights(&train_mlp(&cfg, &x, &y, 42).unwrap());
        let c = weights(&train_mlp(&cfg, &x, &y, 43).unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
