//! Jurisdictions: a unit's area is checked whole (closed rings, no
//! crossings, holes inside their ring) and named where it is wrong, and a
//! bad one can never win routing.

use serde_json::{Value, json};

use crate::helpers::{City, district_area, error_code, station_area};

#[tokio::test]
async fn bad_jurisdictions_are_refused_naming_the_problem() {
    let city = City::open().await;
    let cases = [
        (
            json!({"type": "Polygon", "coordinates": [[[116.38, 39.90], [116.41, 39.90], [116.41, 39.92], [116.38, 39.92]]]}),
            "not closed",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[116.38, 39.90], [116.41, 39.92], [116.41, 39.90], [116.38, 39.92], [116.38, 39.90]]]}),
            "crosses itself",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[116.38, 39.90], [116.41, 200.0], [116.41, 39.92], [116.38, 39.92], [116.38, 39.90]]]}),
            "coordinates[0][1]: latitude 200 is outside -90..90",
        ),
    ];
    // Not a polygon at all is the schema's to refuse.
    let point = city
        .create_unit_response(json!({
            "name_zh": "派出所", "name_en": "Station", "kind": "police_station",
            "jurisdiction": {"type": "Point", "coordinates": [116.38, 39.90]},
        }))
        .await;
    assert_eq!(error_code(point, 400).await, "request.invalid");
    for (jurisdiction, problem) in cases {
        let response = city
            .create_unit_response(json!({
                "name_zh": "派出所", "name_en": "Station", "kind": "police_station",
                "jurisdiction": jurisdiction,
            }))
            .await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unit.invalid_jurisdiction");
        assert!(
            body["message"].as_str().unwrap().contains(problem),
            "{problem}: {body}"
        );
    }
    // Nothing was made; a good one is, and a bad change to it is refused
    // and changes nothing.
    let units = city.desk.get(&city.admin, "/v1/admin/units").await;
    assert!(units["items"].as_array().unwrap().is_empty());
    let unit = city
        .unit(
            json!({"name_zh": "派出所", "name_en": "Station", "kind": "police_station",
                     "jurisdiction": station_area(), "categories": ["drugs"]}),
        )
        .await;
    let response = city
        .app()
        .patch_as(
            &format!("/v1/admin/units/{unit}"),
            &city.admin,
            json!({"jurisdiction": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1]]]}}),
        )
        .await;
    assert_eq!(error_code(response, 422).await, "unit.invalid_jurisdiction");
    let response = city
        .app()
        .patch_as(
            &format!("/v1/admin/units/{unit}"),
            &city.admin,
            json!({"categories": ["no_such_thing"]}),
        )
        .await;
    assert_eq!(error_code(response, 422).await, "unit.unknown_category");
    let kept = city
        .desk
        .get(&city.admin, &format!("/v1/admin/units/{unit}"))
        .await;
    assert_eq!(kept["jurisdiction"], station_area());
    assert_eq!(kept["categories"], json!(["drugs"]));
    // Disabling keeps the unit (and its history); it is audited.
    let response = city
        .app()
        .patch_as(
            &format!("/v1/admin/units/{unit}"),
            &city.admin,
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let kept = city
        .desk
        .get(&city.admin, &format!("/v1/admin/units/{unit}"))
        .await;
    assert_eq!(kept["disabled"], true);
    let audit = city
        .desk
        .audit(&city.admin, &[("object_kind", "unit")])
        .await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["unit.create", "unit.update"]);
}

#[tokio::test]
async fn a_hole_outside_its_ring_is_refused_and_cannot_win_routing() {
    let city = City::open().await;
    let station = city
        .station(json!({"categories": ["illicit_card_ads"]}))
        .await;
    // The district around the station, with a "hole" drawn far outside it:
    // its area would come out smaller than the station's, and it would be
    // routed first for places it does not even hold better.
    let mut area = district_area();
    area["coordinates"].as_array_mut().unwrap().push(json!([
        [100.0, 10.0],
        [110.0, 10.0],
        [110.0, 20.0],
        [100.0, 20.0],
        [100.0, 10.0]
    ]));
    let response = city
        .create_unit_response(json!({
            "name_zh": "东城区", "name_en": "Dongcheng", "kind": "police_station",
            "jurisdiction": area, "categories": ["illicit_card_ads"],
        }))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unit.invalid_jurisdiction");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("coordinates[1]: the hole is not inside its outer ring"),
        "{body}"
    );
    let (lead, _, _, _) = city.lead_of_two().await;
    let routing = city
        .desk
        .get(&city.desk.moderator, &format!("/v1/leads/{lead}/routing"))
        .await;
    assert_eq!(
        routing["suggestions"][0]["unit_id"],
        station.to_string(),
        "{routing}"
    );
    assert_eq!(
        routing["suggestions"].as_array().unwrap().len(),
        1,
        "{routing}"
    );
}
