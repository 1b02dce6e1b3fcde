//! Randomness: an injectable byte source and unbiased index sampling over it.
//!
//! Generators never call the operating system directly: they take a `&mut dyn`
//! [`RandomSource`], which is [`OsRandom`] in production (`getrandom`, i.e. the kernel CSPRNG
//! natively and `crypto.getRandomValues` in WebAssembly) and a seeded ChaCha20 stream in
//! tests, so generated values are reproducible where a test needs them to be.
//!
//! [`uniform_indices`] turns bytes into indices by rejection sampling, never by a bare
//! modulo (which would favour the first `256 % n` symbols), and draws the bytes for a whole
//! secret in one batch sized so that a refill is needed about once in a million secrets.
//!
//! There is deliberately no public seeded source: a predictable generator in the public API
//! is one misconfiguration away from predictable secrets, and `rand_chacha` is only a
//! dev-dependency. Integration tests that need determinism implement [`RandomSource`]
//! themselves (the trait is public and has one method).

// `Diagnostic` is the crate-wide error type; errors here are rare and cold, so its size
// (about 200 bytes) in `Result` costs nothing measurable.
#![allow(clippy::result_large_err)]

use crate::diagnostic::{Diagnostic, ErrorCode};

/// A source of random bytes.
pub trait RandomSource {
    /// Fill all of `buf` with random bytes.
    ///
    /// # Errors
    /// A `RANDOMNESS` diagnostic when the source cannot deliver.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic>;
}

/// The operating system's CSPRNG via `getrandom` (`crypto.getRandomValues` in wasm).
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
        getrandom::fill(buf).map_err(|e| {
            Diagnostic::error(
                ErrorCode::Randomness,
                format!("the system random number generator failed: {e}"),
            )
            .with_hint(
                "no secret was generated; in a browser or worker make sure \
                 `crypto.getRandomValues` is available, then run the sync again",
            )
        })
    }
}

/// [`OsRandom`] read in blocks: a sync of thousands of secrets asks for a few dozen bytes per
/// secret, and each `crypto.getRandomValues` call from WebAssembly costs microseconds of
/// overhead (65 ms of a 5,000-secret sync, see bench/README.md). Every byte of a block is
/// handed out once; requests larger than a block go to the source directly. The block is
/// wiped when the source is dropped.
pub struct BlockRandom<R: RandomSource> {
    inner: R,
    block: Vec<u8>,
    /// Bytes of `block` already handed out.
    used: usize,
}

/// Bytes per block (`crypto.getRandomValues` accepts at most 65,536).
const BLOCK_BYTES: usize = 16 * 1024;

impl<R: RandomSource> BlockRandom<R> {
    /// Wrap `inner`; nothing is drawn until the first request.
    pub fn new(inner: R) -> Self {
        BlockRandom {
            inner,
            block: Vec::new(),
            used: 0,
        }
    }
}

impl<R: RandomSource> RandomSource for BlockRandom<R> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
        if buf.len() > BLOCK_BYTES / 4 {
            return self.inner.fill(buf);
        }
        let mut done = 0;
        while done < buf.len() {
            if self.used >= self.block.len() {
                self.block.resize(BLOCK_BYTES, 0);
                self.inner.fill(&mut self.block)?;
                self.used = 0;
            }
            let take = (buf.len() - done).min(self.block.len() - self.used);
            let (Some(dst), Some(src)) = (
                buf.get_mut(done..done + take),
                self.block.get_mut(self.used..self.used + take),
            ) else {
                break;
            };
            dst.copy_from_slice(src);
            // Handed out: do not keep a copy of bytes that now belong to a value.
            src.fill(0);
            self.used += take;
            done += take;
        }
        Ok(())
    }
}

impl<R: RandomSource> Drop for BlockRandom<R> {
    fn drop(&mut self) {
        self.block.fill(0);
        std::hint::black_box(&self.block);
    }
}

/// Most bytes drawn in one `fill` call (bounds memory for very large requests).
const MAX_BATCH_BYTES: usize = 256 * 1024;

