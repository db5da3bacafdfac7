//! Halton points: the radical inverse of the index in the `dim`-th prime base, plain or
//! with a random permutation of the digits at each digit position.

use super::mix;

/// Keeps the Halton permutations apart from those of other users of the study seed.
const SALT: u64 = 0x6861_6c74_6f6e_5f70; // "halton_p"

/// The first `n` primes: the bases of the first `n` dimensions.
pub(super) fn primes(n: usize) -> Vec<u64> {
    let mut primes: Vec<u64> = Vec::with_capacity(n);
    let mut candidate = 2u64;
    while primes.len() < n {
        if primes
            .iter()
            .take_while(|&&p| p * p <= candidate)
            .all(|&p| candidate % p != 0)
        {
            primes.push(candidate);
        }
        candidate += 1;
    }
    primes
}

/// The radical inverse of `index` in `base`, summed in the order and with the float
/// operations of scipy's `van_der_corput(scramble=False)`, so it gives the same float.
pub(super) fn radical_inverse(base: u64, index: u64) -> f64 {
    let mut quotient = index;
    let mut scale = 1.0 / base as f64;
    let mut x = 0.0;
    while quotient > 0 {
        x += (quotient % base) as f64 * scale;
        scale /= base as f64;
        quotient /= base;
    }
    x
}

/// Digit positions a scramble permutes: every digit down to about 2^-54, trailing zeros
/// of the index included (as scipy: `ceil(54 / log2(base)) - 1`).
fn scrambled_digits(base: u64) -> u32 {
    ((54.0 / (base as f64).log2()).ceil() as u32)
        .saturating_sub(1)
        .max(1)
}

/// The radical inverse of `index` in `base` with digit `j` replaced by `pi_j(digit)`,
/// `pi_j` a random permutation of `0..base` drawn for this seed, dimension and digit
/// position: scipy's `Halton(scramble=True)` scheme. The permutations are evaluated
/// point-wise by Kensler's hashed permutation (cycle-walking a bijection of the
/// enclosing power of two), so a point costs a few hashes per digit, not a shuffle of
/// every base.
pub(super) fn scrambled_radical_inverse(base: u64, index: u64, seed: u64, dim: usize) -> f64 {
    let mut quotient = index;
    let mut scale = 1.0 / base as f64;
    let mut x = 0.0;
    let key = mix(mix(seed ^ SALT) ^ dim as u64);
    for position in 0..scrambled_digits(base) {
        let digit = quotient % base;
        quotient /= base;
        let permuted = permute(digit, base, mix(key ^ u64::from(position)));
        x += permuted as f64 * scale;
        scale /= base as f64;
    }
    // The sum of the largest digits is 1 - base^-digits, which rounding may lift to 1.
    x.min(1.0 - f64::EPSILON / 2.0)
}

/// Image of `i < len` under a random permutation of `0..len` keyed by `key` (Kensler,
/// "Correlated Multi-Jittered Sampling", 2013). `len` is a prime below 2^32 here.
fn permute(i: u64, len: u64, key: u64) -> u64 {
    debug_assert!(i < len && len <= 1 << 32);
    let p = key as u32;
    let len32 = len as u32;
    let mut w = len32.wrapping_sub(1);
    w |= w >> 1;
    w |= w >> 2;
    w |= w >> 4;
    w |= w >> 8;
    w |= w >> 16;
    let mut i = i as u32;
    // Every step is a bijection of the low bits under `w`, so walking the cycle from `i`
    // reaches a value below `len` (more than half of `0..=w` is).
    loop {
        i ^= p;
        i = i.wrapping_mul(0xe170_893d);
        i ^= p >> 16;
        i ^= (i & w) >> 4;
        i ^= p >> 8;
        i = i.wrapping_mul(0x0929_eb3f);
        i ^= p >> 23;
        i ^= (i & w) >> 1;
        i = i.wrapping_mul(1 | (p >> 27));
        i = i.wrapping_mul(0x6935_fa69);
        i ^= (i & w) >> 11;
        i = i.wrapping_mul(0x74dc_b303);
        i ^= (i & w) >> 2;
        i = i.wrapping_mul(0x9e50_1cc3);
        i ^= (i & w) >> 2;
        i = i.wrapping_mul(0xc860_a3df);
        i &= w;
        i ^= i >> 5;
        if i < len32 {
            break;
        }
    }
    // Kensler's final offset by the key, a rotation of 0..len (without his 32-bit
    // wrap-around, which breaks the bijection when `i + p` overflows).
    (u64::from(i) + u64::from(p) % len) % len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_are_the_first_primes() {
        assert_eq!(primes(10), [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert_eq!(primes(1000)[999], 7919);
    }

    #[test]
    fn permute_is_a_permutation() {
        for len in [2u64, 3, 5, 7, 31, 97, 7919] {
            for key in [0u64, 1, 0xdead_beef, u64::MAX] {
                let mut image: Vec<u64> = (0..len).map(|i| permute(i, len, key)).collect();
                image.sort_unstable();
                assert_eq!(image, (0..len).collect::<Vec<_>>(), "len {len} key {key}");
            }
        }
    }

    #[test]
    fn scrambled_halton_stratifies_each_block_of_base_powers() {
        // Digit permutations keep the net property: the first base^2 points fall one in
        // each interval of width base^-2.
        for (dim, base) in primes(5).into_iter().enumerate() {
            let cells = (base * base) as usize;
            let mut seen = vec![false; cells];
            for index in 0..cells as u64 {
                let x = scrambled_radical_inverse(base, index, 9, dim);
                assert!((0.0..1.0).contains(&x));
                let cell = (x * cells as f64) as usize;
                assert!(!seen[cell], "base {base} index {index}");
                seen[cell] = true;
            }
        }
    }
}
