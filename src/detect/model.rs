//! The detector's weights and their compact file format.
//!
//! Layout (little-endian), version 2 (version 1 files were trained on character 3-, 4- and
//! 5-grams, which this build no longer computes, so they are refused):
//! `b"PLDW"`, version `u8`, bucket bits `u8`, structural feature count `u8`, flags `u8`
//! (bit 0: trained with ValueBench vignettes as extra positives), 32-byte SHA-256 of the
//! training examples, `f32` scale, `f32` bias, `f32` threshold, `f32` structural weights, `u32`
//! count of non-zero buckets, then per non-zero bucket: the gap to the previous non-zero bucket
//! (LEB128 varint) and the `i8` weight. Bucket weights are `scale * i8`: quantized so that the
//! table is one byte per bucket in memory and only the non-zero buckets are stored.

use super::STRUCTURAL;

const MAGIC: &[u8; 4] = b"PLDW";
const VERSION: u8 = 2;
/// Bucket tables smaller than 2^8 collide too much to learn anything; larger than 2^24 would be
/// 16 MiB in memory, far past what the hot path should touch.
pub const MIN_BITS: u8 = 8;
pub const MAX_BITS: u8 = 24;
const FLAG_VALUEBENCH: u8 = 1;

/// A trained detector: quantized bucket weights plus a few float parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The table has `2^bits` buckets.
    pub bits: u8,
    /// Dense table, `2^bits` entries; the weight of bucket `b` is `scale * weights[b]`.
    pub weights: Vec<i8>,
    pub scale: f32,
    pub bias: f32,
    /// Weights of the structural features (see [`super::structural_features`]).
    pub structural: [f32; STRUCTURAL],
    /// Probability at or above which a request counts as a dilemma.
    pub threshold: f32,
    /// Whether the ValueBench vignettes were part of the training set.
    pub used_valuebench: bool,
    /// SHA-256 of the training examples (texts and labels, in training order).
    pub corpus_sha256: [u8; 32],
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("not a pluralis detector weight file (bad magic)")]
    Magic,
    #[error("unsupported weight file version {0}")]
    Version(u8),
    #[error("bucket bits {0} outside {MIN_BITS}..={MAX_BITS}")]
    Bits(u8),
    #[error("weight file has {0} structural features, this build expects {STRUCTURAL}")]
    Structural(u8),
    #[error("weight file is truncated")]
    Truncated,
    #[error("bucket index past the table end")]
    BucketRange,
    #[error("trailing bytes after the weights")]
    Trailing,
    #[error("non-finite parameter")]
    NonFinite,
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.bytes.len() < n {
            return Err(ModelError::Truncated);
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }

    fn f32(&mut self) -> Result<f32, ModelError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        let v = f32::from_le_bytes(b);
        v.is_finite().then_some(v).ok_or(ModelError::NonFinite)
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    fn varint(&mut self) -> Result<u64, ModelError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ModelError::BucketRange)
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl Model {
    /// Decodes a weight file; every field is validated, nothing panics on bad input.
    pub fn decode(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { bytes };
        if r.take(4)? != MAGIC {
            return Err(ModelError::Magic);
        }
        let version = r.u8()?;
        if version != VERSION {
            return Err(ModelError::Version(version));
        }
        let bits = r.u8()?;
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(ModelError::Bits(bits));
        }
        let n_structural = r.u8()?;
        if usize::from(n_structural) != STRUCTURAL {
            return Err(ModelError::Structural(n_structural));
        }
        let flags = r.u8()?;
        let mut corpus_sha256 = [0u8; 32];
        corpus_sha256.copy_from_slice(r.take(32)?);
        let scale = r.f32()?;
        let bias = r.f32()?;
        let threshold = r.f32()?;
        let mut structural = [0f32; STRUCTURAL];
        for s in &mut structural {
            *s = r.f32()?;
        }
        let table = 1usize << bits;
        let nnz = r.u32()? as usize;
        if nnz > table {
            return Err(ModelError::BucketRange);
        }
        let mut weights = vec![0i8; table];
        let mut bucket: u64 = 0;
        for i in 0..nnz {
            let gap = r.varint()?;
            bucket = if i == 0 {
                gap
            } else {
                bucket.saturating_add(gap)
            };
            let slot = usize::try_from(bucket)
                .ok()
                .and_then(|b| weights.get_mut(b))
                .ok_or(ModelError::BucketRange)?;
            *slot = i8::from_le_bytes([r.u8()?]);
        }
        if !r.bytes.is_empty() {
            return Err(ModelError::Trailing);
        }
        Ok(Model {
            bits,
            weights,
            scale,
            bias,
            structural,
            threshold,
            used_valuebench: flags & FLAG_VALUEBENCH != 0,
            corpus_sha256,
        })
    }

    /// Encodes the model; `decode(encode(m)) == m` for every model whose table has `2^bits`
    /// entries and finite parameters.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.weights.len() / 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[VERSION, self.bits, STRUCTURAL as u8]);
        out.push(if self.used_valuebench {
            FLAG_VALUEBENCH
        } else {
            0
        });
        out.extend_from_slice(&self.corpus_sha256);
        for v in [self.scale, self.bias, self.threshold] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in self.structural {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let nnz = self.weights.iter().filter(|w| **w != 0).count() as u32;
        out.extend_from_slice(&nnz.to_le_bytes());
        let mut prev = 0u64;
        let mut first = true;
        for (bucket, w) in self.weights.iter().enumerate().filter(|(_, w)| **w != 0) {
            let b = bucket as u64;
            push_varint(&mut out, if first { b } else { b - prev });
            out.extend_from_slice(&w.to_le_bytes());
            prev = b;
            first = false;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Model {
        let mut weights = vec![0i8; 1 << 10];
        weights[0] = 5;
        weights[3] = -127;
        weights[1023] = 127;
        Model {
            bits: 10,
            weights,
            scale: 0.01,
            bias: -0.5,
            structural: [0.25; STRUCTURAL],
            threshold: 0.5,
            used_valuebench: true,
            corpus_sha256: [7; 32],
        }
    }

    #[test]
    fn round_trips() {
        let m = sample();
        assert_eq!(Model::decode(&m.encode()), Ok(m));
    }

    #[test]
    fn rejects_damaged_files() {
        let bytes = sample().encode();
        assert_eq!(
            Model::decode(&bytes[..bytes.len() - 1]),
            Err(ModelError::Truncated)
        );
        assert_eq!(Model::decode(b"NOPE"), Err(ModelError::Magic));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Model::decode(&longer), Err(ModelError::Trailing));
        let mut bad_bits = bytes;
        bad_bits[5] = 30;
        assert_eq!(Model::decode(&bad_bits), Err(ModelError::Bits(30)));
    }
}
