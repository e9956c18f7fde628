//! A base URL that carries credentials (`http://user:pass@host/?password=...`) never prints
//! through the `Debug` of any provider's client or builder, nor do the client's own
//! credentials.

use mobilnik::{DeviceId, SecretString};

const URL: &str = "http://agent:Url-Pass-71@bank.example:8080/api?login=a&password=Query-Pass-72";
const PASSWORD: &str = "Own-Pass-73";

fn assert_hidden(what: &str, shown: &str) {
    for secret in ["Url-Pass-71", "Query-Pass-72", PASSWORD] {
        assert!(!shown.contains(secret), "{what} shows {secret}: {shown}");
    }
    assert!(
        shown.contains("bank.example"),
        "{what} hides the host too: {shown}"
    );
}

#[test]
fn anor_bm_client_and_builder_hide_url_credentials() {
    let builder = anor_bm::Client::builder(URL, "agent", PASSWORD);
    assert_hidden("anor-bm builder", &format!("{builder:?}"));
    let client = builder.build().expect("a valid client");
    assert_hidden("anor-bm client", &format!("{client:?}"));
}

#[test]
fn requisite_uz_client_and_builder_hide_url_credentials() {
    let builder = requisite_uz::Client::builder(URL).credentials("gray", PASSWORD);
    assert_hidden("requisite-uz builder", &format!("{builder:?}"));
    let client = builder.build().expect("a valid client");
    assert_hidden("requisite-uz client", &format!("{client:?}"));
}

#[test]
fn mobilnik_client_and_builder_hide_url_credentials() {
    let builder = mobilnik::Client::builder()
        .base_url(URL)
        .login("test")
        .password(SecretString::from(PASSWORD.to_owned()))
        .device_id(DeviceId::derive("host"))
        .device_name("kassa");
    assert_hidden("mobilnik builder", &format!("{builder:?}"));
    let client = builder.build().expect("a valid client");
    assert_hidden("mobilnik client", &format!("{client:?}"));
}