/// `count` indices, each uniform in `0..n` and independent, drawn from `rng`.
///
/// Each index comes from a word of 1, 2, 4 or 8 bytes (the smallest that can hold `n`
/// values); words at or above the largest multiple of `n` that fits are rejected, so every
/// index is exactly equally likely. The words for all `count` indices are requested in one
/// `fill` (with a margin of four standard deviations for rejections); only when rejections
/// exhaust the batch is `fill` called again for the rest.
///
/// # Errors
/// `RANDOMNESS` when `rng` fails or keeps producing only rejected words (a broken source);
/// `INTERNAL` when `n` is 0 and `count` is not, or `count` indices cannot be allocated.
pub fn uniform_indices<R: RandomSource + ?Sized>(
    rng: &mut R,
    n: usize,
    count: usize,
) -> Result<Vec<usize>, Diagnostic> {
    let mut out: Vec<usize> = Vec::new();
    if count == 0 {
        return Ok(out);
    }
    if n == 0 {
        return Err(Diagnostic::error(
            ErrorCode::Internal,
            "cannot pick from an empty set of symbols",
        ));
    }
    out.try_reserve_exact(count).map_err(|_| {
        Diagnostic::error(
            ErrorCode::Internal,
            format!("cannot allocate {count} random indices"),
        )
    })?;
    if n == 1 {
        out.resize(count, 0);
        return Ok(out);
    }
    let n_wide = n as u128;
    let width: usize = if n_wide <= 1 << 8 {
        1
    } else if n_wide <= 1 << 16 {
        2
    } else if n_wide <= 1 << 32 {
        4
    } else {
        8
    };
    let range: u128 = 1 << (8 * width);
    let limit = range - range % n_wide; // accept words below `limit`
    let accept = limit as f64 / range as f64; // >= 0.5
    let max_words = (MAX_BATCH_BYTES / width).max(1);
    // A fair source needs about count / accept words; 64 times that (plus slack) means the
    // source is broken (e.g. returns a constant), and looping on would never end.
    let give_up = (count as f64 / accept) * 64.0 + 4096.0;
    let mut drawn = 0f64;
    let mut buf: Vec<u8> = Vec::new();
    while out.len() < count {
        let need = count - out.len();
        let words = if limit == range {
            need
        } else {
            let need_f = need as f64;
            let margin = 4.0 * (need_f * (1.0 - accept)).sqrt() + 8.0;
            ((need_f + margin) / accept).ceil() as usize
        }
        .clamp(1, max_words);
        buf.clear();
        buf.resize(words * width, 0);
        if let Err(e) = rng.fill(&mut buf) {
            wipe(&mut buf);
            return Err(e);
        }
        for word in buf.chunks_exact(width) {
            let w = word
                .iter()
                .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
            if w < limit {
                out.push(usize::try_from(w % n_wide).unwrap_or(0));
                if out.len() == count {
                    break;
                }
            }
        }
        drawn += words as f64;
        if out.len() < count && drawn > give_up {
            wipe(&mut buf);
            return Err(Diagnostic::error(
                ErrorCode::Randomness,
                "the random number source keeps returning unusable bytes",
            )
            .with_hint("the random source looks broken; no secret was generated"));
        }
    }
    wipe(&mut buf);
    Ok(out)
}

/// A source that reads its inner source in blocks of [`BufferedRandom::BLOCK`] bytes and
/// serves smaller requests from the block: generating a million short values then costs a few
/// hundred calls to the platform (in wasm, each `crypto.getRandomValues` call crosses into JS)
/// instead of a million. Bytes are handed out once, zeroed as they are served, and what is
/// left is zeroed on drop.
pub struct BufferedRandom<R: RandomSource> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
}

impl<R: RandomSource> BufferedRandom<R> {
    /// Bytes read from the inner source at a time.
    pub const BLOCK: usize = 64 * 1024;

    /// Wrap `inner`.
    pub fn new(inner: R) -> Self {
        BufferedRandom {
            inner,
            buf: Vec::new(),
            pos: 0,
        }
    }
}

impl<R: RandomSource> RandomSource for BufferedRandom<R> {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Diagnostic> {
        if out.len() >= Self::BLOCK {
            return self.inner.fill(out);
        }
        let mut done = 0;
        while done < out.len() {
            if self.pos >= self.buf.len() {
                self.buf.resize(Self::BLOCK, 0);
                self.inner.fill(&mut self.buf)?;
                self.pos = 0;
            }
            let take = (out.len() - done).min(self.buf.len() - self.pos);
            let (Some(dst), Some(src)) = (
                out.get_mut(done..done + take),
                self.buf.get_mut(self.pos..self.pos + take),
            ) else {
                break;
            };
            dst.copy_from_slice(src);
            wipe(src);
            done += take;
            self.pos += take;
        }
        Ok(())
    }
}

impl<R: RandomSource> Drop for BufferedRandom<R> {
    fn drop(&mut self) {
        wipe(&mut self.buf);
    }
}

/// Overwrite bytes that decided a secret (best effort, see [`crate::secret`]).
pub(crate) fn wipe(buf: &mut [u8]) {
    buf.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&buf);
}

