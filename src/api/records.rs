//! `RecordsService`: enforcement writes and credit-file reads.

use std::collections::HashMap;

use tonic::{Request, Response, Status};

use super::error::ApiError;
use super::paging::{page_size, page_token};
use super::{Registry, deadline, principal, require};
use crate::auth::Role;
use crate::domain::Violation;
use crate::domain::admission::is_record_id;
use crate::domain::record::{Date, RecordBody};
use crate::domain::rules::authorities::{Authority, AuthorityKind, Directory};
use crate::domain::state::GradeStanding;
use crate::domain::uscc::Uscc;
use crate::proto::convert::{
    WireReader, commendation_from_wire, correction_from_wire, date_to_wire, grade_change_from_wire, grade_from_wire,
    grade_in_force_to_wire, listing_from_wire, name_match_to_wire, names_to_wire, penalty_from_wire, record_to_wire,
    removal_from_wire, repair_application_from_wire, repair_decision_from_wire, spot_check_from_wire,
};
use crate::proto::pb::{self, records_service_server::RecordsService};
use crate::search::Why;
use crate::services::profiles::{CurrentListing, Entry, GradeInForce};
use crate::services::scope::Asked;
use crate::writer::WriteCommand;

pub struct RecordsApi {
    registry: Registry,
}

impl RecordsApi {
    pub fn new(registry: Registry) -> RecordsApi {
        RecordsApi { registry }
    }

    /// The one write path: authorise, read the request (every problem
    /// named at once), submit to the writer, answer.
    async fn write<W: WriteRequest>(&self, request: Request<W>) -> Result<Response<W::Response>, Status> {
        let caller = require(&request, &[Role::Enforcement])?;
        let authority = caller.authority.clone().ok_or_else(|| ApiError::PermissionDenied {
            reason: "AUTHORITY_REQUIRED",
            message: "an enforcement token must name its authority".into(),
        })?;
        let give_up = deadline(&request).at();
        let message = request.into_inner();
        // Where the record body sits in the request, so that every
        // violation names its full field path.
        let prefix = format!("{}.", W::BODY);
        let mut reader = WireReader::default();
        let parsed = message.read(&mut reader);
        let request_id = message.request_id().to_string();
        reader.request_id("request_id", &request_id);
        if let Some((_, body)) = parsed.as_ref().filter(|_| !reader.violations.is_empty()) {
            // Some fields could not be read: the rules still judge the rest,
            // so that every problem is reported at once.
            let unreadable: Vec<String> =
                reader.violations.iter().filter_map(|v| v.field.strip_prefix(&prefix)).map(str::to_string).collect();
            let more = self.registry.writes.judge_rest(body, &unreadable);
            reader.violations.extend(more.into_iter().map(|v| Violation::new(format!("{prefix}{}", v.field), v.description)));
        }
        let (uscc, body) = reader.finish(parsed).map_err(ApiError::InvalidArgument)?;
        let written = self
            .registry
            .writes
            .write(WriteCommand { actor: caller.subject, authority, request_id, uscc, body }, give_up)
            .await
            .map_err(|e| ApiError::from_write(e, &prefix))?;
        let party_name = self.registry.writes.party_name(&written.record).map(|p| name_match_to_wire(&p.name, &p.known_before));
        Ok(Response::new(W::answer(record_to_wire(&written.record), written.replayed, party_name)))
    }
}

/// A write request: its idempotency key, how its record is read, and its
/// answer.
trait WriteRequest {
    type Response;
    /// The field that holds the record body.
    const BODY: &'static str;
    fn request_id(&self) -> &str;
    /// The entity code (when the request names one; otherwise it is the
    /// entity of the record it changes) and the body.
    fn read(&self, reader: &mut WireReader) -> Option<(Option<Uscc>, RecordBody)>;
    /// `party_name_match`: how the record's party name compares with the
    /// names known before it, for the kinds that name a party.
    fn answer(record: pb::Record, idempotent_replay: bool, party_name_match: Option<pb::NameMatch>) -> Self::Response;
}

