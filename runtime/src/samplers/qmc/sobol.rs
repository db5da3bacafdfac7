//! Sobol points with 64-bit precision, computed directly from the point's index.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::joe_kuo::{DIRECTIONS, MAX_DEGREE, ROWS};
use super::mix;

/// Bits of every coordinate: a coordinate is a 64-bit binary fraction.
const BITS: usize = 64;

/// Dimensions with direction numbers of their own (Joe and Kuo's first 1024). Higher
/// dimensions reuse them in turn (`dim % DIMENSIONS`); scrambled, each such copy also
/// walks the points in an order of its own ([`shuffled_index`]), so it does not repeat
/// the coordinates of the dimension it copies.
pub(super) const DIMENSIONS: usize = ROWS + 1;

/// Keeps the Sobol scrambles apart from those of other users of the study seed.
const SALT: u64 = 0x736f_626f_6c5f_6c6d; // "sobol_lm"

/// The 64 direction numbers `v_1..=v_64` of dimension `dim` (0-based), as binary
/// fractions: `v_j = m_j / 2^j`, with `m_j` from the table for `j <= s` and from the
/// recurrence of the dimension's primitive polynomial beyond (Bratley and Fox; as
/// scipy's `_initialize_v`, with 64 bits instead of its default 30).
fn direction_numbers(dim: usize) -> [u64; BITS] {
    let mut m = [0u64; BITS];
    let row = dim % DIMENSIONS;
    if row == 0 {
        m = [1; BITS];
    } else {
        let entry = &DIRECTIONS[row - 1];
        let poly = u64::from(entry[0]);
        let degree = (u64::BITS - 1 - poly.leading_zeros()) as usize;
        debug_assert!(degree <= MAX_DEGREE);
        for j in 0..degree {
            m[j] = u64::from(entry[j + 1]);
        }
        for j in degree..BITS {
            // m_j = m_{j-s} ^ (2^s m_{j-s}) ^ XOR_k (c_k 2^k m_{j-k}), c_k the
            // polynomial's inner coefficients; wrapping shifts drop only bits above 2^64,
            // which the final `<<` below would drop anyway.
            let mut next = m[j - degree] ^ (m[j - degree] << degree);
            for k in 1..degree {
                if (poly >> (degree - k)) & 1 == 1 {
                    next ^= m[j - k] << k;
                }
            }
            m[j] = next;
        }
    }
    let mut v = [0u64; BITS];
    for (j, (v, m)) in v.iter_mut().zip(m).enumerate() {
        // m_j < 2^(j+1), so m_j << (63 - j) keeps every bit.
        *v = m << (BITS - 1 - j);
    }
    v
}

/// Coordinate `dim` of the unscrambled point `index`, in Gray-code order (Antonov and
/// Saleev), so that point `index` is the one scipy's `Sobol(scramble=False)` gives
/// as its `index`-th draw.
pub(super) fn coordinate(dim: usize, index: u64) -> u64 {
    let v = direction_numbers(dim);
    let mut gray = index ^ (index >> 1);
    let mut x = 0u64;
    while gray != 0 {
        let j = gray.trailing_zeros() as usize;
        x ^= v[j];
        gray &= gray - 1;
    }
    x
}

/// The index at which dimension `dim` reads the sequence, for a scrambled design:
/// `index` itself for the first [`DIMENSIONS`] dimensions; for the copies above them, a
/// nested random permutation of the indices drawn from the seed and the copy's number
/// (Owen's scramble applied to the index's bits, most significant first: bit `k` is
/// flipped by a hash of the bits above it). Each aligned block of `2^m` indices maps onto
/// an aligned block of `2^m`, and every such block of Sobol points is a net like the
/// first, so a copied dimension keeps its stratification, while its points pair with
/// those of the dimension it copies as if independently.
pub(super) fn shuffled_index(seed: u64, dim: usize, index: u64) -> u64 {
    let copy = (dim / DIMENSIONS) as u64;
    if copy == 0 {
        return index;
    }
    let key = mix(mix(seed ^ SALT) ^ copy);
    let mut shuffled = index;
    for k in 0..64u32 {
        let above = index.checked_shr(k + 1).unwrap_or(0);
        let flip = mix(mix(key ^ u64::from(k)) ^ above) & 1;
        shuffled ^= flip << k;
    }
    shuffled
}

/// A linear matrix scramble with a digital shift (Matousek's LMS, as scipy's
/// `Sobol(scramble=True)`), drawn for one dimension from the seed.
#[derive(Debug, Clone)]
pub(super) struct Scramble {
    /// Row `b` of the random lower-triangular matrix with a unit diagonal, as the mask of
    /// the input bits that output bit `b` sums: bit `b` and more significant ones only.
    rows: [u64; BITS],
    shift: u64,
}

