#ifndef LIFELINE_CMICROHTTPDSHIM_H
#define LIFELINE_CMICROHTTPDSHIM_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Typed, non-variadic wrappers around the variadic libmicrohttpd calls Swift cannot import.

/// The access handler libmicrohttpd calls for each request and each piece of its body.
typedef enum MHD_Result (*lifeline_mhd_access_handler)(
    void *closure,
    struct MHD_Connection *connection,
    const char *url,
    const char *method,
    const char *version,
    const char *upload_data,
    size_t *upload_data_size,
    void **request_context);

/// Called once a request is finished (responded to, or the connection died), to free its context.
typedef void (*lifeline_mhd_completed_handler)(
    void *closure,
    struct MHD_Connection *connection,
    void **request_context,
    enum MHD_RequestTerminationCode code);

/// Limits of one daemon.
typedef struct lifeline_mhd_limits {
    /// Most connections served at once; each has its own thread.
    unsigned int connection_limit;
    /// Most connections at once from one client address; 0 for no limit.
    unsigned int per_address_connection_limit;
    /// Seconds of inactivity after which a connection is closed.
    unsigned int connection_timeout_seconds;
    /// Bytes of memory per connection for the request line, the headers and buffering; a
    /// request whose headers do not fit gets an error status from libmicrohttpd.
    size_t connection_memory_limit;
} lifeline_mhd_limits;

/// Starts a daemon with one thread per connection and an internal listening thread.
///
/// `bind_address` is an IPv4 or IPv6 literal; `port` 0 lets the kernel choose. Returns NULL when
/// the address is not a literal or the socket cannot be bound; `*error_number` then contains errno
/// (EINVAL for a bad address).
struct MHD_Daemon *lifeline_mhd_start(
    const char *bind_address,
    uint16_t port,
    lifeline_mhd_limits limits,
    lifeline_mhd_access_handler handler,
    void *handler_closure,
    lifeline_mhd_completed_handler completed,
    void *completed_closure,
    int *error_number);

/// The port the daemon is bound to, or 0 when unknown.
uint16_t lifeline_mhd_bound_port(struct MHD_Daemon *daemon);

/// The value the content reader returns at the end of a stream (`MHD_CONTENT_READER_END_OF_STREAM`).
ssize_t lifeline_mhd_content_reader_end_of_stream(void);

/// The value the content reader returns when the stream fails (`MHD_CONTENT_READER_END_WITH_ERROR`).
ssize_t lifeline_mhd_content_reader_end_with_error(void);

/// The unknown size for streamed responses (`MHD_SIZE_UNKNOWN`).
uint64_t lifeline_mhd_size_unknown(void);

#endif
