// Trampolines for the libssl and libcrypto functions Lifeline calls: SMPP over TLS, and the
// digests behind request and webhook signatures.

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// HMAC() and SHA256() are deprecated in OpenSSL 3 but still exported. Defining trampolines for
// them does not call them, so the deprecation warnings are silenced.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "SymbolTable.h"

#define OPENSSL_SYMBOLS(X)                                                                       \
    X(BIO_ctrl_pending)                                                                          \
    X(BIO_new)                                                                                   \
    X(BIO_read)                                                                                  \
    X(BIO_s_mem)                                                                                 \
    X(BIO_write)                                                                                 \
    X(ERR_clear_error)                                                                           \
    X(ERR_error_string_n)                                                                        \
    X(ERR_get_error)                                                                             \
    X(EVP_Digest)                                                                                \
    X(EVP_md5)                                                                                   \
    X(EVP_sha1)                                                                                  \
    X(EVP_sha256)                                                                                \
    X(EVP_sha512)                                                                                \
    X(HMAC)                                                                                      \
    X(SHA256)                                                                                    \
    X(SSL_CTX_ctrl)                                                                              \
    X(SSL_CTX_free)                                                                              \
    X(SSL_CTX_load_verify_locations)                                                             \
    X(SSL_CTX_new)                                                                               \
    X(SSL_CTX_set_default_verify_paths)                                                          \
    X(SSL_CTX_set_verify)                                                                        \
    X(SSL_ctrl)                                                                                  \
    X(SSL_do_handshake)                                                                          \
    X(SSL_free)                                                                                  \
    X(SSL_get0_param)                                                                            \
    X(SSL_get_error)                                                                             \
    X(SSL_get_verify_result)                                                                     \
    X(SSL_new)                                                                                   \
    X(SSL_read)                                                                                  \
    X(SSL_set1_host)                                                                             \
    X(SSL_set_bio)                                                                               \
    X(SSL_set_connect_state)                                                                     \
    X(SSL_shutdown)                                                                              \
    X(SSL_write)                                                                                 \
    X(TLS_client_method)                                                                         \
    X(X509_VERIFY_PARAM_set1_ip_asc)                                                             \
    X(X509_verify_cert_error_string)

enum { OPENSSL_SYMBOLS(LIFELINE_SYMBOL_INDEX) lifeline_openssl_symbol_count };
static const char *const lifeline_openssl_names[] = {OPENSSL_SYMBOLS(LIFELINE_SYMBOL_NAME)};
static void *lifeline_openssl_addresses[lifeline_openssl_symbol_count];

LIFELINE_HIDDEN struct lifeline_symbol_table lifeline_openssl_table = {
    "libssl.so.3", "libssl3", lifeline_openssl_names, lifeline_openssl_addresses, lifeline_openssl_symbol_count,
};

#define CALL(name) LIFELINE_TARGET(lifeline_openssl_table, name)

LIFELINE_HIDDEN size_t BIO_ctrl_pending(BIO *bio) { return CALL(BIO_ctrl_pending)(bio); }

LIFELINE_HIDDEN BIO *BIO_new(const BIO_METHOD *method) { return CALL(BIO_new)(method); }

LIFELINE_HIDDEN int BIO_read(BIO *bio, void *data, int length) { return CALL(BIO_read)(bio, data, length); }

LIFELINE_HIDDEN const BIO_METHOD *BIO_s_mem(void) { return CALL(BIO_s_mem)(); }

LIFELINE_HIDDEN int BIO_write(BIO *bio, const void *data, int length) { return CALL(BIO_write)(bio, data, length); }

LIFELINE_HIDDEN void ERR_clear_error(void) { CALL(ERR_clear_error)(); }

LIFELINE_HIDDEN void ERR_error_string_n(unsigned long code, char *buffer, size_t length) {
    CALL(ERR_error_string_n)(code, buffer, length);
}

LIFELINE_HIDDEN unsigned long ERR_get_error(void) { return CALL(ERR_get_error)(); }

LIFELINE_HIDDEN int EVP_Digest(const void *data, size_t count, unsigned char *digest, unsigned int *size,
                               const EVP_MD *type, ENGINE *engine) {
    return CALL(EVP_Digest)(data, count, digest, size, type, engine);
}

LIFELINE_HIDDEN const EVP_MD *EVP_md5(void) { return CALL(EVP_md5)(); }

