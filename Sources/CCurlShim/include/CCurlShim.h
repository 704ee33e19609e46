#ifndef LIFELINE_CCURLSHIM_H
#define LIFELINE_CCURLSHIM_H

// Typed, non-variadic wrappers for the libcurl calls Swift cannot import because they are
// variadic (curl_easy_setopt, curl_easy_getinfo, curl_multi_setopt). One wrapper per argument
// type; each passes its arguments through unchanged and returns libcurl's own result code.

#include <curl/curl.h>

/// `CURLAUTH_BASIC`, which Swift does not import because the macro contains a cast.
static const long ccurl_auth_basic = (long)CURLAUTH_BASIC;

/// `CURL_GLOBAL_DEFAULT`, for `curl_global_init`.
static const long ccurl_global_default = (long)CURL_GLOBAL_DEFAULT;

/// `CURL_ERROR_SIZE`: the size of the buffer `CURLOPT_ERRORBUFFER` writes into.
static const int ccurl_error_size = CURL_ERROR_SIZE;

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
/// For `CURLOPT_WRITEFUNCTION` and `CURLOPT_HEADERFUNCTION`.
CURLcode ccurl_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback value);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
/// The string stays owned by the handle and is valid until the handle is cleaned up.
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);
/// For `CURLINFO_PRIVATE`.
CURLcode ccurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

#endif
