//! Enforcement writes and credit-file reads over real gRPC.

mod common;

use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;
use pb::record::Body;
use tonic::Code;
use tonic_types::StatusExt;

async fn a_penalty_is_committed_and_shows_in_the_profile() {
    let reg = TestRegistry::start().await;
    let mut writer = reg.enforcement().await;
    let out = writer
        .record_penalty(penalty_request("req-1", " 9131-0115 ma1k3btp2b ", penalty("沪市监处〔2026〕1号", 5_000_000)))
        .await
        .unwrap()
        .into_inner();
    let record = out.record.unwrap();
    assert!(!out.idempotent_replay);
    assert_eq!(record.sequence, 1);
    assert_eq!(record.uscc, "91310115MA1K3BTP2B", "the code is stored normalised");
    assert_eq!(record.authority, AUTHORITY);
    assert_eq!(record.actor, "officer-1");
    assert!(record.recorded_at.is_some());

    let mut reader = reg.procurement().await;
    let p = profile(&mut reader, "91310115MA1K3BTP2B").await;
    assert_eq!(p.status, pb::ProfileStatus::HasRecords as i32);
    assert_eq!(p.total_records, 1);
    assert_eq!(p.latest_sequence, 1);
    let entry = &p.records[0];
    assert_eq!(entry.status, pb::RecordStatus::InEffect as i32);
    let shown = entry.record.as_ref().unwrap();
    assert_eq!(shown.record_id, record.record_id);
    match shown.body.as_ref().unwrap() {
        Body::Penalty(p) => {
            assert_eq!(p.fine_fen, 5_000_000);
            assert_eq!(p.decision_number, "沪市监处〔2026〕1号");
        }
        other => panic!("expected a penalty, got {other:?}"),
    }
    reg.stop().await;
}

async fn an_entity_with_no_records_says_so() {
    let reg = TestRegistry::start().await;
    let p = profile(&mut reg.procurement().await, "91110000600037341L").await;
    assert_eq!(p.status, pb::ProfileStatus::NoRecords as i32);
    assert_eq!(p.total_records, 0);
    assert!(p.records.is_empty() && p.current_listings.is_empty());
    assert_eq!(p.evaluated_on, date(today()));
    reg.stop().await;
}

