//! The RFC 9162 Merkle tree over the ledger.
//!
//! The tree is kept as its complete subtrees ("nodes"), each stored once
//! when its last leaf arrives and never changed. Nodes are numbered in the
//! order they complete (post-order, as in a Merkle mountain range), so
//! appending leaves only appends nodes, and verification can walk leaves and
//! nodes side by side. Any subtree hash a proof needs is a node or a right
//! edge made of O(log n) nodes, so a proof for any tree size costs one read
//! of O(log n) nodes, never a scan.
//!
//! Proofs are computed in two passes over the same pure functions: first
//! with a closure that records which nodes are needed, then with one that
//! answers from the nodes read.

use sha2::{Digest, Sha256};

use super::Hash;

/// RFC 9162 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A complete, aligned subtree: leaves `[index << level, (index + 1) << level)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    pub level: u32,
    pub index: u64,
}

impl Node {
    /// Its number in completion order, from 0.
    pub fn position(self) -> u64 {
        let next = self.index + 1;
        nodes_in(next << self.level) - 1 - u64::from(next.trailing_zeros())
    }

    /// The leaves it covers, as ledger sequences (first, last).
    pub fn sequences(self) -> (u64, u64) {
        ((self.index << self.level) + 1, (self.index + 1) << self.level)
    }
}

/// How many nodes a tree of `size` leaves has.
pub fn nodes_in(size: u64) -> u64 {
    2 * size - u64::from(size.count_ones())
}

/// The largest power of two smaller than `n` (n > 1): RFC 9162's split.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The right edge of a growing tree: the roots of its maximal complete
/// subtrees, left to right. Enough to append and to compute the root.
#[derive(Clone, Debug, Default)]
pub struct Frontier {
    size: u64,
    peaks: Vec<Hash>,
}

impl Frontier {
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf; pushes the nodes it completes onto `completed`, in
    /// position order (the leaf first).
    pub fn push(&mut self, leaf: Hash, completed: &mut Vec<Hash>) {
        completed.push(leaf);
        let mut hash = leaf;
        let mut below = self.size;
        while below & 1 == 1 {
            let left = self.peaks.pop().expect("a peak per set bit of the size");
            hash = node_hash(&left, &hash);
            completed.push(hash);
            below >>= 1;
        }
        self.peaks.push(hash);
        self.size += 1;
    }

    /// RFC 9162 root hash of the tree so far.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(last) = peaks.next() else { return empty_root() };
        peaks.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// Looks up the hash of a node.
pub type NodeSource<'a> = dyn FnMut(Node) -> Hash + 'a;

/// The frontier of the tree of the first `size` leaves, from its nodes:
/// one complete subtree per set bit of `size`, largest (leftmost) first.
pub fn frontier(size: u64, node: &mut NodeSource) -> Frontier {
    let mut peaks = Vec::with_capacity(size.count_ones() as usize);
    let mut start = 0;
    for level in (0..u64::BITS).rev() {
        if size >> level & 1 == 1 {
            peaks.push(node(Node { level, index: start >> level }));
            start += 1 << level;
        }
    }
    Frontier { size, peaks }
}

/// MTH of leaves `[lo, hi)`, where `lo` is aligned to the largest power of
/// two below `hi - lo` (true of every range RFC 9162's recursion visits).
pub fn range_hash(lo: u64, hi: u64, node: &mut NodeSource) -> Hash {
    let n = hi - lo;
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return node(Node { level, index: lo >> level });
    }
    let k = split(n);
    let left = range_hash(lo, lo + k, node);
    let right = range_hash(lo + k, hi, node);
    node_hash(&left, &right)
}

/// Root of the tree of the first `size` leaves.
pub fn root(size: u64, node: &mut NodeSource) -> Hash {
    if size == 0 { empty_root() } else { range_hash(0, size, node) }
}

/// RFC 9162 inclusion proof (audit path) of leaf `index` in the tree of
/// `size` leaves, from the leaf upwards. `index < size`.
pub fn inclusion_path(index: u64, size: u64, node: &mut NodeSource) -> Vec<Hash> {
    fn path(m: u64, lo: u64, hi: u64, node: &mut NodeSource, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            path(m, lo, lo + k, node, out);
            out.push(range_hash(lo + k, hi, node));
        } else {
            path(m - k, lo + k, hi, node, out);
            out.push(range_hash(lo, lo + k, node));
        }
    }
    let mut out = Vec::new();
    path(index, 0, size, node, &mut out);
    out
}