/// `WriteRequest` for a request type: `entity` when it names the entity
/// in its `uscc` field.
macro_rules! write_request {
    ($request:ident => $response:ident, $body:ident, $parse:ident, $variant:ident $(, $entity:ident)?) => {
        impl WriteRequest for pb::$request {
            type Response = pb::$response;
            const BODY: &'static str = stringify!($body);
            fn request_id(&self) -> &str {
                &self.request_id
            }
            fn read(&self, reader: &mut WireReader) -> Option<(Option<Uscc>, RecordBody)> {
                let uscc = write_request!(@uscc self, reader $(, $entity)?);
                let body = reader
                    .message(Self::BODY, self.$body.as_ref())
                    .and_then(|b| $parse(reader, concat!(stringify!($body), "."), b))
                    .map(RecordBody::$variant);
                // An unreadable code is a violation already; the body is
                // still checked.
                Some((uscc, body?))
            }
            fn answer(record: pb::Record, idempotent_replay: bool, party_name_match: Option<pb::NameMatch>) -> pb::$response {
                write_request!(@answer $response, record, idempotent_replay, party_name_match $(, $entity)?)
            }
        }
    };
    (@uscc $self:ident, $reader:ident, entity) => {
        $reader.uscc("uscc", &$self.uscc)
    };
    (@uscc $self:ident, $reader:ident) => {
        None
    };
    (@answer $response:ident, $record:ident, $replay:ident, $party:ident, entity) => {
        pb::$response { record: Some($record), idempotent_replay: $replay, party_name_match: $party }
    };
    (@answer $response:ident, $record:ident, $replay:ident, $party:ident) => {{
        let _ = $party;
        pb::$response { record: Some($record), idempotent_replay: $replay }
    }};
}

write_request!(RecordPenaltyRequest => RecordPenaltyResponse, penalty, penalty_from_wire, Penalty, entity);
write_request!(CorrectPenaltyRequest => CorrectPenaltyResponse, correction, correction_from_wire, PenaltyCorrection);
write_request!(RecordSpotCheckRequest => RecordSpotCheckResponse, spot_check, spot_check_from_wire, SpotCheck, entity);
write_request!(RecordCommendationRequest => RecordCommendationResponse, commendation, commendation_from_wire, Commendation, entity);
write_request!(RecordListingRequest => RecordListingResponse, listing, listing_from_wire, Listing, entity);
write_request!(RemoveListingRequest => RemoveListingResponse, removal, removal_from_wire, Removal);
write_request!(RequestRepairRequest => RequestRepairResponse, application, repair_application_from_wire, RepairApplication);
write_request!(DecideRepairRequest => DecideRepairResponse, decision, repair_decision_from_wire, RepairDecision);
write_request!(RecordGradeRequest => RecordGradeResponse, grade, grade_from_wire, Grade, entity);
write_request!(ChangeGradeRequest => ChangeGradeResponse, change, grade_change_from_wire, GradeChange);

/// A record with its standing, as the service shows it to the caller.
pub(super) fn entry_to_wire(e: &Entry) -> pb::RecordEntry {
    pb::RecordEntry {
        escalation_due_on: e.escalation_due_on.map(date_to_wire),
        record: Some(record_to_wire(&e.record)),
        status: pb::RecordStatus::from(e.status) as i32,
        changed_by_record_ids: e.changed_by.clone(),
        public: e.public,
        authority_name: e.authority_name.clone(),
    }
}

/// Current listings' authority names by record id.
pub(super) fn authority_names(listings: &[CurrentListing]) -> HashMap<String, String> {
    listings.iter().map(|l| (l.record.id.clone(), l.authority_name.clone())).collect()
}

/// A grade in force with its scheme.
fn grade_to_wire(g: &GradeInForce) -> pb::GradeInForce {
    let standing = GradeStanding { grade: &g.grade, level: g.level.clone(), capped_by: g.capped_by.as_ref() };
    grade_in_force_to_wire(&g.record, &standing, &g.scheme, &g.schemes_version)
}

#[tonic::async_trait]
impl RecordsService for RecordsApi {
    async fn record_penalty(
        &self,
        request: Request<pb::RecordPenaltyRequest>,
    ) -> Result<Response<pb::RecordPenaltyResponse>, Status> {
        self.write(request).await
    }

    async fn correct_penalty(
        &self,
        request: Request<pb::CorrectPenaltyRequest>,
    ) -> Result<Response<pb::CorrectPenaltyResponse>, Status> {
        self.write(request).await
    }

    async fn record_spot_check(
        &self,
        request: Request<pb::RecordSpotCheckRequest>,
    ) -> Result<Response<pb::RecordSpotCheckResponse>, Status> {
        self.write(request).await
    }

    async fn record_commendation(
        &self,
        request: Request<pb::RecordCommendationRequest>,
    ) -> Result<Response<pb::RecordCommendationResponse>, Status> {
        self.write(request).await
    }

