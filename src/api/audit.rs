//! `AuditService`: checkpoints, proofs, entity history, ledger export, the
//! check log and store verification, for auditors. The registry's keys,
//! checkpoints and consistency proofs reveal nothing about any entity and
//! are open to every authenticated caller, so a platform can check a
//! receipt it holds.

use std::pin::Pin;

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status};

use super::error::ApiError;
use super::paging::{page_of, page_size, page_token};
use super::records::{authority_names, entry_to_wire};
use super::{Registry, deadline, principal, require};
use crate::auth::Role;
use crate::domain::Violation;
use crate::proto::convert::{WireReader, record_to_wire, timestamp_to_wire};
use crate::proto::pb::{self, audit_service_server::AuditService};
use crate::services::audit::{CheckQuery, Exported, Leaf};
use crate::services::scope::Asked;

const AUDITORS: &[Role] = &[Role::Auditor];
const CHECKPOINT_SIGNERS: &[Role] = &[Role::Auditor, Role::Admin];

pub struct AuditApi {
    registry: Registry,
}

impl AuditApi {
    pub fn new(registry: Registry) -> AuditApi {
        AuditApi { registry }
    }
}

fn invalid(field: &str, description: impl Into<String>) -> ApiError {
    ApiError::InvalidArgument(vec![Violation::new(field, description)])
}

fn export_row(e: Exported) -> pb::ExportLedgerResponse {
    pb::ExportLedgerResponse {
        sequence: e.sequence as i64,
        recorded_at: e.recorded_at.map(timestamp_to_wire),
        leaf_hash: e.leaf_hash.to_vec(),
        record: e.record,
    }
}

fn hashes_to_wire(hashes: &[crate::ledger::Hash]) -> Vec<Vec<u8>> {
    hashes.iter().map(|h| h.to_vec()).collect()
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
        let checkpoint = self.registry.audit.checkpoint((m.tree_size > 0).then_some(m.tree_size as u64)).await?;
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
        let rows = self.registry.audit.checkpoints(after.unwrap_or(0), size as u32 + 1).await?;
        let (page, next_page_token) = page_of(rows, size, |(id, _)| id.to_string());
        Ok(Response::new(pb::ListCheckpointsResponse {
            checkpoints: page.into_iter().map(|(_, c)| c).collect(),
            next_page_token,
        }))
    }

    async fn create_checkpoint(
        &self,
        request: Request<pb::CreateCheckpointRequest>,
    ) -> Result<Response<pb::CreateCheckpointResponse>, Status> {
        require(&request, CHECKPOINT_SIGNERS)?;
        let checkpoint = self.registry.audit.sign_checkpoint().await?;
        Ok(Response::new(pb::CreateCheckpointResponse { checkpoint: Some(checkpoint) }))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::GetInclusionProofResponse>, Status> {
        require(&request, AUDITORS)?;
        let m = request.into_inner();
        let leaf = match m.leaf {
            Some(pb::get_inclusion_proof_request::Leaf::Sequence(s)) if s > 0 => Leaf::Sequence(s as u64),
            Some(pb::get_inclusion_proof_request::Leaf::RecordId(id)) => Leaf::RecordId(id),
            _ => return Err(invalid("leaf", "name a record by record_id or by sequence (from 1)").into()),
        };
        let proof = self.registry.audit.inclusion_proof(leaf, m.tree_size).await?;
        Ok(Response::new(pb::GetInclusionProofResponse {
            sequence: proof.sequence as i64,
            leaf_index: proof.sequence as i64 - 1,
            tree_size: proof.tree_size as i64,
            leaf_hash: proof.leaf_hash.to_vec(),
            hashes: hashes_to_wire(&proof.hashes),
            checkpoint: proof.checkpoint,
        }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::GetConsistencyProofResponse>, Status> {
        principal(&request)?;
        let m = request.into_inner();
        let hashes = self.registry.audit.consistency_proof(m.first_tree_size, m.second_tree_size).await?;
        Ok(Response::new(pb::GetConsistencyProofResponse {
            first_tree_size: m.first_tree_size,
            second_tree_size: m.second_tree_size,
            hashes: hashes_to_wire(&hashes),
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
        let asked = Asked { on, known_at, min_sequence: 0, deadline: deadline.at() };
        let history = self.registry.audit.history(&caller, &asked, &uscc, after.unwrap_or(0), size).await?;
        let next_page_token = match history.entries.last() {
            Some(last) if history.more => last.entry.record.sequence.to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::GetEntityHistoryResponse {
            entries: history
                .entries
                .into_iter()
                .map(|e| pb::HistoryEntry {
                    entry: Some(entry_to_wire(&e.entry)),
                    leaf_hash: e.leaf_hash.to_vec(),
                    canonical_record: e.canonical,
                })
                .collect(),
            current_listings: history.current_listings.iter().map(|l| record_to_wire(&l.record)).collect(),
            current_listing_authority_names: authority_names(&history.current_listings),
            next_page_token,
            tree_size: history.tree_size as i64,
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
        let to = (m.to_sequence > 0).then_some(m.to_sequence as u64);
        let rows = self.registry.audit.export(m.from_sequence as u64, to);
        let stream = ReceiverStream::new(rows).map(|row| row.map(export_row).map_err(Status::from));
        Ok(Response::new(Box::pin(stream) as ExportStream))
    }

    async fn list_checks(&self, request: Request<pb::ListChecksRequest>) -> Result<Response<pb::ListChecksResponse>, Status> {
        require(&request, AUDITORS)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = if m.uscc.is_empty() { Some(None) } else { reader.uscc("uscc", &m.uscc).map(Some) };
        let checked_from = reader.optional_timestamp("checked_from", m.checked_from.as_ref());
        let checked_until = reader.optional_timestamp("checked_until", m.checked_until.as_ref());
        // Compared as stored, in microseconds.
        if let (Some(f), Some(u)) = (checked_from, checked_until)
            && f.timestamp_micros() > u.timestamp_micros()
        {
            reader.violations.push(Violation::new("checked_until", "is before checked_from"));
        }
        let size = page_size(&mut reader, m.page_size);
        let after = page_token::<u64>(&mut reader, &m.page_token);
        let (uscc, (size, after)) = reader.finish(uscc.zip(size.zip(after))).map_err(ApiError::InvalidArgument)?;
        let query = CheckQuery {
            caller_subject: (!m.caller_subject.is_empty()).then_some(m.caller_subject),
            caller_organisation: (!m.caller_organisation.is_empty()).then_some(m.caller_organisation),
            uscc,
            checked_from,
            checked_until,
            after: after.unwrap_or(0),
        };
        let page = self.registry.audit.checks(query, size).await?;
        let next_page_token = match page.checks.last() {
            Some(last) if page.more => last.sequence.to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListChecksResponse {
            checks: page.checks,
            next_page_token,
            removed_segments: page.removed_segments,
        }))
    }

    async fn verify_ledger(
        &self,
        request: Request<pb::VerifyLedgerRequest>,
    ) -> Result<Response<pb::VerifyLedgerResponse>, Status> {
        require(&request, AUDITORS)?;
        let report = self.registry.audit.verify().await?;
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
        let keys = self.registry.audit.registry_keys().await?;
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
