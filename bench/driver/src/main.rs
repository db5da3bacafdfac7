//! The tunekit side of the quality benchmark (bench/compare.py): reads a run's set-up as
//! one JSON line on stdin, then proposes every trial with a real [`Study`] and waits for
//! the objective value that the benchmark computes, one JSON line each way
//! (the protocol is bench/PROTOCOL.md).
//!
//! `TUNEKIT_BENCH_TPE` tweaks TPE's options for experiments, as comma-separated
//! `key=value` pairs applied in order: `preset=optuna` (start from `Tpe::optuna()`, exact
//! Optuna 5 defaults), `gamma=optuna|hyperopt|linear:F:MAX|sqrt:F:MAX`,
//! `weights=optuna|uniform`, `startup=N`, `candidates=N`, `prior=W`, `bandwidth=F`,
//! `multivariate=B`, `endpoints=B`, `clip=B`, `liar=B`, `duplicates=MARGIN`.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use serde_json::{json, Value as Json};
use tunekit::{
    samplers::{CmaEs, Gamma, Gp, Qmc, Random, Restarts, Tpe, Weights},
    Outcome, SearchSpace, Study,
};

fn main() -> ExitCode {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut stdout = io::stdout().lock();
    match run(&mut input, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // The benchmark may already be gone; nothing more to do if this fails.
            let _ = send(&mut stdout, &json!({ "fatal": message }));
            eprintln!("tunekit-bench: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(input: &mut impl BufRead, out: &mut impl Write) -> Result<(), String> {
    let Some(config) = recv(input)? else {
        return Ok(()); // nothing asked of us
    };
    let protocol = config.get("protocol").and_then(Json::as_u64).unwrap_or(1);
    if protocol != 1 {
        return Err(format!(
            "unsupported protocol {protocol}; this driver speaks 1"
        ));
    }
    let space: SearchSpace = serde_json::from_value(config["space"].clone())
        .map_err(|e| format!("invalid space: {e}"))?;
    let seed = config["seed"]
        .as_u64()
        .ok_or("`seed` must be a non-negative integer")?;
    let budget = config["budget"]
        .as_u64()
        .ok_or("`budget` must be a non-negative integer")?;
    let builder = match config["direction"].as_str() {
        Some("minimize") => Study::minimize(space),
        Some("maximize") => Study::maximize(space),
        other => {
            return Err(format!(
                "`direction` must be minimize or maximize, got {other:?}"
            ))
        }
    };
    // One arm per sampler name; a new sampler (e.g. `Some("cmaes") => builder.sampler(CmaEs::new())`)
    // is one more arm here plus `"tunekit-cmaes"` in compare.py's TUNEKIT_SAMPLERS.
    let builder = match config["sampler"].as_str() {
        Some("tpe") => builder.sampler(tpe_from_env()?),
        // Optuna 5's TPESampler settings exactly, whatever `Tpe::new()` defaults to.
        Some("tpe-optuna") => builder.sampler(Tpe::optuna()),
        Some("random") => builder.sampler(Random::new()),
        Some("gp") => builder.sampler(Gp::new()),
        Some("qmc") => builder.sampler(Qmc::sobol()),
        Some("cmaes") => builder.sampler(CmaEs::new()),
        // CMA-ES variants: BIPOP restarts, no restarts (as Optuna 5), a Sobol first
        // generation whose best trial is the first mean, TPE for the categorical and
        // conditional params.
        Some("cmaes-bipop") => builder.sampler(CmaEs::new().restarts(Restarts::Bipop)),
        Some("cmaes-norestart") => builder.sampler(CmaEs::new().restarts(Restarts::None)),
        Some("cmaes-qmc") => builder.sampler(CmaEs::new().startup_design(Qmc::sobol())),
        Some("cmaes-tpe") => builder.sampler(CmaEs::new().independent_sampler(Tpe::new())),
        other => {
            let known = "tpe, tpe-optuna, random, gp, qmc, cmaes, cmaes-bipop, cmaes-norestart, \
                         cmaes-qmc or cmaes-tpe";
            return Err(format!("unknown sampler {other:?}; use {known}"));
        }
    };
    let study = builder.seed(seed).build().map_err(|e| e.to_string())?;

    for n in 0..budget {
        let started = Instant::now();
        let trial = study
            .ask()
            .map_err(|e| format!("ask failed on trial {n}: {e}"))?;
        let ask_ms = started.elapsed().as_secs_f64() * 1e3;
        send(
            out,
            &json!({ "trial": n, "params": trial.params(), "ask_ms": ask_ms }),
        )?;
        let Some(reply) = recv(input)? else {
            return Ok(()); // the benchmark went away: stop quietly
        };
        let outcome = if let Some(value) = reply.get("value").and_then(Json::as_f64) {
            Outcome::Complete(value)
        } else if let Some(error) = reply.get("error") {
            Outcome::Failed(
                error
                    .as_str()
                    .map_or_else(|| error.to_string(), str::to_owned),
            )
        } else {
            return Err(format!(
                "expected {{\"value\"}} or {{\"error\"}}, got {reply}"
            ));
        };
        study.tell(&trial, outcome).map_err(|e| e.to_string())?;
    }
    let best = study
        .best()
        .map(|b| json!({ "trial": b.number, "value": b.value, "params": b.params }));
    send(out, &json!({ "done": true, "best": best }))
}

/// `Tpe::default()` with the overrides of `TUNEKIT_BENCH_TPE`.
fn tpe_from_env() -> Result<Tpe, String> {
    let mut tpe = Tpe::new();
    let Ok(spec) = std::env::var("TUNEKIT_BENCH_TPE") else {
        return Ok(tpe);
    };
    for pair in spec.split(',').filter(|s| !s.trim().is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("TUNEKIT_BENCH_TPE: `{pair}` is not key=value"))?;
        let bad = |what: &str| format!("TUNEKIT_BENCH_TPE: {key}: expected {what}, got `{value}`");
        let number = || value.parse::<f64>().map_err(|_| bad("a number"));
        let count = || value.parse::<usize>().map_err(|_| bad("a count"));
        let flag = || value.parse::<bool>().map_err(|_| bad("true or false"));
        tpe = match key.trim() {
            "gamma" => tpe.gamma(parse_gamma(value).ok_or_else(|| bad("a gamma rule"))?),
            "weights" => tpe.weights(match value {
                "optuna" => Weights::OPTUNA,
                "uniform" => Weights::Uniform,
                _ => return Err(bad("optuna or uniform")),
            }),
            "startup" => tpe.n_startup_trials(count()?),
            "candidates" => tpe.n_candidates(count()?),
            "preset" if value == "optuna" => Tpe::optuna(),
            "prior" => tpe.prior_weight(number()?),
            "bandwidth" => tpe.bandwidth_factor(number()?),
            "multivariate" => tpe.multivariate(flag()?),
            "endpoints" => tpe.consider_endpoints(flag()?),
            "clip" => tpe.magic_clip(flag()?),
            "liar" => tpe.constant_liar(flag()?),
            "duplicates" => tpe.duplicate_margin(number()?),
            _ => return Err(format!("TUNEKIT_BENCH_TPE: unknown option `{key}`")),
        };
    }
    Ok(tpe)
}

fn parse_gamma(text: &str) -> Option<Gamma> {
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        ["optuna"] => Some(Gamma::OPTUNA),
        ["hyperopt"] => Some(Gamma::HYPEROPT),
        ["linear", f, max] => Some(Gamma::Linear {
            fraction: f.parse().ok()?,
            max: max.parse().ok()?,
        }),
        ["sqrt", f, max] => Some(Gamma::SquareRoot {
            factor: f.parse().ok()?,
            max: max.parse().ok()?,
        }),
        _ => None,
    }
}

