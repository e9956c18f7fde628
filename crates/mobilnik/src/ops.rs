//! The operation table: every operation of the catalogue, its request and answer types and
//! the effect the client really uses, for the CLI and the contract tests.
//!
//! ```
//! let rows: Vec<(&str, &str)> = mobilnik::OPERATIONS.iter().map(|o| (o.name, o.effect.name())).collect();
//! assert_eq!(rows, [
//!     ("authenticate", "auth"),
//!     ("service-list", "read"),
//!     ("check-requisite", "read"),
//!     ("payment", "once"),
//!     ("check-payment", "read"),
//!     ("transfer-request", "once"),
//! ]);
//! ```

use crate::auth::{AuthenticateRequest, AuthenticateResponse};
use crate::client::Client;
use crate::payments::{
    CheckPaymentRequest, CheckPaymentResponse, PaymentRequest, PaymentResponse, TransferRequest,
    TransferResponse,
};
use crate::services::{
    CheckRequisiteRequest, CheckRequisiteResponse, ServiceListRequest, ServiceListResponse,
};

kassa_core::operations! {
    client: Client;
    "authenticate" => authenticate(AuthenticateRequest) -> AuthenticateResponse, Auth;
    "service-list" => service_list(ServiceListRequest) -> ServiceListResponse, Read;
    "check-requisite" => check_requisite(CheckRequisiteRequest) -> CheckRequisiteResponse, Read;
    "payment" => payment(PaymentRequest) -> PaymentResponse, Once;
    "check-payment" => check_payment(CheckPaymentRequest) -> CheckPaymentResponse, Read;
    "transfer-request" => transfer_request(TransferRequest) -> TransferResponse, Once;
}
