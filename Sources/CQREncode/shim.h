#ifndef JCFED_CQRENCODE_SHIM_H
#define JCFED_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
