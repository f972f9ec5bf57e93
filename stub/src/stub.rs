//! The contract stub: [`HummConfigApi`] over an in-memory store.
//!
//! Decisions where the service's public docs are silent:
//!
//! - **Update merges what is sent.** A field left out, or sent as `null`,
//!   leaves the stored value unchanged (pydantic's `exclude_none`): the typed
//!   body cannot tell the two apart, and the response model cannot hold
//!   `null` in most of these fields anyway. `updated_at` is bumped on every
//!   successful update, strictly increasing.
//! - **Scope query parameters** (`organization_id`, `resource_id`, …) are
//!   accepted and validated as UUIDs, and otherwise ignored: they scope
//!   authorisation in the real service, which a stub does not model.
//! - **List order** is stable: by `created_at`, then `id`.
//! - **Bulk status** is all or nothing: every id must exist under the source,
//!   or the answer is 404 naming the first unknown id and nothing changes.
//!   `minItems: 1` on `association_ids` is enforced (422), since dropshot
//!   cannot express it. Its answer is `{"updated": n, "association_ids": [...]}`.
//! - **Authentication:** `Authorization: Bearer <token>` is required; a
//!   missing or malformed header is 401 `{"detail": "Not authenticated"}`.
//!   With a configured token, any other token is 401 too (compared in
//!   constant time).

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use dropshot::{HttpResponseOk, Path, Query, RequestContext, TypedBody};
use dropshot_codegen_runtime::ApiError;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use humm_config_api::{
    BulkUpdateSaasAssociationStatusPath, BulkUpdateSaasAssociationStatusQuery, HummConfigApi, ListSaasAssociationsPath,
    ListSaasAssociationsQuery, UpdateSaasAssociationPath, UpdateSaasAssociationQuery, types,
};

/// The associations, by (integration source, id).
#[derive(Debug, Default)]
pub struct Store {
    associations: Mutex<BTreeMap<(Uuid, Uuid), types::SaasAssociationResponse>>,
}

impl Store {
    pub fn new(fixtures: Vec<types::SaasAssociationResponse>) -> Self {
        let associations = fixtures.into_iter().map(|a| ((a.integration_source_id, a.id), a)).collect();
        Self { associations: Mutex::new(associations) }
    }

