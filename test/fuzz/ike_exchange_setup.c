/* The worlds the IKE exchange fuzz target's scripts start from
 * (ike_exchange_input.h), for the target and its seed generator. */
#include "ike_exchange_input.h"
#include "ike_harness.h"

#include <stdio.h>

/* The phase-2 world loses every IKE_AUTH message. */
static int lose_auth(struct ike_harness *h, struct hdgram *d, void *arg)
{
	size_t off = d->dport == IKE_NATT_PORT || d->sport == IKE_NATT_PORT ? 4 : 0;

	(void)h;
	(void)arg;
	return d->len > off + 18 && d->data[off + 18] == IKE_AUTH ? 0 : 1;
}

void ikef_setup(struct ike_harness *h, uint8_t s)
{
	struct ike_conn_config a, b;

	h_setup(h, &a, &b, s & IKEF_PFS ? "aes128gcm16-x25519" : NULL);
	/* X25519 first: any 32 octets are a public value (RFC 7748 §5), so
	 * fuzzed IKE_SA_INIT responses get past the key exchange. */
	snprintf(a.proposals, sizeof(a.proposals), "aes128-sha256-x25519, default");
	a.mobike = b.mobike = s & IKEF_MOBIKE;
	if (s & IKEF_NAT) {
		h->nat = true;
		b.remote_addr =
		        (struct ip_addr){0}; /* B accepts A from wherever the NAT makes it come */
	}
	switch ((enum ikef_phase)(s & 3)) {
	case IKEF_INIT_REQUEST:
		h_add(h, 1, &b);
		break;
	case IKEF_INIT_RESPONSE:
		h->n[1].down = true;
		h_add(h, 0, &a);
		h_run_for(h, 1 * H_MS);
		break;
	case IKEF_AUTH:
		h->hook = lose_auth;
		h_add(h, 1, &b);
		h_add(h, 0, &a);
		h_run_for(h, 100 * H_MS);
		break;
	case IKEF_ESTABLISHED:
		h_start(h, &a, &b);
		break;
	}
}
