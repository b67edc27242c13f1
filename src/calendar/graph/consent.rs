//! The admin-consent link, so a Microsoft 365 admin grants the Graph app its permissions with one
//! click instead of a trip through the Azure portal.

use reqwest::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentUrlError {
    #[error(
        "`{0}` is not a Microsoft tenant: set LOTTO_GRAPH_TENANT to the directory (tenant) id or a \
         domain such as contoso.onmicrosoft.com"
    )]
    BadTenant(String),
    #[error("`{0}` is not a web address the consent page can send the admin back to")]
    BadRedirect(String),
}

/// `https://login.microsoftonline.com/{tenant}/adminconsent?client_id=…&redirect_uri=…`.
pub fn admin_consent_url(
    tenant: &str,
    client_id: &str,
    redirect_uri: &str,
) -> Result<String, ConsentUrlError> {
    let tenant_ok = !tenant.is_empty()
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !tenant_ok {
        return Err(ConsentUrlError::BadTenant(tenant.to_string()));
    }
    let redirect = Url::parse(redirect_uri)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| ConsentUrlError::BadRedirect(redirect_uri.to_string()))?;
    Url::parse_with_params(
        &format!("https://login.microsoftonline.com/{tenant}/adminconsent"),
        &[
            ("client_id", client_id),
            ("redirect_uri", redirect.as_str()),
        ],
    )
    .map(String::from)
    .map_err(|_| ConsentUrlError::BadTenant(tenant.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_an_encoded_consent_link() {
        let url = admin_consent_url(
            "contoso.onmicrosoft.com",
            "abc-123",
            "https://lotto.example/graph/consent?x=1",
        )
        .unwrap();
        assert_eq!(
            url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=abc-123&redirect_uri=https%3A%2F%2Flotto.example%2Fgraph%2Fconsent%3Fx%3D1"
        );
    }

    #[test]
    fn refuses_tenants_that_would_change_the_path() {
        assert!(matches!(
            admin_consent_url("a/../b", "id", "https://x.example/"),
            Err(ConsentUrlError::BadTenant(_))
        ));
        assert!(matches!(
            admin_consent_url("t", "id", "javascript:alert(1)"),
            Err(ConsentUrlError::BadRedirect(_))
        ));
    }
}
