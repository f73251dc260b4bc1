//! Authentication and authorisation over real gRPC.

mod common;

use common::*;
use creditregistry::auth::{Audience, Claims, Role, issue_token};
use creditregistry::config::KeyAlgorithm;
use creditregistry::proto::pb;
use creditregistry::proto::pb::audit_service_client::AuditServiceClient;
use creditregistry::proto::pb::eligibility_service_client::EligibilityServiceClient;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;

async fn profile_with(reg: &TestRegistry, bearer: Bearer) -> Result<pb::GetProfileResponse, tonic::Status> {
    let mut client = pb::records_service_client::RecordsServiceClient::new(InterceptedService::new(reg.channel().await, bearer));
    client.get_profile(pb::GetProfileRequest { uscc: CODES[0].into(), ..Default::default() }).await.map(|r| r.into_inner())
}

#[track_caller]
fn assert_unauthenticated(result: Result<pb::GetProfileResponse, tonic::Status>, expected_reason: &str) {
    let err = result.expect_err("must be refused");
    assert_eq!(err.code(), Code::Unauthenticated, "{err:?}");
    assert_eq!(reason(&err), expected_reason, "{err:?}");
}

fn signed(reg: &TestRegistry, claims: &Claims) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("dev".into());
    jsonwebtoken::encode(&header, claims, &jsonwebtoken::EncodingKey::from_ed_pem(&reg.private_key()).unwrap()).unwrap()
}

fn claims(reg: &TestRegistry) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        iss: reg.config.auth.issuer.clone(),
        sub: "someone".into(),
        aud: Audience::One(reg.config.auth.audience.clone()),
        exp: now + 600,
        nbf: now - 1,
        iat: Some(now),
        roles: vec![Role::Procurement],
        authority: None,
        org: None,
    }
}

async fn bad_tokens_are_unauthenticated() {
    let reg = TestRegistry::start().await;
    assert_unauthenticated(profile_with(&reg, Bearer::none()).await, "TOKEN_MISSING");
    assert_unauthenticated(profile_with(&reg, Bearer::new("not-a-jwt")).await, "TOKEN_MALFORMED");

    let mut expired = reg.token_request("someone", &[Role::Procurement], None);
    expired.ttl_seconds = -3600;
    let token = issue_token(&expired, &reg.private_key()).unwrap();
    assert_unauthenticated(profile_with(&reg, Bearer::new(&token)).await, "TOKEN_EXPIRED");

    let mut early = claims(&reg);
    early.nbf += 3600;
    assert_unauthenticated(profile_with(&reg, Bearer::new(&signed(&reg, &early))).await, "TOKEN_NOT_YET_VALID");

    let mut audience = claims(&reg);
    audience.aud = Audience::One("someone-else".into());
    assert_unauthenticated(profile_with(&reg, Bearer::new(&signed(&reg, &audience))).await, "TOKEN_AUDIENCE_INVALID");

    let mut issuer = claims(&reg);
    issuer.iss = "rogue".into();
    assert_unauthenticated(profile_with(&reg, Bearer::new(&signed(&reg, &issuer))).await, "TOKEN_ISSUER_INVALID");

    // Signed by a key the registry does not trust.
    let stranger = tempfile::tempdir().unwrap();
    let keys = creditregistry::keys::KeyPairFiles::in_dir(stranger.path());
    keys.ensure().unwrap();
    let token =
        issue_token(&reg.token_request("someone", &[Role::Procurement], None), &std::fs::read(&keys.private_key_file).unwrap())
            .unwrap();
    assert_unauthenticated(profile_with(&reg, Bearer::new(&token)).await, "TOKEN_SIGNATURE_INVALID");

    // Enforcement without the authority it acts for.
    let token = reg.token("officer", &[Role::Enforcement], None);
    assert_unauthenticated(profile_with(&reg, Bearer::new(&token)).await, "TOKEN_MALFORMED");
    reg.stop().await;
}

