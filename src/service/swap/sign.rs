//! The signature on a button's context. `POST /actions` is reachable by anyone who can reach the
//! bot and Mattermost does not sign what it forwards, so each button carries an HMAC-SHA256, under a
//! key only the bot knows (kept in the database), over the task, the request, the invitee and the
//! action. Everything in the context is a string: it round-trips through Go's JSON, which would
//! round large numbers (docs/mattermost-contract.md §4b).

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::lottery::{TaskId, UserId};
use crate::store::swaps::SwapRequestId;

/// What a button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Accept,
    Decline,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Decline => "decline",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "accept" => Some(Action::Accept),
            "decline" => Some(Action::Decline),
            _ => None,
        }
    }
}

/// A button's context, once its signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonContext {
    pub task: TaskId,
    pub request: SwapRequestId,
    pub invitee: UserId,
    pub action: Action,
}

/// Why a context was refused (the text the clicker reads is the caller's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forged {
    /// Missing fields, wrong types, values that are not ours.
    Malformed,
    /// The fields are well-formed but the signature does not match them.
    BadSignature,
}

/// Largest context field the bot ever makes (ids are short); anything longer is not ours.
const MAX_FIELD: usize = 64;

impl ButtonContext {
    /// The signed text: a fixed label, then each field on its own line (no field contains a
    /// newline: ids are digits or `[a-z0-9]`, checked before verifying).
    fn canonical(&self) -> String {
        format!(
            "solar-lottery/swap-button/v1\n{}\n{}\n{}\n{}",
            self.task.0,
            self.request.0,
            self.invitee.as_str(),
            self.action.as_str()
        )
    }

    /// The context to put on the button, signed with `key`.
    pub fn signed(&self, key: &[u8]) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("task".into(), Value::String(self.task.0.to_string()));
        m.insert("request".into(), Value::String(self.request.0.to_string()));
        m.insert(
            "invitee".into(),
            Value::String(self.invitee.as_str().into()),
        );
        m.insert("action".into(), Value::String(self.action.as_str().into()));
        m.insert(
            "mac".into(),
            Value::String(hex::encode(mac(key, &self.canonical()))),
        );
        m
    }

    /// The context Mattermost forwarded, if it is one the bot signed with `key` (compared in
    /// constant time).
    pub fn verify(context: &Value, key: &[u8]) -> Result<ButtonContext, Forged> {
        let field = |name: &str| -> Result<&str, Forged> {
            context
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty() && s.len() <= MAX_FIELD)
                .ok_or(Forged::Malformed)
        };
        let number = |name: &str| -> Result<i64, Forged> {
            let s = field(name)?;
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Forged::Malformed);
            }
            s.parse().map_err(|_| Forged::Malformed)
        };
        let invitee = field("invitee")?;
        if !invitee.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Forged::Malformed);
        }
        let ctx = ButtonContext {
            task: TaskId(number("task")?),
            request: SwapRequestId(number("request")?),
            invitee: UserId::new(invitee),
            action: Action::parse(field("action")?).ok_or(Forged::Malformed)?,
        };
        let given = hex::decode(field("mac")?).map_err(|_| Forged::Malformed)?;
        let mut m =
            <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| Forged::Malformed)?;
        m.update(ctx.canonical().as_bytes());
        m.verify_slice(&given).map_err(|_| Forged::BadSignature)?;
        Ok(ctx)
    }
}

fn mac(key: &[u8], text: &str) -> Vec<u8> {
    // HMAC takes keys of any length, so this cannot fail.
    match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(text.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// A fresh signing key: 32 random bytes, hex.
pub fn new_key() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ButtonContext {
        ButtonContext {
            task: TaskId(12),
            request: SwapRequestId(5),
            invitee: UserId::new("bob4q9ann7k1u8nbd3yq6fz1ah"),
            action: Action::Accept,
        }
    }

    #[test]
    fn a_signed_context_verifies_and_any_change_breaks_it() {
        let key = b"k".repeat(32);
        let signed = Value::Object(ctx().signed(&key));
        assert_eq!(ButtonContext::verify(&signed, &key), Ok(ctx()));
        for (field, value) in [
            ("task", "13"),
            ("request", "6"),
            ("invitee", "mallory7k1u8nbd3yq6fz1ahre"),
            ("action", "decline"),
        ] {
            let mut forged = signed.clone();
            forged[field] = Value::String(value.into());
            assert_eq!(
                ButtonContext::verify(&forged, &key),
                Err(Forged::BadSignature),
                "{field}"
            );
        }
        assert_eq!(
            ButtonContext::verify(&signed, b"another key"),
            Err(Forged::BadSignature)
        );
        let mut numeric = signed.clone();
        numeric["task"] = serde_json::json!(12);
        assert_eq!(
            ButtonContext::verify(&numeric, &key),
            Err(Forged::Malformed)
        );
        assert_eq!(
            ButtonContext::verify(&serde_json::json!("x"), &key),
            Err(Forged::Malformed)
        );
    }
}
