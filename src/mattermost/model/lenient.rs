//! Deserializers that accept the shapes real Mattermost servers send, not only the documented one.

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default: Go marshals nil maps and slices as `null`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads a flag sent as a JSON bool or as the strings `"true"`/`"false"` (the user's
/// `timezone.useAutomaticTimezone` is a string on the wire). Anything else counts as false.
pub(crate) fn bool_or_string<'de, D>(deserializer: D) -> Result<bool, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Flag>::deserialize(deserializer)? {
        Some(Flag::Bool(b)) => b,
        Some(Flag::Text(s)) => s.trim().eq_ignore_ascii_case("true"),
        Some(Flag::Other(_)) | None => false,
    })
}