    /// Every association, in list order.
    pub fn snapshot(&self) -> Vec<types::SaasAssociationResponse> {
        let mut all: Vec<_> = self.lock().values().cloned().collect();
        sort(&mut all);
        all
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(Uuid, Uuid), types::SaasAssociationResponse>> {
        // a panic while holding the lock cannot leave a half-applied change:
        // every change is computed first and stored in one step
        self.associations.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn sort(all: &mut [types::SaasAssociationResponse]) {
    all.sort_by_key(|a| (a.created_at, a.id));
}

/// What every request handler sees.
#[derive(Debug)]
pub struct StubState {
    pub store: Store,
    /// The only bearer token accepted; any token when `None`.
    pub token: Option<String>,
}

impl StubState {
    fn authenticate(&self, rqctx: &RequestContext<StubState>) -> Result<(), ApiError> {
        let header = rqctx.request.headers().get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or_else(ApiError::not_authenticated)?;
        match &self.token {
            Some(expected) if !constant_time_eq(expected.as_bytes(), token.as_bytes()) => {
                Err(ApiError::message(401, "Invalid authentication credentials"))
            }
            _ => Ok(()),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // the length is not secret; the content is compared without early exit
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The stub's implementation of the generated trait.
pub enum StubImpl {}

impl HummConfigApi for StubImpl {
    type Context = StubState;

    async fn list_saas_associations(
        rqctx: RequestContext<StubState>,
        path: Path<ListSaasAssociationsPath>,
        query: Query<ListSaasAssociationsQuery>,
    ) -> Result<HttpResponseOk<Vec<types::SaasAssociationResponse>>, ApiError> {
        let cx = rqctx.context();
        cx.authenticate(&rqctx)?;
        let source = path.into_inner().source_id;
        let q = query.into_inner();
        let mut found: Vec<_> = cx
            .store
            .lock()
            .values()
            .filter(|a| a.integration_source_id == source)
            .filter(|a| q.from_object_id.is_none_or(|id| a.from_object_id == id))
            .filter(|a| q.to_object_id.is_none_or(|id| a.to_object_id == id))
            .filter(|a| q.status.is_none_or(|s| a.status == s))
            .filter(|a| q.type_.is_none_or(|t| a.relationship_type == t))
            .cloned()
            .collect();
        sort(&mut found);
        Ok(HttpResponseOk(found))
    }

    async fn update_saas_association(
        rqctx: RequestContext<StubState>,
        path: Path<UpdateSaasAssociationPath>,
        _query: Query<UpdateSaasAssociationQuery>,
        body: TypedBody<types::SaasAssociationUpdate>,
    ) -> Result<HttpResponseOk<types::SaasAssociationResponse>, ApiError> {
        let cx = rqctx.context();
        cx.authenticate(&rqctx)?;
        let path = path.into_inner();
        let update = body.into_inner();
        let mut store = cx.store.lock();
        let Some(stored) = store.get_mut(&(path.source_id, path.association_id)) else {
            return Err(ApiError::not_found(format!(
                "SaaS association {} not found in integration source {}",
                path.association_id, path.source_id
            )));
        };
        let mut next = stored.clone();
        if let Some(v) = update.association_type_id {
            next.association_type_id = v;
        }
        if let Some(v) = update.association_label {
            next.association_label = v;
        }
        if let Some(v) = update.association_category {
            next.association_category = v;
        }
        if let Some(v) = update.metadata {
            next.metadata = v;
        }
        if let Some(v) = update.relationship_type {
            next.relationship_type = v;
        }
        if let Some(v) = update.status {
            next.status = v;
        }
        if let Some(v) = update.score {
            next.score = Some(v);
        }
        if let Some(v) = update.evidence {
            next.evidence = v;
        }
        next.updated_at = bumped(stored.updated_at);
        *stored = next.clone();
        Ok(HttpResponseOk(next))
    }

    async fn bulk_update_saas_association_status(
        rqctx: RequestContext<StubState>,
        path: Path<BulkUpdateSaasAssociationStatusPath>,
        _query: Query<BulkUpdateSaasAssociationStatusQuery>,
        body: TypedBody<types::SaasAssociationBulkStatusUpdate>,
    ) -> Result<HttpResponseOk<Map<String, Value>>, ApiError> {
        let cx = rqctx.context();
        cx.authenticate(&rqctx)?;
        let source = path.into_inner().source_id;
        let update = body.into_inner();
        if update.association_ids.is_empty() {
            return Err(ApiError::validation(
                vec![json!("body"), json!("association_ids")],
                "List should have at least 1 item after validation, not 0",
                "too_short",
            ));
        }
        let mut store = cx.store.lock();
        if let Some(missing) = update.association_ids.iter().find(|id| !store.contains_key(&(source, **id))) {
            return Err(ApiError::not_found(format!(
                "SaaS association {missing} not found in integration source {source}"
            )));
        }
        // each id once, in the order sent (`dedup` alone misses [a, b, a])
        let mut seen = std::collections::BTreeSet::new();
        let ids: Vec<Uuid> = update.association_ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        for id in &ids {
            if let Some(a) = store.get_mut(&(source, *id)) {
                a.status = update.status;
                if let Some(score) = update.score {
                    a.score = Some(score);
                }
                if let Some(evidence) = &update.evidence {
                    a.evidence = evidence.clone();
                }
                a.updated_at = bumped(a.updated_at);
            }
        }
        let mut answer = Map::new();
        answer.insert("updated".into(), json!(ids.len()));
        answer.insert("association_ids".into(), json!(ids));
        Ok(HttpResponseOk(answer))
    }
}

/// Now, or just after `previous` when the clock has not moved past it.
fn bumped(previous: DateTime<Utc>) -> DateTime<Utc> {
    Utc::now().max(previous + chrono::Duration::microseconds(1))
}
