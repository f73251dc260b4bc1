//! The audit trail over real gRPC: receipts that verify offline, inclusion
//! and consistency proofs against signed checkpoints, entity history,
//! ledger export, the check log, statistics, and `verify` catching a
//! tampered or deleted record in the database.

mod common;

use chrono::Utc;
use common::*;
use creditregistry::audit::chain_hash;
use creditregistry::auth::Role;
use creditregistry::domain::uscc::Uscc;
use creditregistry::ledger::merkle::{Frontier, verify_consistency, verify_inclusion};
use creditregistry::ledger::signing::{PublicKey, verify_checkpoint, verify_receipt};
use creditregistry::ledger::{Hash, leaf_hash};
use creditregistry::proto::pb;
use creditregistry::store::AuditStore;
use prost::Message;
use tonic::Code;

const GP: pb::MeasureDomain = pb::MeasureDomain::GovernmentProcurement;

fn hash(bytes: &[u8]) -> Hash {
    bytes.try_into().expect("32 bytes")
}

async fn registry_keys(a: &mut AuditClient) -> Vec<PublicKey> {
    let keys = a.get_registry_keys(pb::GetRegistryKeysRequest {}).await.unwrap().into_inner().keys;
    keys.iter().map(|k| PublicKey::from_pem(&k.public_key_pem).unwrap()).collect()
}

async fn record(w: &mut RecordsClient, uscc: &str, number: &str, fine_fen: i64) -> pb::Record {
    w.record_penalty(penalty_request("", uscc, penalty(number, fine_fen))).await.unwrap().into_inner().record.unwrap()
}

async fn checkpoint(a: &mut AuditClient, keys: &[PublicKey]) -> pb::Checkpoint {
    let signed = a.create_checkpoint(pb::CreateCheckpointRequest {}).await.unwrap().into_inner().checkpoint.unwrap();
    verify_checkpoint(&signed, keys).expect("checkpoint verifies")
}