/// Tokens as identity providers write them: `aud` as an array (RFC 7519
/// §4.1.3: accepted when any element matches), no `iat` (§4.1.6: optional).
/// The `kid` header must name a configured key: without one, or naming
/// another, the token is refused with the reason, never tried against every key.
async fn tokens_from_identity_providers_and_their_kid() {
    let reg = TestRegistry::start().await;
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&reg.private_key()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let body = |aud: serde_json::Value| {
        serde_json::json!({
            "iss": reg.config.auth.issuer, "sub": "idp-user", "aud": aud,
            "exp": now + 600, "nbf": now - 1, "roles": ["procurement"],
        })
    };
    let sign = |kid: Option<&str>, claims: &serde_json::Value| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = kid.map(str::to_string);
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    };
    let array = body(serde_json::json!(["other-api", reg.config.auth.audience]));
    profile_with(&reg, Bearer::new(&sign(Some("dev"), &array))).await.expect("aud as an array, no iat");
    let none_match = body(serde_json::json!(["other-api", "third"]));
    assert_unauthenticated(profile_with(&reg, Bearer::new(&sign(Some("dev"), &none_match))).await, "TOKEN_AUDIENCE_INVALID");
    let single = body(serde_json::json!(reg.config.auth.audience));
    let err = profile_with(&reg, Bearer::new(&sign(None, &single))).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::Unauthenticated, "TOKEN_KID_MISSING"), "{err:?}");
    assert!(err.message().contains("dev") && err.message().contains("rsa"), "names the configured keys: {}", err.message());
    assert_unauthenticated(profile_with(&reg, Bearer::new(&sign(Some("idp-2025"), &single))).await, "TOKEN_KID_UNKNOWN");
    // What an error quotes of a token stays one short line.
    let long_kid = format!("{}\n{}", "中".repeat(800), "x");
    let err = profile_with(&reg, Bearer::new(&sign(Some(&long_kid), &single))).await.unwrap_err();
    assert!(err.message().len() <= 640 && !err.message().contains('\n'), "{} bytes", err.message().len());
    reg.stop().await;
}

/// The key files the binary writes are PKCS#8 v1 (RFC 8410) private keys and
/// SPKI public keys, which standard tools read.
#[test]
fn key_files_are_pkcs8_v1_and_spki() {
    use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, KeypairBytes};
    let dir = tempfile::tempdir().unwrap();
    let keys = creditregistry::keys::KeyPairFiles::in_dir(dir.path());
    keys.ensure().unwrap();
    let pem = std::fs::read_to_string(&keys.private_key_file).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(KeypairBytes::from_pkcs8_pem(&pem).unwrap().public_key.is_none(), "v1: the private key alone");
    ed25519_dalek::SigningKey::from_pkcs8_pem(&pem).unwrap();
    let public = std::fs::read_to_string(&keys.public_key_file).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
    ed25519_dalek::VerifyingKey::from_public_key_pem(&public).unwrap();
}

async fn rs256_tokens_from_a_configured_key_are_accepted() {
    let reg = TestRegistry::start().await;
    let mut request = reg.token_request("rsa-user", &[Role::Auditor], None);
    request.algorithm = KeyAlgorithm::RS256;
    request.kid = Some("rsa".into());
    let token = issue_token(&request, &std::fs::read(fixture("rs256-test.pem")).unwrap()).unwrap();
    let profile = profile_with(&reg, Bearer::new(&token)).await.expect("RS256 token accepted");
    assert_eq!(profile.status, pb::ProfileStatus::NoRecords as i32);
    reg.stop().await;
}

