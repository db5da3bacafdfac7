//! The lines of a journal file: one JSON object each, tagged by `"record"`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::space::{Params, SearchSpace};
use crate::trial::{Direction, Outcome, TrialEvent};

/// The journal format this version writes and reads. A file with a higher number was
/// written by a newer tunekit and is refused rather than misread.
pub(super) const FORMAT: u32 = 2;

/// The first format whose lines all carry a checksum; files of format 1 have none, and
/// are read and appended to without them.
pub(super) const FIRST_CHECKED_FORMAT: u32 = 2;

/// How a checksum starts: the last member of a checked line, `,"crc":"` then eight
/// lowercase hex digits then `"}`. Inside a JSON string a quote is escaped, so these
/// bytes can only be the member itself.
const CRC_MEMBER: &[u8] = b",\"crc\":\"";
/// The bytes a checksum adds to the end of a line.
const CRC_SUFFIX_LEN: usize = CRC_MEMBER.len() + 8 + 2;

/// Every line a journal holds, in the exact shape it has on disk.
///
/// The file format is spelled out here, not borrowed from [`TrialEvent`]'s serde form, so
/// that renaming a field in the study code cannot silently change what old files mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Record {
    /// The first line: which study this file holds.
    Study {
        format: u32,
        name: String,
        direction: Direction,
        space: SearchSpace,
        created_at: DateTime<Utc>,
    },
    /// The study's space was changed on reopen (only when the user allowed it); trials
    /// after this line were proposed from `space`.
    Space { space: SearchSpace },
    /// A trial was created with these params by the process `owner`.
    Started {
        number: u64,
        owner: String,
        started_at: DateTime<Utc>,
        params: Params,
    },
    /// An intermediate value.
    Intermediate {
        number: u64,
        step: u64,
        #[serde(with = "any_float")]
        value: f64,
    },
    /// A user attribute.
    UserAttr {
        number: u64,
        key: String,
        value: serde_json::Value,
    },
    /// The trial ended.
    Finished {
        number: u64,
        outcome: Outcome,
        finished_at: DateTime<Utc>,
    },
}

impl Record {
    /// Whether an `OnFinish` fsync policy syncs after this line.
    pub(super) fn is_milestone(&self) -> bool {
        matches!(
            self,
            Record::Study { .. } | Record::Space { .. } | Record::Finished { .. }
        )
    }

    /// One line of the file, newline included; with `checksum`, the CRC-32 of the
    /// record's JSON is added as its last member, `"crc"`.
    pub(super) fn to_line(&self, checksum: bool) -> serde_json::Result<Vec<u8>> {
        let mut line = serde_json::to_vec(self)?;
        if checksum {
            let crc = crc32fast::hash(&line);
            line.pop(); // the closing brace, written again after the checksum
            line.extend_from_slice(CRC_MEMBER);
            line.extend_from_slice(format!("{crc:08x}\"}}").as_bytes());
        }
        line.push(b'\n');
        Ok(line)
    }

    /// Reads one line (without its newline): verifies its checksum if it has one, then
    /// parses the record. Returns whether the line had a checksum.
    pub(super) fn from_line(line: &[u8]) -> Result<(Record, bool), String> {
        let Some((record, stored)) = split_checksum(line) else {
            return parse(line).map(|record| (record, false));
        };
        let computed = crc32fast::hash(&record);
        let stored = std::str::from_utf8(stored)
            .ok()
            .filter(|hex| hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok());
        if stored != Some(computed) {
            return Err(format!(
                "the line does not match its checksum (crc {computed:08x} computed): it \
                 changed after tunekit wrote it (a disk error or an edit); restore the \
                 journal from a backup, or move it aside and start a new one"
            ));
        }
        parse(&record).map(|record| (record, true))
    }

    /// The format a study header declares.
    pub(super) fn format(&self) -> Option<u32> {
        match self {
            Record::Study { format, .. } => Some(*format),
            _ => None,
        }
    }
}

/// A checked line's record bytes (its JSON without the `"crc"` member) and stored
/// checksum digits, or `None` when the line ends in no checksum.
fn split_checksum(line: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let start = line.len().checked_sub(CRC_SUFFIX_LEN)?;
    let (head, tail) = line.split_at(start);
    if !tail.starts_with(CRC_MEMBER) || !tail.ends_with(b"\"}") {
        return None;
    }
    let mut record = head.to_vec();
    record.push(b'}');
    Some((record, &tail[CRC_MEMBER.len()..CRC_MEMBER.len() + 8]))
}

/// Parses a record, or says why it is not one; a header of a newer format is refused as
/// such, before its unknown fields can be misreported.
fn parse(line: &[u8]) -> Result<Record, String> {
    serde_json::from_slice::<Record>(line).map_err(|e| {
        if let Some(format) = newer_format(line) {
            format!(
                "the journal has format {format}, written by a newer tunekit; this version \
                 reads formats up to {FORMAT}: upgrade tunekit to open it"
            )
        } else {
            format!("not a journal record: {e}")
        }
    })
}

