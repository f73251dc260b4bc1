//! The draw store.

use super::*;
use creditregistry::domain::rules::supervision::InspectionDraw;

pub(crate) async fn a_draw_is_kept_once_per_request<S: Backend>() {
    let Fresh { store, dir: _dir, .. } = S::fresh().await;
    let draw = InspectionDraw {
        id: "draw-1".into(),
        region_prefix: "3101".into(),
        seed: vec![1, 2, 3],
        evaluated_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        policy_version: "2026.1".into(),
        drawn_at: Utc.timestamp_nanos(1_780_000_000_123_456_789),
        drawn_by: "regulator-1".into(),
        request_id: "req-1".into(),
        tree_size: 42,
        sampled: CODES.iter().map(|c| Uscc::parse(c).unwrap()).collect(),
    };
    assert_eq!(store.save_draw(&draw).await.unwrap(), draw);
    let again = InspectionDraw { id: "draw-2".into(), seed: vec![9], ..draw.clone() };
    assert_eq!(store.save_draw(&again).await.unwrap(), draw, "the same request answers with the first draw");
    assert_eq!(store.draw("draw-1").await.unwrap(), Some(draw.clone()));
    assert_eq!(store.draw("draw-2").await.unwrap(), None);
    Backend::close(&store).await;
}
