#!/bin/sh
# Makes the test-only TLS material beside this script (see README.md). Needs openssl 3.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF
: > "$work/index.txt"
echo 1000 > "$work/serial"
# 100 years, starting in the past so that no clock is "before" them.
span="-startdate 20200101000000Z -enddate 21200101000000Z"
for name in ca server client; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$name.key"
done
openssl req -new -key "$work/ca.key" -subj "/CN=kassa test CA" -out "$work/ca.csr"
openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$work/ca.key" $span \
  -extensions ca_ext -in "$work/ca.csr" -out "$work/ca.crt"
openssl req -new -key "$work/server.key" -subj "/CN=localhost" -out "$work/server.csr"
openssl ca -batch -config "$work/ca.cnf" -cert "$work/ca.crt" -keyfile "$work/ca.key" $span \
  -extensions server_ext -in "$work/server.csr" -out "$work/server.crt"
openssl req -new -key "$work/client.key" -subj "/CN=kassa test client" -out "$work/client.csr"
openssl ca -batch -config "$work/ca.cnf" -cert "$work/ca.crt" -keyfile "$work/ca.key" $span \
  -extensions client_ext -in "$work/client.csr" -out "$work/client.crt"
# PEM only (openssl ca prepends a text dump); the CA's key is thrown away.
openssl x509 -in "$work/ca.crt" -out ca.pem
openssl x509 -in "$work/server.crt" -out server.pem
openssl x509 -in "$work/client.crt" -out client.pem
cp "$work/server.key" server.key
cp "$work/client.key" client.key
# The same client key in SEC1 form ("BEGIN EC PRIVATE KEY").
openssl ec -in "$work/client.key" -out client-sec1.key
openssl verify -CAfile ca.pem server.pem client.pem
