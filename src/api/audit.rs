//! `AuditService`: checkpoints, proofs, entity history, ledger export, the
//! check log and store verification, for auditors. The registry's keys,
//! checkpoints and consistency proofs reveal nothing about any entity and
//! are open to every authenticated caller, so a platform can check a
//! receipt it holds.

use std::pin::Pin;
use std::sync::Arc;

use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::error::ApiError;
use super::paging::{page_of, page_size, page_token};
use super::records::entry_to_wire;

/// Most bytes of entries on one page of the check log, well under a message.
const PAGE_BYTES: usize = 3 * 1024 * 1024;
use super::{Registry, deadline, principal, require};
use crate::audit::log;
use crate::audit::verify::verify;
use crate::audit::{signed_of, stored_keys, with_nodes, with_others};
use crate::auth::Role;
use crate::domain::Violation;
use crate::ledger::merkle::{consistency_proof, inclusion_path};
use crate::ledger::signing::{PublicKey, tree_size_of};
use crate::proto::convert::{WireReader, record_to_wire, timestamp_to_wire};
use crate::proto::pb::{self, audit_service_server::AuditService};
use crate::store::{CheckFilter, StoredEntry, decode_record};

const AUDITORS: &[Role] = &[Role::Auditor];
const CHECKPOINT_SIGNERS: &[Role] = &[Role::Auditor, Role::Admin];
/// Ledger rows read per step of an export.
const EXPORT_PAGE: u32 = 500;

pub struct AuditApi {
    registry: Registry,
}

impl AuditApi {
    pub fn new(registry: Registry) -> AuditApi {
        AuditApi { registry }
    }

    /// The newest stored checkpoint if it covers record `sequence`, else
    /// one signed now; with its tree size.
    async fn newest_covering(&self, sequence: u64) -> Result<(u64, pb::SignedCheckpoint), ApiError> {
        match self.registry.store.checkpoint(None).await? {
            Some(c) if c.tree_size >= sequence => Ok((c.tree_size, signed_of(&c))),
            _ => {
                let signed = self.registry.audit.create_checkpoint().await?;
                Ok((tree_size_of(&signed), signed))
            }
        }
    }

    /// The registry's keys, current first: the store's, which `rotate-key`
    /// changes while nodes run (a node not yet restarted still publishes and
    /// trusts the new key), then any of this node's the store does not hold.
    async fn registry_keys(&self) -> Result<Vec<PublicKey>, ApiError> {
        Ok(with_others(stored_keys(&self.registry.store).await?, self.registry.audit.public_keys()))
    }

    /// `size` as a tree size, with a violation (and 0) if the committed
    /// ledger has no tree of that size.
    fn within_tree(&self, reader: &mut WireReader, field: &str, size: i64) -> u64 {
        let head = self.registry.index.head();
        match u64::try_from(size) {
            Ok(n) if n <= head => n,
            _ => {
                let sizes = if head == 0 { "the ledger is empty".to_string() } else { format!("it has 1 to {head}") };
                reader.violations.push(Violation::new(field, format!("{size} is not a tree size of this ledger: {sizes}")));
                0
            }
        }
    }
}

fn invalid(field: &str, description: impl Into<String>) -> ApiError {
    ApiError::InvalidArgument(vec![Violation::new(field, description)])
}

/// Microseconds since the epoch of an optional timestamp field.
fn micros(reader: &mut WireReader, field: &str, value: Option<&prost_types::Timestamp>) -> Option<i64> {
    reader.optional_timestamp(field, value).map(|t| t.timestamp_micros())
}

fn export_row(e: StoredEntry) -> pb::ExportLedgerResponse {
    pb::ExportLedgerResponse {
        sequence: e.sequence as i64,
        recorded_at: chrono::DateTime::from_timestamp_micros(e.recorded_at).map(timestamp_to_wire),
        leaf_hash: crate::ledger::leaf_hash(&e.bytes).to_vec(),
        record: e.bytes,
    }
}

type ExportStream = Pin<Box<dyn Stream<Item = Result<pb::ExportLedgerResponse, Status>> + Send>>;

