/* Names of IKE states and events, as they appear in the database and logs. */
#ifndef IKE_NAMES_H
#define IKE_NAMES_H

#include "ike.h"

const char *ike_sa_state_name(int state);    /* enum ike_sa_state */
const char *ike_child_state_name(int state); /* enum ike_child_state */
const char *ike_event_type_name(enum ike_event_type type);

#endif
