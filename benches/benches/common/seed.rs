//! The seed comparison's inputs, shared by `benches/policy_check.rs` and
//! `tests/cedar_equivalence.rs` so the bench measures exactly the calls the test proves both
//! engines decide alike.
//!
//! Each call exists in two encodings of the same facts: SQRT's CALL.json `args` (the body with
//! its tags as meta) and a Cedar context (`to` a string, `body_tags` a set).

#![allow(dead_code)] // Each includer uses a different part.

use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request};
use serde_json::{Value as Json, json};
use sqrt_compiler::policy::{Policy, Session};
use std::str::FromStr;

/// The seed tutorial's policy, as the conformance suite has it.
pub const SQRT_POLICY: &str = include_str!("../../../tests/sqrt/seed.sqrt");
/// Its Cedar equivalent.
pub const CEDAR_POLICY: &str = include_str!("../../cedar/seed.cedar");

/// The tags the seed relay puts on `get_internal_document`'s output (the policy's update plus
/// the default `__non_executable` preset), carried by the email body in the tutorial.
pub const DOC_TAGS: &[&str] = &["__non_executable", "confidential", "internal_use"];

/// One `send_email` call, with the verdict worked out by hand from sqrt.md §6.1.
#[derive(Clone, Copy, Debug)]
pub struct SeedCall {
    pub name: &'static str,
    pub to: &'static str,
    pub tags: &'static [&'static str],
    pub allowed: bool,
}

/// The two calls of the tutorial: the benched ones.
pub const BENCH_CALLS: [SeedCall; 2] = [
    SeedCall {
        name: "deny",
        to: "research@gmail.com",
        tags: DOC_TAGS,
        allowed: false,
    },
    SeedCall {
        name: "allow",
        to: "user@trustedcorp.com",
        tags: DOC_TAGS,
        allowed: true,
    },
];

/// More calls for the equivalence test: edges of both conjuncts.
pub const EDGE_CALLS: [SeedCall; 7] = [
    SeedCall {
        name: "suffix_after_trusted_domain",
        to: "admin@trustedcorp.com.evil.net",
        tags: DOC_TAGS,
        allowed: false,
    },
    SeedCall {
        name: "untagged_body",
        to: "research@gmail.com",
        tags: &[],
        allowed: true,
    },
    SeedCall {
        name: "only_internal_use",
        to: "research@gmail.com",
        tags: &["internal_use"],
        allowed: false,
    },
    SeedCall {
        name: "only_confidential",
        to: "x@evil.com",
        tags: &["confidential"],
        allowed: false,
    },
    SeedCall {
        name: "unrelated_tags",
        to: "research@gmail.com",
        tags: &["__non_executable", "public"],
        allowed: true,
    },
    SeedCall {
        name: "lookalike_domain",
        to: "user@trustedcorpXcom",
        tags: DOC_TAGS,
        allowed: false,
    },
    SeedCall {
        name: "bare_trusted_domain",
        to: "@trustedcorp.com",
        tags: DOC_TAGS,
        allowed: true,
    },
];

impl SeedCall {
    /// CALL.json `args` text, as the relay receives it.
    pub fn sqrt_args_text(&self) -> String {
        json!({"to": self.to, "subject": "Doc",
               "body": {"value": "The document content is: ...", "meta": {"tags": self.tags}}})
        .to_string()
    }

    /// The Cedar context text with the same facts.
    pub fn cedar_context_text(&self) -> String {
        json!({"to": self.to, "subject": "Doc", "body_tags": self.tags}).to_string()
    }
}

/// SQRT: decode the call's JSON text and check it (what the relay does per call).
pub fn sqrt_check_text(policy: &Policy, session: &mut Session, args_text: &str) -> bool {
    let json: Json = serde_json::from_str(args_text).expect("bench args are valid JSON");
    let args = session.args_from_json(&json).expect("bench args decode");
    policy.check("send_email", &args, session).is_allowed()
}

/// The Cedar side: the parsed policy set, the authorizer and the request's fixed parts.
pub struct Cedar {
    pub policies: PolicySet,
    pub authorizer: Authorizer,
    pub entities: Entities,
    pub principal: EntityUid,
    pub action: EntityUid,
    pub resource: EntityUid,
}

impl Cedar {
    pub fn new() -> Cedar {
        let uid = |s: &str| EntityUid::from_str(s).expect("a valid entity uid");
        Cedar {
            policies: PolicySet::from_str(CEDAR_POLICY).expect("the Cedar policy parses"),
            authorizer: Authorizer::new(),
            entities: Entities::empty(),
            principal: uid(r#"Agent::"planner""#),
            action: uid(r#"Action::"send_email""#),
            resource: uid(r#"Tool::"send_email""#),
        }
    }

    /// Decodes a context's JSON text into a request (no schema, so no request validation).
    pub fn request(&self, context_text: &str) -> Request {
        let context = Context::from_json_str(context_text, None).expect("a valid context");
        Request::new(
            self.principal.clone(),
            self.action.clone(),
            self.resource.clone(),
            context,
            None,
        )
        .expect("a valid request")
    }

    pub fn is_allowed(&self, request: &Request) -> bool {
        self.authorizer
            .is_authorized(request, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }
}