LIFELINE_HIDDEN const EVP_MD *EVP_sha1(void) { return CALL(EVP_sha1)(); }

LIFELINE_HIDDEN const EVP_MD *EVP_sha256(void) { return CALL(EVP_sha256)(); }

LIFELINE_HIDDEN const EVP_MD *EVP_sha512(void) { return CALL(EVP_sha512)(); }

LIFELINE_HIDDEN unsigned char *HMAC(const EVP_MD *digest, const void *key, int key_length, const unsigned char *data,
                                    size_t data_length, unsigned char *output, unsigned int *output_length) {
    return CALL(HMAC)(digest, key, key_length, data, data_length, output, output_length);
}

LIFELINE_HIDDEN unsigned char *SHA256(const unsigned char *data, size_t length, unsigned char *output) {
    return CALL(SHA256)(data, length, output);
}

LIFELINE_HIDDEN long SSL_CTX_ctrl(SSL_CTX *context, int command, long number, void *argument) {
    return CALL(SSL_CTX_ctrl)(context, command, number, argument);
}

LIFELINE_HIDDEN void SSL_CTX_free(SSL_CTX *context) { CALL(SSL_CTX_free)(context); }

LIFELINE_HIDDEN int SSL_CTX_load_verify_locations(SSL_CTX *context, const char *file, const char *path) {
    return CALL(SSL_CTX_load_verify_locations)(context, file, path);
}

LIFELINE_HIDDEN SSL_CTX *SSL_CTX_new(const SSL_METHOD *method) { return CALL(SSL_CTX_new)(method); }

LIFELINE_HIDDEN int SSL_CTX_set_default_verify_paths(SSL_CTX *context) {
    return CALL(SSL_CTX_set_default_verify_paths)(context);
}

LIFELINE_HIDDEN void SSL_CTX_set_verify(SSL_CTX *context, int mode, SSL_verify_cb callback) {
    CALL(SSL_CTX_set_verify)(context, mode, callback);
}

LIFELINE_HIDDEN long SSL_ctrl(SSL *ssl, int command, long number, void *argument) {
    return CALL(SSL_ctrl)(ssl, command, number, argument);
}

LIFELINE_HIDDEN int SSL_do_handshake(SSL *ssl) { return CALL(SSL_do_handshake)(ssl); }

LIFELINE_HIDDEN void SSL_free(SSL *ssl) { CALL(SSL_free)(ssl); }

LIFELINE_HIDDEN X509_VERIFY_PARAM *SSL_get0_param(SSL *ssl) { return CALL(SSL_get0_param)(ssl); }

LIFELINE_HIDDEN int SSL_get_error(const SSL *ssl, int result) { return CALL(SSL_get_error)(ssl, result); }

LIFELINE_HIDDEN long SSL_get_verify_result(const SSL *ssl) { return CALL(SSL_get_verify_result)(ssl); }

LIFELINE_HIDDEN SSL *SSL_new(SSL_CTX *context) { return CALL(SSL_new)(context); }

LIFELINE_HIDDEN int SSL_read(SSL *ssl, void *buffer, int length) { return CALL(SSL_read)(ssl, buffer, length); }

LIFELINE_HIDDEN int SSL_set1_host(SSL *ssl, const char *hostname) { return CALL(SSL_set1_host)(ssl, hostname); }

LIFELINE_HIDDEN void SSL_set_bio(SSL *ssl, BIO *read_bio, BIO *write_bio) {
    CALL(SSL_set_bio)(ssl, read_bio, write_bio);
}

LIFELINE_HIDDEN void SSL_set_connect_state(SSL *ssl) { CALL(SSL_set_connect_state)(ssl); }

LIFELINE_HIDDEN int SSL_shutdown(SSL *ssl) { return CALL(SSL_shutdown)(ssl); }

LIFELINE_HIDDEN int SSL_write(SSL *ssl, const void *buffer, int length) { return CALL(SSL_write)(ssl, buffer, length); }

LIFELINE_HIDDEN const SSL_METHOD *TLS_client_method(void) { return CALL(TLS_client_method)(); }

LIFELINE_HIDDEN int X509_VERIFY_PARAM_set1_ip_asc(X509_VERIFY_PARAM *parameters, const char *address) {
    return CALL(X509_VERIFY_PARAM_set1_ip_asc)(parameters, address);
}

LIFELINE_HIDDEN const char *X509_verify_cert_error_string(long code) {
    return CALL(X509_verify_cert_error_string)(code);
}
