//! Byte searches sixteen bytes at a time (one SSE2 comparison on x86-64):
//! they run over every line and text event of every page (Markdown), and
//! over every tag of every page body (search), where the standard library's
//! `memchr` costs more to set up than short texts take to scan.

/// Whether `b` holds `byte`.
pub fn contains(b: &[u8], byte: u8) -> bool {
    let mut blocks = b.chunks_exact(16);
    let found = blocks
        .by_ref()
        .any(|block| byte_mask(block.try_into().expect("16 bytes"), byte) != 0);
    found || blocks.remainder().contains(&byte)
}

/// The offsets of `byte` in `b`, in order.
pub fn positions(b: &[u8], byte: u8) -> Positions<'_, impl Fn(&[u8; 16]) -> u32> {
    assert_ne!(byte, 0, "a short last block is padded with zeros");
    Positions::new(b, move |block| byte_mask(block, byte))
}

/// The offsets of the bytes of `b` in `lo..=hi` (ASCII), in order.
pub fn in_range(b: &[u8], lo: u8, hi: u8) -> Positions<'_, impl Fn(&[u8; 16]) -> u32> {
    assert!(
        0 < lo && lo <= hi && hi < 0x80,
        "a short last block is padded with zeros"
    );
    Positions::new(b, move |block| range_mask(block, lo, hi))
}

/// The first offset from `from` of a byte of `set` in `b` (none from past its end).
pub fn next_of<const N: usize>(b: &[u8], from: usize, set: [u8; N]) -> Option<usize> {
    assert!(!set.contains(&0), "a short last block is padded with zeros");
    let rest = b.get(from..)?;
    let class = move |block: &[u8; 16]| set.iter().fold(0, |m, &c| m | byte_mask(block, c));
    Positions::new(rest, class).next().map(|p| from + p)
}

/// The offsets of the bytes of a class, found a block of 16 bytes at a time.
pub struct Positions<'a, F> {
    b: &'a [u8],
    /// The class: bit `i` of `class(block)` is set when `block[i]` belongs to it.
    class: F,
    /// Offset of the current block.
    block: usize,
    /// Where the class is in the current block, not yet returned (bit `i`: offset `block + i`).
    mask: u32,
}

impl<'a, F: Fn(&[u8; 16]) -> u32> Positions<'a, F> {
    fn new(b: &'a [u8], class: F) -> Self {
        let mask = if b.is_empty() {
            0
        } else {
            block_mask(b, 0, &class)
        };
        Positions {
            b,
            class,
            block: 0,
            mask,
        }
    }
}

impl<F: Fn(&[u8; 16]) -> u32> Iterator for Positions<'_, F> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.block += 16;
            if self.block >= self.b.len() {
                return None;
            }
            self.mask = block_mask(self.b, self.block, &self.class);
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.block + i)
    }
}

/// `class` of the (up to) 16 bytes of `b` from `at` (bit `i` for `b[at + i]`).
#[inline(always)]
fn block_mask(b: &[u8], at: usize, class: impl Fn(&[u8; 16]) -> u32) -> u32 {
    if let Some(block) = b[at..].first_chunk::<16>() {
        return class(block);
    }
    if let Some(last) = b.last_chunk::<16>() {
        // The last, partial block: the 16 bytes that end `b`, shifted.
        return class(last) >> (at + 16 - b.len());
    }
    // A text shorter than a block, padded with zeros (in no class).
    let mut block = [0u8; 16];
    block[..b.len()].copy_from_slice(b);
    class(&block)
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

/// Bit `i` set when `block[i]` is in `lo..=hi` (ASCII), with SSE2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn range_mask(block: &[u8; 16], lo: u8, hi: u8) -> u32 {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_set1_epi8,
    };
    // SAFETY: as in `byte_mask`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        // Signed comparisons: bytes from 0x80 are negative, below the range.
        let above = _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1));
        let below = _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1));
        _mm_movemask_epi8(_mm_and_si128(above, below)) as u32
    }
}

/// Bit `i` set when `block[i] == byte`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn byte_mask(block: &[u8; 16], byte: u8) -> u32 {
    mask_of(block, |c| c == byte)
}

/// Bit `i` set when `block[i]` is in `lo..=hi`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn range_mask(block: &[u8; 16], lo: u8, hi: u8) -> u32 {
    mask_of(block, |c| (lo..=hi).contains(&c))
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn mask_of(block: &[u8; 16], class: impl Fn(u8) -> bool) -> u32 {
    let mut mask = 0;
    for (i, &c) in block.iter().enumerate() {
        mask |= u32::from(class(c)) << i;
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
                        "ab\n|`*\"é-.!".as_bytes()[(state >> 16) as usize % 12]
                    })
                    .collect();
                for byte in [b'\n', b'|', b'`', b'*', b'z'] {
                    let expected: Vec<usize> = (0..len).filter(|&k| text[k] == byte).collect();
                    assert_eq!(positions(&text, byte).collect::<Vec<_>>(), expected);
                    assert_eq!(contains(&text, byte), !expected.is_empty());
                }
                assert!(!contains(&text, 0));
                let expected: Vec<usize> = (0..len)
                    .filter(|&k| (b'"'..=b'>').contains(&text[k]))
                    .collect();
                let found: Vec<usize> = in_range(&text, b'"', b'>').collect();
                assert_eq!(found, expected);
                for from in 0..=len + 1 {
                    let expected = (from..len).find(|&k| matches!(text[k], b'|' | b'`'));
                    assert_eq!(next_of(&text, from, [b'|', b'`']), expected);
                }
            }
        }
    }

    /// The search stage's tag ends: every start, bytes of every kind
    /// (a zero byte is no needle: short blocks are padded with zeros).
    #[test]
    fn next_of_finds_the_first_from_every_start() {
        let text = b"<span class=\"k\">x>y</span>\xff>\x3e";
        for start in 0..=text.len() {
            for needle in [b'>', b'<', b'x', 0xff, 0x3f] {
                assert_eq!(
                    next_of(text, start, [needle]),
                    text[start..]
                        .iter()
                        .position(|&c| c == needle)
                        .map(|p| start + p),
                    "{start} {needle}"
                );
            }
        }
    }
}