impl Scramble {
    pub(super) fn new(seed: u64, dim: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ SALT);
        rng.set_stream(dim as u64);
        let mut rows = [0u64; BITS];
        for (b, row) in rows.iter_mut().enumerate() {
            let at_or_above = u64::MAX << b;
            *row = (rng.next_u64() & at_or_above) | (1 << b);
        }
        Scramble {
            rows,
            shift: rng.next_u64(),
        }
    }

    /// `L x + shift` over GF(2). `L` is invertible and maps every dyadic interval of
    /// length 2^-m onto one, so a scrambled (t, m, s)-net stays one.
    pub(super) fn apply(&self, x: u64) -> u64 {
        let mut y = 0u64;
        for (b, row) in self.rows.iter().enumerate() {
            y |= u64::from((row & x).count_ones() & 1) << b;
        }
        y ^ self.shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_dimension_is_van_der_corput_in_gray_code_order() {
        // 0, 1/2, 3/4, 1/4, 3/8, 7/8, 5/8, 1/8.
        let eighth = 1u64 << 61;
        for (index, eighths) in [0u64, 4, 6, 2, 3, 7, 5, 1].into_iter().enumerate() {
            assert_eq!(coordinate(0, index as u64), eighths * eighth);
        }
    }

    #[test]
    fn every_dimension_stratifies_each_power_of_two_block() {
        // A (0, m, 1)-net in every coordinate: the first 2^m points fall one in each
        // interval [i / 2^m, (i + 1) / 2^m), scrambled or not.
        for dim in [0, 1, 2, 7, 100, 1023, 1500] {
            let scramble = Scramble::new(42, dim);
            for plain in [true, false] {
                let mut seen = [false; 256];
                for index in 0..256 {
                    let x = coordinate(dim, index);
                    let x = if plain { x } else { scramble.apply(x) };
                    let cell = (x >> 56) as usize;
                    assert!(!seen[cell], "dim {dim} index {index}");
                    seen[cell] = true;
                }
            }
        }
    }

    /// The first rows of `new-joe-kuo-6.21201` as the file prints them (`d s a m_i`).
    #[test]
    fn the_table_holds_joe_and_kuos_rows() {
        let rows: [(usize, u16, u16, &[u16]); 9] = [
            (2, 1, 0, &[1]),
            (3, 2, 1, &[1, 3]),
            (4, 3, 1, &[1, 3, 1]),
            (5, 3, 2, &[1, 1, 1]),
            (6, 4, 1, &[1, 1, 3, 3]),
            (7, 4, 4, &[1, 3, 5, 13]),
            (8, 5, 2, &[1, 1, 5, 5, 17]),
            (9, 5, 4, &[1, 1, 5, 5, 5]),
            (10, 5, 7, &[1, 1, 7, 11, 19]),
        ];
        for (d, s, a, m) in rows {
            let entry = &DIRECTIONS[d - 2];
            assert_eq!(entry[0], 1 << s | a << 1 | 1, "d = {d}");
            assert_eq!(&entry[1..=m.len()], m, "d = {d}");
            assert!(entry[m.len() + 1..].iter().all(|&x| x == 0), "d = {d}");
        }
        // Every row: a polynomial of degree s <= MAX_DEGREE, s odd m_i with m_i < 2^i.
        for entry in &DIRECTIONS {
            let s = (15 - entry[0].leading_zeros()) as usize;
            assert!((1..=MAX_DEGREE).contains(&s) && entry[0] & 1 == 1);
            for i in 1..=s {
                assert!(entry[i] % 2 == 1 && entry[i] < 1 << i, "{entry:?}");
            }
        }
    }

    #[test]
    fn copied_dimensions_keep_their_strata_but_not_their_partners_coordinates() {
        let (seed, low, high) = (5, 6, 6 + DIMENSIONS);
        let point = |dim: usize, index: u64| {
            Scramble::new(seed, dim).apply(coordinate(dim, shuffled_index(seed, dim, index)))
        };
        // One of the first 256 points in each 1/256 of the copied dimension.
        let mut seen = [false; 256];
        for index in 0..256 {
            let cell = (point(high, index) >> 56) as usize;
            assert!(!seen[cell], "index {index}");
            seen[cell] = true;
        }
        // Against the dimension it copies, a 16 x 16 grid: a copy read in the same order
        // is an affine map of its original whose top 4 bits depend on the original's top
        // 4 bits only, so 256 points would fill just 16 cells; independent points fill
        // about 162 (256 (1 - 1/e)), a (0, 8, 2)-net all 256.
        let mut cells = std::collections::HashSet::new();
        for index in 0..256 {
            cells.insert((point(low, index) >> 60, point(high, index) >> 60));
        }
        assert!(cells.len() >= 130, "{} cells", cells.len());
        // The shuffle is a permutation of each aligned block.
        let mut block: Vec<u64> = (512..768).map(|i| shuffled_index(seed, high, i)).collect();
        block.sort_unstable();
        let start = block[0];
        assert_eq!(start % 256, 0);
        assert_eq!(block, (start..start + 256).collect::<Vec<_>>());
        assert_eq!(shuffled_index(seed, low, 77), 77);
    }

    #[test]
    fn the_scramble_depends_on_seed_and_dimension_only() {
        let a = Scramble::new(1, 3);
        assert_eq!(a.apply(12345), Scramble::new(1, 3).apply(12345));
        assert_ne!(a.apply(12345), Scramble::new(2, 3).apply(12345));
        assert_ne!(a.apply(12345), Scramble::new(1, 4).apply(12345));
    }
}
