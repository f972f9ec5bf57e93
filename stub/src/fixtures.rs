//! Fixtures: the associations a stub starts with.
//!
//! A fixtures file is a JSON array of associations in the spec's response
//! shape (`SaasAssociationResponse`), e.g. `stub/fixtures/default.json`,
//! which is also the built-in default. Every entry is checked against the
//! generated type; a bad entry is refused with its index (and id, when it
//! has one), and so is an id that appears twice under one source.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::types::SaasAssociationResponse;

const DEFAULT: &str = include_str!("../fixtures/default.json");

/// The built-in set: realistic HubSpot and Salesforce associations.
pub fn default_fixtures() -> Vec<SaasAssociationResponse> {
    parse("built-in fixtures", DEFAULT).expect("the built-in fixtures are valid (tested)")
}

/// Reads a fixtures file.
pub fn load(path: &Path) -> Result<Vec<SaasAssociationResponse>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read the fixtures: {e}", path.display()))?;
    parse(&path.display().to_string(), &text)
}

/// Parses fixtures; `name` says where they come from in messages.
pub fn parse(name: &str, text: &str) -> Result<Vec<SaasAssociationResponse>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("{name}: not valid JSON ({e})"))?;
    let Value::Array(entries) = value else {
        return Err(format!("{name}: fixtures must be a JSON array of associations"));
    };
    let mut out = Vec::with_capacity(entries.len());
    let mut seen = BTreeSet::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let id = entry.get("id").and_then(Value::as_str).map(|id| format!(" (id {id})")).unwrap_or_default();
        let association: SaasAssociationResponse = serde_json::from_value(entry)
            .map_err(|e| format!("{name}: entry {i}{id} does not match SaasAssociationResponse: {e}"))?;
        if !seen.insert((association.integration_source_id, association.id)) {
            return Err(format!(
                "{name}: entry {i}{id} repeats an id already used in integration source {}",
                association.integration_source_id
            ));
        }
        out.push(association);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fixtures_span_two_sources() {
        let all = default_fixtures();
        let sources: BTreeSet<_> = all.iter().map(|a| a.integration_source_id).collect();
        assert!(all.len() >= 6);
        assert_eq!(sources.len(), 2);
    }

    #[test]
    fn bad_entries_are_named() {
        let e = parse("f.json", r#"[{"id": "x"}]"#).unwrap_err();
        assert!(e.starts_with("f.json: entry 0 (id x) does not match SaasAssociationResponse"), "{e}");
        let e = parse("f.json", "{}").unwrap_err();
        assert_eq!(e, "f.json: fixtures must be a JSON array of associations");
        let one = serde_json::to_value(&default_fixtures()[0]).unwrap();
        let e = parse("f.json", &serde_json::json!([one, one]).to_string()).unwrap_err();
        assert!(e.contains("entry 1") && e.contains("repeats an id"), "{e}");
        let mut bad = one.clone();
        bad["status"] = "MAYBE".into();
        let e = parse("f.json", &serde_json::json!([one, bad]).to_string()).unwrap_err();
        assert!(e.contains("entry 1") && e.contains("MAYBE"), "{e}");
    }
}
