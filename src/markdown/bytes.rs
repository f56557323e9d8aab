//! Byte searches sixteen bytes at a time (one SSE2 comparison on x86-64):
//! they run over every line and text event of every page, where the
//! standard library's `memchr` costs more to set up than short texts take
//! to scan.

/// Whether `b` holds `byte`.
pub fn contains(b: &[u8], byte: u8) -> bool {
    let mut blocks = b.chunks_exact(16);
    let found = blocks
        .by_ref()
        .any(|block| byte_mask(block.try_into().expect("16 bytes"), byte) != 0);
    found || blocks.remainder().iter().any(|&c| c == byte)
}

/// The offsets of `byte` in `b`, in order.
pub fn positions(b: &[u8], byte: u8) -> Positions<'_> {
    Positions {
        b,
        byte,
        block: 0,
        mask: if b.is_empty() {
            0
        } else {
            block_mask(b, 0, byte)
        },
    }
}

pub struct Positions<'a> {
    b: &'a [u8],
    byte: u8,
    /// Offset of the current block of 16 bytes.
    block: usize,
    /// Where the byte is in the current block, not yet returned (bit `i`: offset `block + i`).
    mask: u32,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.block += 16;
            if self.block >= self.b.len() {
                return None;
            }
            self.mask = block_mask(self.b, self.block, self.byte);
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.block + i)
    }
}

/// Where `byte` is among the (up to) 16 bytes of `b` from `at` (bit `i`
/// for `b[at + i]`).
#[inline(always)]
fn block_mask(b: &[u8], at: usize, byte: u8) -> u32 {
    if let Some(block) = b[at..].first_chunk::<16>() {
        return byte_mask(block, byte);
    }
    if b.len() >= 16 {
        // The last, partial block: the 16 bytes that end `b`, shifted.
        let last = b.last_chunk::<16>().expect("16 bytes");
        return byte_mask(last, byte) >> (at + 16 - b.len());
    }
    b[at..]
        .iter()
        .enumerate()
        .fold(0, |mask, (i, &c)| mask | u32::from(c == byte) << i)
}

/// Bit `i` set when `block[i] == byte`, with one SSE2 comparison (SSE2 is
/// part of every x86-64 processor).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn byte_mask(block: &[u8; 16], byte: u8) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    // SAFETY: the target has SSE2 (checked by the `cfg` above), and the
    // unaligned load reads exactly the 16 bytes of `block`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8))) as u32
    }
}

/// Bit `i` set when `block[i] == byte`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn byte_mask(block: &[u8; 16], byte: u8) -> u32 {
    let mut mask = 0;
    for (i, &c) in block.iter().enumerate() {
        mask |= u32::from(c == byte) << i;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_byte_like_a_plain_search() {
        let mut state = 12345u32;
        for len in 0..80 {
            for _ in 0..20 {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        b"ab\n|`*"[(state >> 16) as usize % 6]
                    })
                    .collect();
                for byte in [b'\n', b'|', b'`', b'*', b'z', 0] {
                    let expected: Vec<usize> = (0..len).filter(|&k| text[k] == byte).collect();
                    assert_eq!(positions(&text, byte).collect::<Vec<_>>(), expected);
                    assert_eq!(contains(&text, byte), !expected.is_empty());
                }
            }
        }
    }
}
