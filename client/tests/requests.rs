//! What the generated client puts on the wire, and how it reads answers,
//! checked against a one-shot HTTP server on 127.0.0.1 that records each
//! request and answers with a canned response; also answers of a newer
//! service than the spec the client was generated from (an enum value, a
//! property, a status it does not know).

use humm_config_client::{Client, Error, types};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use uuid::Uuid;

const SOURCE: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
const ASSOCIATION: &str = "0b2f7c1e-58a4-4d7e-9b8e-2f4f3f1d6a10";

/// One request as it arrived.
#[derive(Debug)]
struct Recorded {
    method: String,
    /// path and query, as sent
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// Serves one request with `status` and `body`, and hands back what came in.
async fn answer_once(status: u16, body: Value) -> (String, tokio::task::JoinHandle<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let head_end = loop {
            let mut chunk = [0u8; 4096];
            let n = socket.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before the request head ended");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap().split(' ');
        let method = request_line.next().unwrap().to_string();
        let target = request_line.next().unwrap().to_string();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.trim().to_string(), v.trim().to_string())
            })
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        let mut request_body = buf[head_end..].to_vec();
        while request_body.len() < length {
            let mut chunk = [0u8; 4096];
            let n = socket.read(&mut chunk).await.unwrap();
            request_body.extend_from_slice(&chunk[..n]);
        }
        let response = serde_json::to_vec(&body).unwrap();
        let reason = match status {
            200 => "OK",
            203 => "Non-Authoritative Information",
            409 => "Conflict",
            401 => "Unauthorized",
            404 => "Not Found",
            422 => "Unprocessable Entity",
            _ => "Other",
        };
        let mut head = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
            response.len()
        );
        if status == 401 {
            head.push_str("www-authenticate: Bearer\r\n");
        }
        head.push_str("\r\n");
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(&response).await.unwrap();
        socket.shutdown().await.unwrap();
        Recorded { method, target, headers, body: request_body }
    });
    (url, task)
}

fn association(status: &str) -> Value {
    json!({
        "integration_source_id": SOURCE,
        "from_object_id": "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e",
        "to_object_id": "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "association_type_id": "279",
        "association_label": "Contact to Company",
        "id": ASSOCIATION,
        "created_at": "2026-01-05T10:00:00Z",
        "updated_at": "2026-01-06T11:30:00Z",
        "status": status,
        "score": 0.87,
        "is_active": true
    })
}

fn client(url: &str) -> Client {
    Client::with_bearer_token(url, "s3cret").unwrap()
}

fn uuid(s: &str) -> Uuid {
    s.parse().unwrap()
}

#[tokio::test]
async fn update_sends_method_path_query_body_and_headers() {
    let (url, server) = answer_once(200, association("APPROVED")).await;
    let org = uuid("11111111-2222-4333-8444-555555555555");
    let updated = client(&url)
        .update_saas_association()
        .source_id(uuid(SOURCE))
        .association_id(uuid(ASSOCIATION))
        .organization_id(org)
        .body(
            types::SaasAssociationUpdate::builder()
                .status(types::AssociationStatus::Approved)
                .score(0.5)
                .association_label("Contact to Company".to_string()),
        )
        .send()
        .await
        .expect("a 200 is Ok");
    let request = server.await.unwrap();
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.target,
        format!("/api/integration-sources/{SOURCE}/saas-associations/{ASSOCIATION}?organization_id={org}")
    );
    assert_eq!(request.header("authorization"), Some("Bearer s3cret"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("user-agent"), Some(humm_config_client::USER_AGENT));
    // fields left out are not sent at all
    assert_eq!(request.json(), json!({"association_label": "Contact to Company", "score": 0.5, "status": "APPROVED"}));
    assert_eq!(updated.status(), 200);
    assert_eq!(updated.status, types::AssociationStatus::Approved);
    assert_eq!(updated.id, uuid(ASSOCIATION));
    assert_eq!(updated.score, Some(0.87));
}