    async fn record_listing(
        &self,
        request: Request<pb::RecordListingRequest>,
    ) -> Result<Response<pb::RecordListingResponse>, Status> {
        self.write(request).await
    }

    async fn remove_listing(
        &self,
        request: Request<pb::RemoveListingRequest>,
    ) -> Result<Response<pb::RemoveListingResponse>, Status> {
        self.write(request).await
    }

    async fn request_repair(
        &self,
        request: Request<pb::RequestRepairRequest>,
    ) -> Result<Response<pb::RequestRepairResponse>, Status> {
        self.write(request).await
    }

    async fn decide_repair(
        &self,
        request: Request<pb::DecideRepairRequest>,
    ) -> Result<Response<pb::DecideRepairResponse>, Status> {
        self.write(request).await
    }

    async fn record_grade(&self, request: Request<pb::RecordGradeRequest>) -> Result<Response<pb::RecordGradeResponse>, Status> {
        self.write(request).await
    }

    async fn change_grade(&self, request: Request<pb::ChangeGradeRequest>) -> Result<Response<pb::ChangeGradeResponse>, Status> {
        self.write(request).await
    }

    async fn get_profile(&self, request: Request<pb::GetProfileRequest>) -> Result<Response<pb::GetProfileResponse>, Status> {
        let caller = principal(&request)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = reader.uscc("uscc", &m.uscc);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        let known_at = reader.known_at(m.known_at.as_ref(), self.registry.clock.now());
        let uscc = reader.finish(uscc).map_err(ApiError::InvalidArgument)?;
        let asked = Asked { on, known_at, min_sequence: m.min_sequence, deadline: deadline.at() };
        let profile = self.registry.profiles.profile(&caller, &asked, &uscc).await?;
        Ok(Response::new(pb::GetProfileResponse {
            grades_in_force: profile.grades_in_force.iter().map(grade_to_wire).collect(),
            uscc: uscc.to_string(),
            status: if profile.total == 0 { pb::ProfileStatus::NoRecords } else { pb::ProfileStatus::HasRecords } as i32,
            evaluated_on: Some(date_to_wire(profile.on)),
            current_listings: profile.current_listings.iter().map(|l| record_to_wire(&l.record)).collect(),
            current_listing_authority_names: authority_names(&profile.current_listings),
            records: profile.entries.iter().map(entry_to_wire).collect(),
            total_records: profile.total as i32,
            latest_sequence: profile.latest_sequence as i64,
            names: Some(names_to_wire(&profile.names)),
        }))
    }

    async fn list_records(&self, request: Request<pb::ListRecordsRequest>) -> Result<Response<pb::ListRecordsResponse>, Status> {
        let caller = principal(&request)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = reader.uscc("uscc", &m.uscc);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        let known_at = reader.known_at(m.known_at.as_ref(), self.registry.clock.now());
        let page_size = page_size(&mut reader, m.page_size);
        let start = page_token::<usize>(&mut reader, &m.page_token).map(Option::unwrap_or_default);
        let (uscc, (page_size, start)) = reader.finish(uscc.zip(page_size.zip(start))).map_err(ApiError::InvalidArgument)?;
        let asked = Asked { on, known_at, min_sequence: m.min_sequence, deadline: deadline.at() };
        let page = self.registry.profiles.records(&caller, &asked, &uscc, start, page_size).await?;
        let end = start.saturating_add(page.entries.len());
        Ok(Response::new(pb::ListRecordsResponse {
            records: page.entries.iter().map(entry_to_wire).collect(),
            next_page_token: if end < page.total { end.to_string() } else { String::new() },
            total_size: page.total as i32,
        }))
    }

    async fn get_record(&self, request: Request<pb::GetRecordRequest>) -> Result<Response<pb::GetRecordResponse>, Status> {
        let caller = principal(&request)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        let known_at = reader.known_at(m.known_at.as_ref(), self.registry.clock.now());
        if m.record_id.is_empty() {
            reader.violations.push(Violation::new("record_id", "is required"));
        } else if !is_record_id(&m.record_id) {
            reader.violations.push(Violation::new("record_id", "is not a record id (a UUID)"));
        }
        reader.finish(Some(())).map_err(ApiError::InvalidArgument)?;
        let asked = Asked { on, known_at, min_sequence: 0, deadline: deadline.at() };
        let entry = self.registry.profiles.record(&caller, &asked, &m.record_id).await?;
        Ok(Response::new(pb::GetRecordResponse { entry: Some(entry_to_wire(&entry)) }))
    }

