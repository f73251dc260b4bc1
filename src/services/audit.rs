//! Audit reads (审计): checkpoints, inclusion and consistency proofs, an
//! entity's whole history with its canonical records, the ledger's export,
//! the check log, verification of the store and the registry's keys.
//!
//! Checkpoints, check-log entries and segment heads are answered as the
//! audit trail signs and chains them (`audit`): their bytes are what is
//! verified, so they pass through unchanged.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::error::{Missing, ServiceError};
use super::files::CreditFiles;
use super::profiles::{CurrentListing, Entry, current_listings};
use super::scope::{Asked, Scopes};
use crate::audit::verify::{Report, verify};
use crate::audit::{AuditTrail, log, signed_of, stored_keys, with_nodes, with_others};
use crate::domain::Violation;
use crate::domain::record::Record;
use crate::domain::rules::RuleBook;
use crate::domain::uscc::Uscc;
use crate::ledger::merkle::{Node, consistency_proof, inclusion_path};
use crate::ledger::signing::{PublicKey, tree_size_of};
use crate::ledger::{Hash, leaf_hash};
use crate::proto::pb;
use crate::services::caller::Principal;
use crate::store::{Audit, AuditStore, CheckFilter, Ledger, LedgerStore};

/// Ledger rows read per step of an export.
const EXPORT_PAGE: u32 = 500;
/// Most bytes of entries on one page of the check log, well under a message.
const PAGE_BYTES: usize = 3 * 1024 * 1024;
/// What an entry costs a page beyond its stored bytes.
const ENTRY_OVERHEAD: usize = 48;

/// A leaf of the ledger's tree, as a request names it.
pub enum Leaf {
    /// The ledger sequence, from 1.
    Sequence(u64),
    RecordId(String),
}

/// A record's inclusion proof (RFC 9162) in the tree of `tree_size`.
pub struct InclusionProof {
    pub sequence: u64,
    pub tree_size: u64,
    pub leaf_hash: Hash,
    pub hashes: Vec<Hash>,
    /// The checkpoint of `tree_size`, when one was signed.
    pub checkpoint: Option<pb::SignedCheckpoint>,
}

/// A page of an entity's history.
pub struct History {
    /// Every record after the page token, in ledger order.
    pub entries: Vec<HistoryEntry>,
    /// Whether more entries follow this page.
    pub more: bool,
    pub current_listings: Vec<CurrentListing>,
    /// The tree size the history was read at.
    pub tree_size: u64,
}

/// A record in an entity's history: its standing and its canonical bytes.
pub struct HistoryEntry {
    pub entry: Entry,
    pub canonical: Vec<u8>,
    pub leaf_hash: Hash,
}

/// One record of the ledger as exported.
pub struct Exported {
    pub sequence: u64,
    pub recorded_at: Option<DateTime<Utc>>,
    pub leaf_hash: Hash,
    /// Canonical bytes.
    pub record: Vec<u8>,
}

/// Which checks to list.
pub struct CheckQuery {
    pub caller_subject: Option<String>,
    pub caller_organisation: Option<String>,
    /// Checks that asked about this code.
    pub uscc: Option<Uscc>,
    /// Inclusive.
    pub checked_from: Option<DateTime<Utc>>,
    /// Inclusive.
    pub checked_until: Option<DateTime<Utc>>,
    /// Only entries after this sequence (0: from the first).
    pub after: u64,
}

/// A page of the check log.
pub struct CheckPage {
    pub checks: Vec<pb::CheckLogEntry>,
    /// Whether more entries follow this page.
    pub more: bool,
    /// Heads of the segments removed from the live store that may hold
    /// matching entries (in exported files, not on this page).
    pub removed_segments: Vec<pb::SignedCheckSegmentHead>,
}

/// The audit reads over the store and the audit trail.
#[derive(Clone)]
pub struct AuditReads {
    /// Read scopes, and the ledger's size as this node holds it.
    scopes: Scopes,
    ledger: Ledger,
    audit_store: Audit,
    audit: AuditTrail,
    files: CreditFiles,
    rules: Arc<RuleBook>,
}

impl AuditReads {
    pub fn new(
        scopes: Scopes,
        (ledger, audit_store): (Ledger, Audit),
        audit: AuditTrail,
        files: CreditFiles,
        rules: Arc<RuleBook>,
    ) -> AuditReads {
        AuditReads { scopes, ledger, audit_store, audit, files, rules }
    }

    /// The checkpoint of `tree_size`, or without one the newest (signed now
    /// when none is stored). Errors: `NotFound` (`Missing::Checkpoint`)
    /// when none of that size was signed; `Store`.
    pub async fn checkpoint(&self, tree_size: Option<u64>) -> Result<pb::SignedCheckpoint, ServiceError> {
        let Some(size) = tree_size else {
            return Ok(self.newest_covering(0).await?.1);
        };
        let stored = self.audit_store.checkpoint(Some(size)).await?;
        Ok(signed_of(&stored.ok_or_else(|| ServiceError::NotFound {
            what: Missing::Checkpoint,
            name: size.to_string(),
            message: format!("no checkpoint of tree size {size} was signed"),
        })?))
    }

