//! The changes a trial record goes through after it started, as storages persist them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Outcome;

/// A change to a trial record after it started. Storage backends persist these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TrialEvent {
    /// The objective reported an intermediate value.
    Intermediate {
        /// The trial.
        number: u64,
        /// Step (epoch, fold, ...).
        step: u64,
        /// The value at that step.
        value: f64,
    },
    /// The objective set a user attribute.
    UserAttr {
        /// The trial.
        number: u64,
        /// Attribute name.
        key: String,
        /// Attribute value.
        value: serde_json::Value,
    },
    /// The trial ended.
    Finished {
        /// The trial.
        number: u64,
        /// How it ended.
        outcome: Outcome,
        /// When.
        finished_at: DateTime<Utc>,
    },
}

impl TrialEvent {
    /// The trial this event belongs to.
    pub fn number(&self) -> u64 {
        match self {
            TrialEvent::Intermediate { number, .. }
            | TrialEvent::UserAttr { number, .. }
            | TrialEvent::Finished { number, .. } => *number,
        }
    }
}
