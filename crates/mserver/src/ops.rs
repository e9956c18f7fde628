//! The operation table: every operation of this crate, its request and answer types and
//! the effect the client really uses, for the CLI and the contract tests.
//!
//! ```
//! assert_eq!(mserver::OPERATIONS.len(), 53);
//! assert!(mserver::OPERATIONS.iter().any(|o| o.name == "application-token" && o.effect.name() == "auth"));
//! ```

use crate::answer::{Answer, Conditional, Done};
use crate::auth::{ApplicationToken, ApplicationTokenRequest};
use crate::client::Client;
use crate::services::*;
use crate::wallet::*;
// cards, invoices, templates (issue 12)
use crate::cards::*;
use crate::invoices::*;
use crate::places::*;
use crate::templates::*;
// payments (issue 12)
use crate::notification::*;
use crate::payments::*;

kassa_core::operations! {
    client: Client;
    "errors" => errors(ConditionalRequest) -> Conditional<Answer<Vec<ErrorEntry>>>, Read;
    "options" => options(NoInput) -> Answer<Options>, Read;
    "create-wallet" => create_wallet(CreateWalletRequest) -> Answer<WalletCode>, Once;
    "activate-wallet" => activate_wallet(ActivateWalletRequest) -> Answer<WalletCode>, Once;
    "resend-activation-code" => resend_activation_code(PhoneRequest) -> Answer<WalletCode>, Once;
    "request-password-code" => request_password_code(PhoneRequest) -> Answer<WalletCode>, Once;
    "change-password" => change_password(ChangePasswordRequest) -> Answer<WalletCode>, Once;
    "get-wallet" => get_wallet(NoInput) -> Answer<Wallet>, Read;
    "delete-wallet" => delete_wallet(DeleteWalletRequest) -> Answer<Done>, Once;
    "put-person" => put_person(Person) -> Answer<Person>, Once;
    "get-person" => get_person(NoInput) -> Answer<Person>, Read;
    "upload-picture" => upload_picture(UploadPictureRequest) -> Answer<Done>, Once;
    "delete-picture" => delete_picture(NoInput) -> Answer<Done>, Once;
    "find-wallets" => find_wallets(FindWalletsRequest) -> Answer<Vec<FoundWallet>>, Read;
    "replenishment-points" => replenishment_points(NoInput) -> Answer<Vec<ReplenishmentPoint>>, Read;
    "wallet-settings" => wallet_settings(WalletSettingsRequest) -> Answer<Done>, Once;
    "wallet-status-webhook" => wallet_status_webhook(WalletStatusRequest) -> Answer<Done>, Once;
    "list-services" => list_services(ListServicesRequest) -> Conditional<Answer<Vec<ServiceSummary>>>, Read;
    "list-groups" => list_groups(ConditionalRequest) -> Conditional<Answer<Vec<Group>>>, Read;
    "services-by-groups" => services_by_groups(ConditionalRequest) -> Conditional<Answer<Vec<GroupServices>>>, Read;
    "get-service" => get_service(GetServiceRequest) -> Answer<ServiceDescription>, Read;
    "service-by-mnp" => service_by_mnp(ServiceByMnpRequest) -> Answer<ServiceDescription>, Read;
    "mobile-operator" => mobile_operator(MobileOperatorRequest) -> Answer<ServiceDescription>, Read;
    "order-service" => order_service(OrderServiceRequest) -> Answer<ServiceOrder>, Once;
    "geo" => geo(GeoRequest) -> Answer<Vec<Place>>, Read;
    "application-token" => application_token(ApplicationTokenRequest) -> ApplicationToken, Auth;
    // cards, invoices, templates (issue 12)
    "create-card" => create_card(CreateCardRequest) -> Answer<Card>, Once;
    "get-card" => get_card(CardRequest) -> Answer<Card>, Read;
    "list-cards" => list_cards(ListCardsRequest) -> Answer<Vec<Card>>, Read;
    "delete-card" => delete_card(CardRequest) -> Answer<Done>, Once;
    "list-locations" => list_locations(NoInput) -> Answer<Vec<Location>>, Read;
    "limits" => limits(NoInput) -> Answer<Vec<LimitGroup>>, Read;
    "create-invoice" => create_invoice(CreateInvoiceRequest) -> Answer<Done>, Once;
    "list-invoices" => list_invoices(NoInput) -> Answer<Vec<Invoice>>, Read;
    "list-created-invoices" => list_created_invoices(NoInput) -> Answer<Vec<Invoice>>, Read;
    "duplicate-invoice" => duplicate_invoice(InvoiceRequest) -> Answer<Invoice>, Once;
    "cancel-invoice" => cancel_invoice(InvoiceRequest) -> Answer<Done>, Once;
    "pay-invoice" => pay_invoice(InvoiceRequest) -> Answer<Answer<InvoicePayment>>, Once;
    "create-template" => create_template(CreateTemplateRequest) -> Answer<TemplateId>, Once;
    "list-templates" => list_templates(ListTemplatesRequest) -> Answer<Vec<Template>>, Read;
    "get-template" => get_template(TemplateRequest) -> Answer<Template>, Read;
    "update-template" => update_template(UpdateTemplateRequest) -> Answer<Done>, Once;
    "delete-template" => delete_template(TemplateRequest) -> Answer<Done>, Once;
    // payments (issue 12)
    "create-payment" => create_payment(CreatePaymentRequest) -> Answer<Payment>, Keyed;
    "pay-payment" => pay_payment(PayPaymentRequest) -> Answer<Payment>, Once;
    "get-payment" => get_payment(GetPaymentRequest) -> Answer<Payment>, Read;
    "payment-bill" => payment_bill(PaymentBillRequest) -> Answer<Done>, Once;
    "list-payments" => list_payments(ListPaymentsRequest) -> Answer<Vec<Payment>>, Read;
    "reset-unseen" => reset_unseen(NoInput) -> Answer<Done>, Once;
    "payment-notification" => payment_notification(PaymentNotificationRequest) -> PaymentEvent, Read;
    "best-p2p-webhook" => best_p2p_webhook(BestP2pRequest) -> Answer<Done>, Once;
    "list-best-payments" => list_best_payments(NoInput) -> Answer<Vec<BestPayment>>, Read;
    "reset-best-unseen" => reset_best_unseen(NoInput) -> Answer<Done>, Once;
}
