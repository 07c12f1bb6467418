#include "integrations/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace muster {

namespace {
// OpenSSL 3 looks an algorithm up by name on every HMAC() call (EVP_Q_mac fetches it, under a
// lock): a sixth of the signature check's time. The fetched algorithm is immutable and shared
// by every thread; each call gets its own context.
EVP_MAC* hmac_algorithm() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}
}  // namespace

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(
        hmac_algorithm() ? EVP_MAC_CTX_new(hmac_algorithm()) : nullptr, &EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    unsigned char md[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    if (!ctx ||
        !EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                      params) ||
        !EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                        data.size()) ||
        !EVP_MAC_final(ctx.get(), md, &len, sizeof md))
        throw std::runtime_error("HMAC-SHA256 is not available from OpenSSL");
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (std::size_t i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xF];
    }
    return out;
}

bool constant_time_equals(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace muster