#[tokio::test]
async fn list_sends_filters_including_the_type_keyword() {
    let (url, server) = answer_once(200, json!([association("SUGGESTED")])).await;
    let list = client(&url)
        .list_saas_associations()
        .source_id(uuid(SOURCE))
        .type_(types::RelationshipType::Inferred)
        .status(types::AssociationStatus::Suggested)
        .send()
        .await
        .unwrap();
    let request = server.await.unwrap();
    assert_eq!(request.method, "GET");
    let (path, query) = request.target.split_once('?').expect("a query");
    assert_eq!(path, format!("/api/integration-sources/{SOURCE}/saas-associations"));
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort();
    assert_eq!(pairs, ["status=SUGGESTED", "type=INFERRED"]);
    assert!(request.body.is_empty());
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].relationship_type, types::RelationshipType::ForeignKey, "the default applies");
}

#[tokio::test]
async fn bulk_status_posts_the_body() {
    let (url, server) = answer_once(200, json!({"updated": 1})).await;
    let ids = vec![uuid(ASSOCIATION)];
    let answer = client(&url)
        .bulk_update_saas_association_status()
        .source_id(uuid(SOURCE))
        .body(
            types::SaasAssociationBulkStatusUpdate::builder()
                .association_ids(ids)
                .status(types::AssociationStatus::Rejected),
        )
        .send()
        .await
        .unwrap();
    let request = server.await.unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, format!("/api/integration-sources/{SOURCE}/saas-associations/bulk-status"));
    assert_eq!(request.json(), json!({"association_ids": [ASSOCIATION], "status": "REJECTED"}));
    assert_eq!(answer.into_inner().get("updated"), Some(&json!(1)));
}

async fn update_error(status: u16, body: Value) -> types::HttpErrorDetailOrHttpValidationError {
    let (url, _server) = answer_once(status, body).await;
    let result = client(&url)
        .update_saas_association()
        .source_id(uuid(SOURCE))
        .association_id(uuid(ASSOCIATION))
        .body(types::SaasAssociationUpdate::default())
        .send()
        .await;
    match result {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status(), status);
            response.into_inner()
        }
        other => panic!("expected a typed error response, got {other:?}"),
    }
}

#[tokio::test]
async fn not_found_is_typed() {
    match update_error(404, json!({"detail": "SaaS association not found"})).await {
        types::HttpErrorDetailOrHttpValidationError::ErrorDetail(e) => {
            assert_eq!(e.detail, "SaaS association not found");
        }
        other => panic!("404 read as {other:?}"),
    }
}

#[tokio::test]
async fn unauthenticated_is_typed() {
    match update_error(401, json!({"detail": "Not authenticated"})).await {
        types::HttpErrorDetailOrHttpValidationError::ErrorDetail(e) => assert_eq!(e.detail, "Not authenticated"),
        other => panic!("401 read as {other:?}"),
    }
}

#[tokio::test]
async fn validation_error_is_typed() {
    let body = json!({"detail": [{"loc": ["body", "score"], "msg": "Input should be a valid number", "type": "float_parsing", "input": "x"}]});
    match update_error(422, body).await {
        types::HttpErrorDetailOrHttpValidationError::ValidationError(e) => {
            assert_eq!(e.detail.len(), 1);
            assert_eq!(e.detail[0].type_, "float_parsing");
            assert_eq!(e.detail[0].msg, "Input should be a valid number");
            assert_eq!(e.detail[0].loc.len(), 2);
        }
        other => panic!("422 read as {other:?}"),
    }
}

#[test]
fn tokens_that_cannot_be_headers_are_refused() {
    assert!(matches!(
        Client::with_bearer_token("http://127.0.0.1:1", "bad\ntoken"),
        Err(humm_config_client::BuildError::InvalidToken)
    ));
}

#[tokio::test]
async fn update_keeps_left_out_and_null_apart() {
    let (url, server) = answer_once(200, association("SUGGESTED")).await;
    client(&url)
        .update_saas_association()
        .source_id(uuid(SOURCE))
        .association_id(uuid(ASSOCIATION))
        .body(types::SaasAssociationUpdate::builder().score(None::<f64>).status(types::AssociationStatus::Suggested))
        .send()
        .await
        .unwrap();
    let request = server.await.unwrap();
    // score sent as null, status as a value, everything else left out
    assert_eq!(request.json(), json!({"score": null, "status": "SUGGESTED"}));

    let parsed: types::SaasAssociationUpdate =
        serde_json::from_value(json!({"score": null, "status": "APPROVED"})).unwrap();
    assert_eq!(parsed.score, Some(None));
    assert_eq!(parsed.status, Some(Some(types::AssociationStatus::Approved)));
    assert_eq!(parsed.association_label, None);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), json!({"score": null, "status": "APPROVED"}));
}