fn recv(input: &mut impl BufRead) -> Result<Option<Json>, String> {
    let mut line = String::new();
    let read = input
        .read_line(&mut line)
        .map_err(|e| format!("reading stdin: {e}"))?;
    if read == 0 {
        return Ok(None);
    }
    serde_json::from_str(&line)
        .map(Some)
        .map_err(|e| format!("stdin line is not JSON ({e}): {}", line.trim_end()))
}

fn send(out: &mut impl Write, message: &Json) -> Result<(), String> {
    // One line per message, flushed: the benchmark waits for each one.
    writeln!(out, "{message}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing stdout: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the driver on `sampler` for `budget` trials of a 2-d space, replying with
    /// the sum of the params; returns the params of every trial.
    fn drive(sampler: &str, budget: usize) -> Vec<Json> {
        let space = json!([
            {"name": "x", "type": "float", "low": -1.0, "high": 1.0, "log": false, "step": null},
            {"name": "y", "type": "float", "low": -1.0, "high": 1.0, "log": false, "step": null}
        ]);
        let config = json!({"protocol": 1, "space": space, "direction": "minimize",
                            "sampler": sampler, "seed": 7, "budget": budget});
        let mut trials = Vec::new();
        let mut input = format!("{config}\n");
        // The replies do not depend on the params here, so they can be queued up front;
        // the values still differ per trial, so the model-based samplers learn something.
        for n in 0..budget {
            input.push_str(&format!("{{\"value\": {}}}\n", (n as f64 * 0.37).sin()));
        }
        let mut out = Vec::new();
        run(&mut input.as_bytes(), &mut out).expect("driver run");
        for line in String::from_utf8(out).expect("utf-8").lines() {
            let msg: Json = serde_json::from_str(line).expect("json line");
            if let Some(params) = msg.get("params") {
                trials.push(params.clone());
            }
        }
        trials
    }

    #[test]
    fn tpe_optuna_is_tpe_with_optunas_settings() {
        let got = drive("tpe-optuna", 30);
        assert_eq!(got.len(), 30);
        // The same study built by hand with Tpe::optuna() proposes the same trials.
        let space: SearchSpace = serde_json::from_value(json!([
            {"name": "x", "type": "float", "low": -1.0, "high": 1.0, "log": false, "step": null},
            {"name": "y", "type": "float", "low": -1.0, "high": 1.0, "log": false, "step": null}
        ]))
        .expect("space");
        let study = Study::minimize(space)
            .sampler(Tpe::optuna())
            .seed(7)
            .build()
            .expect("study");
        for (n, params) in got.iter().enumerate() {
            let trial = study.ask().expect("ask");
            assert_eq!(&json!(trial.params()), params, "trial {n}");
            study
                .tell(&trial, Outcome::Complete((n as f64 * 0.37).sin()))
                .expect("tell");
        }
    }

    #[test]
    fn unknown_sampler_is_refused() {
        let config = json!({"protocol": 1, "space": [], "direction": "minimize",
                            "sampler": "nope", "seed": 0, "budget": 1});
        let err = run(&mut format!("{config}\n").as_bytes(), &mut Vec::new()).unwrap_err();
        assert!(err.contains("tpe-optuna"), "{err}");
    }
}
