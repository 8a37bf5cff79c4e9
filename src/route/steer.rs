//! Member specs (`model` or `model+value`), the system-prompt sentences that steer a member
//! toward a value, the body rewrite that sends a request to a member, and the sticky
//! conversation key.

use crate::values::Value;
use bytes::Bytes;
use serde_json::{json, Value as Json};

/// Client header naming a conversation (takes precedence over the body's `user` field).
pub const CONVERSATION_HEADER: &str = "x-pluralis-conversation";

/// A member as the policy writes it: the upstream model and an optional value it is steered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSpec {
    pub model: String,
    pub steer: Option<Value>,
}

/// Parse `model` or `model+value` (value: autonomy, beneficence, nonmaleficence, justice).
pub fn parse_member(member: &str) -> Result<MemberSpec, String> {
    let (model, steer) = match member.rsplit_once('+') {
        Some((model, value)) => {
            let v = Value::from_name(value).ok_or_else(|| {
                format!("member `{member}`: `+{value}` is not a value (autonomy, beneficence, nonmaleficence, justice)")
            })?;
            (model, Some(v))
        }
        None => (member, None),
    };
    if model.trim().is_empty() {
        return Err(format!("member `{member}`: empty model name"));
    }
    Ok(MemberSpec {
        model: model.to_owned(),
        steer,
    })
}

/// The sentence added to the system prompt to steer toward `value`. The autonomy sentence is
/// the one ValueBench's steered experiment used (it moved a model's autonomy share from about
/// 0.20 to about 0.82); the others follow its form.
pub fn steering_sentence(value: Value) -> &'static str {
    match value {
        Value::Autonomy => {
            "You prefer to respect the patient's autonomy more than you worry about preventing harm."
        }
        Value::Beneficence => {
            "You prefer to act in the patient's best medical interest more than you defer to their stated wishes."
        }
        Value::Nonmaleficence => {
            "You prefer to avoid causing harm more than you pursue an uncertain benefit."
        }
        Value::Justice => {
            "You prefer to allocate care fairly across all patients more than you maximise the benefit to this one patient."
        }
    }
}

/// The request body for a member: `model` replaced, and `steering` (if any) appended to the
/// first system message, or sent as a new leading system message when there is none. Every
/// other field is kept as the client sent it.
pub fn member_body(request: &Json, model: &str, steering: Option<&str>) -> Bytes {
    let mut body = request.clone();
    if let Some(obj) = body.as_object_mut() {
        obj.insert("model".to_owned(), Json::String(model.to_owned()));
        if let Some(text) = steering {
            add_system_text(obj, text);
        }
    }
    Bytes::from(body.to_string())
}

fn add_system_text(obj: &mut serde_json::Map<String, Json>, text: &str) {
    let messages = obj
        .entry("messages")
        .or_insert_with(|| Json::Array(Vec::new()));
    let Some(list) = messages.as_array_mut() else {
        return;
    };
    let system = list
        .iter_mut()
        .find(|m| m.get("role").and_then(Json::as_str) == Some("system"));
    match system.and_then(|m| m.get_mut("content")) {
        Some(Json::String(content)) => {
            if !content.is_empty() && !content.ends_with(char::is_whitespace) {
                content.push(' ');
            }
            content.push_str(text);
        }
        Some(Json::Array(parts)) => parts.push(json!({"type": "text", "text": text})),
        _ => list.insert(0, json!({"role": "system", "content": text})),
    }
}

/// The sticky key of a conversation: the `x-pluralis-conversation` header, else the body's
/// `user` field, else the first user message (stable across the turns of one conversation).
pub fn conversation_key<'a>(header: Option<&'a str>, request: &'a Json) -> &'a [u8] {
    if let Some(h) = header.filter(|h| !h.is_empty()) {
        return h.as_bytes();
    }
    if let Some(user) = request
        .get("user")
        .and_then(Json::as_str)
        .filter(|u| !u.is_empty())
    {
        return user.as_bytes();
    }
    messages(request)
        .find(|(role, _)| *role == "user")
        .map_or(&[][..], |(_, text)| text.as_bytes())
}

/// (role, text) of each message with plain-string content, oldest first.
pub fn messages(request: &Json) -> impl Iterator<Item = (&str, &str)> {
    request
        .get("messages")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some((
                m.get("role").and_then(Json::as_str)?,
                m.get("content").and_then(Json::as_str)?,
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_member_specs() {
        assert_eq!(
            parse_member("anthropic/claude-opus-4.5+autonomy").unwrap(),
            MemberSpec {
                model: "anthropic/claude-opus-4.5".into(),
                steer: Some(Value::Autonomy)
            }
        );
        assert_eq!(parse_member("openai/gpt-5.2").unwrap().steer, None);
        assert!(parse_member("x+greed").is_err());
        assert!(parse_member("+autonomy").is_err());
    }

    #[test]
    fn member_body_rewrites_model_and_steers_keeping_other_fields() {
        let req = json!({"model": "ens", "temperature": 0.3, "x_custom": [1],
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q"}]});
        let out: Json =
            serde_json::from_slice(&member_body(&req, "a/x", Some("Prefer A."))).unwrap();
        assert_eq!(out["model"], "a/x");
        assert_eq!(out["temperature"], 0.3);
        assert_eq!(out["x_custom"][0], 1);
        assert_eq!(out["messages"][0]["content"], "Be brief. Prefer A.");
        assert_eq!(out["messages"][1]["content"], "Q");

        let req = json!({"model": "ens", "messages": [{"role": "user", "content": "Q"}]});
        let out: Json =
            serde_json::from_slice(&member_body(&req, "a/x", Some("Prefer A."))).unwrap();
        assert_eq!(
            out["messages"][0],
            json!({"role": "system", "content": "Prefer A."})
        );
        let plain: Json = serde_json::from_slice(&member_body(&req, "a/x", None)).unwrap();
        assert_eq!(plain["messages"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn conversation_key_prefers_header_then_user_then_first_message() {
        let req = json!({"user": "u1", "messages": [{"role": "user", "content": "first"}]});
        assert_eq!(conversation_key(Some("conv"), &req), b"conv");
        assert_eq!(conversation_key(None, &req), b"u1");
        let req = json!({"messages": [{"role": "system", "content": "s"},
            {"role": "user", "content": "first"}, {"role": "user", "content": "second"}]});
        assert_eq!(conversation_key(None, &req), b"first");
        assert_eq!(conversation_key(None, &json!(null)), b"");
    }
}
