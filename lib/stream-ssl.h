/*
 * stream-ssl: TLS settings for ssl: and pssl: streams (OpenSSL).
 *
 * Both sides present a certificate and verify the peer's against the CA
 * certificate: a server requires a client certificate signed by the CA,
 * and a client requires the same of the server.  TLS 1.2 is the oldest
 * version accepted.
 */
#ifndef SKIFF_STREAM_SSL_H
#define SKIFF_STREAM_SSL_H 1

#include <stdbool.h>

/* Sets the private key, certificate and CA certificate files (PEM) used by
 * every TLS stream opened after the call.  Returns 0 or a positive errno
 * value (ENOENT for a missing file, EPROTO for a file OpenSSL rejects or a
 * key that does not match the certificate); on failure the previous
 * settings stay and an error is logged naming the file. */
int stream_ssl_configure(const char *private_key_file,
                         const char *certificate_file,
                         const char *ca_cert_file);

bool stream_ssl_is_configured(void);

/* Command-line options for programs that speak TLS:
 * --private-key=FILE --certificate=FILE --ca-cert=FILE. */
#define STREAM_SSL_OPTION_ENUMS                 \
    OPT_SSL_PRIVATE_KEY,                        \
    OPT_SSL_CERTIFICATE,                        \
    OPT_SSL_CA_CERT
#define STREAM_SSL_LONG_OPTIONS                                         \
    {"private-key", required_argument, NULL, OPT_SSL_PRIVATE_KEY},      \
    {"certificate", required_argument, NULL, OPT_SSL_CERTIFICATE},      \
    {"ca-cert", required_argument, NULL, OPT_SSL_CA_CERT}

/* Collects the three option values; stream_ssl_options_apply() then calls
 * stream_ssl_configure() if any was given.  Returns 0 or errno, after
 * printing an error that names the missing option. */
struct stream_ssl_options {
    const char *private_key;
    const char *certificate;
    const char *ca_cert;
};
int stream_ssl_options_apply(const struct stream_ssl_options *);

#define STREAM_SSL_OPTION_HANDLERS(OPTS)        \
    case OPT_SSL_PRIVATE_KEY:                   \
        (OPTS)->private_key = optarg;           \
        break;                                  \
    case OPT_SSL_CERTIFICATE:                   \
        (OPTS)->certificate = optarg;           \
        break;                                  \
    case OPT_SSL_CA_CERT:                       \
        (OPTS)->ca_cert = optarg;               \
        break;

#endif /* stream-ssl.h */
