//! One stable sort for the whole crate.
//!
//! Why: the standard library's stable sort (driftsort) is a few KB of WebAssembly for every
//! element type and comparator it is instantiated with, and `BTreeMap::from_iter` sorts too;
//! the crate had ten such instantiations (twiggy, see bench/README.md). Here the sort runs
//! once, on indices, with the comparison behind a `dyn`; callers get the same order as
//! `sort_by` (stable: equal elements keep their order).

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The indices `0..n` in the stable order of `cmp` (the one sort instantiation).
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// `v.sort_by(cmp)`: stable.
pub(crate) fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let items = &*v;
    let idx = order(items.len(), &|a, b| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(
        idx.into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// `v.sort_by_key(key)`: stable.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `iter.collect::<BTreeMap<_, _>>()` (the last value of a repeated key wins, as there).
pub(crate) fn btree_map<K: Ord, V>(iter: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut m = BTreeMap::new();
    for (k, v) in iter {
        m.insert(k, v);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_order_as_the_standard_stable_sort() {
        let mut seed = 7u64;
        for n in [0usize, 1, 2, 5, 20, 33, 200, 1000] {
            let v: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (((seed >> 33) % 7) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            let mut theirs = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            theirs.sort_by_key(|a| a.0);
            assert_eq!(ours, theirs);
            let mut ours = v.clone();
            let mut theirs = v.clone();
            sort_by_key(&mut ours, |x| std::cmp::Reverse(x.0));
            theirs.sort_by_key(|x| std::cmp::Reverse(x.0));
            assert_eq!(ours, theirs);
            let pairs = v.iter().map(|&(k, i)| (k, i));
            assert_eq!(btree_map(pairs.clone()), pairs.collect::<BTreeMap<_, _>>());
        }
    }
}
