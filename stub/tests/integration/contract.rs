//! Contract tests: the generated client against the stub started
//! in-process on 127.0.0.1:0. Success paths assert the stored state
//! afterwards; each documented error comes back as a typed client error.

use humm_config_client::{Client, Error, types as client_types};
use humm_config_stub::types;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::*;

type ErrorBody = client_types::HttpErrorDetailOrHttpValidationError;

fn typed_error<T: std::fmt::Debug>(result: Result<T, Error<ErrorBody>>, status: u16) -> ErrorBody {
    match result {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status(), status);
            response.into_inner()
        }
        other => panic!("expected a typed {status}, got {other:?}"),
    }
}

#[tokio::test]
async fn list_filters_in_a_stable_order() {
    let (stub, client) = stub().await;
    let all = client.list_saas_associations().source_id(uuid(HUBSPOT)).send().await.unwrap().into_inner();
    let expected: Vec<Uuid> =
        stub.store().snapshot().iter().filter(|a| a.integration_source_id == uuid(HUBSPOT)).map(|a| a.id).collect();
    assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), expected);
    assert!(all.len() >= 3);

    let inferred = client
        .list_saas_associations()
        .source_id(uuid(HUBSPOT))
        .type_(client_types::RelationshipType::Inferred)
        .send()
        .await
        .unwrap();
    assert!(!inferred.is_empty());
    assert!(inferred.iter().all(|a| a.relationship_type == client_types::RelationshipType::Inferred));

    let approved_sf = client
        .list_saas_associations()
        .source_id(uuid(SALESFORCE))
        .status(client_types::AssociationStatus::Approved)
        .send()
        .await
        .unwrap();
    assert!(
        approved_sf
            .iter()
            .all(|a| a.status == client_types::AssociationStatus::Approved
                && a.integration_source_id == uuid(SALESFORCE))
    );
    let from = all[0].from_object_id;
    let by_from = client.list_saas_associations().source_id(uuid(HUBSPOT)).from_object_id(from).send().await.unwrap();
    assert!(by_from.iter().all(|a| a.from_object_id == from) && !by_from.is_empty());
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn update_merges_what_is_sent_then_list_shows_it() {
    let (stub, client) = stub().await;
    let before = first_of(&stub, HUBSPOT);
    let updated = client
        .update_saas_association()
        .source_id(uuid(HUBSPOT))
        .association_id(before.id)
        .body(
            client_types::SaasAssociationUpdate::builder()
                .status(client_types::AssociationStatus::Rejected)
                .score(0.25),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.status, client_types::AssociationStatus::Rejected);
    assert_eq!(updated.score, Some(0.25));
    assert_eq!(updated.association_label, before.association_label, "fields left out stay");
    assert!(updated.updated_at > before.updated_at);
    assert_eq!(updated.created_at, before.created_at);

    let stored = stub.store().snapshot().into_iter().find(|a| a.id == before.id).unwrap();
    assert_eq!(stored.status, types::AssociationStatus::Rejected);
    assert_eq!(stored.score, Some(0.25));
    let listed = client
        .list_saas_associations()
        .source_id(uuid(HUBSPOT))
        .status(client_types::AssociationStatus::Rejected)
        .send()
        .await
        .unwrap();
    assert!(listed.iter().any(|a| a.id == before.id));
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn bulk_status_applies_to_all_or_none() {
    let (stub, client) = stub().await;
    let ids: Vec<Uuid> =
        stub.store().snapshot().iter().filter(|a| a.integration_source_id == uuid(SALESFORCE)).map(|a| a.id).collect();
    let answer = client
        .bulk_update_saas_association_status()
        .source_id(uuid(SALESFORCE))
        // an id repeated (not next to itself) counts once
        .body(
            client_types::SaasAssociationBulkStatusUpdate::builder()
                .association_ids([ids.clone(), vec![ids[0]]].concat())
                .status(client_types::AssociationStatus::Approved),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.get("updated"), Some(&json!(ids.len())));
    assert_eq!(answer.get("association_ids"), Some(&json!(ids)));
    assert!(
        stub.store()
            .snapshot()
            .iter()
            .filter(|a| ids.contains(&a.id))
            .all(|a| a.status == types::AssociationStatus::Approved)
    );

    let before = state(&stub);
    let unknown = Uuid::nil();
    let result = client
        .bulk_update_saas_association_status()
        .source_id(uuid(SALESFORCE))
        .body(
            client_types::SaasAssociationBulkStatusUpdate::builder()
                .association_ids(vec![ids[0], unknown])
                .status(client_types::AssociationStatus::Rejected),
        )
        .send()
        .await;
    match typed_error(result, 404) {
        ErrorBody::ErrorDetail(e) => assert!(e.detail.contains(&unknown.to_string()), "{}", e.detail),
        other => panic!("{other:?}"),
    }
    assert_eq!(state(&stub), before, "nothing changed");
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_association_is_a_typed_404() {
    let (stub, client) = stub().await;
    let before = state(&stub);
    // exists, but under the other source
    let other = first_of(&stub, SALESFORCE);
    let result = client
        .update_saas_association()
        .source_id(uuid(HUBSPOT))
        .association_id(other.id)
        .body(client_types::SaasAssociationUpdate::builder().status(client_types::AssociationStatus::Approved))
        .send()
        .await;
    match typed_error(result, 404) {
        ErrorBody::ErrorDetail(e) => assert!(e.detail.contains("not found"), "{}", e.detail),
        other => panic!("{other:?}"),
    }
    assert_eq!(state(&stub), before);
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn wrong_or_missing_token_is_a_typed_401() {
    let (stub, _) = stub().await;
    let wrong = Client::with_bearer_token(&stub.url(), "nope").unwrap();
    let result = wrong.list_saas_associations().source_id(uuid(HUBSPOT)).send().await;
    assert!(matches!(typed_error(result, 401), ErrorBody::ErrorDetail(_)));
    let anonymous = Client::new(&stub.url());
    let raw =
        reqwest::get(format!("{}/api/integration-sources/{HUBSPOT}/saas-associations", stub.url())).await.unwrap();
    assert_eq!(raw.status(), 401);
    assert_eq!(raw.headers()["www-authenticate"], "Bearer");
    let result = anonymous.list_saas_associations().source_id(uuid(HUBSPOT)).send().await;
    match typed_error(result, 401) {
        ErrorBody::ErrorDetail(e) => assert_eq!(e.detail, "Not authenticated"),
        other => panic!("{other:?}"),
    }
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn empty_bulk_list_is_a_typed_422() {
    let (stub, client) = stub().await;
    let before = state(&stub);
    let result = client
        .bulk_update_saas_association_status()
        .source_id(uuid(HUBSPOT))
        .body(
            client_types::SaasAssociationBulkStatusUpdate::builder()
                .association_ids(Vec::<Uuid>::new())
                .status(client_types::AssociationStatus::Approved),
        )
        .send()
        .await;
    match typed_error(result, 422) {
        ErrorBody::ValidationError(e) => {
            assert_eq!(e.detail[0].loc.len(), 2);
            assert_eq!(e.detail[0].type_, "too_short");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(state(&stub), before);
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn the_published_document_lists_every_operation_of_the_spec() {
    let published = humm_config_stub::openapi();
    let spec: Value = serde_json::from_str(include_str!("../../../openapi.json")).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert_eq!(published["paths"][path][method]["operationId"], op["operationId"], "{method} {path}");
        }
    }
}
