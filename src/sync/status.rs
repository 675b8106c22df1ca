//! The sync state a store keeps in its records, and [`status`]: per peer, the last bundle sent
//! and received, and when.

use serde::{Deserialize, Serialize};

use super::{decode, Error, RECEIVED, SENT};
use crate::store::DataValueStore;

/// What a store sent to one destination (record `sync-sent`, id: the destination's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentState {
    /// The last bundle's sequence number.
    pub sequence: u64,
    /// The store's last change number that bundle covered.
    pub changes_through: u64,
    /// When it was made.
    pub created: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// What a store received from one source (record `sync-received`, id: the source store id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedState {
    /// The last bundle applied.
    pub sequence: u64,
    /// Its SHA-256.
    pub sha256: String,
    /// When it was applied.
    pub applied: String,
    /// This store's last change number once it was applied: the district's rows changed above
    /// it changed since the last exchange (the conflict pre-pass reads them).
    pub change_mark: u64,
    /// The name the source gave this store (the bundle's destination).
    pub destination: String,
    /// Sequences never applied (skipped when a gap was allowed).
    #[serde(default)]
    pub missing: Vec<u64>,
}

/// Which way a peer's bundles went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Bundles this store made for the peer (a destination name).
    Sent,
    /// Bundles this store applied from the peer (a source store id).
    Received,
}

/// One peer's line of [`SyncStatus`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerStatus {
    /// The destination's name (sent) or the source's store id (received).
    pub peer: String,
    /// Sent or received.
    pub direction: Direction,
    /// The last sequence number sent or applied.
    pub sequence: u64,
    /// When it was made (sent) or applied (received).
    pub at: String,
    /// Sent: the store's last change number the bundle covered. Received: this store's change
    /// number once it was applied.
    pub change: u64,
    /// Received: sequences never applied (a gap allowed).
    pub missing: Vec<u64>,
}

/// A store's sync state: its id and its peers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// The store's id (what its bundles name as their source).
    pub store_id: String,
    /// The peers: destinations sent to (by name), then sources received from (by store id).
    pub peers: Vec<PeerStatus>,
}

/// Reads `store`'s sync state.
pub fn status<S: DataValueStore + ?Sized>(store: &mut S) -> Result<SyncStatus, Error> {
    let store_id = store.store_id()?;
    let mut peers = Vec::new();
    let mut bad = None;
    store.records(SENT, &mut |id, body| {
        match decode::<SentState>(SENT, id, body) {
            Ok(s) => peers.push(PeerStatus {
                peer: id.to_owned(),
                direction: Direction::Sent,
                sequence: s.sequence,
                at: s.created,
                change: s.changes_through,
                missing: Vec::new(),
            }),
            Err(e) => bad = bad.take().or(Some(e)),
        }
        Ok(())
    })?;
    store.records(RECEIVED, &mut |id, body| {
        match decode::<ReceivedState>(RECEIVED, id, body) {
            Ok(r) => peers.push(PeerStatus {
                peer: id.to_owned(),
                direction: Direction::Received,
                sequence: r.sequence,
                at: r.applied,
                change: r.change_mark,
                missing: r.missing,
            }),
            Err(e) => bad = bad.take().or(Some(e)),
        }
        Ok(())
    })?;
    match bad {
        Some(e) => Err(e),
        None => Ok(SyncStatus { store_id, peers }),
    }
}

/// The sent state for `destination`, if a bundle was made for it.
pub(super) fn sent_state<S: DataValueStore + ?Sized>(
    store: &mut S,
    destination: &str,
) -> Result<Option<SentState>, Error> {
    match store.record(SENT, destination)? {
        Some(body) => decode(SENT, destination, &body).map(Some),
        None => Ok(None),
    }
}

/// The received state for `source`, if a bundle from it was applied.
pub(super) fn received_state<S: DataValueStore + ?Sized>(
    store: &mut S,
    source: &str,
) -> Result<Option<ReceivedState>, Error> {
    match store.record(RECEIVED, source)? {
        Some(body) => decode(RECEIVED, source, &body).map(Some),
        None => Ok(None),
    }
}
