//! # mserver
//!
//! A typed async client for the mserver wallet API (roubles): integrators create wallets
//! for their users, show a catalogue of payable services and run payments for them. All 53
//! operations: the wallet, the services catalogue, the application token, two-phase
//! payments, cards, invoices, templates and verified payment notifications.
//!
//! - **Credentials**, chosen on the builder: a wallet (phone and password, HTTP Basic), a
//!   bearer token, or application credentials exchanged for an application token at a
//!   token URL that may be on another host (cached, refreshed ahead of `expires_in`, shared
//!   by every concurrent call, sent with `X-Authorization-Type: application`). Operations
//!   that need none send none; `delete-wallet` takes admin credentials per call.
//! - **Answers** are `{meta, data}`: every method returns an [`Answer`] with the typed
//!   `data` and the [`Meta`] (urgent data, request time, paging, suggestions, geo).
//! - **Errors**: `meta.error` is a [`Code`]; 401 codes and 403 `insufficient_scope` are
//!   [`Error::Auth`] ([`missing_scope`] names the scope), 422 codes name the field.
//! - **Conditional reads** (`errors`, `list-services`, `list-groups`, `services-by-groups`)
//!   take the `request_time` of an earlier answer and answer [`Conditional::NotModified`]
//!   on a 304.
//! - [`Client::services`] streams every service over the pages; [`check_parameters`]
//!   checks a payment's parameter values against a service's description.
//!
//! ```no_run
//! use mserver::{Client, ConditionalRequest, GetServiceRequest};
//! # async fn run() -> Result<(), kassa_core::Error> {
//! let client = Client::builder()
//!     .base_url("https://sandbox.wallet.best/v1")
//!     .wallet("+79261111111", std::env::var("WALLET_PASSWORD").unwrap_or_default().into())?
//!     .build()?;
//! let service = client.get_service(&GetServiceRequest { id: 770 }).await?;
//! let values = [("phoneNumber".to_owned(), "9261111111".to_owned())].into();
//! mserver::check_parameters(&service.data, &values)?;
//! if let Some(balance) = service.meta.urgent_data.and_then(|u| u.amount) {
//!     println!("balance {balance}");
//! }
//! let errors = client.errors(&ConditionalRequest { modified_since: Some(1432652055) }).await?;
//! println!("changed: {}", !errors.is_not_modified());
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod answer;
mod auth;
mod client;
mod error;
mod journal;
mod ops;
mod services;
mod wallet;
mod wire;
// cards, invoices, templates (issue 12)
mod cards;
mod invoices;
mod places;
mod templates;
// payments (issue 12)
mod notification;
mod payments;

pub use answer::{
    Answer, Conditional, Dev, Done, Meta, PageMeta, UrgentData, missing_scope, repair_braces,
};
pub use auth::{AdminCredentials, ApplicationToken, ApplicationTokenRequest, Phone, REFRESH_AHEAD};
pub use client::{AUTHORIZATION_TYPE, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL};
pub use error::{Code, Facts, code_of};
pub use journal::RECONCILED_ONLY_FROM_THE_ANSWER;
pub use ops::{OPERATIONS, call_json};
pub use services::{
    ConditionalRequest, ErrorEntry, GeoRequest, GetServiceRequest, Group, GroupRef, GroupServices,
    Id, Item, ListServicesRequest, MobileOperatorRequest, NoInput, Options, OrderServiceRequest,
    Pattern, Place, Rate, ServiceByMnpRequest, ServiceDescription, ServiceOrder, ServiceParameter,
    ServiceSummary, check_parameters,
};
pub use wallet::{
    ActivateWalletRequest, ChangePasswordRequest, CreateWalletRequest, DeleteWalletRequest,
    FindShape, FindWalletsRequest, FoundWallet, MAX_PICTURE_BYTES, Person, PhoneRequest,
    ReplenishmentPoint, UploadPictureRequest, Wallet, WalletCode, WalletSettingsRequest,
    WalletStatusRequest,
};
pub use wire::{Exact, Text, WalletRef};
// cards, invoices, templates (issue 12)
pub use cards::{Card, CardRequest, CardState, CreateCardRequest, ListCardsRequest, MaskedCard};
pub use invoices::{CreateInvoiceRequest, Invoice, InvoicePayment, InvoiceRequest, InvoiceStatus};
pub use places::{Latitude, Limit, LimitGroup, LimitValue, Location, Longitude};
pub use templates::{
    CreateTemplateRequest, ListTemplatesRequest, Template, TemplateAmount, TemplateCategory,
    TemplateId, TemplateKind, TemplateParam, TemplateRequest, TemplateService,
    UpdateTemplateRequest,
};
// payments (issue 12)
pub use notification::{
    EventKind, PaymentEvent, PaymentNotificationRequest, Refusal, verify_payment_notification,
};
pub use payments::{
    BestP2pRequest, BestParty, BestPayment, ClientPaymentId, CreatePaymentRequest,
    DEFAULT_PAGE_SIZE, DeclineReason, Gateway, GetPaymentRequest, ListPaymentsRequest, NextAction,
    PayPaymentRequest, Payment, PaymentBillRequest, PaymentCard, PaymentOutcome, PaymentParameter,
    PaymentService, PaymentStatus, PaymentType, TwoPhase, next_action, parse_rub,
};

/// kassa-core itself, for what the re-exports leave out.
pub use kassa_core;
pub use kassa_core::secret::{ExposeSecret, SecretString};
pub use kassa_core::{Currency, Error, Money, RetryPolicy, Timeouts, Tls, Transport};

/// The provider's name, as in the operation catalogue.
///
/// ```
/// assert_eq!(mserver::PROVIDER, "mserver");
/// ```
pub const PROVIDER: &str = "mserver";