async fn only_enforcement_writes_and_only_under_its_own_authority() {
    let reg = TestRegistry::start().await;
    for role in [Role::Procurement, Role::Auditor, Role::Regulator, Role::Admin] {
        let mut client = reg.records(&reg.token("x", &[role], None)).await;
        let err = client.record_penalty(penalty_request("", CODES[0], penalty("P-1", 1))).await.unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{role:?}");
        assert_eq!(reason(&err), "ROLE_REQUIRED");
    }
    // The authority recorded is always the token's, never the caller's choice.
    let record = reg
        .enforcement()
        .await
        .record_penalty(penalty_request("", CODES[0], penalty("P-1", 1)))
        .await
        .unwrap()
        .into_inner()
        .record
        .unwrap();
    assert_eq!(record.authority, AUTHORITY);
    reg.stop().await;
}

async fn health_is_open_and_every_service_needs_a_token() {
    let reg = TestRegistry::start().await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(reg.channel().await);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest { service: "creditregistry.v1.RecordsService".into() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);

    let mut audit = AuditServiceClient::new(InterceptedService::new(
        reg.channel().await,
        Bearer::new(&reg.token("a", &[Role::Auditor], None)),
    ));
    let checkpoint = audit.get_checkpoint(pb::GetCheckpointRequest::default()).await.unwrap().into_inner();
    assert!(checkpoint.checkpoint.is_some(), "a checkpoint of the empty ledger is signed on demand");
    let mut anonymous = AuditServiceClient::new(InterceptedService::new(reg.channel().await, Bearer::none()));
    let err = anonymous.get_checkpoint(pb::GetCheckpointRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);

    let mut anonymous = EligibilityServiceClient::new(InterceptedService::new(reg.channel().await, Bearer::none()));
    let err = anonymous.check_eligibility(pb::CheckEligibilityRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated, "authentication comes before everything else");
    reg.stop().await;
}

async fn reflection_lists_the_api_to_authenticated_callers() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let reg = TestRegistry::start().await;
    let list = || {
        tokio_stream::iter([ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        }])
    };
    let token = reg.token("p", &[Role::Procurement], None);
    let mut client = ServerReflectionClient::new(InterceptedService::new(reg.channel().await, Bearer::new(&token)));
    let mut stream = client.server_reflection_info(list()).await.unwrap().into_inner();
    let response = stream.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(services)) = response.message_response else {
        panic!("unexpected {response:?}")
    };
    let names: Vec<_> = services.service.iter().map(|s| s.name.as_str()).collect();
    for expected in [
        "creditregistry.v1.RecordsService",
        "creditregistry.v1.EligibilityService",
        "creditregistry.v1.SupervisionService",
        "creditregistry.v1.AuditService",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }

    let mut anonymous = ServerReflectionClient::new(InterceptedService::new(reg.channel().await, Bearer::none()));
    let err = anonymous.server_reflection_info(list()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    reg.stop().await;
}

/// RFC 7519 §2: a NumericDate may be non-integer, as issuers in JavaScript
/// and Java write it. Such tokens are accepted, each date read as whole
/// seconds toward the past: an `exp` half a second inside the leeway's edge
/// is already expired (rounding it would lengthen the token's life), an
/// `nbf` half a second past the leeway is already valid.
async fn fractional_numeric_dates_are_accepted_and_never_lengthen_a_token() {
    let reg = TestRegistry::start().await;
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&reg.private_key()).unwrap();
    let now = chrono::Utc::now().timestamp() as f64;
    let sign = |exp: f64, nbf: f64| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some("dev".into());
        let claims = serde_json::json!({
            "iss": reg.config.auth.issuer, "sub": "js-user", "aud": reg.config.auth.audience,
            "exp": exp, "nbf": nbf, "iat": now + 0.25, "roles": ["procurement"],
        });
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    };
    profile_with(&reg, Bearer::new(&sign(now + 600.5, now - 1.5))).await.expect("fractional exp, nbf and iat");
    profile_with(&reg, Bearer::new(&sign(now + 600.5, now + 30.5))).await.expect("nbf read toward the past");
    assert_unauthenticated(profile_with(&reg, Bearer::new(&sign(now - 31.0 + 0.9, now - 60.0))).await, "TOKEN_EXPIRED");
    reg.stop().await;
}