    async fn list_authorities(
        &self,
        request: Request<pb::ListAuthoritiesRequest>,
    ) -> Result<Response<pb::ListAuthoritiesResponse>, Status> {
        principal(&request)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let kind = reader.optional_enumeration::<AuthorityKind>("kind", m.kind);
        let region = reader.region_prefix("region_prefix", &m.region_prefix);
        let region = reader.finish(region).map_err(ApiError::InvalidArgument)?;
        let (directory, found) = self.registry.authorities.list(kind, &region);
        Ok(Response::new(pb::ListAuthoritiesResponse {
            authorities: found.into_iter().map(authority_to_wire).collect(),
            directory_version: directory.version.clone(),
            directory_effective_from: effective_from_to_wire(directory),
        }))
    }

    async fn get_authority(
        &self,
        request: Request<pb::GetAuthorityRequest>,
    ) -> Result<Response<pb::GetAuthorityResponse>, Status> {
        principal(&request)?;
        let m = request.into_inner();
        if m.id.is_empty() {
            return Err(ApiError::InvalidArgument(vec![Violation::new("id", "is required")]).into());
        }
        let (directory, authority) = self.registry.authorities.get(&m.id).map_err(ApiError::from)?;
        Ok(Response::new(pb::GetAuthorityResponse {
            authority: Some(authority_to_wire(authority)),
            directory_version: directory.version.clone(),
            directory_effective_from: effective_from_to_wire(directory),
        }))
    }

    async fn search_entities(
        &self,
        request: Request<pb::SearchEntitiesRequest>,
    ) -> Result<Response<pb::SearchEntitiesResponse>, Status> {
        let caller = principal(&request)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let limit = match m.limit {
            0 => DEFAULT_SEARCH_HITS,
            n if (1..=MAX_SEARCH_HITS as i32).contains(&n) => n as usize,
            n => {
                let message = format!("must be from 1 to {MAX_SEARCH_HITS} (0: {DEFAULT_SEARCH_HITS}), got {n}");
                return Err(ApiError::InvalidArgument(vec![Violation::new("limit", message)]).into());
            }
        };
        let asked = Asked { on: None, known_at: None, min_sequence: 0, deadline: deadline.at() };
        let found = self.registry.search.search(&caller, &asked, &m.query, limit).await?;
        Ok(Response::new(pb::SearchEntitiesResponse {
            hits: found
                .hits
                .into_iter()
                .map(|hit| pb::SearchHit {
                    uscc: hit.uscc.to_string(),
                    current_name: hit.current_name,
                    matched_name: hit.matched_name,
                    r#match: search_match_to_wire(hit.why) as i32,
                })
                .collect(),
            tree_size: found.tree.size as i64,
        }))
    }
}

/// Hits a search answers when the request sets no limit, and the most it may ask for.
const DEFAULT_SEARCH_HITS: usize = 10;
const MAX_SEARCH_HITS: usize = 50;

fn search_match_to_wire(why: Why) -> pb::SearchMatch {
    match why {
        Why::Code => pb::SearchMatch::Code,
        Why::FullName => pb::SearchMatch::FullName,
        Why::FormerName => pb::SearchMatch::FormerName,
        Why::ShortName => pb::SearchMatch::ShortName,
        Why::OneCharacterOff => pb::SearchMatch::OneCharacterOff,
        Why::Partial => pb::SearchMatch::Partial,
    }
}

/// An authority as the directory lists it.
fn authority_to_wire(a: &Authority) -> pb::Authority {
    pb::Authority {
        id: a.id.clone(),
        name: a.name.clone(),
        name_en: a.name_en.clone(),
        kind: pb::AuthorityKind::from(a.kind) as i32,
        region: a.region.clone(),
        parent_id: a.parent.clone().unwrap_or_default(),
        established: Some(date_to_wire(a.established)),
        dissolved: a.dissolved.map(date_to_wire),
        succeeded_by: a.succeeded_by.clone().unwrap_or_default(),
        former_names: a
            .former_names
            .iter()
            .map(|f| pb::AuthorityFormerName {
                name: f.names.name.clone(),
                name_en: f.names.name_en.clone(),
                until: Some(date_to_wire(f.until)),
            })
            .collect(),
    }
}

/// The directory's first day; unset for a directory that names none.
fn effective_from_to_wire(directory: &Directory) -> Option<crate::proto::google::r#type::Date> {
    (directory.effective_from != Date::MIN).then(|| date_to_wire(directory.effective_from))
}
