/* A lower folder that includes an upper one: the circle `layers` refuses. */
#include "upper.h"
