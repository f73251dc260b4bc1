//! Services whose RPCs are designed in the v1 API but not served yet: each
//! answers UNIMPLEMENTED (the generated default methods).

use crate::proto::pb::{
    audit_service_server::AuditService, eligibility_service_server::EligibilityService,
    supervision_service_server::SupervisionService,
};

pub struct EligibilityApi;
impl EligibilityService for EligibilityApi {}

pub struct SupervisionApi;
impl SupervisionService for SupervisionApi {}

pub struct AuditApi;
impl AuditService for AuditApi {}
