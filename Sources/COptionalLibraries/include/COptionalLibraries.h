#ifndef LIFELINE_COPTIONALLIBRARIES_H
#define LIFELINE_COPTIONALLIBRARIES_H

// Loads libcurl, libpq and OpenSSL at run time with dlopen, for the features that need them.
// Each function of those libraries that Lifeline calls is defined in this target as a
// trampoline with the library's own name and signature, which jumps to the address dlsym
// found. A trampoline called before its library was loaded stops the process with a message
// naming the function and the library.

#include <stdbool.h>
#include <stddef.h>

/// The libraries this target can load.
typedef enum lifeline_library {
    /// libcurl.so.4: the cloud providers' HTTP client.
    lifeline_library_curl = 0,
    /// libpq.so.5: the PostgreSQL store.
    lifeline_library_pq = 1,
    /// libssl.so.3 and libcrypto.so.3: SMPP over TLS, request signatures, webhook signatures.
    lifeline_library_openssl = 2,
} lifeline_library;

/// Opens `files` in order with dlopen(RTLD_NOW | RTLD_LOCAL) and resolves every function the
/// trampolines of `library` need, looking in each opened file in turn.
///
/// With `install`, the trampolines are pointed at the functions found and the files stay open
/// for the life of the process. When an earlier call installed the library, returns true at once. Without `install`, the files are closed again and the trampolines are left as they
/// are: a check that `files` would do.
///
/// On failure returns false, writes the reason (dlerror's text or the missing function) into
/// `error` (at most `error_size` bytes, NUL-terminated), closes what it opened and leaves the
/// trampolines unchanged. Thread-safe: concurrent calls are serialised.
bool lifeline_library_load(lifeline_library library, const char *const *files, size_t file_count, bool install,
                           char *error, size_t error_size);

/// Whether `library` was loaded by an earlier call.
bool lifeline_library_is_loaded(lifeline_library library);

#endif
