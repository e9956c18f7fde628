//! `kassa anor-bm <operation>`.

use anor_bm::{
    BillRequest, CheckRequest, Client, ExtPayRequest, HoldMoreRequest, PayRequest,
    RefreshTokenRequest, ReversePartialRequest, SendOtpRequest, StatusRequest, TokenAnswer,
    VerifyOtpRequest,
};
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
    Client::builder(target.base_url.clone(), username, password)
        .timeouts(target.timeouts)
        .build()
}

pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    match operation {
        "login" => {
            no_params(operation, params)?;
            tokens(&c.login().await?)
        }
        "refresh-token" => {
            let has_token = parse::<serde_json::Map<String, serde_json::Value>>(params)?
                .contains_key("refreshToken");
            let req: RefreshTokenRequest = if has_token {
                parse(params)?
            } else {
                // No refresh token given: log in and refresh the one the login returned.
                let login = c.login().await?;
                let token = login.result.refresh_token.ok_or_else(|| {
                    Error::invalid("refreshToken", "required: the login answer carried none")
                })?;
                RefreshTokenRequest::new(token.expose_secret().to_owned())
            };
            tokens(&c.refresh_token(&req).await?)
        }
        "send-otp" => render(&c.send_otp(&parse::<SendOtpRequest>(params)?).await?),
        "verify-otp" => {
            // the answer is the card token itself: printed whole
            let token = c.verify_otp(&parse::<VerifyOtpRequest>(params)?).await?;
            serde_json::to_string(token.expose())
                .map_err(|e| Error::invalid("answer", format!("cannot be printed: {e}")))
        }
        "get-user-cards" => {
            no_params(operation, params)?;
            render(&c.get_user_cards().await?)
        }
        "unregistered-check" => render(
            &c.unregistered_check(&parse::<CheckRequest>(params)?)
                .await?,
        ),
        "unregistered-pay" => render(&c.unregistered_pay(&parse::<PayRequest>(params)?).await?),
        "hold" => render(&c.hold(&parse::<PayRequest>(params)?).await?),
        "hold-confirm" => render(&c.hold_confirm(&parse::<BillRequest>(params)?).await?),
        "hold-more" => render(&c.hold_more(&parse::<HoldMoreRequest>(params)?).await?),
        "cancel" => render(&c.cancel(&parse::<BillRequest>(params)?).await?),
        "hold-reverse" => render(&c.hold_reverse(&parse::<BillRequest>(params)?).await?),
        "hold-reverse-partial" => render(
            &c.hold_reverse_partial(&parse::<ReversePartialRequest>(params)?)
                .await?,
        ),
        "status" => render(&c.status(&parse::<StatusRequest>(params)?).await?),
        "ext-pay" => render(&c.ext_pay(&parse::<ExtPayRequest>(params)?).await?),
        other => Err(Error::invalid(
            "operation",
            format!("anor-bm has no `{other}`"),
        )),
    }
}
