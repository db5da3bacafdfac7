//! Tests of the Qmc sampler, one concern per file: `reference.rs` (first points against
//! scipy.stats.qmc), `discrepancy.rs` (centered L2 discrepancy against published and
//! scipy values, scrambled against random), `spaces.rs` (every proposal valid on
//! generated spaces; conditional params). The sampler in studies (every storage,
//! workers, resuming, against Random) is `tests/integration/qmc.rs`.

mod discrepancy;
mod reference;
mod spaces;
