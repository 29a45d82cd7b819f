//! Units over HTTP, one file per area: the unit's side of a lead from
//! forwarding to outcome and back to the reporters (`casework`), units'
//! jurisdictions and routing by them (`jurisdictions`), deadlines
//! (`deadlines`), outcomes and rewards (`outcomes`), and webhooks
//! (`webhooks`). The city they all run in is `helpers::City`.

mod casework;
mod deadlines;
mod jurisdictions;
mod outcomes;
mod webhooks;

use serde_json::Value;

/// The kinds of a page of notifications, in its order.
pub fn kinds(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// The count of `key` (a state or a category) in a statistics list.
pub fn count_key(list: &Value, key: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == key || c["category"] == key)
        .map_or(0, |c| c["count"].as_i64().unwrap())
}
