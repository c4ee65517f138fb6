//! A minimal Rust server embedding the SQRT engine (docs/embedding.md).
//!
//! `POST /start {"program": "..."}` runs a planner program under the policy until its first
//! allowed tool call; `POST /resume {"session": "...", "result": ...}` answers that call. Each
//! answer is either `{"session", "call": {"id", "tool", "args"}}` (run the tool, then resume) or
//! `{"done": {...}}`. Between requests a session is bytes in a map, as a session store keeps it.
//!
//! Run: `cargo run -p sqrt-runtime --example embed_server`, then
//! `curl -s localhost:8089/start -d '{"program": "d = get_internal_document(doc_id=\"DOC1\")\nsend_email(to=\"eve@example.com\", body=d)"}'`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use sqrt_runtime::engine::{Answer, Engine, EngineConfig, Event, Session};
use sqrt_std::prelude::Presets;
use sqrt_vm::ToolStub;

const POLICY: &str = r#"
tool "get_internal_document" -> @tags |= {"confidential"};
tool "send_email" { hard deny when body.tags overlaps {"confidential"}; }
"#;

struct App {
    engine: Engine,
    sessions: Mutex<HashMap<String, Vec<u8>>>,
}

/// What a step of a session tells the client; the session is saved if a call is out.
fn step(app: &App, id: String, session: &Session, event: Event) -> Value {
    match event {
        Event::Call(call) => {
            match session.to_bytes() {
                Ok(bytes) => {
                    app.sessions
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(id.clone(), bytes);
                }
                Err(e) => return json!({"error": e.to_string()}),
            }
            json!({"session": id, "call": {"id": call.id, "tool": call.tool, "args": call.plain_args()}})
        }
        Event::Done(outcome) => {
            let checks: Vec<Value> = session
                .calls()
                .iter()
                .map(|c| json!({"tool": c.tool, "verdict": c.verdict["final_verdict"], "rules": c.fired_rules()}))
                .collect();
            json!({"done": {
                "value": session.value_json(outcome.final_return_value.clone(), &outcome.final_meta),
                "error": outcome.error.as_ref().map(|e| json!({"code": e.code.as_str(), "message": e.message})),
                "checks": checks,
            }})
        }
    }
}

async fn start(State(app): State<Arc<App>>, Json(body): Json<Value>) -> Json<Value> {
    let program = body["program"].as_str().unwrap_or("");
    // The engine is synchronous: a session lives within one handler, never across an await.
    let mut session = app.engine.session();
    let event = session.start(&app.engine, program);
    let id = uuid::Uuid::new_v4().to_string();
    Json(step(&app, id, &session, event))
}

async fn resume(State(app): State<Arc<App>>, Json(body): Json<Value>) -> Json<Value> {
    let id = body["session"].as_str().unwrap_or("").to_string();
    let Some(bytes) = app
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id)
    else {
        return Json(json!({"error": "unknown session"}));
    };
    let mut session = match app.engine.restore(&bytes) {
        Ok(s) => s,
        Err(e) => return Json(json!({"error": e.to_string()})),
    };
    let event = session.resume_or_fail(&app.engine, Answer::Output(body["result"].clone()));
    Json(step(&app, id, &session, event))
}

fn app() -> Result<Router, Box<dyn std::error::Error>> {
    let text = json!({"type": "string"});
    let config = EngineConfig {
        tools: vec![
            ToolStub::new("get_internal_document", &[("doc_id", true, text.clone())]),
            ToolStub::new(
                "send_email",
                &[("to", true, text.clone()), ("body", true, text)],
            ),
        ],
        ..EngineConfig::default()
    };
    let engine = Engine::from_source(POLICY, &Presets::default(), config)?;
    let app = Arc::new(App {
        engine,
        sessions: Mutex::new(HashMap::new()),
    });
    Ok(Router::new()
        .route("/start", post(start))
        .route("/resume", post(resume))
        .with_state(app))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8089").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app()?).await?;
    Ok(())
}