/// The client is generated from a spec whose `AssociationStatus` is
/// SUGGESTED, APPROVED or REJECTED; a newer service answers `ARCHIVED`, with
/// a property the spec does not have.
fn from_a_newer_service() -> Value {
    let mut body = association("ARCHIVED");
    body["archived_at"] = json!("2026-02-01T09:00:00Z");
    body
}

#[tokio::test]
async fn a_new_enum_value_and_a_new_property_are_read() {
    let (url, _server) = answer_once(200, from_a_newer_service()).await;
    let updated = client(&url)
        .update_saas_association()
        .source_id(uuid(SOURCE))
        .association_id(uuid(ASSOCIATION))
        .body(types::SaasAssociationUpdate::default())
        .send()
        .await
        .expect("a newer service's answer decodes")
        .into_inner();
    assert_eq!(updated.status, types::AssociationStatus::Unknown("ARCHIVED".to_string()));
    assert_eq!(updated.status.to_string(), "ARCHIVED");
    assert_eq!(updated.id, uuid(ASSOCIATION));
    // the raw value goes back out unchanged; the unknown property is dropped
    assert_eq!(serde_json::to_value(&updated.status).unwrap(), json!("ARCHIVED"));
    let again = serde_json::to_value(&updated).unwrap();
    assert_eq!(again["status"], "ARCHIVED");
    assert_eq!(again.get("archived_at"), None);
    let reread: types::SaasAssociationResponse = serde_json::from_value(again).unwrap();
    assert_eq!(reread.status, updated.status);
    // known values still decode to their own variants
    let known: types::AssociationStatus = serde_json::from_value(json!("REJECTED")).unwrap();
    assert_eq!(known, types::AssociationStatus::Rejected);
    // parsing stays exact: a request is not built from a typo
    assert!("ARCHIVED".parse::<types::AssociationStatus>().is_err());
    assert!(types::AssociationStatus::try_from("APROVED").is_err());
}

#[tokio::test]
async fn new_values_in_a_list_are_read() {
    let (url, _server) = answer_once(200, json!([association("APPROVED"), from_a_newer_service()])).await;
    let list = client(&url).list_saas_associations().source_id(uuid(SOURCE)).send().await.unwrap().into_inner();
    let statuses: Vec<String> = list.iter().map(|a| a.status.to_string()).collect();
    assert_eq!(statuses, ["APPROVED", "ARCHIVED"]);
    assert_eq!(list[0].status, types::AssociationStatus::Approved);
}

#[tokio::test]
async fn an_unknown_value_is_sent_back_unchanged() {
    let (url, server) = answer_once(200, json!({"updated": 1})).await;
    client(&url)
        .bulk_update_saas_association_status()
        .source_id(uuid(SOURCE))
        .body(
            types::SaasAssociationBulkStatusUpdate::builder()
                .association_ids(vec![uuid(ASSOCIATION)])
                .status(types::AssociationStatus::Unknown("ARCHIVED".to_string())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(server.await.unwrap().json(), json!({"association_ids": [ASSOCIATION], "status": "ARCHIVED"}));
}

/// progenitor decodes only the statuses the spec lists: any other, a
/// success too, is `Error::UnexpectedResponse` with the whole response, so
/// that the caller can look at its status and read its body.
#[tokio::test]
async fn an_undocumented_status_is_an_error_to_inspect() {
    for status in [203, 409] {
        let (url, _server) = answer_once(status, from_a_newer_service()).await;
        let result = client(&url)
            .update_saas_association()
            .source_id(uuid(SOURCE))
            .association_id(uuid(ASSOCIATION))
            .body(types::SaasAssociationUpdate::default())
            .send()
            .await;
        let Err(Error::UnexpectedResponse(response)) = result else {
            panic!("{status} read as {result:?}");
        };
        assert_eq!(response.status(), status);
        assert_eq!(response.status().is_success(), status == 203);
        let body: types::SaasAssociationResponse = response.json().await.expect("the body is still readable");
        assert_eq!(body.status.to_string(), "ARCHIVED");
    }
}
