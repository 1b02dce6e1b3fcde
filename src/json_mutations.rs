//! Test support: single-point mutations of a JSON value, for the tests that check a
//! hand-written reader against serde's derive (`report.rs`, `wire.rs`).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;

/// Every key and the first two elements of every array of `v`, each replaced in turn by each
/// of `replacements` (`None`: removed). Array elements are removed only with
/// `remove_array_items`.
pub(crate) fn mutations(
    v: &Value,
    replacements: &[Option<Value>],
    remove_array_items: bool,
) -> Vec<Value> {
    fn walk(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    path.push(Value::String(k.clone()));
                    out.push(path.clone());
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate().take(2) {
                    path.push(Value::from(i));
                    out.push(path.clone());
                    walk(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut paths = Vec::new();
    walk(v, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for p in paths {
        for replacement in replacements.iter().cloned() {
            let mut m = v.clone();
            let mut node = &mut m;
            for seg in &p[..p.len() - 1] {
                node = match seg {
                    Value::String(k) => node.get_mut(k.as_str()).unwrap(),
                    _ => node.get_mut(seg.as_u64().unwrap() as usize).unwrap(),
                };
            }
            match (p.last().unwrap(), replacement) {
                (Value::String(k), None) => {
                    node.as_object_mut().unwrap().shift_remove(k.as_str());
                }
                (Value::String(k), Some(r)) => node[k.as_str()] = r,
                (i, Some(r)) => node[i.as_u64().unwrap() as usize] = r,
                (i, None) => {
                    if !remove_array_items {
                        continue;
                    }
                    node.as_array_mut()
                        .unwrap()
                        .remove(i.as_u64().unwrap() as usize);
                }
            }
            out.push(m);
        }
    }
    out
}
