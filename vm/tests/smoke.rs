mod common;
use common::*;
use serde_json::json;

#[test]
fn arithmetic_and_lists() {
    let o = run("x = [1, 2, 3]\nfinal_return_value = sum(x) * 2");
    assert_eq!(o.error, None);
    assert_eq!(o.final_return_value, json!(12));
}