    /// Stored checkpoints after the one numbered `after` (0: from the
    /// first), oldest first, at most `limit`, each with its number.
    pub async fn checkpoints(&self, after: i64, limit: u32) -> Result<Vec<(i64, pb::SignedCheckpoint)>, ServiceError> {
        let rows = self.audit_store.checkpoint_page(after, limit).await?;
        Ok(rows.iter().map(|(id, c)| (*id, signed_of(c))).collect())
    }

    /// Signs a checkpoint of the ledger as this node holds it now.
    /// Errors: `Store` (the signer has stopped, or the store failed).
    pub async fn sign_checkpoint(&self) -> Result<pb::SignedCheckpoint, ServiceError> {
        Ok(self.audit.create_checkpoint().await?)
    }

    /// The inclusion proof of a record in the tree of `tree_size` (0: the
    /// newest checkpoint's, signed now if it does not cover the record
    /// yet). Errors: `NotFound` (`Missing::Record`) for a record not in
    /// the ledger; `Invalid` for a tree size the ledger never had or one
    /// that does not hold the record; `Store`.
    pub async fn inclusion_proof(&self, leaf: Leaf, tree_size: i64) -> Result<InclusionProof, ServiceError> {
        let (name, sequence) = match leaf {
            Leaf::Sequence(s) => (s.to_string(), Some(s)),
            Leaf::RecordId(id) => {
                let sequence = self.files.locate(&id).await?.map(|l| l.sequence);
                (id, sequence)
            }
        };
        let Some(sequence) = sequence.filter(|s| *s <= self.scopes.head()) else {
            return Err(ServiceError::NotFound {
                what: Missing::Record,
                message: format!("no record {name} in the ledger"),
                name,
            });
        };
        let (tree_size, checkpoint) = if tree_size == 0 {
            let (size, newest) = self.newest_covering(sequence).await?;
            (size, Some(newest))
        } else {
            let mut violations = Vec::new();
            let size = self.within_tree(&mut violations, "tree_size", tree_size);
            if size != 0 && sequence > size {
                violations.push(Violation::new(
                    "tree_size",
                    format!("record {sequence} is not in the tree of the first {size} records"),
                ));
            }
            if !violations.is_empty() {
                return Err(ServiceError::Invalid(violations));
            }
            let stored = self.audit_store.checkpoint(Some(size)).await?;
            (size, stored.map(|c| signed_of(&c)))
        };
        let index = sequence - 1;
        let (hashes, leaf_hash) =
            with_nodes(&self.ledger, |nodes| (inclusion_path(index, tree_size, nodes), nodes(Node { level: 0, index }))).await?;
        Ok(InclusionProof { sequence, tree_size, leaf_hash, hashes, checkpoint })
    }

    /// The consistency proof (RFC 9162) from the tree of `first` records
    /// to that of `second`. Errors: `Invalid` unless 1 ≤ `first` ≤
    /// `second` ≤ the ledger's head; `Store`.
    pub async fn consistency_proof(&self, first: i64, second: i64) -> Result<Vec<Hash>, ServiceError> {
        let mut violations = Vec::new();
        let first_size = self.within_tree(&mut violations, "first_tree_size", first);
        let second_size = self.within_tree(&mut violations, "second_tree_size", second);
        if first < 1 {
            violations.push(Violation::new("first_tree_size", "must be at least 1"));
        }
        if first > second {
            violations.push(Violation::new("second_tree_size", format!("{second} is smaller than first_tree_size {first}")));
        }
        if !violations.is_empty() {
            return Err(ServiceError::Invalid(violations));
        }
        Ok(with_nodes(&self.ledger, |nodes| consistency_proof(first_size, second_size, nodes)).await?)
    }