async fn receipts_verify_offline_and_any_changed_byte_fails() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let written = record(&mut w, CODES[0], "沪市监处〔2026〕1号", 500_0000).await;
    let mut auditor = reg.audit("auditor-1", &[Role::Auditor]).await;
    let keys = registry_keys(&mut auditor).await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;

    let answer = buyer
        .check_eligibility(pb::CheckEligibilityRequest {
            uscc: CODES[0].into(),
            domain: GP as i32,
            evaluated_on: date(today()),
            min_sequence: written.sequence,
            known_at: None,
            declared_name: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let stored = answer.receipt.unwrap().encode_to_vec();
    let body = verify_receipt(&stored, &keys).expect("receipt verifies");
    assert_eq!(body.decisions, vec![answer.decision.unwrap()]);
    assert_eq!(body.requested_codes, vec![CODES[0].to_string()]);
    assert_eq!(body.kind, pb::CheckKind::Single as i32);
    assert_eq!(body.caller_subject, "platform-1");
    assert_eq!(body.evaluated_on, date(today()));
    let cp = verify_checkpoint(body.checkpoint.as_ref().unwrap(), &keys).unwrap();
    assert_eq!(cp.tree_size, written.sequence, "the answer was computed against the ledger holding the penalty");
    for i in 0..stored.len() {
        let mut bad = stored.clone();
        bad[i] ^= 0x01;
        assert!(verify_receipt(&bad, &keys).is_err(), "byte {i} changed unnoticed");
    }

    // Batch and consortium checks carry receipts too.
    let batch = buyer
        .batch_check_eligibility(pb::BatchCheckEligibilityRequest {
            codes: vec![CODES[0].into(), "not a code".into(), CODES[1].into()],
            domain: GP as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let body = verify_receipt(&batch.receipt.unwrap().encode_to_vec(), &keys).unwrap();
    assert_eq!(body.kind, pb::CheckKind::Batch as i32);
    assert_eq!(body.requested_codes.len(), 3);
    assert_eq!(body.decisions.iter().map(|d| d.uscc.as_str()).collect::<Vec<_>>(), [CODES[0], CODES[1]]);
    let consortium = buyer
        .check_consortium(pb::CheckConsortiumRequest {
            member_codes: vec![CODES[0].into(), CODES[1].into()],
            domain: GP as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let body = verify_receipt(&consortium.receipt.unwrap().encode_to_vec(), &keys).unwrap();
    assert_eq!(body.kind, pb::CheckKind::Consortium as i32);
    assert_eq!(body.consortium_eligibility, consortium.eligibility);

    // The command-line verifier agrees, with only the public key.
    let key_file = reg.dir.path().join("registry.pub.pem");
    std::fs::write(&key_file, keys[0].to_pem()).unwrap();
    let receipt_file = reg.dir.path().join("receipt.bin");
    std::fs::write(&receipt_file, &stored).unwrap();
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
            .arg("verify-receipt")
            .arg("--public-key")
            .arg(&key_file)
            .arg(file)
            .env("CREDITREGISTRY_DATA_DIR", "/nonexistent")
            .output()
            .unwrap()
    };
    let ok = run(&receipt_file);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains(CODES[0]));
    let mut tampered = stored.clone();
    *tampered.last_mut().unwrap() ^= 0x80;
    std::fs::write(&receipt_file, &tampered).unwrap();
    let bad = run(&receipt_file);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("INVALID"));
    reg.stop().await;
}

async fn every_record_is_proven_in_a_signed_checkpoint_and_checkpoints_are_consistent() {
    let mut reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut records = Vec::new();
    for i in 0..7 {
        records.push(record(&mut w, CODES[i % 3], &format!("沪市监处〔2026〕{i}号"), 100_000).await);
    }
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let keys = registry_keys(&mut a).await;
    let first = checkpoint(&mut a, &keys).await;
    assert_eq!(first.tree_size, 7);

    for r in &records {
        let proof = a
            .get_inclusion_proof(pb::GetInclusionProofRequest {
                leaf: Some(pb::get_inclusion_proof_request::Leaf::RecordId(r.record_id.clone())),
                tree_size: 0,
            })
            .await
            .unwrap()
            .into_inner();
        let signed = verify_checkpoint(proof.checkpoint.as_ref().unwrap(), &keys).unwrap();
        assert_eq!(proof.sequence, r.sequence);
        assert_eq!(proof.leaf_hash, leaf_hash(&r.encode_to_vec()), "the leaf is the record's canonical bytes");
        let path: Vec<Hash> = proof.hashes.iter().map(|h| hash(h)).collect();
        assert!(verify_inclusion(
            proof.leaf_index as u64,
            signed.tree_size as u64,
            &hash(&proof.leaf_hash),
            &path,
            &hash(&signed.root_hash)
        ));
    }

    // The ledger grows across a restart; the new tree extends the old one.
    for i in 7..12 {
        record(&mut w, CODES[i % 3], &format!("沪市监处〔2026〕{i}号"), 100_000).await;
    }
    reg.restart().await;
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    assert_eq!(registry_keys(&mut a).await[0].key_id, keys[0].key_id, "the registry key survives a restart");
    let second = checkpoint(&mut a, &keys).await;
    assert_eq!(second.tree_size, 12);
    let proof = a
        .get_consistency_proof(pb::GetConsistencyProofRequest { first_tree_size: 7, second_tree_size: 12 })
        .await
        .unwrap()
        .into_inner();
    let path: Vec<Hash> = proof.hashes.iter().map(|h| hash(h)).collect();
    assert!(verify_consistency(7, 12, &hash(&first.root_hash), &hash(&second.root_hash), &path));
    assert!(!verify_consistency(7, 12, &hash(&second.root_hash), &hash(&second.root_hash), &path));
    // A witness can fetch every checkpoint, page by page; all verify.
    let (mut listed, mut token) = (Vec::new(), String::new());
    loop {
        let page = a.list_checkpoints(pb::ListCheckpointsRequest { page_size: 1, page_token: token }).await.unwrap().into_inner();
        listed.extend(page.checkpoints.iter().map(|c| verify_checkpoint(c, &keys).unwrap().tree_size));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    assert!(listed.contains(&7) && listed.contains(&12), "{listed:?}");
    let past = a.get_checkpoint(pb::GetCheckpointRequest { tree_size: 7 }).await.unwrap().into_inner();
    assert_eq!(verify_checkpoint(&past.checkpoint.unwrap(), &keys).unwrap().root_hash, first.root_hash);

    // Sizes outside the ledger are named.
    let err =
        a.get_consistency_proof(pb::GetConsistencyProofRequest { first_tree_size: 0, second_tree_size: 13 }).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let fields: Vec<String> = violations(&err).into_iter().map(|(f, _)| f).collect();
    assert!(fields.contains(&"first_tree_size".to_string()) && fields.contains(&"second_tree_size".to_string()), "{fields:?}");
    let err = a.get_checkpoint(pb::GetCheckpointRequest { tree_size: 5 }).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);

    // An export re-hashes to the signed root.
    let mut stream = a.export_ledger(pb::ExportLedgerRequest::default()).await.unwrap().into_inner();
    let mut frontier = Frontier::default();
    let mut scratch = Vec::new();
    while let Some(row) = stream.message().await.unwrap() {
        assert_eq!(row.sequence as u64, frontier.size() + 1);
        assert_eq!(row.leaf_hash, leaf_hash(&row.record));
        assert_eq!(pb::Record::decode(row.record.as_slice()).unwrap().sequence, row.sequence);
        frontier.push(leaf_hash(&row.record), &mut scratch);
    }
    assert_eq!(frontier.size(), 12);
    assert_eq!(frontier.root().to_vec(), second.root_hash);
    let tail: Vec<i64> = {
        let mut s = a.export_ledger(pb::ExportLedgerRequest { from_sequence: 10, to_sequence: 11 }).await.unwrap().into_inner();
        let mut seqs = Vec::new();
        while let Some(row) = s.message().await.unwrap() {
            seqs.push(row.sequence);
        }
        seqs
    };
    assert_eq!(tail, [10, 11]);
    reg.stop().await;
}

async fn history_shows_every_record_with_who_when_and_its_standing_as_known_then() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let fine = record(&mut w, CODES[2], "沪市监处〔2026〕77号", 2500_00000).await;
    let before_revocation = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    w.correct_penalty(revocation(&fine.record_id, "复议〔2026〕7号", 1)).await.unwrap();
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;

    let now = a
        .get_entity_history(pb::GetEntityHistoryRequest { uscc: CODES[2].into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(now.tree_size, 2);
    assert_eq!(now.entries.len(), 2, "the revoked penalty and its revocation");
    let first = &now.entries[0];
    let entry = first.entry.as_ref().unwrap();
    let r = entry.record.as_ref().unwrap();
    assert_eq!((r.sequence, r.actor.as_str(), r.authority.as_str()), (1, "officer-1", AUTHORITY));
    assert!(r.recorded_at.is_some());
    assert_eq!(entry.status, pb::RecordStatus::Revoked as i32);
    assert_eq!(first.leaf_hash, leaf_hash(&first.canonical_record));
    assert_eq!(&pb::Record::decode(first.canonical_record.as_slice()).unwrap(), r);

    let then = a
        .get_entity_history(pb::GetEntityHistoryRequest {
            uscc: CODES[2].into(),
            known_at: Some(prost_types::Timestamp {
                seconds: before_revocation.timestamp(),
                nanos: before_revocation.timestamp_subsec_nanos() as i32,
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(then.entries.len(), 1);
    assert_eq!(then.entries[0].entry.as_ref().unwrap().status, pb::RecordStatus::InEffect as i32);

    let page = a
        .get_entity_history(pb::GetEntityHistoryRequest { uscc: CODES[2].into(), page_size: 1, ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.entries.len(), 1);
    let rest = a
        .get_entity_history(pb::GetEntityHistoryRequest {
            uscc: CODES[2].into(),
            page_size: 1,
            page_token: page.next_page_token.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.entries[0].entry.as_ref().unwrap().record.as_ref().unwrap().sequence, 2);
    assert!(rest.next_page_token.is_empty());

    let err = a
        .get_entity_history(pb::GetEntityHistoryRequest { uscc: "91310115MA1K3BTP2C".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_violation(&err, "uscc", "check character");

    // Procurement and enforcement callers are no auditors.
    for roles in [[Role::Procurement], [Role::Regulator]] {
        let mut other = reg.audit("someone", &roles).await;
        let err = other
            .get_entity_history(pb::GetEntityHistoryRequest { uscc: CODES[2].into(), ..Default::default() })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied);
        let err = other.list_checks(pb::ListChecksRequest::default()).await.unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied);
        let err = other.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied);
        assert!(other.get_registry_keys(pb::GetRegistryKeysRequest {}).await.is_ok(), "keys are public");
    }
    let mut anonymous = pb::audit_service_client::AuditServiceClient::new(tonic::service::interceptor::InterceptedService::new(
        reg.channel().await,
        Bearer::none(),
    ));
    let err = anonymous.get_registry_keys(pb::GetRegistryKeysRequest {}).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    reg.stop().await;
}

async fn the_check_log_answers_who_asked_about_whom_and_chains() {
    let reg = TestRegistry::start().await;
    let mut clients =
        [reg.eligibility("platform-1", &[Role::Procurement]).await, reg.eligibility("platform-2", &[Role::Procurement]).await];
    let mut receipts = Vec::new();
    for (who, code) in [(0, CODES[0]), (1, CODES[1]), (0, CODES[1]), (0, CODES[3])] {
        let answer = clients[who]
            .check_eligibility(pb::CheckEligibilityRequest { uscc: code.into(), domain: GP as i32, ..Default::default() })
            .await
            .unwrap()
            .into_inner();
        receipts.push(pb::ReceiptBody::decode(answer.receipt.unwrap().body.as_slice()).unwrap().receipt_id);
    }
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let keys = registry_keys(&mut a).await;
    let cp = checkpoint(&mut a, &keys).await;
    assert_eq!(cp.check_log_size, 4, "the checkpoint covers every check queued before it");

    let all = a.list_checks(pb::ListChecksRequest::default()).await.unwrap().into_inner().checks;
    assert_eq!(all.iter().map(|c| c.receipt_id.clone()).collect::<Vec<_>>(), receipts);
    let mut previous = [0u8; 32];
    for c in &all {
        let unchained = pb::CheckLogEntry { chain_hash: Vec::new(), ..c.clone() };
        previous = chain_hash(&previous, &unchained.encode_to_vec());
        assert_eq!(c.chain_hash, previous.to_vec(), "entry {} chains", c.sequence);
    }
    assert_eq!(cp.check_log_head, previous.to_vec());
    assert_eq!(all[0].caller_subject, "platform-1");
    assert_eq!(all[0].eligibilities, [pb::Eligibility::Eligible as i32]);

    let by_caller = a
        .list_checks(pb::ListChecksRequest { caller_subject: "platform-1".into(), page_size: 2, ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_caller.checks.len(), 2);
    let rest = a
        .list_checks(pb::ListChecksRequest {
            caller_subject: "platform-1".into(),
            page_size: 2,
            page_token: by_caller.next_page_token,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.checks.iter().map(|c| c.codes[0].as_str()).collect::<Vec<_>>(), [CODES[3]]);
    assert!(rest.next_page_token.is_empty());

    let by_code =
        a.list_checks(pb::ListChecksRequest { uscc: CODES[1].into(), ..Default::default() }).await.unwrap().into_inner();
    assert_eq!(by_code.checks.iter().map(|c| c.caller_subject.as_str()).collect::<Vec<_>>(), ["platform-2", "platform-1"]);

    // By the caller's organisation (the tokens' organisation claim).
    let by = |organisation: &str| pb::ListChecksRequest { caller_organisation: organisation.into(), ..Default::default() };
    assert_eq!(a.list_checks(by("test org")).await.unwrap().into_inner().checks, all);
    assert!(a.list_checks(by("another org")).await.unwrap().into_inner().checks.is_empty());

    let later = a
        .list_checks(pb::ListChecksRequest {
            checked_from: Some(prost_types::Timestamp { seconds: Utc::now().timestamp() + 60, nanos: 0 }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(later.checks.is_empty());
    let err = a.list_checks(pb::ListChecksRequest { page_token: "x".into(), ..Default::default() }).await.unwrap_err();
    assert_violation(&err, "page_token", "not a token");
    reg.stop().await;
}

/// Runs `creditregistry verify` on the registry's store.
fn verify_command(reg: &TestRegistry) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .arg("verify")
        .env("CREDITREGISTRY_DATA_DIR", reg.dir.path())
        .env("CREDITREGISTRY_DATABASE_URL", reg.config.database_url())
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Changes one byte of the stored bytes of record `sequence`: the first
/// byte of `needle` in them becomes `to`.
async fn edit_one_byte(reg: &TestRegistry, sequence: i64, needle: &[u8], to: u8) {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let (before, after) = (hex(needle), hex(&[&[to], &needle[1..]].concat()));
    let edit = match backend() {
        Backend::Sqlite => format!(
            "UPDATE ledger SET record = CAST(REPLACE(CAST(record AS TEXT), CAST(X'{before}' AS TEXT), CAST(X'{after}' AS TEXT)) AS BLOB) WHERE sequence = {sequence}"
        ),
        Backend::Postgres => format!(
            "UPDATE ledger SET record = overlay(record PLACING '\\x{after}'::bytea FROM position('\\x{before}'::bytea IN record)) WHERE sequence = {sequence}"
        ),
    };
    tamper(reg, Part::Ledger, &["DROP TRIGGER ledger_no_update", &edit]).await;
}

/// Stops the server, keeping its data directory.
async fn stop_server(reg: &mut TestRegistry) {
    reg.running.take().expect("running").stop().await.expect("clean stop");
}

async fn written_ledger(reg: &TestRegistry) {
    let mut w = reg.enforcement().await;
    for i in 0..6 {
        record(&mut w, CODES[i % 2], &format!("沪市监处〔2026〕{i}号"), 100_000).await;
    }
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    buyer
        .check_eligibility(pb::CheckEligibilityRequest { uscc: CODES[0].into(), domain: GP as i32, ..Default::default() })
        .await
        .unwrap();
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let keys = registry_keys(&mut a).await;
    checkpoint(&mut a, &keys).await;
}

async fn verify_names_the_record_whose_stored_bytes_were_edited() {
    let reg = TestRegistry::start().await;
    written_ledger(&reg).await;
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let clean = a.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
    assert!(clean.ok, "{clean:?}");
    assert_eq!(clean.records_checked, 6);
    assert!(clean.checkpoints_checked >= 1);
    assert_eq!(clean.check_log_entries_checked, 1);

    // One byte of record 4's stored bytes: its decision number 〕3号 becomes 〕8号.
    edit_one_byte(&reg, 4, "3号".as_bytes(), b'8').await;
    let found = a.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
    assert!(!found.ok);
    assert_eq!(found.divergent_sequence, 4, "{}", found.divergence);
    assert!(found.divergence.contains("record 4"), "{}", found.divergence);
    assert_eq!(found.records_checked, 3);
    let mut reg = reg;
    stop_server(&mut reg).await;

    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("DIVERGENCE at ledger sequence 4"), "{output}");
}

async fn verify_notices_a_deleted_record() {
    let mut reg = TestRegistry::start().await;
    written_ledger(&reg).await;
    stop_server(&mut reg).await;
    let (ok, output) = verify_command(&reg);
    assert!(ok, "{output}");
    assert!(output.contains("6 records"), "{output}");

    tamper(&reg, Part::Ledger, &["DROP TRIGGER ledger_no_delete", "DELETE FROM ledger WHERE sequence = 3"]).await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("DIVERGENCE at ledger sequence 3") && output.contains("missing"), "{output}");

    // The last record, too: the tree and the checkpoint outlive it.
    tamper(&reg, Part::Ledger, &["DELETE FROM ledger WHERE sequence >= 3"]).await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("DIVERGENCE at ledger sequence 3"), "{output}");

    // A registry does not start on a ledger with records missing.
    let err = creditregistry::server::start(&reg.config).await.err().expect("refuses to start");
    assert!(err.contains("missing"), "{err}");
}

async fn statistics_count_spot_checks_and_penalties_by_category_region_and_period() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    // Zhanjiang's 2019 figure: manufactured products passed 93.2 % of spot
    // checks. 250 checks of 50 enterprises in 440800, 233 passed; one more
    // in Shanghai, which the region leaves out.
    let zhanjiang = |n: usize| Uscc::complete(&format!("91440800{n:08}")).unwrap().to_string();
    let checks = (0..250).map(|i| (zhanjiang(i % 50), i >= 17)).chain([(CODES[2].to_string(), true)]);
    for (i, (code, passed)) in checks.enumerate() {
        let outcome = if passed { pb::SpotCheckOutcome::Pass } else { pb::SpotCheckOutcome::Fail };
        w.record_spot_check(pb::RecordSpotCheckRequest {
            request_id: String::new(),
            uscc: code,
            spot_check: Some(pb::SpotCheck {
                report_number: format!("SC-{i}"),
                category: pb::Category::ProductQuality as i32,
                product: "电线".into(),
                product_class: "电线电缆".into(),
                batch: "B1".into(),
                outcome: outcome as i32,
                checked_on: date(days_ago(3)),
                failed_items: if passed { Vec::new() } else { vec!["导体电阻".into()] },
                party_name: String::new(),
                legal_representative: String::new(),
            }),
        })
        .await
        .unwrap();
    }
    let kept = record(&mut w, CODES[2], "沪市监处〔2026〕90号", 100_000).await;
    let revoked = record(&mut w, CODES[2], "沪市监处〔2026〕91号", 500_000).await;
    w.correct_penalty(revocation(&revoked.record_id, "复议〔2026〕9号", 1)).await.unwrap();
    assert!(kept.sequence > 0);

    let mut r = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let region = r
        .get_spot_check_statistics(pb::GetSpotCheckStatisticsRequest { region_prefix: "4408".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(region.rows.len(), 1);
    let row = &region.rows[0];
    assert_eq!((row.category.as_str(), row.checked, row.passed, row.pass_rate_bp), ("CATEGORY_PRODUCT_QUALITY", 250, 233, 9320));
    let all = r.get_spot_check_statistics(pb::GetSpotCheckStatisticsRequest::default()).await.unwrap().into_inner();
    assert_eq!(all.total.unwrap().checked, 251);
    let none = r
        .get_spot_check_statistics(pb::GetSpotCheckStatisticsRequest { until: date(days_ago(10)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(none.total.unwrap().checked, 0);

    let penalties = r.get_penalty_statistics(pb::GetPenaltyStatisticsRequest::default()).await.unwrap().into_inner();
    assert_eq!(penalties.rows.len(), 1);
    let row = &penalties.rows[0];
    assert_eq!((row.penalties, row.fines_fen, row.revoked), (1, 100_000, 1));

    let err = r
        .get_penalty_statistics(pb::GetPenaltyStatisticsRequest {
            region_prefix: "31x".into(),
            from: date(today()),
            until: date(days_ago(1)),
        })
        .await
        .unwrap_err();
    let fields: Vec<String> = violations(&err).into_iter().map(|(f, _)| f).collect();
    assert!(fields.contains(&"region_prefix".into()) && fields.contains(&"until".into()), "{fields:?}");
    let mut buyer = reg.supervision("platform-1", &[Role::Procurement]).await;
    let err = buyer.get_penalty_statistics(pb::GetPenaltyStatisticsRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    reg.stop().await;
}

async fn verify_checks_the_columns_reads_select_by_and_notices_a_missing_checkpoint() {
    let mut reg = TestRegistry::start().await;
    written_ledger(&reg).await;
    stop_server(&mut reg).await;

    // Hiding a platform's check from auditors who ask by caller or code.
    tamper(
        &reg,
        Part::Audit,
        &["DROP TRIGGER check_block_callers_no_update", "UPDATE check_block_callers SET caller_subject = 'nobody'"],
    )
    .await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("the check log's caller index differs from its entries"), "{output}");
    tamper(&reg, Part::Audit, &["UPDATE check_block_callers SET caller_subject = 'platform-1'"]).await;
    assert!(verify_command(&reg).0);

    // Moving a record to another entity's history.
    tamper(
        &reg,
        Part::Ledger,
        &["DROP TRIGGER ledger_no_update", &format!("UPDATE ledger SET uscc = '{}' WHERE sequence = 2", CODES[5])],
    )
    .await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("DIVERGENCE at ledger sequence 2") && output.contains("columns of record 2"), "{output}");
    tamper(&reg, Part::Ledger, &[&format!("UPDATE ledger SET uscc = '{}' WHERE sequence = 2", CODES[1])]).await;
    assert!(verify_command(&reg).0);

    // Checkpoints deleted: the newest, then the first.
    tamper(
        &reg,
        Part::Audit,
        &["DROP TRIGGER checkpoints_no_delete", "DELETE FROM checkpoints WHERE id = (SELECT MAX(id) FROM checkpoints)"],
    )
    .await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("the newest, is missing"), "{output}");
    tamper(&reg, Part::Audit, &["DELETE FROM checkpoints WHERE id = 1"]).await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("#1") && output.contains("missing"), "{output}");

    // The check log is verified before the checkpoints: its faults show first.
    tamper(&reg, Part::Audit, &["DROP TRIGGER check_block_codes_no_delete", "DELETE FROM check_block_codes"]).await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("the check log's code index differs from its entries: 0 rows indexed"), "{output}");

    // Stored entries that no longer unpack.
    let (plain, _) = stored_entries(&reg).await;
    let garbage = match backend() {
        Backend::Sqlite => "UPDATE check_blocks SET entries = X'789c0102'",
        Backend::Postgres => "UPDATE check_blocks SET entries = '\\x789c0102'::bytea",
    };
    tamper(&reg, Part::Audit, &["DROP TRIGGER check_blocks_no_update", garbage]).await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("its entries do not unpack"), "{output}");

    // An entry's bytes changed and stored well formed (unpacked).
    let renamed = String::from_utf8_lossy(&plain).replace("platform-1", "platform-2");
    assert_ne!(renamed.as_bytes(), plain.as_slice());
    let hex: String = plain.iter().map(|b| format!("{b:02x}")).collect::<String>().replace(
        &b"platform-1".iter().map(|b| format!("{b:02x}")).collect::<String>(),
        &b"platform-2".iter().map(|b| format!("{b:02x}")).collect::<String>(),
    );
    let rename = match backend() {
        Backend::Sqlite => format!("UPDATE check_blocks SET entries = X'{hex}', encoding = 0"),
        Backend::Postgres => format!("UPDATE check_blocks SET entries = '\\x{hex}'::bytea, encoding = 0"),
    };
    tamper(&reg, Part::Audit, &[&rename]).await;
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("does not chain"), "{output}");
}

/// The check log's one block's entries, unpacked, and its last entry.
async fn stored_entries(reg: &TestRegistry) -> (Vec<u8>, u64) {
    let store = creditregistry::store::Store::open_existing(&reg.config.database_url(), &Default::default()).await.unwrap();
    let blocks = store.audit().check_blocks(&Default::default(), 10).await.unwrap();
    store.close().await;
    assert_eq!(blocks.len(), 1, "the written ledger's checks are one block");
    (creditregistry::audit::block::unpacked(&blocks[0]).unwrap(), blocks[0].last_sequence)
}

async fn verify_finds_nothing_wrong_with_a_registry_that_keeps_writing_and_checking() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let busy = tokio::spawn(async move {
        for i in 0..150 {
            record(&mut w, CODES[i % 4], &format!("沪市监处〔2026〕{i}号"), 100_000).await;
            buyer
                .check_eligibility(pb::CheckEligibilityRequest {
                    uscc: CODES[i % 4].into(),
                    domain: GP as i32,
                    ..Default::default()
                })
                .await
                .unwrap();
        }
    });
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let mut rounds = 0;
    while !busy.is_finished() {
        let report = a.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
        assert!(report.ok, "{}", report.divergence);
        rounds += 1;
    }
    busy.await.unwrap();
    let report = a.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
    assert!(report.ok && report.records_checked == 150, "{report:?}");
    assert!(rounds > 0);
    reg.stop().await;
}

#[tokio::test]
async fn verify_neither_creates_nor_passes_a_store_that_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let key = creditregistry::keys::KeyPairFiles::named(&dir.path().join("keys"), "auditor-copy");
    key.ensure().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .args(["verify", "--public-key"])
        .arg(&key.public_key_file)
        .env("CREDITREGISTRY_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!dir.path().join("registry.db").exists(), "verify made a database");
    assert!(String::from_utf8_lossy(&out.stderr).contains("registry.db"), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn a_new_signing_key_keeps_old_checkpoints_verifiable_through_the_retired_key() {
    let mut reg = TestRegistry::start().await;
    written_ledger(&reg).await;
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let old_keys = registry_keys(&mut a).await;
    let new = creditregistry::keys::KeyPairFiles::named(&reg.dir.path().join("rotated"), "registry-2027");
    new.ensure().unwrap();
    let new_id =
        creditregistry::ledger::signing::RegistryKey::from_pem_file(&new.private_key_file).unwrap().public().key_id.clone();

    // A new key in the configuration alone is refused: the store knows the registry's key.
    reg.running.take().unwrap().stop().await.unwrap();
    let mut rotated = reg.config.clone();
    rotated.audit.signing_key_file = Some(new.private_key_file.clone());
    let err = creditregistry::server::start(&rotated).await.err().expect("a key the registry does not hold");
    assert!(err.contains(&new_id) && err.contains(&old_keys[0].key_id), "{err}");

    // Rotate: a new key signs from now on; the old one is kept and published as retired.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .arg("rotate-key")
        .arg(&new.private_key_file)
        .env("CREDITREGISTRY_DATABASE_URL", reg.config.database_url())
        .env_remove("CREDITREGISTRY_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    reg.config = rotated;
    reg.running = Some(creditregistry::server::start(&reg.config).await.expect("the registry's new key"));
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let published = a.get_registry_keys(pb::GetRegistryKeysRequest {}).await.unwrap().into_inner().keys;
    assert_eq!(published.iter().map(|k| k.retired).collect::<Vec<_>>(), [false, true]);
    assert_eq!(published[0].key_id, new_id);
    assert_eq!(published[1].key_id, old_keys[0].key_id);
    let keys = registry_keys(&mut a).await;
    let latest = checkpoint(&mut a, &keys[..1]).await;
    assert_eq!(latest.tree_size, 6, "signed with the new key");

    // `registry-key` prints the store's current key, not the key first made
    // in the data directory, now retired.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .arg("registry-key")
        .env("CREDITREGISTRY_DATABASE_URL", reg.config.database_url())
        .env("CREDITREGISTRY_DATA_DIR", &reg.config.data_dir)
        .env_remove("CREDITREGISTRY_SIGNING_KEY")
        .env_remove("CREDITREGISTRY_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("key id {new_id}")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), std::fs::read_to_string(&new.public_key_file).unwrap());
    let report = a.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
    assert!(report.ok && report.checkpoints_checked >= 2, "old checkpoints verify through the retired key: {report:?}");

    // The retired key is never made current again.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .arg("rotate-key")
        .arg(reg.config.generated_registry_key().private_key_file)
        .env("CREDITREGISTRY_DATABASE_URL", reg.config.database_url())
        .env_remove("CREDITREGISTRY_CONFIG")
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains(&old_keys[0].key_id));
    reg.stop().await;
}

/// A check log stored before the organisation index (audit schema 1) is
/// indexed by organisation when the store is opened, and verifies.
#[tokio::test]
async fn a_check_log_from_before_the_organisation_index_is_indexed_on_upgrade() {
    use sqlx::{ConnectOptions, Connection, Executor};
    use std::str::FromStr;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("registry.db").display());
    let audit = creditregistry::store::audit_url(&url);
    let mut db = sqlx::sqlite::SqliteConnectOptions::from_str(&audit).unwrap().create_if_missing(true).connect().await.unwrap();
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
        .await
        .unwrap();
    db.execute(include_str!("../migrations/sqlite-audit/0001_check_log.sql")).await.unwrap();
    db.execute("INSERT INTO schema_migrations VALUES (1, 'check_log', 0)").await.unwrap();
    let (mut chain, mut entries, mut old) = ([0u8; 32], Vec::new(), Vec::new());
    for (n, organisation) in [(1i64, "bureau-a"), (2, "bureau-b"), (3, "bureau-a")] {
        let entry = pb::CheckLogEntry {
            sequence: n,
            checked_at: Some(prost_types::Timestamp { seconds: 1_700_000_000 + n, nanos: 0 }),
            caller_subject: "platform-1".into(),
            caller_organisation: organisation.into(),
            codes: vec![CODES[0].to_string()],
            ..Default::default()
        };
        let bytes = entry.encode_to_vec();
        chain = chain_hash(&chain, &bytes);
        prost::encoding::encode_varint(bytes.len() as u64, &mut entries);
        entries.extend_from_slice(&bytes);
        old.push(pb::CheckLogEntry { chain_hash: chain.to_vec(), ..entry });
    }
    sqlx::query("INSERT INTO check_blocks VALUES (3, 1, $1, $2, $3, $4, $5)")
        .bind(1_700_000_001_000_000i64)
        .bind(1_700_000_003_000_000i64)
        .bind(&[0u8; 32][..])
        .bind(&chain[..])
        .bind(&entries)
        .execute(&mut db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO check_block_codes VALUES ($1, 3)")
        .bind(creditregistry::audit::block::code_key(CODES[0]))
        .execute(&mut db)
        .await
        .unwrap();
    db.execute("INSERT INTO check_block_callers VALUES ('platform-1', 3)").await.unwrap();
    db.close().await.unwrap();

    let reg = TestRegistry::start_with(|c| c.database_url = url.clone()).await;
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let by = |organisation: &str| pb::ListChecksRequest { caller_organisation: organisation.into(), ..Default::default() };
    let found = a.list_checks(by("bureau-a")).await.unwrap().into_inner().checks;
    assert_eq!(found, [old[0].clone(), old[2].clone()]);
    assert_eq!(a.list_checks(by("bureau-c")).await.unwrap().into_inner().checks, []);
    let report = a.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
    assert!(report.ok, "{}", report.divergence);
    assert_eq!(report.check_log_entries_checked, 3);
    reg.stop().await;
}

#[tokio::test]
async fn a_store_from_before_the_audit_file_keeps_its_check_log_and_goes_on_chaining() {
    use sqlx::{ConnectOptions, Connection, Executor};
    use std::str::FromStr;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    // The schema before the audit file had one: ledger migrations 1-3, with
    // the check log and checkpoints in the ledger's file.
    let mut db = sqlx::sqlite::SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true).connect().await.unwrap();
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
        .await
        .unwrap();
    for (version, sql) in [
        (1, include_str!("../migrations/sqlite/0001_ledger.sql")),
        (2, include_str!("../migrations/sqlite/0002_inspection_draws.sql")),
        (3, include_str!("../migrations/sqlite/0003_audit.sql")),
    ] {
        db.execute(sql).await.unwrap();
        sqlx::query("INSERT INTO schema_migrations VALUES ($1, 'old', 0)").bind(version).execute(&mut db).await.unwrap();
    }
    let mut chain = [0u8; 32];
    let mut old = Vec::new();
    for n in 1..=3i64 {
        let entry = pb::CheckLogEntry {
            sequence: n,
            checked_at: Some(prost_types::Timestamp { seconds: 1_700_000_000 + n, nanos: 0 }),
            caller_subject: format!("platform-{n}"),
            codes: vec![CODES[n as usize].to_string()],
            receipt_id: format!("receipt-{n}"),
            ..Default::default()
        };
        let bytes = entry.encode_to_vec();
        chain = chain_hash(&chain, &bytes);
        sqlx::query("INSERT INTO check_log VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(n)
            .bind((1_700_000_000 + n) * 1_000_000)
            .bind(&entry.caller_subject)
            .bind(&entry.receipt_id)
            .bind(CODES[n as usize])
            .bind(&bytes)
            .bind(&chain[..])
            .execute(&mut db)
            .await
            .unwrap();
        old.push(pb::CheckLogEntry { chain_hash: chain.to_vec(), ..entry });
    }
    db.close().await.unwrap();

    let reg = TestRegistry::start_with(|c| c.database_url = url.clone()).await;
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let all = a.list_checks(pb::ListChecksRequest::default()).await.unwrap().into_inner().checks;
    assert_eq!(all, old, "entries and chain hashes are kept as they were");
    let by_code =
        a.list_checks(pb::ListChecksRequest { uscc: CODES[2].into(), ..Default::default() }).await.unwrap().into_inner().checks;
    assert_eq!(by_code, old[1..2], "the code index covers the moved entries");
    let mut buyer = reg.eligibility("platform-9", &[Role::Procurement]).await;
    buyer
        .check_eligibility(pb::CheckEligibilityRequest { uscc: CODES[0].into(), domain: GP as i32, ..Default::default() })
        .await
        .unwrap();
    let keys = registry_keys(&mut a).await;
    let cp = checkpoint(&mut a, &keys).await;
    assert_eq!(cp.check_log_size, 4);
    let report = a.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
    assert!(report.ok, "{}", report.divergence);
    assert_eq!(report.check_log_entries_checked, 4);
    reg.stop().await;
}

#[tokio::test]
async fn a_store_whose_audit_file_is_missing_does_not_start_a_new_log() {
    let mut reg = TestRegistry::start().await;
    written_ledger(&reg).await;
    stop_server(&mut reg).await;
    let audit = creditregistry::store::audit_url(&reg.config.database_url());
    let path = audit.strip_prefix("sqlite://").unwrap();
    std::fs::remove_file(path).unwrap();
    let err = creditregistry::server::start(&reg.config).await.err().expect("refused");
    assert!(err.contains("audit file") && err.contains(path) && err.contains("missing"), "{err}");
    assert!(!std::path::Path::new(path).exists(), "no empty log was made in its place");
    // `verify` names the missing file too.
    let (ok, output) = verify_command(&reg);
    assert!(!ok);
    assert!(output.contains("audit file") && output.contains(path), "{output}");
}

async fn checks_answered_together_share_one_signature_and_each_receipt_verifies_alone() {
    let reg = TestRegistry::start().await;
    let mut auditor = reg.audit("auditor-1", &[Role::Auditor]).await;
    let keys = registry_keys(&mut auditor).await;
    let buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let calls: Vec<_> = (0..256)
        .map(|i| {
            let mut buyer = buyer.clone();
            tokio::spawn(async move {
                let request = pb::CheckEligibilityRequest { uscc: CODES[i % 4].into(), domain: GP as i32, ..Default::default() };
                buyer.check_eligibility(request).await.unwrap().into_inner().receipt.unwrap()
            })
        })
        .collect();
    let mut heads = std::collections::HashMap::<Vec<u8>, usize>::new();
    for call in calls {
        let receipt = call.await.unwrap();
        let body = verify_receipt(&receipt.encode_to_vec(), &keys).expect("each receipt verifies alone");
        assert_eq!(body.caller_subject, "platform-1");
        let head = pb::ReceiptBatchHead::decode(receipt.batch_head.as_slice()).unwrap();
        assert!(receipt.leaf_index < head.size);
        *heads.entry(receipt.batch_head).or_default() += 1;
    }
    let largest = heads.values().max().copied().unwrap_or(0);
    println!("256 concurrent checks: {} signatures, largest batch {largest}", heads.len());
    assert!(heads.len() < 256, "receipts answered together share a signature");
    reg.stop().await;
}

#[tokio::test]
async fn a_store_url_with_options_finds_its_audit_file_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("registry.db").display());
    let mut reg = TestRegistry::start_with(|c| c.database_url = url.clone()).await;
    written_ledger(&reg).await;
    reg.restart().await;
    assert!(dir.path().join("registry-audit.db").exists());
    reg.stop().await;
}

/// A stored record that no longer decodes is DATA_LOSS, which clients do
/// not retry, not UNAVAILABLE.
async fn a_record_that_no_longer_decodes_is_data_loss() {
    let reg = TestRegistry::start().await;
    written_ledger(&reg).await;
    let garbage = match backend() {
        Backend::Sqlite => "UPDATE ledger SET record = X'FFFFFFFF' WHERE sequence = 2",
        Backend::Postgres => "UPDATE ledger SET record = '\\xffffffff'::bytea WHERE sequence = 2",
    };
    tamper(&reg, Part::Ledger, &["DROP TRIGGER ledger_no_update", garbage]).await;
    let err =
        reg.auditor().await.get_profile(pb::GetProfileRequest { uscc: CODES[1].into(), ..Default::default() }).await.unwrap_err();
    assert_eq!(err.code(), Code::DataLoss, "{err:?}");
    assert_eq!(reason(&err), "STORED_DATA_CORRUPT");
    assert!(err.message().contains("ledger entry 2"), "{}", err.message());
    reg.stop().await;
}

/// Checkpoints are stored at most once per interval whatever the check
/// rate: checks answered against twenty tree sizes store none between
/// ticks, yet each receipt's signed checkpoint is proven consistent with
/// the next stored one.
async fn checkpoints_are_stored_once_per_interval_and_receipts_prove_against_them() {
    let reg = TestRegistry::start_with(|c| c.audit.checkpoint_interval_secs = 3600).await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let keys = registry_keys(&mut a).await;
    let stored = |a: &mut AuditClient| {
        let mut a = a.clone();
        async move { a.list_checkpoints(pb::ListCheckpointsRequest::default()).await.unwrap().into_inner().checkpoints.len() }
    };
    let before = stored(&mut a).await;
    let mut heads = Vec::new();
    for i in 0..20 {
        record(&mut w, CODES[i % 4], &format!("市监罚〔2026〕{}号", 700 + i), 1000).await;
        let request = pb::CheckEligibilityRequest { uscc: CODES[i % 4].into(), domain: GP as i32, ..Default::default() };
        let receipt = buyer.check_eligibility(request).await.unwrap().into_inner().receipt.unwrap();
        let body = verify_receipt(&receipt.encode_to_vec(), &keys).expect("the receipt verifies");
        heads.push(verify_checkpoint(body.checkpoint.as_ref().unwrap(), &keys).expect("its checkpoint is signed"));
    }
    assert_eq!(stored(&mut a).await, before, "no checkpoint stored per tree size a check was answered against");
    let later = checkpoint(&mut a, &keys).await;
    assert_eq!(stored(&mut a).await, before + 1);
    for head in &heads {
        let (first, second) = (head.tree_size, later.tree_size);
        let path = a
            .get_consistency_proof(pb::GetConsistencyProofRequest { first_tree_size: first, second_tree_size: second })
            .await
            .unwrap()
            .into_inner()
            .hashes;
        let path: Vec<Hash> = path.iter().map(|h| hash(h)).collect();
        assert!(verify_consistency(first as u64, second as u64, &hash(&head.root_hash), &hash(&later.root_hash), &path));
    }
    reg.stop().await;
}

/// Runs the `creditregistry` command on the registry's store and data.
fn command(reg: &TestRegistry, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .args(args)
        .env("CREDITREGISTRY_DATA_DIR", reg.dir.path())
        .env("CREDITREGISTRY_DATABASE_URL", reg.config.database_url())
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Polls the store until `done` holds for its segments.
async fn segments_until(
    reg: &TestRegistry,
    done: impl Fn(&[creditregistry::store::StoredSegment]) -> bool,
) -> Vec<creditregistry::store::StoredSegment> {
    let store = creditregistry::store::Store::open_existing(&reg.config.database_url(), &Default::default()).await.unwrap();
    for _ in 0..100 {
        let segments = store.audit().segments().await.unwrap();
        if done(&segments) {
            store.close().await;
            return segments;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the segments never got there: {:?}", store.audit().segments().await.unwrap());
}

/// A segment's life: sealed with a signed head a checkpoint commits to,
/// exported to a file that verifies alone (and fails once an entry in it
/// is changed), removed from the live store after the retention period,
/// named by `ListChecks` instead of its checks, and the live store still
/// verifies from the segment's head on.
async fn a_segment_is_sealed_exported_removed_and_both_still_verify() {
    let reg = TestRegistry::start_with(|c| {
        c.audit.segment_hours = 0;
        c.audit.check_log_retention_days = 0;
        c.audit.checkpoint_interval_secs = 1;
    })
    .await;
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let keys = registry_keys(&mut a).await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    for code in &CODES[..4] {
        buyer
            .check_eligibility(pb::CheckEligibilityRequest { uscc: (*code).into(), domain: GP as i32, ..Default::default() })
            .await
            .unwrap();
    }
    let sealed = segments_until(&reg, |s| s.first().is_some_and(|s| s.last_sequence >= 4)).await;
    let first = &sealed[0];
    let head = creditregistry::ledger::signing::verify_segment_head(
        &pb::SignedCheckSegmentHead {
            head: first.head.clone(),
            key_id: first.key_id.clone(),
            signature: first.signature.clone(),
        },
        &keys,
    )
    .expect("the segment head is signed");
    assert_eq!((head.number, head.first_sequence), (1, 1));
    let signed = checkpoint(&mut a, &keys).await;
    assert!(signed.sealed_segments >= 1);
    assert_eq!(signed.segment_head_hash.len(), 32, "the checkpoint commits to the newest segment head");

    // Exported, the file verifies alone; an entry changed in it does not.
    let archive = tempfile::tempdir().unwrap();
    let (ok, output) = command(&reg, &["export-checks", "--segment", "1", "--dir", archive.path().to_str().unwrap()]);
    assert!(ok, "{output}");
    let file = archive.path().join("check-segment-000001.gz");
    let (ok, output) = command(&reg, &["verify", "--segment-file", file.to_str().unwrap()]);
    assert!(ok && output.contains("verifies"), "{output}");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap()), &mut bytes).unwrap();
    let at = bytes.windows(10).position(|w| w == b"platform-1").expect("a caller in the file");
    bytes[at + 9] = b'2';
    let forged = archive.path().join("forged.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&forged).unwrap(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &bytes).unwrap();
    gz.finish().unwrap();
    let (ok, output) = command(&reg, &["verify", "--segment-file", forged.to_str().unwrap()]);
    assert!(!ok && output.contains("do not chain"), "{output}");
    // Another gzip member after the segment's, which other readers would
    // read on into; and a missing file, which does not stop the others.
    let padded = archive.path().join("padded.gz");
    let mut more = std::fs::read(&file).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, b"\x05hello").unwrap();
    more.extend(gz.finish().unwrap());
    std::fs::write(&padded, more).unwrap();
    let missing = archive.path().join("missing.gz");
    let (ok, output) = command(
        &reg,
        &[
            "verify",
            "--segment-file",
            padded.to_str().unwrap(),
            "--segment-file",
            missing.to_str().unwrap(),
            "--segment-file",
            file.to_str().unwrap(),
        ],
    );
    assert!(!ok && output.contains("bytes follow the segment's gzip stream"), "{output}");
    assert!(output.contains("cannot open it") && output.contains("000001.gz: segment 1"), "{output}");
    let (ok, output) = command(&reg, &["export-checks", "--segment", "9", "--dir", archive.path().to_str().unwrap()]);
    assert!(!ok && output.contains("there is no sealed check-log segment 9"), "{output}");
    let left: Vec<_> = std::fs::read_dir(archive.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.iter().all(|name| !name.to_string_lossy().contains("partial")), "a failed export leaves nothing: {left:?}");

    // Retention zero: it leaves the live store at the next checkpoint.
    segments_until(&reg, |s| s[0].removed_at.is_some()).await;
    let answer = a.list_checks(pb::ListChecksRequest::default()).await.unwrap().into_inner();
    assert!(answer.checks.iter().all(|c| c.sequence as u64 > first.last_sequence), "its checks are not answered as live");
    assert_eq!(answer.removed_segments.len(), 1, "ListChecks names the segment instead");
    assert_eq!(answer.removed_segments[0].head, first.head);
    let before = pb::ListChecksRequest { checked_until: head.first_checked_at, ..Default::default() };
    assert_eq!(a.list_checks(before).await.unwrap().into_inner().removed_segments.len(), 1);

    // The log goes on, and the live store verifies from the segment's head.
    buyer
        .check_eligibility(pb::CheckEligibilityRequest { uscc: CODES[0].into(), domain: GP as i32, ..Default::default() })
        .await
        .unwrap();
    checkpoint(&mut a, &keys).await;
    let (ok, output) = verify_command(&reg);
    assert!(ok, "{output}");
    reg.stop().await;
}

on_both_backends!(
    a_segment_is_sealed_exported_removed_and_both_still_verify,
    checkpoints_are_stored_once_per_interval_and_receipts_prove_against_them,
    a_record_that_no_longer_decodes_is_data_loss,
    receipts_verify_offline_and_any_changed_byte_fails,
    verify_checks_the_columns_reads_select_by_and_notices_a_missing_checkpoint,
    verify_notices_a_deleted_record,
    verify_names_the_record_whose_stored_bytes_were_edited,
    every_record_is_proven_in_a_signed_checkpoint_and_checkpoints_are_consistent,
    history_shows_every_record_with_who_when_and_its_standing_as_known_then,
    the_check_log_answers_who_asked_about_whom_and_chains,
    statistics_count_spot_checks_and_penalties_by_category_region_and_period,
    verify_finds_nothing_wrong_with_a_registry_that_keeps_writing_and_checking,
    a_new_signing_key_keeps_old_checkpoints_verifiable_through_the_retired_key,
    checks_answered_together_share_one_signature_and_each_receipt_verifies_alone,
);