/// RFC 7515 §4.1.11: a token whose header lists critical extensions the
/// registry does not understand is refused, whatever its signature.
async fn a_token_with_crit_extensions_is_refused() {
    let reg = TestRegistry::start().await;
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&reg.private_key()).unwrap();
    let sign = |crit: Vec<String>| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some("dev".into());
        header.crit = Some(crit);
        header.extras.insert("x-require-mfa", true);
        jsonwebtoken::encode(&header, &claims(&reg), &key).unwrap()
    };
    for crit in [vec!["x-require-mfa".to_string()], vec![]] {
        let err = profile_with(&reg, Bearer::new(&sign(crit.clone()))).await.unwrap_err();
        assert_eq!((err.code(), reason(&err).as_str()), (Code::Unauthenticated, "TOKEN_CRIT_UNSUPPORTED"), "{err:?}");
        assert!(err.message().contains("'crit'"), "{}", err.message());
        assert!(crit.iter().all(|c| err.message().contains(c.as_str())), "{}", err.message());
    }
    profile_with(&reg, Bearer::new(&signed(&reg, &claims(&reg)))).await.expect("the same token without crit");
    reg.stop().await;
}

/// A token the registry cannot read is refused in the registry's words,
/// naming each claim it cannot read and why; never in the JSON reader's
/// or the JWT library's.
async fn unreadable_tokens_are_refused_in_the_registrys_words() {
    let reg = TestRegistry::start().await;
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&reg.private_key()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let sign = |claims: serde_json::Value| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some("dev".into());
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    };
    let base = |exp: serde_json::Value, roles: serde_json::Value| {
        let mut claims = serde_json::json!({
            "iss": reg.config.auth.issuer, "sub": "idp-user", "aud": reg.config.auth.audience,
            "exp": exp, "nbf": now - 5, "roles": roles,
        });
        if claims["exp"].is_null() {
            claims.as_object_mut().unwrap().remove("exp");
        }
        claims
    };
    let cases = [
        (
            sign(base(serde_json::json!("2026-12-31"), serde_json::json!(["procurement"]))),
            vec!["claim 'exp' must be a NumericDate"],
        ),
        (sign(base(serde_json::Value::Null, serde_json::json!(["procurement"]))), vec!["claim 'exp' is missing"]),
        (
            sign(base(serde_json::json!(now + 600), serde_json::json!(["buyer"]))),
            vec!["claim 'roles' must be a list of roles: enforcement, procurement, auditor, regulator or admin", "\"buyer\""],
        ),
        ("not-a-token".to_string(), vec!["not a signed JWT"]),
        ("e30.e30.c2ln".to_string(), vec!["not a signed JWT"]),
    ];
    for (token, expected) in cases {
        let err = profile_with(&reg, Bearer::new(&token)).await.unwrap_err();
        assert_eq!((err.code(), reason(&err).as_str()), (Code::Unauthenticated, "TOKEN_MALFORMED"), "{err:?}");
        let message = err.message();
        for part in expected {
            assert!(message.contains(part), "{part:?} in {message}");
        }
        for library in ["JSON error", "invalid type", "missing field", "expected", "`", "InvalidToken", "Base64", "line 1 column"]
        {
            assert!(!message.contains(library), "the library's words {library:?} reach the caller: {message}");
        }
    }
    reg.stop().await;
}

on_both_backends!(
    bad_tokens_are_unauthenticated,
    fractional_numeric_dates_are_accepted_and_never_lengthen_a_token,
    a_token_with_crit_extensions_is_refused,
    unreadable_tokens_are_refused_in_the_registrys_words,
    tokens_from_identity_providers_and_their_kid,
    rs256_tokens_from_a_configured_key_are_accepted,
    only_enforcement_writes_and_only_under_its_own_authority,
    health_is_open_and_every_service_needs_a_token,
    reflection_lists_the_api_to_authenticated_callers,
);
