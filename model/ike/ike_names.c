#include "ike_names.h"

const char *ike_sa_state_name(int state)
{
	static const char *const names[] = {
	        [IKE_STATE_CONNECTING] = "connecting", [IKE_STATE_ESTABLISHED] = "established",
	        [IKE_STATE_REKEYED] = "rekeyed",       [IKE_STATE_DELETED] = "deleted",
	        [IKE_STATE_FAILED] = "failed",
	};
	return state >= 0 && state <= IKE_STATE_FAILED ? names[state] : "?";
}

const char *ike_child_state_name(int state)
{
	static const char *const names[] = {
	        [IKE_CHILD_INSTALLED] = "installed",
	        [IKE_CHILD_REKEYED] = "rekeyed",
	        [IKE_CHILD_DELETED] = "deleted",
	        [IKE_CHILD_REMOVED] = "removed",
	};
	return state >= 0 && state <= IKE_CHILD_REMOVED ? names[state] : "?";
}

const char *ike_event_type_name(enum ike_event_type type)
{
	switch (type) {
	case IKE_EV_IKE_SA:
		return "ike_sa";
	case IKE_EV_CHILD_SA:
		return "child_sa";
	case IKE_EV_EXCHANGE:
		return "exchange";
	case IKE_EV_FAILURE:
		return "failure";
	case IKE_EV_IKE_KEYS:
		return "ike_keys";
	case IKE_EV_CHILD_KEYS:
		return "child_keys";
	case IKE_EV_NAT:
		return "nat";
	case IKE_EV_KE_RETRY:
		return "ke_retry";
	}
	return "?";
}