/// RFC 9162 consistency proof between trees of `first` and `second` leaves,
/// `0 < first <= second`.
pub fn consistency_proof(first: u64, second: u64, node: &mut NodeSource) -> Vec<Hash> {
    fn subproof(m: u64, lo: u64, hi: u64, whole: bool, node: &mut NodeSource, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if m == n {
            if !whole {
                out.push(range_hash(lo, hi, node));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            subproof(m, lo, lo + k, whole, node, out);
            out.push(range_hash(lo + k, hi, node));
        } else {
            subproof(m - k, lo + k, hi, false, node, out);
            out.push(range_hash(lo, lo + k, node));
        }
    }
    let mut out = Vec::new();
    if first < second {
        subproof(first, 0, second, true, node, &mut out);
    }
    out
}

/// The nodes a computation over `NodeSource` reads, in position order.
pub fn nodes_needed<T>(compute: impl FnOnce(&mut NodeSource) -> T) -> Vec<Node> {
    let mut needed = Vec::new();
    compute(&mut |n| {
        needed.push(n);
        [0; 32]
    });
    needed.sort_unstable_by_key(|n| n.position());
    needed.dedup();
    needed
}

/// RFC 9162 section 2.1.3.2: does `path` prove leaf `index` with hash
/// `leaf` in the tree of `size` leaves with root `root`?
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, path: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// RFC 9162 section 2.1.4.2: does `proof` show that the tree of `first`
/// leaves with root `first_root` is a prefix of the tree of `second` leaves
/// with root `second_root`?
pub fn verify_consistency(first: u64, second: u64, first_root: &Hash, second_root: &Hash, proof: &[Hash]) -> bool {
    if first == 0 || first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let Some((head, rest)) = path.split_first() else { return false };
    let (mut fnode, mut snode) = (first - 1, second - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*head, *head);
    for c in rest {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    fr == *first_root && sr == *second_root && snode == 0
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::ledger::leaf_hash;

    /// MTH straight from RFC 9162's definition.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// Appends `n` leaves; returns the frontier and the nodes by position.
    fn grow(leaves: &[Hash]) -> (Frontier, Vec<Hash>) {
        let mut frontier = Frontier::default();
        let mut nodes = Vec::new();
        for leaf in leaves {
            frontier.push(*leaf, &mut nodes);
        }
        (frontier, nodes)
    }

    #[test]
    fn a_frontier_read_from_stored_nodes_grows_as_the_one_that_made_them() {
        for size in [0u64, 1, 2, 3, 7, 8, 13, 40] {
            let all = leaves(size + 5);
            let (grown, nodes) = grow(&all[..size as usize]);
            let mut read = frontier(size, &mut |n: Node| nodes[n.position() as usize]);
            assert_eq!(read.size(), size);
            assert_eq!(read.root(), grown.root(), "size {size}");
            let mut completed = Vec::new();
            for leaf in &all[size as usize..] {
                read.push(*leaf, &mut completed);
            }
            assert_eq!(read.root(), mth(&all), "size {size} then 5 more");
        }
    }

    #[test]
    fn positions_number_nodes_in_completion_order() {
        let (_, nodes) = grow(&leaves(40));
        let all = leaves(40);
        for level in 0..6 {
            for index in 0..(40u64 >> level) {
                let node = Node { level, index };
                let (first, last) = node.sequences();
                let expected = mth(&all[(first - 1) as usize..last as usize]);
                assert_eq!(nodes[node.position() as usize], expected, "{node:?}");
            }
        }
        assert_eq!(nodes.len() as u64, nodes_in(40));
    }

    #[test]
    fn frontier_and_stored_roots_match_the_definition() {
        for n in 0..70u64 {
            let all = leaves(n);
            let (frontier, nodes) = grow(&all);
            assert_eq!(frontier.root(), mth(&all), "size {n}");
            assert_eq!(root(n, &mut |node| nodes[node.position() as usize]), mth(&all));
        }
    }

    #[test]
    fn every_inclusion_and_consistency_proof_verifies_and_tampering_fails() {
        let all = leaves(40);
        let (_, nodes) = grow(&all);
        let mut source = |node: Node| nodes[node.position() as usize];
        for size in 1..=40u64 {
            let root_n = mth(&all[..size as usize]);
            for index in 0..size {
                let path = inclusion_path(index, size, &mut source);
                let leaf = all[index as usize];
                assert!(verify_inclusion(index, size, &leaf, &path, &root_n), "{index} in {size}");
                let other = all[(index as usize + 1) % 40];
                assert!(!verify_inclusion(index, size, &other, &path, &root_n));
                if let Some(first) = path.first() {
                    let mut bad = path.clone();
                    bad[0] = node_hash(first, first);
                    assert!(!verify_inclusion(index, size, &leaf, &bad, &root_n));
                }
                assert!(!verify_inclusion(size, size, &leaf, &path, &root_n));
            }
            for first in 1..=size {
                let root_m = mth(&all[..first as usize]);
                let proof = consistency_proof(first, size, &mut source);
                assert!(verify_consistency(first, size, &root_m, &root_n, &proof), "{first} -> {size}");
                if first < size {
                    assert!(!verify_consistency(first, size, &root_n, &root_n, &proof));
                    let mut bad = proof.clone();
                    bad[0][0] ^= 1;
                    assert!(!verify_consistency(first, size, &root_m, &root_n, &bad));
                }
            }
        }
    }

    #[test]
    fn proofs_read_few_nodes() {
        let size = 1_000_003u64;
        let needed = nodes_needed(|source| inclusion_path(123_456, size, source));
        assert!(needed.len() <= 2 * 20, "{}", needed.len());
        let needed = nodes_needed(|source| consistency_proof(777_777, size, source));
        assert!(needed.len() <= 3 * 20, "{}", needed.len());
        let by_position: HashMap<u64, Node> = needed.iter().map(|n| (n.position(), *n)).collect();
        assert_eq!(by_position.len(), needed.len());
    }
}
