//! The names the macros read, as constants (the shape of serde_derive's `symbol.rs`):
//! parsing, checks and messages all name a key through these.

use std::fmt::{self, Display};

use syn::{Ident, Path};

/// A key of the grammar.
#[derive(Copy, Clone, PartialEq)]
pub struct Symbol(&'static str);

/// `#[tune]`, `#[tune(...)]`, and the `tune(...)` entry of `space!`.
pub const TUNE: Symbol = Symbol("tune");
/// `choice(a, b, c)`: a categorical domain.
pub const CHOICE: Symbol = Symbol("choice");
/// `log`: search the range on a log scale.
pub const LOG: Symbol = Symbol("log");
/// `step = s`: search the range on a grid.
pub const STEP: Symbol = Symbol("step");
/// `fixed = value`: pin the field.
pub const FIXED: Symbol = Symbol("fixed");
/// `#[tunable(crate = "path")]`.
pub const CRATE: Symbol = Symbol("crate");

/// The keys of `#[tune(...)]`, for "did you mean".
pub const TUNE_KEYS: &[Symbol] = &[CHOICE, LOG, STEP, FIXED];

/// How a key is written.
#[derive(Copy, Clone, PartialEq)]
pub enum Form {
    /// `log`
    Bare,
    /// `step = 2`
    Value,
    /// `choice(1, 2)`
    List,
}

impl Symbol {
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The form a known key takes.
    pub fn form(self) -> Form {
        if self == CHOICE {
            Form::List
        } else if self == LOG {
            Form::Bare
        } else {
            Form::Value
        }
    }

    /// The key of `#[tune(...)]` named `ident`, if it is one.
    pub fn tune_key(ident: &Ident) -> Option<Symbol> {
        TUNE_KEYS.iter().copied().find(|key| ident == key)
    }
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
