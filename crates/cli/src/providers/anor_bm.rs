//! `kassa anor-bm <operation>`.

use anor_bm::{Client, LoginRequest, RefreshTokenRequest, TokenAnswer, VerifyOtpRequest};
use kassa_core::Error;
use kassa_core::secret::ExposeSecret;
use kassa_sandbox::anor_bm::seed;

use super::{no_params, parse, render, reveal};
use crate::config::Target;

/// A login or refresh answer with its tokens shown: they are the answer asked for.
fn tokens(answer: &TokenAnswer) -> Result<String, Error> {
    let mut shown = reveal(
        render(answer)?,
        "access_token",
        answer.result.access_token.expose_secret(),
    )?;
    if let Some(refresh) = &answer.result.refresh_token {
        shown = reveal(shown, "refresh_token", refresh.expose_secret())?;
    }
    Ok(shown)
}

/// Builds a client for `target`: credentials from `KASSA_ANOR_BM_USERNAME` and
/// `KASSA_ANOR_BM_PASSWORD`, or the sandbox's.
pub fn client(target: &Target) -> Result<Client, Error> {
    let username = target.credential("USERNAME", seed::USERNAME)?;
    let password = target.credential("PASSWORD", seed::PASSWORD)?;
    let b = Client::builder(target.base_url.clone(), username, password).timeouts(target.timeouts);
    match &target.journal {
        Some(j) => b.journal(j.clone()),
        None => b,
    }
    .build()
}

/// Runs `operation`: the credentials it answers (login and refresh-token tokens, the card
/// token of verify-otp) are printed whole, as they are the answer asked for; every other
/// operation goes through the crate's operation table ([`anor_bm::call_json`]).
pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    match operation {
        "login" => {
            no_params(operation, params)?;
            tokens(&c.login(&LoginRequest {}).await?)
        }
        "refresh-token" => {
            let has_token = parse::<serde_json::Map<String, serde_json::Value>>(params)?
                .contains_key("refreshToken");
            let req: RefreshTokenRequest = if has_token {
                parse(params)?
            } else {
                // No refresh token given: log in and refresh the one the login returned.
                let login = c.login(&LoginRequest {}).await?;
                let token = login.result.refresh_token.ok_or_else(|| {
                    Error::invalid("refreshToken", "required: the login answer carried none")
                })?;
                RefreshTokenRequest::new(token.expose_secret().to_owned())
            };
            tokens(&c.refresh_token(&req).await?)
        }
        "verify-otp" => {
            // the answer is the card token itself: printed whole
            let token = c.verify_otp(&parse::<VerifyOtpRequest>(params)?).await?;
            serde_json::to_string(token.expose())
                .map_err(|e| Error::invalid("answer", format!("cannot be printed: {e}")))
        }
        other => anor_bm::call_json(&c, other, params).await,
    }
}
