//! Concurrent load without loss: many updates and bulk status changes at
//! once (bounded: 8 workers × 60 requests, loopback only), then the final
//! state must be what the accepted requests imply, and no answer a 5xx.
//!
//! Each worker owns a few associations and changes only those, so their
//! final state follows from that worker's own accepted requests in order.
//! All workers also fight over one shared association: its final state must
//! be the answer with the latest `updated_at`, so no accepted update is lost
//! behind an older one.

use std::collections::BTreeMap;

use humm_config_client::{Client, types as client_types};
use humm_config_stub::{StubOptions, start, types};
use uuid::Uuid;

use crate::common::*;

const WORKERS: usize = 8;
const OWNED: usize = 4;
const REQUESTS: usize = 60;

/// What one worker expects of each association it owns.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    status: client_types::AssociationStatus,
    score: Option<f64>,
    label: String,
}

fn fixtures() -> Vec<types::SaasAssociationResponse> {
    let template = humm_config_stub::fixtures::default_fixtures().remove(0);
    (0..WORKERS * OWNED + 1)
        .map(|i| types::SaasAssociationResponse {
            id: Uuid::from_u128(0x1000 + i as u128),
            association_label: format!("association {i}"),
            ..template.clone()
        })
        .collect()
}

/// A small deterministic generator, so that a failure replays.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const STATUSES: [client_types::AssociationStatus; 3] = [
    client_types::AssociationStatus::Suggested,
    client_types::AssociationStatus::Approved,
    client_types::AssociationStatus::Rejected,
];

async fn worker(
    client: Client,
    source: Uuid,
    owned: Vec<Uuid>,
    shared: Uuid,
    w: usize,
) -> (BTreeMap<Uuid, Expected>, Vec<client_types::SaasAssociationResponse>) {
    let mut rng = Lcg(w as u64 + 1);
    let mut expected: BTreeMap<Uuid, Expected> = BTreeMap::new();
    let mut shared_answers = Vec::new();
    for i in 0..REQUESTS {
        match rng.next(4) {
            0 | 1 => {
                let id = owned[rng.next(owned.len())];
                let label = format!("w{w} r{i}");
                let score = (w * 1000 + i) as f64 / 10_000.0;
                let answer = client
                    .update_saas_association()
                    .source_id(source)
                    .association_id(id)
                    .body(client_types::SaasAssociationUpdate::builder().association_label(label.clone()).score(score))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("worker {w} update {i}: {e}"))
                    .into_inner();
                let e = expected.entry(id).or_insert_with(|| Expected {
                    status: answer.status.clone(),
                    score: None,
                    label: String::new(),
                });
                e.label = label;
                e.score = Some(score);
                assert_eq!(answer.status, e.status);
            }
            2 => {
                let status = STATUSES[rng.next(3)].clone();
                let ids: Vec<Uuid> = owned.iter().copied().filter(|_| rng.next(2) == 0).collect();
                let ids = if ids.is_empty() { vec![owned[0]] } else { ids };
                // every third bulk names an unknown id too: refused whole
                let refused = i % 3 == 0;
                let mut sent = ids.clone();
                if refused {
                    sent.push(Uuid::from_u128(0xdead_0000 + i as u128));
                }
                let result = client
                    .bulk_update_saas_association_status()
                    .source_id(source)
                    .body(
                        client_types::SaasAssociationBulkStatusUpdate::builder()
                            .association_ids(sent)
                            .status(status.clone()),
                    )
                    .send()
                    .await;
                match (refused, result) {
                    (false, Ok(_)) => {
                        for id in ids {
                            let current = client.list_saas_associations().source_id(source).send().await.unwrap();
                            let now = current.iter().find(|a| a.id == id).unwrap();
                            let e = expected.entry(id).or_insert_with(|| Expected {
                                status: status.clone(),
                                score: now.score,
                                label: now.association_label.clone(),
                            });
                            e.status = status.clone();
                        }
                    }
                    (true, Err(humm_config_client::Error::ErrorResponse(r))) => assert_eq!(r.status(), 404),
                    (refused, other) => panic!("worker {w} bulk {i} (refused: {refused}): {other:?}"),
                }
            }
            _ => {
                let answer = client
                    .update_saas_association()
                    .source_id(source)
                    .association_id(shared)
                    .body(client_types::SaasAssociationUpdate::builder().association_label(format!("shared w{w} r{i}")))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("worker {w} shared {i}: {e}"))
                    .into_inner();
                shared_answers.push(answer);
            }
        }
    }
    (expected, shared_answers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_lose_nothing() {
    let fixtures = fixtures();
    let source = fixtures[0].integration_source_id;
    let shared = fixtures.last().unwrap().id;
    let initial: BTreeMap<Uuid, types::SaasAssociationResponse> = fixtures.iter().map(|a| (a.id, a.clone())).collect();
    let stub = start(StubOptions { fixtures, token: Some(TOKEN.into()), ..Default::default() }).await.unwrap();
    let tasks: Vec<_> = (0..WORKERS)
        .map(|w| {
            let client = Client::with_bearer_token(&stub.url(), TOKEN).unwrap();
            let owned: Vec<Uuid> = (0..OWNED).map(|k| Uuid::from_u128(0x1000 + (w * OWNED + k) as u128)).collect();
            tokio::spawn(worker(client, source, owned, shared, w))
        })
        .collect();
    let mut expected = BTreeMap::new();
    let mut shared_answers = Vec::new();
    for task in tasks {
        let (e, s) =
            tokio::time::timeout(std::time::Duration::from_secs(60), task).await.expect("bounded in time").unwrap();
        expected.extend(e);
        shared_answers.extend(s);
    }

    let final_state: BTreeMap<Uuid, types::SaasAssociationResponse> =
        stub.store().snapshot().into_iter().map(|a| (a.id, a)).collect();
    assert_eq!(final_state.len(), initial.len(), "nothing created or lost");
    for (id, e) in &expected {
        let a = &final_state[id];
        assert_eq!(a.association_label, e.label, "{id}");
        assert_eq!(a.score, e.score, "{id}");
        assert_eq!(a.status.to_string(), e.status.to_string(), "{id}");
        assert!(a.updated_at > initial[id].updated_at, "{id}");
    }
    for (id, a) in &final_state {
        if !expected.contains_key(id) && *id != shared {
            assert_eq!(format!("{a:?}"), format!("{:?}", initial[id]), "untouched {id}");
        }
    }
    assert!(!shared_answers.is_empty());
    let latest = shared_answers.iter().max_by_key(|a| a.updated_at).unwrap();
    assert_eq!(
        final_state[&shared].association_label, latest.association_label,
        "the last applied update is the one kept"
    );
    let mut stamps: Vec<_> = shared_answers.iter().map(|a| a.updated_at).collect();
    stamps.sort();
    stamps.dedup();
    assert_eq!(stamps.len(), shared_answers.len(), "every update of the shared association got its own updated_at");
    stub.stop().await.unwrap();
}
