#ifndef LIFELINE_SYMBOLTABLE_H
#define LIFELINE_SYMBOLTABLE_H

// The resolved addresses behind one library's trampolines. Private to this target.

#include <stddef.h>

/// Trampolines and tables stay out of the executable's dynamic symbol table: a library loaded
/// later must bind to its real dependencies, never to these definitions.
#define LIFELINE_HIDDEN __attribute__((visibility("hidden")))

/// One library's functions: their names, and the addresses found for them (NULL until loaded).
struct lifeline_symbol_table {
    /// The file named in the message when a trampoline runs too early, such as "libcurl.so.4".
    const char *library_file;
    /// The Debian package that ships it, for the same message.
    const char *debian_package;
    const char *const *names;
    /// Written once under the loader's lock, read with acquire loads.
    void **addresses;
    size_t count;
};

LIFELINE_HIDDEN extern struct lifeline_symbol_table lifeline_curl_table;
LIFELINE_HIDDEN extern struct lifeline_symbol_table lifeline_pq_table;
LIFELINE_HIDDEN extern struct lifeline_symbol_table lifeline_openssl_table;

/// Returns the address of function `index` of `table`. Stops the process with a message when
/// the library was not loaded.
LIFELINE_HIDDEN void *lifeline_symbol(struct lifeline_symbol_table *table, size_t index);

/// Helpers for the trampoline files: each defines NAME_SYMBOLS(X) listing its functions.
#define LIFELINE_SYMBOL_INDEX(name) lifeline_index_##name,
#define LIFELINE_SYMBOL_NAME(name) #name,

/// The resolved function behind trampoline `name` of `table`, with the header's type.
#define LIFELINE_TARGET(table, name) ((__typeof__(&name))lifeline_symbol(&(table), lifeline_index_##name))

#endif
