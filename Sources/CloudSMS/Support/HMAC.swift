import COpenSSL
import OptionalLibraries

/// Keyed hashes from OpenSSL's libcrypto, for provider signatures.
///
/// Each digest loads OpenSSL first if nothing did before. The daemon loads it at start for every
/// cloud provider, so a missing library stops the process here only through a programmer error.
enum HMAC {
    /// The feature named in the load error.
    private static let feature = "request and webhook signatures"

    /// HMAC-SHA1, 20 bytes: Twilio's webhook signatures.
    static func sha1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        compute(EVP_sha1(), key: key, message: message)
    }

    /// HMAC-SHA256, 32 bytes: AWS Signature Version 4 and Vonage signed webhooks.
    static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        compute(EVP_sha256(), key: key, message: message)
    }

    /// HMAC-MD5, 16 bytes: one of Vonage's signature methods.
    static func md5(key: [UInt8], message: [UInt8]) -> [UInt8] {
        compute(EVP_md5(), key: key, message: message)
    }

    /// HMAC-SHA512, 64 bytes: one of Vonage's signature methods.
    static func sha512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        compute(EVP_sha512(), key: key, message: message)
    }

    /// Plain MD5 of `message`, 16 bytes: Vonage's oldest signature method, kept for accounts set to it.
    static func md5(_ message: [UInt8]) -> [UInt8] {
        OptionalLibrary.openssl.loadOrStop(for: feature)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        message.withUnsafeBytes { buffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                _ = EVP_Digest(buffer.baseAddress, buffer.count, outputBuffer.baseAddress, &length, EVP_md5(), nil)
            }
        }
        return Array(output.prefix(Int(length)))
    }

    private static func compute(_ digest: @autoclosure () -> OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8] {
        OptionalLibrary.openssl.loadOrStop(for: feature)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // A zero byte replaces an empty key or message, because OpenSSL reads no bytes at length 0
        // but treats a NULL key as "reuse the previous key".
        let placeholder: [UInt8] = [0]
        let keyBytes = key.isEmpty ? placeholder : key
        let messageBytes = message.isEmpty ? placeholder : message
        keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    _ = COpenSSL.HMAC(
                        digest(),
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

    /// SHA-256 of `message`, 32 bytes.
    static func sha256(_ message: [UInt8]) -> [UInt8] {
        OptionalLibrary.openssl.loadOrStop(for: feature)
        var output = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        message.withUnsafeBufferPointer { buffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                _ = SHA256(buffer.baseAddress, buffer.count, outputBuffer.baseAddress)
            }
        }
        return output
    }

    /// Lowercase hexadecimal, as AWS Signature Version 4 writes hashes and signatures.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Compares two byte strings in time that depends only on their length: every byte pair is
    /// read, and the differences are gathered with OR, so no early exit tells where they differ.
    /// Plain Swift, so checking a webhook signature needs no library beyond the digest's.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
