//! An org unit's geometry from its `featureType` and `coordinates` columns, as DHIS2 builds it:
//! `{"type":"<Point|Polygon|MultiPolygon>", "coordinates":<column 10>}` read by GeoTools into a
//! JTS geometry. What GeoTools or JTS cannot read fails DHIS2's request; here it is an error
//! naming why (the checks are JTS's construction rules: positions of at least two numbers, rings
//! of none or at least four positions, closed).

use serde_json::{json, Value};

/// The geometry of a feature type other than `NONE` with `coordinates` (non-blank), or why
/// DHIS2 could not build one.
pub(crate) fn geometry(feature_type: &str, coordinates: &str) -> Result<Value, String> {
    let parsed: Value = serde_json::from_str(coordinates)
        .map_err(|e| format!("the coordinates are not JSON ({e})"))?;
    let type_name = match feature_type {
        "POINT" => {
            position(&parsed)?;
            "Point"
        }
        "POLYGON" => {
            polygon(&parsed)?;
            "Polygon"
        }
        "MULTI_POLYGON" => {
            for p in array(&parsed, "a multi-polygon")? {
                polygon(p)?;
            }
            "MultiPolygon"
        }
        _ => {
            return Err(format!(
                "GeoTools has no geometry type for {feature_type} (inferred from DHIS2's code)"
            ))
        }
    };
    Ok(json!({"type": type_name, "coordinates": parsed}))
}

fn array<'a>(value: &'a Value, what: &str) -> Result<&'a Vec<Value>, String> {
    value
        .as_array()
        .ok_or_else(|| format!("{what} must be a JSON array, was {value}"))
}

fn position(value: &Value) -> Result<(), String> {
    let numbers = array(value, "a position")?;
    if numbers.len() < 2 || !numbers.iter().all(Value::is_number) {
        return Err(format!(
            "a position must be an array of at least two numbers, was {value}"
        ));
    }
    Ok(())
}

fn polygon(value: &Value) -> Result<(), String> {
    for ring in array(value, "a polygon")? {
        let positions = array(ring, "a ring")?;
        for p in positions {
            position(p)?;
        }
        if !positions.is_empty() && positions.len() < 4 {
            return Err(format!(
                "Invalid number of points in LinearRing (found {} - must be 0 or >= 4)",
                positions.len()
            ));
        }
        if positions.first() != positions.last() {
            return Err("Points of LinearRing do not form a closed linestring".to_owned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_dhis2s_geojson() {
        assert_eq!(
            geometry("POINT", "[-11.4197, 8.1039]").ok(),
            Some(json!({"type": "Point", "coordinates": [-11.4197, 8.1039]}))
        );
        let square = "[[[0,0],[0,1],[1,1],[0,0]]]";
        assert_eq!(
            geometry("POLYGON", square).ok().map(|g| g["type"].clone()),
            Some(json!("Polygon"))
        );
        let multi = format!("[{square},{square}]");
        assert_eq!(
            geometry("MULTI_POLYGON", &multi)
                .ok()
                .map(|g| g["type"].clone()),
            Some(json!("MultiPolygon"))
        );
    }

    #[test]
    fn refuses_what_geotools_cannot_read() {
        assert!(geometry("POINT", "[1,").is_err());
        assert!(geometry("POINT", "[1]").is_err());
        assert!(geometry("POINT", "[\"a\", 1]").is_err());
        assert!(geometry("POLYGON", "[[1,2]]").is_err());
        assert!(geometry("POLYGON", "[[[0,0],[0,1],[0,0]]]").is_err());
        assert!(geometry("POLYGON", "[[[0,0],[0,1],[1,1],[1,0]]]").is_err());
        assert!(geometry("SYMBOL", "[1,2]").is_err());
    }
}
