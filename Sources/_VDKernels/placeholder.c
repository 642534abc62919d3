#include "vd_kernels.h"
