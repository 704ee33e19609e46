#ifndef LIFELINE_CCURLSHIM_H
#define LIFELINE_CCURLSHIM_H
#include <curl/curl.h>
#endif
