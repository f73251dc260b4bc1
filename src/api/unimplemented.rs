//! Services whose RPCs are designed in the v1 API but not served yet: each
//! answers UNIMPLEMENTED (the generated default methods).

use crate::proto::pb::audit_service_server::AuditService;

pub struct AuditApi;
impl AuditService for AuditApi {}
