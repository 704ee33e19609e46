#ifndef LIFELINE_CMICROHTTPDSHIM_H
#define LIFELINE_CMICROHTTPDSHIM_H
#include <microhttpd.h>
#endif