async fn every_record_kind_is_accepted() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = "91340600MA2PBM9HXD";

    let p1 = w.record_penalty(penalty_request("", uscc, penalty("P-1", 100))).await.unwrap().into_inner().record.unwrap();
    let p2 = w.record_penalty(penalty_request("", uscc, penalty("P-2", 200))).await.unwrap().into_inner().record.unwrap();
    let revocation = w
        .correct_penalty(pb::CorrectPenaltyRequest {
            request_id: String::new(),
            correction: Some(pb::PenaltyCorrection {
                penalty_record_id: p1.record_id.clone(),
                r#type: pb::CorrectionType::Revocation as i32,
                ground: pb::CorrectionGround::Reconsideration as i32,
                decision_number: "复议〔2026〕7号".into(),
                decided_on: date(days_ago(5)),
                amended_penalty: None,
                reason: "事实不清".into(),
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .record
        .unwrap();
    assert_eq!(revocation.uscc, uscc, "a correction takes its entity from the penalty");
    let mut amended = penalty("P-2", 50);
    amended.severity = pb::SeverityTier::Minor as i32;
    w.correct_penalty(pb::CorrectPenaltyRequest {
        request_id: String::new(),
        correction: Some(pb::PenaltyCorrection {
            penalty_record_id: p2.record_id.clone(),
            r#type: pb::CorrectionType::Amendment as i32,
            ground: pb::CorrectionGround::CourtRuling as i32,
            decision_number: "(2026)沪0115行初1号".into(),
            decided_on: date(days_ago(2)),
            amended_penalty: Some(amended),
            reason: String::new(),
        }),
    })
    .await
    .unwrap();
    w.record_spot_check(pb::RecordSpotCheckRequest {
        request_id: String::new(),
        uscc: uscc.into(),
        spot_check: Some(pb::SpotCheck {
            report_number: "SC-2026-001".into(),
            category: pb::Category::ProductQuality as i32,
            product: "电线".into(),
            product_class: "电线电缆".into(),
            batch: "B1".into(),
            outcome: pb::SpotCheckOutcome::Fail as i32,
            checked_on: date(days_ago(3)),
            failed_items: vec!["导体电阻".into()],
            party_name: String::new(),
            legal_representative: String::new(),
        }),
    })
    .await
    .unwrap();
    w.record_commendation(pb::RecordCommendationRequest {
        request_id: String::new(),
        uscc: uscc.into(),
        commendation: Some(pb::Commendation {
            decision_number: "AWARD-1".into(),
            kind: pb::CommendationKind::GovernmentQualityAward as i32,
            title: "市长质量奖".into(),
            awarded_on: date(days_ago(100)),
            valid_until: None,
            party_name: String::new(),
            legal_representative: String::new(),
        }),
    })
    .await
    .unwrap();
    let lists = [
        (pb::ListType::AbnormalOperations, None),
        (pb::ListType::SeriousIllegalDishonest, Some(36)),
        (pb::ListType::QualityBlacklist, Some(24)),
        (pb::ListType::ProcurementDebarment, Some(24)),
        (pb::ListType::BiddingDisqualification, Some(12)),
        (pb::ListType::RedList, None),
    ];
    let mut listing_ids = Vec::new();
    for (i, (list_type, months)) in lists.iter().enumerate() {
        let start = days_ago(10);
        let end = months.map(|m| start.checked_add_months(chrono::Months::new(m)).unwrap().pred_opt().unwrap());
        let r = w
            .record_listing(pb::RecordListingRequest {
                request_id: String::new(),
                uscc: uscc.into(),
                listing: Some(listing(*list_type, &format!("L-{i}"), start, end)),
            })
            .await
            .unwrap_or_else(|e| panic!("{list_type:?}: {e:?}"))
            .into_inner()
            .record
            .unwrap();
        listing_ids.push(r.record_id);
    }
    w.remove_listing(pb::RemoveListingRequest {
        request_id: String::new(),
        removal: Some(pb::Removal {
            listing_record_id: listing_ids[0].clone(),
            reason: pb::RemovalReason::Cured as i32,
            removed_on: date(days_ago(1)),
            decision_number: String::new(),
            explanation: "已补报年报".into(),
        }),
    })
    .await
    .unwrap();

    let public = profile(&mut reg.procurement().await, uscc).await;
    let p = profile(&mut reg.auditor().await, uscc).await;
    assert_eq!(p.total_records, 13);
    assert!(public.records.iter().all(|e| e.public), "procurement sees only public records");
    assert!(
        !public.records.iter().any(|e| e.record.as_ref().unwrap().record_id == p1.record_id),
        "a revoked penalty is not shown to procurement"
    );
    let status_of = |id: &str| p.records.iter().find(|e| e.record.as_ref().unwrap().record_id == id).unwrap().status;
    assert_eq!(status_of(&p1.record_id), pb::RecordStatus::Revoked as i32);
    assert_eq!(status_of(&p2.record_id), pb::RecordStatus::Amended as i32);
    assert_eq!(status_of(&listing_ids[0]), pb::RecordStatus::Ended as i32);
    assert_eq!(status_of(&listing_ids[1]), pb::RecordStatus::InEffect as i32);
    assert_eq!(p.current_listings.len(), 5, "all but the cured abnormal-operations entry");
    reg.stop().await;
}

async fn a_repeated_request_returns_the_original_record() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let req = penalty_request("same-id", CODES[0], penalty("P-9", 1));
    let first = w.record_penalty(req.clone()).await.unwrap().into_inner();
    let again = w.record_penalty(req).await.unwrap().into_inner();
    assert!(again.idempotent_replay);
    assert_eq!(again.record, first.record);

    // Same decision number, no request id: still the original.
    let by_number = w.record_penalty(penalty_request("", CODES[0], penalty("P-9", 1))).await.unwrap().into_inner();
    assert!(by_number.idempotent_replay);
    assert_eq!(by_number.record, first.record);

    // A repeat is caught by a commit that fails and is undone: the ledger
    // takes the next record as before.
    let next = w.record_penalty(penalty_request("next-id", CODES[0], penalty("P-10", 1))).await.unwrap().into_inner();
    assert!(!next.idempotent_replay);

    let p = profile(&mut reg.procurement().await, CODES[0]).await;
    assert_eq!(p.total_records, 2, "no twin was written");
    reg.stop().await;
}

async fn a_conflicting_reuse_is_already_exists_naming_the_record() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let first =
        w.record_penalty(penalty_request("id-1", CODES[0], penalty("P-1", 1))).await.unwrap().into_inner().record.unwrap();

    let err = w.record_penalty(penalty_request("id-1", CODES[0], penalty("P-2", 1))).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(reason(&err), "REQUEST_ID_REUSED");
    assert!(err.message().contains(&first.record_id), "{}", err.message());
    let info = tonic_types::StatusExt::get_error_details(&err).error_info().cloned().unwrap();
    assert_eq!(info.metadata.get("existing_record_id"), Some(&first.record_id));

    let err = w.record_penalty(penalty_request("id-2", CODES[1], penalty("P-1", 1))).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(reason(&err), "DECISION_NUMBER_REUSED");
    assert!(err.message().contains(&first.record_id));

    // Another authority may use the same decision number.
    let other = reg.records(&reg.token("officer-2", &[creditregistry::auth::Role::Enforcement], Some(OTHER_AUTHORITY))).await;
    other.clone().record_penalty(penalty_request("id-1", CODES[0], penalty("P-1", 1))).await.unwrap();

    let p = profile(&mut reg.procurement().await, CODES[0]).await;
    assert_eq!(p.total_records, 2);
    reg.stop().await;
}

async fn impossible_input_is_refused_with_nothing_written() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = CODES[2];

    let mut p = penalty("P-1", 0);
    p.category = 99;
    p.sanctions.push(42);
    let err = w.record_penalty(penalty_request("", uscc, p)).await.unwrap_err();
    assert_violation(&err, "penalty.category", "99 is not a known value");
    assert_violation(&err, "penalty.sanctions[1]", "42 is not a known value");

    let mut p = penalty("P-1", -5);
    p.legal_basis = " ".into();
    let err = w.record_penalty(penalty_request("", uscc, p)).await.unwrap_err();
    assert_violation(&err, "penalty.fine_fen", "must not be negative, got -5");
    assert_violation(&err, "penalty.legal_basis", "is required");

    let mut p = penalty("P-1", 0);
    p.category = 0;
    let err = w.record_penalty(penalty_request("", uscc, p)).await.unwrap_err();
    assert_violation(&err, "penalty.category", "is required");

    let mut p = penalty("P-1", 0);
    p.decided_on = date(today() + chrono::Duration::days(2));
    let err = w.record_penalty(penalty_request("", uscc, p)).await.unwrap_err();
    assert_violation(&err, "penalty.decided_on", "is in the future");

    let mut p = penalty("P-1", 0);
    p.decided_on = Some(creditregistry::proto::google::r#type::Date { year: 2026, month: 2, day: 30 });
    let err = w.record_penalty(penalty_request("", uscc, p)).await.unwrap_err();
    assert_violation(&err, "penalty.decided_on", "2026-02-30 is not a valid calendar date");

    let err = w.record_penalty(pb::RecordPenaltyRequest { uscc: uscc.into(), ..Default::default() }).await.unwrap_err();
    assert_violation(&err, "penalty", "is required");

    let err = w.record_penalty(penalty_request("", "91310115MA1K3BTP2C", penalty("P-1", 0))).await.unwrap_err();
    assert_violation(&err, "uscc", "check character 18 is 'C', expected 'B'");

    let err = w.record_penalty(penalty_request("has space", uscc, penalty("P-1", 0))).await.unwrap_err();
    assert_violation(&err, "request_id", "printable ASCII");

    // End before start, and a term longer than the law allows.
    let start = days_ago(10);
    let err = w
        .record_listing(pb::RecordListingRequest {
            request_id: String::new(),
            uscc: uscc.into(),
            listing: Some(listing(pb::ListType::ProcurementDebarment, "L-1", start, Some(start - chrono::Duration::days(1)))),
        })
        .await
        .unwrap_err();
    assert_violation(&err, "listing.planned_end", "is before listed_on");
    let err = w
        .record_listing(pb::RecordListingRequest {
            request_id: String::new(),
            uscc: uscc.into(),
            listing: Some(listing(
                pb::ListType::ProcurementDebarment,
                "L-1",
                start,
                Some(start + chrono::Duration::days(4 * 365)),
            )),
        })
        .await
        .unwrap_err();
    assert_violation(&err, "listing.planned_end", "longer than the maximum of 36 months");
    let mut l = listing(pb::ListType::SeriousIllegalDishonest, "L-1", start, None);
    l.abnormal_ground = pb::AbnormalGround::FalseInformation as i32;
    let err = w
        .record_listing(pb::RecordListingRequest { request_id: String::new(), uscc: uscc.into(), listing: Some(l) })
        .await
        .unwrap_err();
    assert_violation(&err, "listing.planned_end", "is required");
    assert_violation(&err, "listing.abnormal_ground", "applies only to the abnormal-operations list");

    let err = w
        .record_spot_check(pb::RecordSpotCheckRequest {
            request_id: String::new(),
            uscc: uscc.into(),
            spot_check: Some(pb::SpotCheck {
                report_number: "R".into(),
                category: pb::Category::FoodSafety as i32,
                product: "奶粉".into(),
                outcome: pb::SpotCheckOutcome::Fail as i32,
                checked_on: date(today()),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_violation(&err, "spot_check.failed_items", "at least one failed item");

    let p = profile(&mut reg.procurement().await, uscc).await;
    assert_eq!(p.status, pb::ProfileStatus::NoRecords as i32, "nothing was written");
    reg.stop().await;
}

async fn removals_must_name_a_listing_of_the_callers_own_authority() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = CODES[3];
    let start = days_ago(400);
    let debarment = w
        .record_listing(pb::RecordListingRequest {
            request_id: String::new(),
            uscc: uscc.into(),
            listing: Some(listing(pb::ListType::ProcurementDebarment, "GP-1", start, Some(start + chrono::Duration::days(729)))),
        })
        .await
        .unwrap()
        .into_inner()
        .record
        .unwrap();
    let penalty_record =
        w.record_penalty(penalty_request("", uscc, penalty("P-1", 1))).await.unwrap().into_inner().record.unwrap();

    // A malformed record id is bad input; a well-formed unknown one is not found.
    let err = w.remove_listing(removal("no-such-record", pb::RemovalReason::Revoked, today())).await.unwrap_err();
    assert_violation(&err, "removal.listing_record_id", "not a record id");
    let unknown = "01a2059c-5236-73df-b2e5-44c888f9a4ba";
    let err = w.remove_listing(removal(unknown, pb::RemovalReason::Revoked, today())).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(reason(&err), "RECORD_NOT_FOUND");
    assert!(err.message().contains("removal.listing_record_id"), "{}", err.message());

    let err = w.remove_listing(removal(&penalty_record.record_id, pb::RemovalReason::Revoked, today())).await.unwrap_err();
    assert_violation(&err, "removal.listing_record_id", "is a penalty, not a listing");

    let mut other = reg.records(&reg.token("officer-9", &[creditregistry::auth::Role::Enforcement], Some(OTHER_AUTHORITY))).await;
    let err = other.remove_listing(removal(&debarment.record_id, pb::RemovalReason::Revoked, today())).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert_eq!(reason(&err), "OTHER_AUTHORITY");

    // The rules that end a listing are preconditions on the listing, not
    // malformed input: FAILED_PRECONDITION with the rule cited.
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::Cured, today())).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REMOVAL_NOT_ALLOWED"), "{err:?}");
    assert!(err.message().contains("is not a way to leave"), "{}", err.message());
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::TermEnded, today())).await.unwrap_err();
    assert_not_yet(&err, "REMOVAL_NOT_ALLOWED", start + chrono::Duration::days(730));
    let err = w
        .remove_listing(removal(&debarment.record_id, pb::RemovalReason::Revoked, start - chrono::Duration::days(1)))
        .await
        .unwrap_err();
    assert_not_yet(&err, "REMOVAL_NOT_ALLOWED", start);

    let removed = w
        .remove_listing(removal(&debarment.record_id, pb::RemovalReason::Revoked, today()))
        .await
        .unwrap()
        .into_inner()
        .record
        .unwrap();
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::Revoked, today())).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains(&removed.record_id), "{}", err.message());

    let p = profile(&mut reg.auditor().await, uscc).await;
    assert_eq!(p.total_records, 3);
    assert!(p.current_listings.is_empty());
    reg.stop().await;
}

