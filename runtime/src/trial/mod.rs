//! The trial model: what a study records about each trial, how trials end, the events
//! that change a record, and which way is better.
//!
//! Everything else depends on this module and it depends on nothing but
//! [`space`](crate::space) (a trial's params): samplers and pruners read trials, storages
//! keep them, the study writes them.

mod direction;
mod event;
mod outcome;
mod record;
mod state;

pub use direction::Direction;
pub use event::TrialEvent;
pub use outcome::Outcome;
pub use record::Trial;
pub use state::TrialState;
