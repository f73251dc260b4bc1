//! The draw store: inspection draws (双随机抽查) kept as made, so a draw
//! can be shown again and verified.

use std::future::Future;

use super::{Store, StoreError};
use crate::domain::rules::supervision::InspectionDraw;

/// What every backend's draw store does. The contract suite
/// (`tests/store_contract/`) runs the same tests against each.
pub trait DrawStore: Sync {
    /// Keeps a draw; if the caller already made one with the same request
    /// id, returns that one instead.
    fn save_draw(&self, draw: &InspectionDraw) -> impl Future<Output = Result<InspectionDraw, StoreError>> + Send;

    /// A kept draw by id.
    fn draw(&self, id: &str) -> impl Future<Output = Result<Option<InspectionDraw>, StoreError>> + Send;
}

/// The draw store of the configured backend (`Store::draws`): a cheap
/// clone, each call in a `tracing` span of its own.
#[derive(Clone, Debug)]
pub struct Draws(pub(super) Store);

impl DrawStore for Draws {
    #[tracing::instrument(name = "store.save_draw", level = "debug", skip_all, fields(draw_id = %draw.id))]
    async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        dispatch!(&self.0, s => s.save_draw(draw).await)
    }

    #[tracing::instrument(name = "store.draw", level = "debug", skip_all, fields(draw_id = id))]
    async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        dispatch!(&self.0, s => s.draw(id).await)
    }
}