async fn corrections_follow_the_same_rules() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let original = w.record_penalty(penalty_request("", CODES[4], penalty("P-1", 1))).await.unwrap().into_inner().record.unwrap();
    let correction = |id: &str, decided_on| pb::CorrectPenaltyRequest {
        request_id: String::new(),
        correction: Some(pb::PenaltyCorrection {
            penalty_record_id: id.into(),
            r#type: pb::CorrectionType::Revocation as i32,
            ground: pb::CorrectionGround::SelfCorrection as i32,
            decided_on: date(decided_on),
            ..Default::default()
        }),
    };
    let err = w.correct_penalty(correction(&original.record_id, days_ago(60))).await.unwrap_err();
    assert_not_yet(&err, "CORRECTION_NOT_ALLOWED", days_ago(30));

    let mut other = reg.records(&reg.token("officer-9", &[creditregistry::auth::Role::Enforcement], Some(OTHER_AUTHORITY))).await;
    let err = other.correct_penalty(correction(&original.record_id, today())).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);

    w.correct_penalty(correction(&original.record_id, today())).await.unwrap();
    let err = w.correct_penalty(correction(&original.record_id, today())).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(reason(&err), "RECORD_CLOSED");
    reg.stop().await;
}

async fn records_page_in_ledger_order() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    for i in 0..7 {
        w.record_penalty(penalty_request("", CODES[5], penalty(&format!("P-{i}"), i))).await.unwrap();
    }
    let mut reader = reg.procurement().await;
    let mut token = String::new();
    let mut seen = Vec::new();
    loop {
        let page = reader
            .list_records(pb::ListRecordsRequest { uscc: CODES[5].into(), page_size: 3, page_token: token, ..Default::default() })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(page.total_size, 7);
        seen.extend(page.records.iter().map(|e| e.record.as_ref().unwrap().sequence));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, (1..=7).collect::<Vec<i64>>());
    let err = reader
        .list_records(pb::ListRecordsRequest {
            uscc: CODES[5].into(),
            page_size: -1,
            page_token: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_violation(&err, "page_size", "must not be negative");
    assert_violation(&err, "page_token", "not a token");

    let got = reader.get_record(pb::GetRecordRequest { record_id: "nope".into(), ..Default::default() }).await.unwrap_err();
    assert_violation(&got, "record_id", "not a record id");
    let unknown = "01a2059c-5236-73df-b2e5-44c888f9a4ba".to_string();
    let got = reader.get_record(pb::GetRecordRequest { record_id: unknown.clone(), ..Default::default() }).await.unwrap_err();
    assert_eq!(got.code(), Code::NotFound);
    // Other spellings of a UUID are not record ids, rather than "no record".
    for other in [unknown.to_uppercase(), format!("{{{unknown}}}"), unknown.replace('-', ""), format!("urn:uuid:{unknown}")] {
        let got = reader.get_record(pb::GetRecordRequest { record_id: other, ..Default::default() }).await.unwrap_err();
        assert_violation(&got, "record_id", "not a record id");
    }
    reg.stop().await;
}

async fn concurrent_writes_are_group_committed_without_gaps() {
    let reg = TestRegistry::start().await;
    let w = reg.enforcement().await;
    let writes = (0..200).map(|i| {
        let mut w = w.clone();
        tokio::spawn(async move {
            w.record_penalty(penalty_request(&format!("c-{i}"), CODES[i % 6], penalty(&format!("C-{i}"), i as i64)))
                .await
                .map(|r| r.into_inner().record.unwrap().sequence)
        })
    });
    let mut sequences = Vec::new();
    for w in writes {
        sequences.push(w.await.unwrap().expect("write"));
    }
    sequences.sort();
    assert_eq!(sequences, (1..=200).collect::<Vec<i64>>());
    reg.stop().await;
}

async fn a_restart_rebuilds_the_index_and_loses_nothing() {
    let mut reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let first = w.record_penalty(penalty_request("r-1", CODES[0], penalty("P-1", 1))).await.unwrap().into_inner().record.unwrap();
    let start = days_ago(5);
    w.record_listing(pb::RecordListingRequest {
        request_id: "r-2".into(),
        uscc: CODES[0].into(),
        listing: Some(listing(pb::ListType::QualityBlacklist, "B-1", start, Some(start + chrono::Duration::days(365)))),
    })
    .await
    .unwrap();
    let before = profile(&mut reg.procurement().await, CODES[0]).await;

    reg.restart().await;

    let after = profile(&mut reg.procurement().await, CODES[0]).await;
    assert_eq!(after, before);
    let mut w = reg.enforcement().await;
    let replay = w.record_penalty(penalty_request("r-1", CODES[0], penalty("P-1", 1))).await.unwrap().into_inner();
    assert!(replay.idempotent_replay, "idempotency keys survive a restart");
    assert_eq!(replay.record.unwrap(), first);
    let next = w.record_penalty(penalty_request("r-3", CODES[0], penalty("P-3", 1))).await.unwrap().into_inner().record.unwrap();
    assert_eq!(next.sequence, 3, "the ledger continues where it stopped");
    reg.stop().await;
}

async fn repeats_sent_at_once_replay_the_one_record_whichever_batch_they_land_in() {
    // Each round sends a penalty and, at once, its repeats (same request id;
    // same decision number under another request id): they land in the
    // same batch, the next one, or one looked up while the penalty was
    // still committing. Every repeat must be a replay of the one record,
    // and a correction sent after it must find it.
    let reg = TestRegistry::start().await;
    let w = reg.enforcement().await;
    for round in 0..20 {
        let number = format!("R-{round}");
        let send = |request_id: String| {
            let mut w = w.clone();
            let p = penalty_request(&request_id, CODES[round % 6], penalty(&number, 100));
            tokio::spawn(async move { w.record_penalty(p).await.map(|r| r.into_inner()) })
        };
        let first = send(format!("p-{round}"));
        tokio::task::yield_now().await;
        let repeats: Vec<_> =
            (0..4).map(|i| send(if i % 2 == 0 { format!("p-{round}") } else { format!("p-{round}-again-{i}") })).collect();
        let first = first.await.unwrap().expect("first write");
        let original = first.record.unwrap();
        let mut c = w.clone();
        let correction = tokio::spawn({
            let id = original.record_id.clone();
            async move { c.correct_penalty(revocation(&id, &format!("X-{round}"), 0)).await }
        });
        let mut written = usize::from(!first.idempotent_replay);
        for r in repeats {
            let r = r.await.unwrap().expect("a repeat is answered");
            assert_eq!(r.record.as_ref(), Some(&original), "round {round}");
            written += usize::from(!r.idempotent_replay);
        }
        assert_eq!(written, 1, "round {round}: one of the five wrote the record, the others replayed it");
        correction.await.unwrap().expect("the correction finds its penalty");
    }
    let seen = profile(&mut reg.auditor().await, CODES[0]).await;
    assert_eq!(seen.total_records, 2 * 4, "one penalty and one correction per round of this entity");
    reg.stop().await;
}

#[tokio::test]
async fn decision_numbers_stored_by_record_id_still_find_their_record_after_the_migration() {
    use sqlx::{ConnectOptions, Executor};
    use std::str::FromStr;
    let mut reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let first = record_penalty(&mut w, CODES[0], penalty("P-1", 1)).await;
    reg.running.take().expect("running").stop().await.expect("clean stop");
    // Back to the table migration 6 replaced: the key points at the record id.
    let url = reg.config.database_url();
    let mut db = sqlx::sqlite::SqliteConnectOptions::from_str(&url).unwrap().connect().await.unwrap();
    for sql in [
        "DROP TABLE decision_numbers",
        "CREATE TABLE decision_numbers (authority TEXT NOT NULL, decision_number TEXT NOT NULL, \
         record_id TEXT NOT NULL REFERENCES ledger (record_id), PRIMARY KEY (authority, decision_number))",
        "INSERT INTO decision_numbers SELECT authority, 'P-1', record_id FROM ledger WHERE sequence = 1",
        "DELETE FROM schema_migrations WHERE version = 6",
    ] {
        db.execute(sql).await.unwrap();
    }
    drop(db);
    reg.running = Some(creditregistry::server::start(&reg.config).await.expect("server restarts"));
    let mut w = reg.enforcement().await;
    let again = w.record_penalty(penalty_request("another-request", CODES[0], penalty("P-1", 1))).await.unwrap().into_inner();
    assert!(again.idempotent_replay, "the decision number is found through the migrated key");
    assert_eq!(again.record.unwrap(), first);
    reg.stop().await;
}

/// The index snapshot the registry writes beside its ledger when it stops.
fn snapshot_path(reg: &TestRegistry) -> std::path::PathBuf {
    creditregistry::snapshot::path_for(&reg.config.database_url()).expect("a SQLite store has a snapshot path")
}

#[tokio::test]
async fn a_restart_from_a_snapshot_older_than_the_ledger_reads_the_rest_from_the_ledger() {
    let mut reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    w.record_penalty(penalty_request("r-1", CODES[0], penalty("P-1", 1))).await.unwrap();
    reg.restart().await;
    let older = std::fs::read(snapshot_path(&reg)).expect("a snapshot was written at stop");
    let mut w = reg.enforcement().await;
    w.record_penalty(penalty_request("r-2", CODES[0], penalty("P-2", 2))).await.unwrap();
    w.record_penalty(penalty_request("r-3", CODES[1], penalty("P-3", 3))).await.unwrap();
    let before = (profile(&mut reg.procurement().await, CODES[0]).await, profile(&mut reg.procurement().await, CODES[1]).await);

    // As after a crash: the snapshot holds only the first record.
    reg.running.take().unwrap().stop().await.unwrap();
    std::fs::write(snapshot_path(&reg), &older).unwrap();
    reg.running = Some(creditregistry::server::start(&reg.config).await.unwrap());

    let after = (profile(&mut reg.procurement().await, CODES[0]).await, profile(&mut reg.procurement().await, CODES[1]).await);
    assert_eq!(after, before);
    let next = reg.enforcement().await.record_penalty(penalty_request("r-4", CODES[1], penalty("P-4", 4))).await.unwrap();
    assert_eq!(next.into_inner().record.unwrap().sequence, 4);
    reg.stop().await;
}

/// What the index answers of an entity (a risk assessment is read from the
/// index's facts, a profile from the store): its explanation names the
/// penalty's decision number.
async fn assessed(reg: &TestRegistry, uscc: &str) -> String {
    let mut regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let request = pb::GetRiskAssessmentRequest { uscc: uscc.into(), ..Default::default() };
    format!("{:?}", regulator.get_risk_assessment(request).await.unwrap().into_inner().assessment.unwrap())
}

#[tokio::test]
async fn a_snapshot_that_differs_from_the_ledger_is_not_used() {
    use sha2::{Digest, Sha256};
    let mut reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    w.record_penalty(penalty_request("r-1", CODES[0], penalty("P-100", 100_000))).await.unwrap();
    let before = (profile(&mut reg.procurement().await, CODES[0]).await, assessed(&reg, CODES[0]).await);
    assert!(before.1.contains("P-100"), "{}", before.1);
    reg.running.take().unwrap().stop().await.unwrap();

    // One byte of the facts changed and the checksum made to match: the
    // registry key's signature no longer does.
    let path = snapshot_path(&reg);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(5).position(|w| w == b"P-100").expect("the decision number in the snapshot");
    bytes[at + 2] = b'9';
    let body = bytes.len() - 32 - 64;
    let sum = Sha256::digest(&bytes[..body]);
    bytes[body..body + 32].copy_from_slice(&sum);
    std::fs::write(&path, &bytes).unwrap();
    reg.running = Some(creditregistry::server::start(&reg.config).await.unwrap());
    let after = (profile(&mut reg.procurement().await, CODES[0]).await, assessed(&reg, CODES[0]).await);
    assert_eq!(after, before, "rebuilt from the ledger");

    // A snapshot cut short is refused too.
    reg.running.take().unwrap().stop().await.unwrap();
    let whole = std::fs::read(&path).unwrap();
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    reg.running = Some(creditregistry::server::start(&reg.config).await.unwrap());
    assert_eq!(assessed(&reg, CODES[0]).await, before.1);
    reg.stop().await;
}

async fn read_your_writes_waits_only_for_known_sequences() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let r = w.record_penalty(penalty_request("", CODES[0], penalty("P-1", 1))).await.unwrap().into_inner().record.unwrap();
    let mut reader = reg.procurement().await;
    let p = reader
        .get_profile(pb::GetProfileRequest { uscc: CODES[0].into(), min_sequence: r.sequence, ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(p.total_records, 1);
    let mut request =
        tonic::Request::new(pb::GetProfileRequest { uscc: CODES[0].into(), min_sequence: 99, ..Default::default() });
    request.set_timeout(std::time::Duration::from_secs(10));
    let err = reader.get_profile(request).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    assert_eq!(reason(&err), "NOT_CAUGHT_UP");
    reg.stop().await;
}

/// Profiles show whole records (texts too) read from the store, and one
/// read again after a write shows the write, with the cache of credit
/// files on (the default) and off.
async fn a_profile_read_again_after_a_write_shows_the_write_with_its_texts() {
    for cache_mib in [64, 0] {
        let reg = TestRegistry::start_with(|c| c.record_cache_mib = cache_mib).await;
        let mut w = reg.enforcement().await;
        let mut reader = reg.procurement().await;
        w.record_penalty(penalty_request("r-1", CODES[0], penalty("P-1", 1))).await.unwrap();
        assert_eq!(profile(&mut reader, CODES[0]).await.total_records, 1);
        let second = w.record_penalty(penalty_request("r-2", CODES[0], penalty("P-2", 2))).await.unwrap().into_inner();
        let sequence = second.record.unwrap().sequence;
        let p = reader
            .get_profile(pb::GetProfileRequest { uscc: CODES[0].into(), min_sequence: sequence, ..Default::default() })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(p.total_records, 2, "cache {cache_mib} MiB");
        let Some(Body::Penalty(newest)) = p.records[0].record.as_ref().and_then(|r| r.body.clone()) else {
            panic!("the newest record is the penalty: {p:?}")
        };
        assert_eq!(newest, penalty("P-2", 2), "the whole penalty, texts too");
        reg.stop().await;
    }
}

/// One rule for every "not yet allowed on this date" refusal (a removal, a
/// repair sought or granted, a grade change, a correction): the request is
/// well formed but the world does not yet allow it, so FAILED_PRECONDITION
/// with its kind's reason and the first day it is allowed in the ErrorInfo
/// metadata `allowed_from`. Refusals that no date would lift carry none.
async fn every_too_early_refusal_names_the_first_day_it_is_allowed() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let months = |d: chrono::NaiveDate, m: u32| d.checked_add_months(chrono::Months::new(m)).unwrap();
    let day_after = |d: chrono::NaiveDate| d.succ_opt().unwrap();

    let start = days_ago(10);
    let end = months(start, 24);
    let debarment = record_listing(&mut w, CODES[1], listing(pb::ListType::ProcurementDebarment, "D-1", start, Some(end))).await;
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::TermEnded, today())).await.unwrap_err();
    assert_not_yet(&err, "REMOVAL_NOT_ALLOWED", day_after(end));
    assert!(err.message().contains("REMOVAL_REASON_TERM_ENDED"), "{}", err.message());
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::TermEnded, days_ago(11))).await.unwrap_err();
    assert_not_yet(&err, "REMOVAL_NOT_ALLOWED", day_after(end));
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::Revoked, days_ago(11))).await.unwrap_err();
    assert_not_yet(&err, "REMOVAL_NOT_ALLOWED", start);
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::Cured, today())).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REMOVAL_NOT_ALLOWED"), "{err:?}");
    assert!(err.get_error_details().error_info().unwrap().metadata.is_empty(), "no date lifts it: {err:?}");

    let mut tax = reg.records(&reg.token("tax-1", &[Role::Enforcement], Some("TAX-440800"))).await;
    let published = days_ago(30);
    let violator = record_listing(
        &mut tax,
        CODES[2],
        listing(pb::ListType::MajorTaxViolator, "T-1", published, Some(months(published, 36))),
    )
    .await;
    let err = tax.remove_listing(removal(&violator.record_id, pb::RemovalReason::Cured, today())).await.unwrap_err();
    assert_not_yet(&err, "REMOVAL_NOT_ALLOWED", day_after(months(published, 6)));

    let listed = days_ago(400);
    let serious = record_listing(
        &mut w,
        CODES[3],
        listing(pb::ListType::SeriousIllegalDishonest, "S-1", listed, Some(months(listed, 36).pred_opt().unwrap())),
    )
    .await;
    let application = |applied_on| pb::RequestRepairRequest {
        request_id: String::new(),
        application: Some(pb::RepairApplication {
            target_record_id: serious.record_id.clone(),
            applied_on: date(applied_on),
            statement: "已整改".into(),
        }),
    };
    let err = w.request_repair(application(months(listed, 12))).await.unwrap_err();
    assert_not_yet(&err, "REPAIR_NOT_ALLOWED", day_after(months(listed, 12)));
    // Sought before the listing itself: too early as well, not a closed record.
    let err = w.request_repair(application(listed.pred_opt().unwrap())).await.unwrap_err();
    assert_not_yet(&err, "REPAIR_NOT_ALLOWED", day_after(months(listed, 12)));
    let applied = w.request_repair(application(days_ago(10))).await.unwrap().into_inner().record.unwrap();
    let err = w
        .decide_repair(pb::DecideRepairRequest {
            request_id: String::new(),
            decision: Some(pb::RepairDecision {
                application_record_id: applied.record_id.clone(),
                outcome: pb::RepairOutcome::Granted as i32,
                decided_on: date(days_ago(11)),
                decision_number: "修复〔2026〕1号".into(),
                reason: String::new(),
            }),
        })
        .await
        .unwrap_err();
    assert_not_yet(&err, "REPAIR_NOT_ALLOWED", days_ago(10));

    let evaluated = days_ago(100);
    let grade = w
        .record_grade(pb::RecordGradeRequest {
            request_id: String::new(),
            uscc: CODES[4].into(),
            grade: Some(pb::Grade {
                scheme: "quality_credit".into(),
                level: "A".into(),
                decision_number: "QC-1".into(),
                evaluated_on: date(evaluated),
                valid_until: date(months(evaluated, 24)),
                grounds: "年度评价".into(),
                legal_basis: "GB/T 31863-2015".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .record
        .unwrap();
    for (kind, level) in [(pb::GradeChangeType::Downgrade, "C"), (pb::GradeChangeType::Revocation, "")] {
        let err = w
            .change_grade(pb::ChangeGradeRequest {
                request_id: String::new(),
                change: Some(pb::GradeChange {
                    grade_record_id: grade.record_id.clone(),
                    r#type: kind as i32,
                    level: level.into(),
                    decided_on: date(days_ago(101)),
                    decision_number: String::new(),
                    reason: "复核".into(),
                }),
            })
            .await
            .unwrap_err();
        assert_not_yet(&err, "GRADE_CHANGE_NOT_ALLOWED", evaluated);
    }

    let penalty_record = record_penalty(&mut w, CODES[5], penalty("P-1", cny(1_000))).await;
    let err = w.correct_penalty(revocation(&penalty_record.record_id, "撤销〔2026〕1号", 31)).await.unwrap_err();
    assert_not_yet(&err, "CORRECTION_NOT_ALLOWED", days_ago(30));
    reg.stop().await;
}

/// Messages name values as a client writes them: enum values by their
/// protobuf names, roles as a token's claim writes them, never a Rust name.
async fn messages_name_values_as_clients_write_them() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let rust_names = ["TermEnded", "Revoked]", "Auditor", "Procurement", "Confiscation", "LicenceRevocation", "InEffect"];
    let quotes_no_rust_name = |text: &str| rust_names.iter().all(|n| !text.contains(n));

    let listed = days_ago(10);
    let debarment = record_listing(
        &mut w,
        CODES[1],
        listing(
            pb::ListType::ProcurementDebarment,
            "D-1",
            listed,
            Some(listed.checked_add_months(chrono::Months::new(24)).unwrap()),
        ),
    )
    .await;
    let err = w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::Cured, today())).await.unwrap_err();
    assert!(
        err.message().contains("REMOVAL_REASON_CURED is not a way to leave")
            && err.message().contains("allowed: REMOVAL_REASON_TERM_ENDED, REMOVAL_REASON_REVOKED;"),
        "{}",
        err.message()
    );
    assert!(quotes_no_rust_name(err.message()), "{}", err.message());

    let mut audit = reg.audit("platform-1", &[Role::Procurement]).await;
    let err = audit.list_checks(pb::ListChecksRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    assert!(
        err.message().contains("needs one of the roles auditor;") && err.message().contains("has procurement"),
        "{}",
        err.message()
    );
    assert!(quotes_no_rust_name(err.message()), "{}", err.message());

    let twice = pb::Penalty {
        sanctions: vec![pb::Sanction::Confiscation as i32, pb::Sanction::Confiscation as i32],
        ..penalty("P-2", 1)
    };
    let err = w.record_penalty(penalty_request("", CODES[2], twice)).await.unwrap_err();
    assert_violation(&err, "penalty.sanctions[1]", "SANCTION_CONFISCATION is listed twice");
    let minor = pb::Penalty {
        severity: pb::SeverityTier::Minor as i32,
        sanctions: vec![pb::Sanction::LicenceRevocation as i32],
        ..penalty("P-3", 1)
    };
    let err = w.record_penalty(penalty_request("", CODES[2], minor)).await.unwrap_err();
    assert!(
        violations(&err)
            .iter()
            .any(|(_, d)| d.contains("SANCTION_LICENCE_REVOCATION is not a minor") && d.contains("SEVERITY_TIER_GENERAL")),
        "{:?}",
        violations(&err)
    );
    assert!(violations(&err).iter().all(|(_, d)| quotes_no_rust_name(d)), "{:?}", violations(&err));

    let revoked = record_penalty(&mut w, CODES[3], penalty("P-4", 1)).await;
    w.correct_penalty(revocation(&revoked.record_id, "撤销〔2026〕2号", 1)).await.unwrap();
    let err = w
        .request_repair(pb::RequestRepairRequest {
            request_id: String::new(),
            application: Some(pb::RepairApplication {
                target_record_id: revoked.record_id.clone(),
                applied_on: date(today()),
                statement: "已整改".into(),
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert!(err.message().contains("RECORD_STATUS_REVOKED"), "{}", err.message());
    reg.stop().await;
}

on_both_backends!(
    a_penalty_is_committed_and_shows_in_the_profile,
    an_entity_with_no_records_says_so,
    every_record_kind_is_accepted,
    a_repeated_request_returns_the_original_record,
    a_conflicting_reuse_is_already_exists_naming_the_record,
    impossible_input_is_refused_with_nothing_written,
    removals_must_name_a_listing_of_the_callers_own_authority,
    corrections_follow_the_same_rules,
    records_page_in_ledger_order,
    concurrent_writes_are_group_committed_without_gaps,
    a_restart_rebuilds_the_index_and_loses_nothing,
    repeats_sent_at_once_replay_the_one_record_whichever_batch_they_land_in,
    read_your_writes_waits_only_for_known_sequences,
    a_profile_read_again_after_a_write_shows_the_write_with_its_texts,
    every_too_early_refusal_names_the_first_day_it_is_allowed,
    messages_name_values_as_clients_write_them,
);
