// Trampolines for the libcurl functions Lifeline calls. The variadic setopt and getinfo calls
// read their one argument with the type libcurl itself reads for that option number.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

// Keeps curl.h from turning curl_easy_setopt and curl_easy_getinfo into type-checking macros.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "SymbolTable.h"

#define CURL_SYMBOLS(X)                                                                          \
    X(curl_easy_cleanup)                                                                         \
    X(curl_easy_getinfo)                                                                         \
    X(curl_easy_init)                                                                            \
    X(curl_easy_setopt)                                                                          \
    X(curl_easy_strerror)                                                                        \
    X(curl_global_init)                                                                          \
    X(curl_multi_add_handle)                                                                     \
    X(curl_multi_cleanup)                                                                        \
    X(curl_multi_info_read)                                                                      \
    X(curl_multi_init)                                                                           \
    X(curl_multi_perform)                                                                        \
    X(curl_multi_poll)                                                                           \
    X(curl_multi_remove_handle)                                                                  \
    X(curl_multi_setopt)                                                                         \
    X(curl_multi_strerror)                                                                       \
    X(curl_multi_wakeup)                                                                         \
    X(curl_slist_append)                                                                         \
    X(curl_slist_free_all)

enum { CURL_SYMBOLS(LIFELINE_SYMBOL_INDEX) lifeline_curl_symbol_count };
static const char *const lifeline_curl_names[] = {CURL_SYMBOLS(LIFELINE_SYMBOL_NAME)};
static void *lifeline_curl_addresses[lifeline_curl_symbol_count];

LIFELINE_HIDDEN struct lifeline_symbol_table lifeline_curl_table = {
    "libcurl.so.4", "libcurl4", lifeline_curl_names, lifeline_curl_addresses, lifeline_curl_symbol_count,
};

#define CALL(name) LIFELINE_TARGET(lifeline_curl_table, name)

LIFELINE_HIDDEN void curl_easy_cleanup(CURL *curl) { CALL(curl_easy_cleanup)(curl); }

LIFELINE_HIDDEN CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...) {
    // Every CURLINFO takes a pointer to the variable that receives the value.
    va_list arguments;
    va_start(arguments, info);
    void *answer = va_arg(arguments, void *);
    va_end(arguments);
    return CALL(curl_easy_getinfo)(curl, info, answer);
}

LIFELINE_HIDDEN CURL *curl_easy_init(void) { return CALL(curl_easy_init)(); }

/// Forwards one option value, read as libcurl reads it: the option number's range gives its type.
#define LIFELINE_FORWARD_OPTION(function, handle, option, arguments)                             \
    ((option) < CURLOPTTYPE_OBJECTPOINT     ? function(handle, option, va_arg(arguments, long))   \
     : (option) < CURLOPTTYPE_FUNCTIONPOINT ? function(handle, option, va_arg(arguments, void *)) \
     : (option) < CURLOPTTYPE_OFF_T         ? function(handle, option, va_arg(arguments, void (*)(void))) \
     : (option) < CURLOPTTYPE_BLOB          ? function(handle, option, va_arg(arguments, curl_off_t)) \
                                            : function(handle, option, va_arg(arguments, void *)))

LIFELINE_HIDDEN CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...) {
    va_list arguments;
    va_start(arguments, option);
    CURLcode result = LIFELINE_FORWARD_OPTION(CALL(curl_easy_setopt), curl, option, arguments);
    va_end(arguments);
    return result;
}

LIFELINE_HIDDEN const char *curl_easy_strerror(CURLcode code) { return CALL(curl_easy_strerror)(code); }

LIFELINE_HIDDEN CURLcode curl_global_init(long flags) { return CALL(curl_global_init)(flags); }

LIFELINE_HIDDEN CURLMcode curl_multi_add_handle(CURLM *multi, CURL *easy) {
    return CALL(curl_multi_add_handle)(multi, easy);
}

LIFELINE_HIDDEN CURLMcode curl_multi_cleanup(CURLM *multi) { return CALL(curl_multi_cleanup)(multi); }

LIFELINE_HIDDEN CURLMsg *curl_multi_info_read(CURLM *multi, int *messages_left) {
    return CALL(curl_multi_info_read)(multi, messages_left);
}

LIFELINE_HIDDEN CURLM *curl_multi_init(void) { return CALL(curl_multi_init)(); }

LIFELINE_HIDDEN CURLMcode curl_multi_perform(CURLM *multi, int *running) {
    return CALL(curl_multi_perform)(multi, running);
}

LIFELINE_HIDDEN CURLMcode curl_multi_poll(CURLM *multi, struct curl_waitfd extra_fds[], unsigned int extra_count,
                                          int timeout_ms, int *ready) {
    return CALL(curl_multi_poll)(multi, extra_fds, extra_count, timeout_ms, ready);
}

LIFELINE_HIDDEN CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *easy) {
    return CALL(curl_multi_remove_handle)(multi, easy);
}

LIFELINE_HIDDEN CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...) {
    va_list arguments;
    va_start(arguments, option);
    CURLMcode result = LIFELINE_FORWARD_OPTION(CALL(curl_multi_setopt), multi, option, arguments);
    va_end(arguments);
    return result;
}

LIFELINE_HIDDEN const char *curl_multi_strerror(CURLMcode code) { return CALL(curl_multi_strerror)(code); }

LIFELINE_HIDDEN CURLMcode curl_multi_wakeup(CURLM *multi) { return CALL(curl_multi_wakeup)(multi); }

LIFELINE_HIDDEN struct curl_slist *curl_slist_append(struct curl_slist *list, const char *text) {
    return CALL(curl_slist_append)(list, text);
}

LIFELINE_HIDDEN void curl_slist_free_all(struct curl_slist *list) { CALL(curl_slist_free_all)(list); }
