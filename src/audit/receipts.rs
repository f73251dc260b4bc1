//! The receipt signer: receipts signed in batches, one signature over
//! their Merkle root.

use prost::Message;
use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::ledger::signing::RegistryKey;
use crate::proto::convert::timestamp_to_wire;
use crate::proto::pb;
use crate::store::StoreError;

/// An encoded receipt body and who waits for its receipt.
type ReceiptJob = (Vec<u8>, oneshot::Sender<pb::Receipt>);

/// Most receipts signed together.
const RECEIPTS_PER_SIGNATURE: usize = 1024;

/// Rounds of other tasks a batch waits for more bodies, while they come.
const GATHER_ROUNDS: usize = 8;

/// The receipt signer's queue.
#[derive(Clone)]
pub(super) struct ReceiptSigner {
    queue: mpsc::Sender<ReceiptJob>,
}

impl ReceiptSigner {
    /// Starts the signer's task, signing with `key` at `clock`'s time.
    pub(super) fn start(key: RegistryKey, clock: Clock) -> ReceiptSigner {
        let (queue, to_sign) = mpsc::channel(RECEIPTS_PER_SIGNATURE);
        tokio::spawn(sign_receipts(key, clock, to_sign));
        ReceiptSigner { queue }
    }

    /// Signs a receipt body together with the others waiting: see
    /// `sign_receipts`.
    pub(super) async fn sign(&self, body: &pb::ReceiptBody) -> Result<pb::Receipt, StoreError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Stopped("the receipt signer");
        self.queue.send((body.encode_to_vec(), reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

/// Signs receipts in batches: it takes every body waiting (up to
/// `RECEIPTS_PER_SIGNATURE`); when the last batch held more than one, so
/// that checks are running side by side, it lets the other tasks run while
/// more bodies arrive (at most `GATHER_ROUNDS` turns, no timer), then
/// signs them all with one signature over their Merkle root and answers
/// each with its inclusion path. A lone check is signed at once. A receipt
/// waits at most for the round under way when it arrives and its own: two
/// rounds of at most 1,024 bodies, a few milliseconds.
async fn sign_receipts(key: RegistryKey, clock: Clock, mut rx: mpsc::Receiver<ReceiptJob>) {
    let mut jobs = Vec::with_capacity(RECEIPTS_PER_SIGNATURE);
    let mut last = 0;
    while rx.recv_many(&mut jobs, RECEIPTS_PER_SIGNATURE).await > 0 {
        if last > 1 {
            for _ in 0..GATHER_ROUNDS {
                tokio::task::yield_now().await;
                let before = jobs.len();
                while jobs.len() < RECEIPTS_PER_SIGNATURE
                    && let Ok(job) = rx.try_recv()
                {
                    jobs.push(job);
                }
                if jobs.len() == before || jobs.len() == RECEIPTS_PER_SIGNATURE {
                    break;
                }
            }
        }
        last = jobs.len();
        let (bodies, replies): (Vec<_>, Vec<_>) = jobs.drain(..).unzip();
        let receipts = key.sign_receipts(bodies, timestamp_to_wire(clock.now()));
        for (receipt, reply) in receipts.into_iter().zip(replies) {
            let _ = reply.send(receipt);
        }
    }
}