#[tonic::async_trait]
impl AuditService for AuditApi {
    async fn get_checkpoint(
        &self,
        request: Request<pb::GetCheckpointRequest>,
    ) -> Result<Response<pb::GetCheckpointResponse>, Status> {
        principal(&request)?;
        let m = request.into_inner();
        if m.tree_size < 0 {
            return Err(invalid("tree_size", format!("must not be negative, got {}", m.tree_size)).into());
        }
        let checkpoint = if m.tree_size == 0 {
            self.newest_covering(0).await?.1
        } else {
            let size = m.tree_size as u64;
            let stored = self.registry.store.checkpoint(Some(size)).await.map_err(ApiError::from)?;
            signed_of(&stored.ok_or_else(|| ApiError::NotFound {
                reason: "CHECKPOINT_NOT_FOUND",
                resource: "creditregistry.v1.Checkpoint",
                name: size.to_string(),
                message: format!("no checkpoint of tree size {size} was signed"),
            })?)
        };
        Ok(Response::new(pb::GetCheckpointResponse { checkpoint: Some(checkpoint) }))
    }

    async fn list_checkpoints(
        &self,
        request: Request<pb::ListCheckpointsRequest>,
    ) -> Result<Response<pb::ListCheckpointsResponse>, Status> {
        principal(&request)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let size = page_size(&mut reader, m.page_size);
        let after = page_token::<i64>(&mut reader, &m.page_token);
        let (size, after) = reader.finish(size.zip(after)).map_err(ApiError::InvalidArgument)?;
        let rows = self.registry.store.checkpoint_page(after.unwrap_or(0), size as u32 + 1).await.map_err(ApiError::from)?;
        let (page, next_page_token) = page_of(rows, size, |(id, _)| id.to_string());
        Ok(Response::new(pb::ListCheckpointsResponse {
            checkpoints: page.iter().map(|(_, c)| signed_of(c)).collect(),
            next_page_token,
        }))
    }

