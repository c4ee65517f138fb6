//! Snapshots: a suspended run as bytes (planner.md §6).
//!
//! Layout: `SQRTSNAP`, format (u32 LE), crate version (u8 length + bytes), program hash (32:
//! SHA-256 of the program's source), payload SHA-256 (32), postcard payload. Loading checks
//! every part and never panics.
//!
//! The program hash is computed here, when a snapshot is taken, not at every compile: most
//! runs are never snapshotted, and hashing every compiled source was a measurable part of the
//! front end (format 1 stored the hash in the program itself).

use sha2::{Digest, Sha256};

use crate::vm::Vm;

pub const MAGIC: &[u8; 8] = b"SQRTSNAP";
/// Bump when the state layout or `Instr` variant order changes; there is no migration.
/// 2: the program no longer carries its hash (the header's is computed at snapshot time).
pub const FORMAT: u32 = 2;

fn source_hash(source: &str) -> [u8; 32] {
    Sha256::digest(source.as_bytes()).into()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    NotASnapshot,
    Format(u32),
    Corrupt(String),
    ProgramHash,
    Encode(String),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::NotASnapshot => write!(f, "not a SQRT snapshot"),
            SnapshotError::Format(v) => write!(
                f,
                "snapshot format {v} is not supported (expected {FORMAT})"
            ),
            SnapshotError::Corrupt(m) => write!(f, "corrupt snapshot: {m}"),
            SnapshotError::ProgramHash => {
                write!(f, "snapshot program hash does not match its program")
            }
            SnapshotError::Encode(m) => write!(f, "cannot encode snapshot: {m}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

impl Vm {
    /// Serializes the whole run state; equal states give equal bytes.
    pub fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        let payload =
            postcard::to_stdvec(self).map_err(|e| SnapshotError::Encode(e.to_string()))?;
        let version = env!("CARGO_PKG_VERSION").as_bytes();
        let mut out = Vec::with_capacity(payload.len() + 96);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.push(version.len() as u8);
        out.extend_from_slice(version);
        out.extend_from_slice(&source_hash(&self.prog.source));
        out.extend_from_slice(&Sha256::digest(&payload));
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Restores a run saved by `snapshot`.
    pub fn restore(bytes: &[u8]) -> Result<Vm, SnapshotError> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(SnapshotError::NotASnapshot)?;
        let take = |r: &[u8], n: usize| -> Result<(Vec<u8>, usize), SnapshotError> {
            r.get(..n)
                .map(|x| (x.to_vec(), n))
                .ok_or_else(|| SnapshotError::Corrupt("truncated header".into()))
        };
        let (fmt, _) = take(rest, 4)?;
        let format = u32::from_le_bytes([fmt[0], fmt[1], fmt[2], fmt[3]]);
        if format != FORMAT {
            return Err(SnapshotError::Format(format));
        }
        let rest = &rest[4..];
        let vlen = *rest
            .first()
            .ok_or_else(|| SnapshotError::Corrupt("truncated header".into()))?
            as usize;
        let rest = rest
            .get(1 + vlen..)
            .ok_or_else(|| SnapshotError::Corrupt("truncated header".into()))?;
        let (hash, _) = take(rest, 32)?;
        let rest = &rest[32..];
        let (sum, _) = take(rest, 32)?;
        let payload = &rest[32..];
        if Sha256::digest(payload).as_slice() != sum.as_slice() {
            return Err(SnapshotError::Corrupt("checksum mismatch".into()));
        }
        let vm: Vm =
            postcard::from_bytes(payload).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
        if source_hash(&vm.prog.source).as_slice() != hash.as_slice() {
            return Err(SnapshotError::ProgramHash);
        }
        vm.validate().map_err(SnapshotError::Corrupt)?;
        Ok(vm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunConfig, Step, ToolStub};

    fn suspended() -> Vm {
        let tools = vec![ToolStub::new("get", &[])];
        let mut vm = Vm::new(
            "x = get()\nfinal_return_value = x",
            RunConfig {
                tools,
                ..RunConfig::default()
            },
        );
        assert!(matches!(vm.run(), Step::ToolCall(_)));
        vm
    }

    #[test]
    fn format_2_with_the_source_hash_in_the_header() {
        let vm = suspended();
        let bytes = vm.snapshot().unwrap();
        assert_eq!(&bytes[8..12], &2u32.to_le_bytes());
        let vlen = bytes[12] as usize;
        let header_hash = &bytes[13 + vlen..13 + vlen + 32];
        let expect = Sha256::digest(b"x = get()\nfinal_return_value = x");
        assert_eq!(header_hash, expect.as_slice());
        assert!(Vm::restore(&bytes).is_ok());
    }

    #[test]
    fn format_1_snapshots_are_refused() {
        let mut bytes = suspended().snapshot().unwrap();
        bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(Vm::restore(&bytes).err(), Some(SnapshotError::Format(1)));
    }
}
