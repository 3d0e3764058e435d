/* An upper folder that includes a lower one, as it may. */
#include "lower.h"
