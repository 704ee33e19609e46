#include "CMicroHTTPDShim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

struct MHD_Daemon *lifeline_mhd_start(
    const char *bind_address,
    uint16_t port,
    lifeline_mhd_limits limits,
    lifeline_mhd_access_handler handler,
    void *handler_closure,
    lifeline_mhd_completed_handler completed,
    void *completed_closure,
    int *error_number)
{
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const struct sockaddr *address;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;

    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, bind_address, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        address = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, bind_address, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        address = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        if (error_number) *error_number = EINVAL;
        return NULL;
    }

    errno = 0;
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags,
        port,
        NULL, NULL,
        (MHD_AccessHandlerCallback)handler, handler_closure,
        MHD_OPTION_SOCK_ADDR, address,
        MHD_OPTION_CONNECTION_LIMIT, limits.connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits.per_address_connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, limits.connection_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits.connection_memory_limit,
        MHD_OPTION_NOTIFY_COMPLETED, (MHD_RequestCompletedCallback)completed, completed_closure,
        MHD_OPTION_END);
    if (daemon == NULL && error_number) *error_number = errno;
    return daemon;
}

uint16_t lifeline_mhd_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

ssize_t lifeline_mhd_content_reader_end_of_stream(void) { return MHD_CONTENT_READER_END_OF_STREAM; }

ssize_t lifeline_mhd_content_reader_end_with_error(void) { return MHD_CONTENT_READER_END_WITH_ERROR; }

uint64_t lifeline_mhd_size_unknown(void) { return MHD_SIZE_UNKNOWN; }