/// Deterministic sources for tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    /// ChaCha20 keyed with `seed` (stream 0, counter 0): the plain ChaCha20 keystream.
    pub(crate) struct SeededRandom(ChaCha20Rng);

    impl SeededRandom {
        pub(crate) fn new(seed: [u8; 32]) -> Self {
            SeededRandom(ChaCha20Rng::from_seed(seed))
        }

        /// Key `[n, 0, 0, ...]` (little-endian `n` in the first 8 bytes).
        pub(crate) fn from_u64(n: u64) -> Self {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&n.to_le_bytes());
            SeededRandom::new(seed)
        }
    }

    impl RandomSource for SeededRandom {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
            self.0.fill_bytes(buf);
            Ok(())
        }
    }

    /// Counts `fill` calls of the source it wraps.
    pub(crate) struct Counting<R> {
        pub(crate) inner: R,
        pub(crate) fills: usize,
        pub(crate) bytes: usize,
    }

    impl<R> Counting<R> {
        pub(crate) fn new(inner: R) -> Self {
            Counting {
                inner,
                fills: 0,
                bytes: 0,
            }
        }
    }

    impl<R: RandomSource> RandomSource for Counting<R> {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
            self.fills += 1;
            self.bytes += buf.len();
            self.inner.fill(buf)
        }
    }

    /// Replays a fixed byte sequence (cycling), for hand-checked sampling tests.
    pub(crate) struct Replay {
        pub(crate) bytes: Vec<u8>,
        pub(crate) pos: usize,
    }

    impl RandomSource for Replay {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
            for b in buf.iter_mut() {
                *b = self
                    .bytes
                    .get(self.pos % self.bytes.len().max(1))
                    .copied()
                    .unwrap_or(0);
                self.pos += 1;
            }
            Ok(())
        }
    }

    /// Always fails.
    pub(crate) struct Broken;

    impl RandomSource for Broken {
        fn fill(&mut self, _buf: &mut [u8]) -> Result<(), Diagnostic> {
            Err(Diagnostic::error(ErrorCode::Randomness, "no entropy"))
        }
    }
}

#[cfg(test)]
mod tests {
    /// Counts calls and numbers its bytes, so that every byte handed out can be traced.
    struct Numbered {
        calls: usize,
        next: u64,
    }