/// The format of a study header written by a newer tunekit, which may hold fields and
/// records this version does not know.
fn newer_format(line: &[u8]) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_slice(line).ok()?;
    if value.get("record")?.as_str()? != "study" {
        return None;
    }
    let format = value.get("format")?.as_u64()?;
    (format > u64::from(FORMAT)).then_some(format)
}

impl From<TrialEvent> for Record {
    fn from(event: TrialEvent) -> Self {
        match event {
            TrialEvent::Intermediate {
                number,
                step,
                value,
            } => Record::Intermediate {
                number,
                step,
                value,
            },
            TrialEvent::UserAttr { number, key, value } => Record::UserAttr { number, key, value },
            TrialEvent::Finished {
                number,
                outcome,
                finished_at,
            } => Record::Finished {
                number,
                outcome,
                finished_at,
            },
        }
    }
}

/// Intermediate values may be NaN or infinite (a diverging loss is worth recording), which
/// plain JSON numbers cannot hold: those are written as the strings `"NaN"`, `"inf"` and
/// `"-inf"`.
mod any_float {
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f64(*value)
        } else if value.is_nan() {
            serializer.serialize_str("NaN")
        } else if *value > 0.0 {
            serializer.serialize_str("inf")
        } else {
            serializer.serialize_str("-inf")
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Number(f64),
            Word(String),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Number(value) => Ok(value),
            Repr::Word(word) => match word.as_str() {
                "NaN" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                other => Err(de::Error::custom(format!(
                    "expected a number, \"NaN\", \"inf\" or \"-inf\", found \"{other}\""
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Domain;

    fn round_trip(record: &Record) -> Record {
        let line = record.to_line(false).unwrap();
        assert_eq!(line.last(), Some(&b'\n'));
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        let unchecked: Record = serde_json::from_slice(&line).unwrap();
        let checked = record.to_line(true).unwrap();
        assert_eq!(checked.iter().filter(|&&b| b == b'\n').count(), 1);
        let (back, had_checksum) = Record::from_line(&checked[..checked.len() - 1]).unwrap();
        assert!(had_checksum);
        // Compared as lines: NaN is not equal to itself.
        assert_eq!(back.to_line(false).unwrap(), line);
        unchecked
    }

    #[test]
    fn every_record_round_trips_through_one_line() {
        let space = SearchSpace::builder()
            .add("lr", Domain::float(1e-5, 0.1).log())
            .add("opt", Domain::categorical(["adam", "sgd"]))
            .build()
            .unwrap();
        let now = Utc::now();
        let records = [
            Record::Study {
                format: FORMAT,
                name: "s\nwith a newline".into(),
                direction: Direction::Maximize,
                space: space.clone(),
                created_at: now,
            },
            Record::Space { space },
            Record::Started {
                number: 3,
                owner: "pid1-abc".into(),
                started_at: now,
                params: Params::new()
                    .with("lr", 0.012_345_678_901_234_5)
                    .with("opt", "sgd"),
            },
            Record::UserAttr {
                number: 3,
                key: "folds".into(),
                value: serde_json::json!([0.5, "x"]),
            },
            Record::Finished {
                number: 3,
                outcome: Outcome::Failed("boom\n\"quoted\"".into()),
                finished_at: now,
            },
            Record::Finished {
                number: 4,
                outcome: Outcome::Complete(0.1 + 0.2),
                finished_at: now,
            },
        ];
        for record in &records {
            assert_eq!(&round_trip(record), record);
        }
    }

    #[test]
    fn non_finite_intermediate_values_survive() {
        for value in [f64::INFINITY, f64::NEG_INFINITY, -0.5] {
            let record = Record::Intermediate {
                number: 0,
                step: 1,
                value,
            };
            assert_eq!(round_trip(&record), record);
        }
        let nan = Record::Intermediate {
            number: 0,
            step: 1,
            value: f64::NAN,
        };
        assert!(matches!(round_trip(&nan), Record::Intermediate { value, .. } if value.is_nan()));
    }

    #[test]
    fn a_checksum_covers_every_byte_of_the_record() {
        let record = Record::UserAttr {
            number: 3,
            key: "note".into(),
            value: serde_json::json!(",\"crc\":\"00000000\"}"),
        };
        let line = record.to_line(true).unwrap();
        let line = &line[..line.len() - 1];
        assert_eq!(Record::from_line(line).unwrap(), (record, true));
        for at in 0..line.len() {
            let mut flipped = line.to_vec();
            flipped[at] ^= 0x20;
            assert!(Record::from_line(&flipped).is_err(), "byte {at}");
        }
    }

    #[test]
    fn unknown_records_and_fields_are_refused() {
        let err = serde_json::from_str::<Record>(r#"{"record":"teleported","number":1}"#);
        assert!(err.unwrap_err().to_string().contains("teleported"));
        let err = serde_json::from_str::<Record>(
            r#"{"record":"intermediate","number":1,"step":2,"value":1.0,"extra":1}"#,
        );
        assert!(err.unwrap_err().to_string().contains("extra"));
    }
}
