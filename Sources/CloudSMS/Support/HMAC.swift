import COpenSSL

/// Keyed hashes from OpenSSL's libcrypto, for provider signatures.
enum HMAC {
    /// HMAC-SHA1, 20 bytes: Twilio's webhook signatures.
    static func sha1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        compute(EVP_sha1(), key: key, message: message)
    }

    /// HMAC-SHA256, 32 bytes: AWS Signature Version 4.
    static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        compute(EVP_sha256(), key: key, message: message)
    }

    private static func compute(_ digest: OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // A zero byte stands in for an empty key or message: OpenSSL reads no bytes at length 0
        // but treats a NULL key as "reuse the previous key".
        let placeholder: [UInt8] = [0]
        let keyBytes = key.isEmpty ? placeholder : key
        let messageBytes = message.isEmpty ? placeholder : message
        keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    _ = COpenSSL.HMAC(
                        digest,
                        keyBuffer.baseAddress,
                        Int32(key.count),
                        messageBuffer.baseAddress,
                        message.count,
                        outputBuffer.baseAddress,
                        &length
                    )
                }
            }
        }
        return Array(output.prefix(Int(length)))
    }

    /// Compares two byte strings in time that depends only on their length (`CRYPTO_memcmp`).
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard !lhs.isEmpty else { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, lhs.count) == 0 }
        }
    }
}