    impl super::RandomSource for Numbered {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), crate::Diagnostic> {
            self.calls += 1;
            for b in buf {
                *b = (self.next % 251) as u8;
                self.next += 1;
            }
            Ok(())
        }
    }

    #[test]
    fn block_random_hands_out_each_byte_once_in_order() {
        use super::{BLOCK_BYTES, BlockRandom, RandomSource};
        let mut direct = Numbered { calls: 0, next: 0 };
        let mut blocks = BlockRandom::new(Numbered { calls: 0, next: 0 });
        // Sizes that straddle block boundaries.
        for len in [1, 7, 100, 4000, 3, 4096, 1, 2, 333]
            .iter()
            .cycle()
            .take(200)
        {
            let mut a = vec![0u8; *len];
            let mut b = vec![0u8; *len];
            direct.fill(&mut a).unwrap();
            blocks.fill(&mut b).unwrap();
            assert_eq!(a, b);
        }
        let total: usize = [1, 7, 100, 4000, 3, 4096, 1, 2, 333]
            .iter()
            .cycle()
            .take(200)
            .sum();
        assert!(
            blocks.inner.calls <= total / BLOCK_BYTES + 40,
            "{}",
            blocks.inner.calls
        );
        // A request larger than a quarter block goes straight to the source.
        let before = blocks.inner.calls;
        let mut big = vec![0u8; BLOCK_BYTES];
        blocks.fill(&mut big).unwrap();
        assert_eq!(blocks.inner.calls, before + 1);
    }

    use super::testing::*;
    use super::*;

    #[test]
    fn chacha_source_is_the_chacha20_keystream() {
        // RFC 8439 §2.3.2 keeps the block function; with key 00..1f, nonce 0 and counter 0 the
        // keystream starts as below (computed independently with Python `cryptography`:
        // Cipher(algorithms.ChaCha20(bytes(range(32)), bytes(16)), None).encryptor()
        // .update(bytes(16)).hex()).
        let mut seed = [0u8; 32];
        for (i, b) in seed.iter_mut().enumerate() {
            *b = i as u8;
        }
        let mut rng = SeededRandom::new(seed);
        let mut buf = [0u8; 16];
        rng.fill(&mut buf).unwrap();
        let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, CHACHA_KEY_0_TO_31_FIRST_16);
    }

    #[test]
    fn buffered_source_serves_the_same_stream() {
        // Small, odd-sized and block-sized requests through the buffer read the inner stream
        // in order, each byte once; a request of a whole block or more goes straight through.
        let mut plain = SeededRandom::from_u64(9);
        let mut buffered = BufferedRandom::new(SeededRandom::from_u64(9));
        let block = BufferedRandom::<SeededRandom>::BLOCK;
        let mut want = vec![0u8; 4 * block];
        plain.fill(&mut want).unwrap();
        let mut got = Vec::new();
        for size in [1usize, 7, 1000, block - 1008, 5, block - 3, 2] {
            let mut b = vec![0u8; size];
            buffered.fill(&mut b).unwrap();
            got.extend(b);
        }
        assert_eq!(got, want[..got.len()]);
        let mut big = vec![0u8; block];
        buffered.fill(&mut big).unwrap();
        // Three blocks were read into the buffer; a whole block goes straight to the fourth.
        assert_eq!(big, want[3 * block..]);
    }

    /// See `chacha_source_is_the_chacha20_keystream`.
    const CHACHA_KEY_0_TO_31_FIRST_16: &str = "39fd2b7dd9c5196a8dbd0377b8dc4a49";

    #[test]
    fn rejects_bytes_at_or_above_the_largest_multiple() {
        // n = 94: largest multiple of 94 below 256 is 188, so 188..=255 are rejected.
        let mut rng = Replay {
            bytes: vec![187, 188, 255, 0, 93, 94, 200, 100],
            pos: 0,
        };
        let got = uniform_indices(&mut rng, 94, 5).unwrap();
        assert_eq!(got, vec![187 % 94, 0, 93, 0, 100 % 94]);
        // n = 16 divides 256: nothing is rejected, exactly `count` bytes are drawn.
        let mut rng = Counting::new(Replay {
            bytes: vec![255, 16, 17],
            pos: 0,
        });
        assert_eq!(uniform_indices(&mut rng, 16, 3).unwrap(), vec![15, 0, 1]);
        assert_eq!((rng.fills, rng.bytes), (1, 3));
    }

    #[test]
    fn wide_alphabets_use_wider_words() {
        // n = 300 needs 2-byte big-endian words; limit = 65536 - 65536 % 300 = 65400.
        let mut rng = Replay {
            bytes: vec![0xff, 0x78, 0x01, 0x2c, 0xff, 0x77],
            pos: 0,
        };
        // 0xff78 = 65400 rejected, 0x012c = 300 -> 0, 0xff77 = 65399 -> 65399 % 300 = 299.
        assert_eq!(uniform_indices(&mut rng, 300, 2).unwrap(), vec![0, 299]);
        // Larger n work too and stay in range.
        let mut rng = SeededRandom::from_u64(7);
        for n in [257, 65_536, 65_537, 1 << 31, usize::MAX] {
            let got = uniform_indices(&mut rng, n, 50).unwrap();
            assert_eq!(got.len(), 50);
            assert!(got.iter().all(|&i| i < n), "{n}");
        }
    }

    #[test]
    fn edge_counts_and_sizes() {
        let mut rng = Counting::new(SeededRandom::from_u64(1));
        assert!(uniform_indices(&mut rng, 10, 0).unwrap().is_empty());
        assert_eq!(uniform_indices(&mut rng, 1, 4).unwrap(), vec![0; 4]);
        assert_eq!(rng.fills, 0);
        let e = uniform_indices(&mut rng, 0, 1).unwrap_err();
        assert_eq!(e.code, ErrorCode::Internal);
        let e = uniform_indices(&mut rng, 10, usize::MAX).unwrap_err();
        assert_eq!(e.code, ErrorCode::Internal);
    }

    #[test]
    fn one_fill_per_secret_almost_always() {
        let mut refills = 0;
        for seed in 0..2000u64 {
            let mut rng = Counting::new(SeededRandom::from_u64(seed));
            // 129 is the worst case for single bytes (acceptance 129*1/256 ~ 0.504).
            for n in [94, 129] {
                rng.fills = 0;
                let got = uniform_indices(&mut rng, n, 32).unwrap();
                assert_eq!(got.len(), 32);
                refills += rng.fills - 1;
            }
        }
        assert!(refills <= 2, "{refills} refills in 4000 secrets");
    }

    #[test]
    fn refills_when_rejections_exhaust_the_batch() {
        // Mostly rejected bytes (250 for n = 94), one usable byte in eight.
        let mut bytes = vec![250u8; 7];
        bytes.push(5);
        let mut rng = Counting::new(Replay { bytes, pos: 0 });
        let got = uniform_indices(&mut rng, 94, 32).unwrap();
        assert_eq!(got, vec![5; 32]);
        assert!(rng.fills > 1);
    }

    #[test]
    fn broken_sources_fail_instead_of_looping() {
        let mut rng = Replay {
            bytes: vec![255],
            pos: 0,
        };
        let e = uniform_indices(&mut rng, 94, 32).unwrap_err();
        assert_eq!(e.code, ErrorCode::Randomness);
        let e = uniform_indices(&mut Broken, 94, 32).unwrap_err();
        assert_eq!(e.code, ErrorCode::Randomness);
    }

    #[test]
    fn os_random_fills() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        OsRandom.fill(&mut a).unwrap();
        OsRandom.fill(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }
}