    /// `uscc`'s records after sequence `after`, at most `size`, each with
    /// its standing as an auditor sees it and its canonical bytes as
    /// stored. Errors: those of `Scopes::resolve`; `Store` (`Corrupt`
    /// names a stored record that does not decode).
    pub async fn history(
        &self,
        caller: &Principal,
        asked: &Asked,
        uscc: &Uscc,
        after: u64,
        size: usize,
    ) -> Result<History, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        let stored = self.files.canonical(uscc, scope.tree.size).await?;
        let records: Vec<Arc<Record>> = stored.iter().map(|(r, _)| r.clone()).collect();
        let state = scope.fold(&records, &self.rules);
        let rules = scope.rules(&self.rules);
        let mut page = state.records.iter().filter(|v| v.record.sequence > after);
        let entries = page
            .by_ref()
            .take(size)
            .map(|view| {
                // Stored records are in ledger order, like the state's.
                let canonical = stored
                    .binary_search_by_key(&view.record.sequence, |(r, _)| r.sequence)
                    .map(|i| stored[i].1.clone())
                    .unwrap_or_default();
                HistoryEntry { entry: Entry::of(view, &state, rules, true), leaf_hash: leaf_hash(&canonical), canonical }
            })
            .collect();
        Ok(History {
            entries,
            more: page.next().is_some(),
            current_listings: current_listings(&state, rules),
            tree_size: scope.tree.size,
        })
    }

    /// The ledger's records from sequence `from` (0 or 1: the first) to
    /// `to` (`None`: the head as this node holds it now), in order, sent as
    /// they are read; a store error ends the stream after being sent.
    pub fn export(&self, from: u64, to: Option<u64>) -> mpsc::Receiver<Result<Exported, ServiceError>> {
        let head = self.scopes.head();
        let until = to.map_or(head, |to| to.min(head));
        let mut after = from.max(1) - 1;
        let store = self.ledger.clone();
        let (tx, rx) = mpsc::channel(2 * EXPORT_PAGE as usize);
        tokio::spawn(async move {
            while after < until {
                let page = match store.ledger_page(after, until, EXPORT_PAGE).await {
                    Ok(page) if !page.is_empty() => page,
                    Ok(_) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e.into())).await;
                        break;
                    }
                };
                after = page.last().map_or(until, |e| e.sequence);
                for e in page {
                    let exported = Exported {
                        sequence: e.sequence,
                        recorded_at: DateTime::from_timestamp_micros(e.recorded_at),
                        leaf_hash: leaf_hash(&e.bytes),
                        record: e.bytes,
                    };
                    if tx.send(Ok(exported)).await.is_err() {
                        return;
                    }
                }
            }
        });
        rx
    }

    /// The checks `query` matches, oldest first: at most `size`, and fewer
    /// when more would outgrow a message. Errors: `Store`.
    pub async fn checks(&self, query: CheckQuery, size: usize) -> Result<CheckPage, ServiceError> {
        let filter = CheckFilter {
            caller_subject: query.caller_subject,
            organisation: query.caller_organisation,
            code_key: None,
            from: query.checked_from.map(|t| t.timestamp_micros()),
            until: query.checked_until.map(|t| t.timestamp_micros()),
            after: query.after,
        };
        let code = query.uscc.map(|u| u.to_string());
        let mut found = log::read(&self.audit_store, &filter, code.as_deref(), size + 1).await?;
        let mut more = found.len() > size;
        found.truncate(size);
        let mut checks = Vec::with_capacity(found.len());
        let mut bytes = 0;
        for logged in found {
            // A page also stops before it would outgrow a message; the next
            // goes on from there.
            if !checks.is_empty() && bytes + logged.size > PAGE_BYTES {
                more = true;
                break;
            }
            bytes += logged.size + ENTRY_OVERHEAD;
            checks.push(logged.entry);
        }
        let removed_segments = log::removed_segments(&self.audit_store, &filter).await?;
        Ok(CheckPage { checks, more, removed_segments })
    }

    /// Rechecks the whole store against the registry's keys.
    pub async fn verify(&self) -> Result<Report, ServiceError> {
        Ok(verify((&self.ledger, &self.audit_store), &self.registry_keys().await?).await?)
    }

    /// The registry's keys, current first: the store's, which `rotate-key`
    /// changes while nodes run (a node not yet restarted still publishes and
    /// trusts the new key), then any of this node's the store does not hold.
    pub async fn registry_keys(&self) -> Result<Vec<PublicKey>, ServiceError> {
        Ok(with_others(stored_keys(&self.audit_store).await?, self.audit.public_keys()))
    }

    /// The newest stored checkpoint if it covers record `sequence`, else
    /// one signed now; with its tree size.
    async fn newest_covering(&self, sequence: u64) -> Result<(u64, pb::SignedCheckpoint), ServiceError> {
        match self.audit_store.checkpoint(None).await? {
            Some(c) if c.tree_size >= sequence => Ok((c.tree_size, signed_of(&c))),
            _ => {
                let signed = self.audit.create_checkpoint().await?;
                Ok((tree_size_of(&signed), signed))
            }
        }
    }

    /// `size` as a tree size, with a violation (and 0) if the committed
    /// ledger has no tree of that size.
    fn within_tree(&self, violations: &mut Vec<Violation>, field: &str, size: i64) -> u64 {
        let head = self.scopes.head();
        match u64::try_from(size) {
            Ok(n) if n <= head => n,
            _ => {
                let sizes = if head == 0 { "the ledger is empty".to_string() } else { format!("it has 1 to {head}") };
                violations.push(Violation::new(field, format!("{size} is not a tree size of this ledger: {sizes}")));
                0
            }
        }
    }
}