    async fn create_checkpoint(
        &self,
        request: Request<pb::CreateCheckpointRequest>,
    ) -> Result<Response<pb::CreateCheckpointResponse>, Status> {
        require(&request, CHECKPOINT_SIGNERS)?;
        let checkpoint = self.registry.audit.create_checkpoint().await.map_err(ApiError::from)?;
        Ok(Response::new(pb::CreateCheckpointResponse { checkpoint: Some(checkpoint) }))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::GetInclusionProofResponse>, Status> {
        require(&request, AUDITORS)?;
        let m = request.into_inner();
        let store = &self.registry.store;
        let (name, sequence) = match &m.leaf {
            Some(pb::get_inclusion_proof_request::Leaf::Sequence(s)) if *s > 0 => (s.to_string(), Some(*s as u64)),
            Some(pb::get_inclusion_proof_request::Leaf::RecordId(id)) => {
                let located = store.locate(&[id]).await.map_err(ApiError::from)?;
                (id.clone(), located.get(id).map(|l| l.sequence))
            }
            _ => return Err(invalid("leaf", "name a record by record_id or by sequence (from 1)").into()),
        };
        let Some(sequence) = sequence.filter(|s| *s <= self.registry.index.head()) else {
            return Err(ApiError::NotFound {
                reason: "RECORD_NOT_FOUND",
                resource: "creditregistry.v1.Record",
                message: format!("no record {name} in the ledger"),
                name,
            }
            .into());
        };
        // Without a tree size: the newest checkpoint, signed now if it
        // does not cover the record yet.
        let (tree_size, checkpoint) = if m.tree_size == 0 {
            let (size, newest) = self.newest_covering(sequence).await?;
            (size, Some(newest))
        } else {
            let mut reader = WireReader::default();
            let size = self.within_tree(&mut reader, "tree_size", m.tree_size);
            if size != 0 && sequence > size {
                reader.violations.push(Violation::new(
                    "tree_size",
                    format!("record {sequence} is not in the tree of the first {size} records"),
                ));
            }
            reader.finish(Some(())).map_err(ApiError::InvalidArgument)?;
            let stored = store.checkpoint(Some(size)).await.map_err(ApiError::from)?;
            (size, stored.map(|c| signed_of(&c)))
        };
        let index = sequence - 1;
        let (hashes, leaf) = with_nodes(store, |nodes| {
            (inclusion_path(index, tree_size, nodes), nodes(crate::ledger::merkle::Node { level: 0, index }))
        })
        .await
        .map_err(ApiError::from)?;
        Ok(Response::new(pb::GetInclusionProofResponse {
            sequence: sequence as i64,
            leaf_index: index as i64,
            tree_size: tree_size as i64,
            leaf_hash: leaf.to_vec(),
            hashes: hashes.iter().map(|h| h.to_vec()).collect(),
            checkpoint,
        }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::GetConsistencyProofResponse>, Status> {
        principal(&request)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let first = self.within_tree(&mut reader, "first_tree_size", m.first_tree_size);
        let second = self.within_tree(&mut reader, "second_tree_size", m.second_tree_size);
        if m.first_tree_size < 1 {
            reader.violations.push(Violation::new("first_tree_size", "must be at least 1"));
        }
        if m.first_tree_size > m.second_tree_size {
            reader.violations.push(Violation::new(
                "second_tree_size",
                format!("{} is smaller than first_tree_size {}", m.second_tree_size, m.first_tree_size),
            ));
        }
        reader.finish(Some(())).map_err(ApiError::InvalidArgument)?;
        let hashes =
            with_nodes(&self.registry.store, |nodes| consistency_proof(first, second, nodes)).await.map_err(ApiError::from)?;
        Ok(Response::new(pb::GetConsistencyProofResponse {
            first_tree_size: first as i64,
            second_tree_size: second as i64,
            hashes: hashes.iter().map(|h| h.to_vec()).collect(),
        }))
    }

    async fn get_entity_history(
        &self,
        request: Request<pb::GetEntityHistoryRequest>,
    ) -> Result<Response<pb::GetEntityHistoryResponse>, Status> {
        let caller = require(&request, AUDITORS)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = reader.uscc("uscc", &m.uscc);
        let known_at = reader.known_at(m.known_at.as_ref(), self.registry.clock.now());
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        let size = page_size(&mut reader, m.page_size);
        let after = page_token::<u64>(&mut reader, &m.page_token);
        let (uscc, (size, after)) = reader.finish(uscc.zip(size.zip(after))).map_err(ApiError::InvalidArgument)?;
        let scope = self.registry.scopes.resolve(&caller, on, known_at, 0, deadline.at()).await?;

        let rows = self.registry.store.entity_ledger(uscc.as_str(), scope.tree.size).await.map_err(ApiError::from)?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            records.push(Arc::new(decode_record(row.sequence, &row.bytes).map_err(ApiError::from)?));
        }
        let state = scope.fold(&records, &self.registry.rules);
        let after = after.unwrap_or(0);
        let mut page = state.records.iter().filter(|v| v.record.sequence > after);
        let entries: Vec<pb::HistoryEntry> = page
            .by_ref()
            .take(size)
            .map(|view| {
                // Rows and records are in ledger order, one for one.
                let row = rows.binary_search_by_key(&view.record.sequence, |r| r.sequence).map(|i| &rows[i]);
                pb::HistoryEntry {
                    entry: Some(entry_to_wire(view, &state, scope.rules(&self.registry.rules), true)),
                    canonical_record: row.map(|r| r.bytes.clone()).unwrap_or_default(),
                    leaf_hash: row.map(|r| crate::ledger::leaf_hash(&r.bytes).to_vec()).unwrap_or_default(),
                }
            })
            .collect();
        let next_page_token = match (page.next(), entries.last()) {
            (Some(_), Some(last)) => last.entry.as_ref().and_then(|e| e.record.as_ref()).map_or(0, |r| r.sequence).to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::GetEntityHistoryResponse {
            entries,
            current_listings: state.listings_in_force().map(|(r, _)| record_to_wire(r)).collect(),
            next_page_token,
            tree_size: scope.tree.size as i64,
        }))
    }

    async fn export_ledger(&self, request: Request<pb::ExportLedgerRequest>) -> Result<Response<ExportStream>, Status> {
        require(&request, AUDITORS)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        if m.from_sequence < 0 {
            reader.violations.push(Violation::new("from_sequence", format!("must not be negative, got {}", m.from_sequence)));
        }
        if m.to_sequence < 0 {
            reader.violations.push(Violation::new("to_sequence", format!("must not be negative, got {}", m.to_sequence)));
        }
        reader.finish(Some(())).map_err(ApiError::InvalidArgument)?;
        let head = self.registry.index.head();
        let until = if m.to_sequence == 0 { head } else { (m.to_sequence as u64).min(head) };
        let mut after = (m.from_sequence.max(1) - 1) as u64;
        let store = self.registry.store.clone();
        let (tx, rx) = tokio::sync::mpsc::channel(2 * EXPORT_PAGE as usize);
        tokio::spawn(async move {
            while after < until {
                let page = match store.ledger_page(after, until, EXPORT_PAGE).await {
                    Ok(page) if !page.is_empty() => page,
                    Ok(_) => break,
                    Err(e) => {
                        let _ = tx.send(Err(Status::from(ApiError::from(e)))).await;
                        break;
                    }
                };
                after = page.last().map_or(until, |e| e.sequence);
                for entry in page {
                    if tx.send(Ok(export_row(entry))).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx)) as ExportStream))
    }

    async fn list_checks(&self, request: Request<pb::ListChecksRequest>) -> Result<Response<pb::ListChecksResponse>, Status> {
        require(&request, AUDITORS)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = if m.uscc.is_empty() { Some(None) } else { reader.uscc("uscc", &m.uscc).map(Some) };
        let from = micros(&mut reader, "checked_from", m.checked_from.as_ref());
        let until = micros(&mut reader, "checked_until", m.checked_until.as_ref());
        if let (Some(f), Some(u)) = (from, until)
            && f > u
        {
            reader.violations.push(Violation::new("checked_until", "is before checked_from"));
        }
        let size = page_size(&mut reader, m.page_size);
        let after = page_token::<u64>(&mut reader, &m.page_token);
        let (uscc, (size, after)) = reader.finish(uscc.zip(size.zip(after))).map_err(ApiError::InvalidArgument)?;
        let query = CheckFilter {
            caller_subject: (!m.caller_subject.is_empty()).then_some(m.caller_subject),
            organisation: (!m.caller_organisation.is_empty()).then_some(m.caller_organisation),
            code_key: None,
            from,
            until,
            after: after.unwrap_or(0),
        };
        let code = uscc.map(|u| u.to_string());
        let found = log::read(&self.registry.store, &query, code.as_deref(), size + 1).await.map_err(ApiError::from)?;
        let (found, mut next_page_token) = page_of(found, size, |last| last.sequence.to_string());
        let mut checks = Vec::with_capacity(found.len());
        let mut bytes = 0;
        for logged in found {
            // A page also stops before it would outgrow a message; the token
            // goes on from there.
            if !checks.is_empty() && bytes + logged.size > PAGE_BYTES {
                next_page_token = checks.last().map(|e: &pb::CheckLogEntry| e.sequence.to_string()).unwrap_or_default();
                break;
            }
            bytes += logged.size + 48;
            checks.push(logged.entry);
        }
        let removed_segments = log::removed_segments(&self.registry.store, &query).await.map_err(ApiError::from)?;
        Ok(Response::new(pb::ListChecksResponse { checks, next_page_token, removed_segments }))
    }

    async fn verify_ledger(
        &self,
        request: Request<pb::VerifyLedgerRequest>,
    ) -> Result<Response<pb::VerifyLedgerResponse>, Status> {
        require(&request, AUDITORS)?;
        let report = verify(&self.registry.store, &self.registry_keys().await?).await.map_err(ApiError::from)?;
        let divergence = report.divergence.as_ref();
        Ok(Response::new(pb::VerifyLedgerResponse {
            ok: report.ok(),
            records_checked: report.records_checked as i64,
            checkpoints_checked: report.checkpoints_checked as i64,
            divergent_sequence: divergence.and_then(|d| d.sequence).map_or(0, |s| s as i64),
            divergence: divergence.map(|d| d.what.clone()).unwrap_or_default(),
            check_log_entries_checked: report.check_log_entries_checked as i64,
        }))
    }

    async fn get_registry_keys(
        &self,
        request: Request<pb::GetRegistryKeysRequest>,
    ) -> Result<Response<pb::GetRegistryKeysResponse>, Status> {
        principal(&request)?;
        let keys = self.registry_keys().await?;
        Ok(Response::new(pb::GetRegistryKeysResponse {
            keys: keys
                .iter()
                .enumerate()
                .map(|(i, key)| pb::RegistryKey {
                    key_id: key.key_id.clone(),
                    algorithm: "Ed25519".into(),
                    public_key_pem: key.to_pem(),
                    retired: i > 0,
                })
                .collect(),
        }))
    }
}
