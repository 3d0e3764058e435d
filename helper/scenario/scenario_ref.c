/* Scenario loader: references from one part of a scenario to another --
 * node names (with "did you mean"), and addresses to the interface and
 * node that own them.
 */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

size_t scn_find_node(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].name, name) == 0)
			return i;
	return SCENARIO_NONE;
}

/* A node name reference: its index, or SCENARIO_NONE after an error. */
size_t scn_node_ref(struct load *L, yaml_node_t *v, const char *key)
{
	const char *s = scn_scalar(L->c, v, key);
	size_t i;
	const char *names[64];
	size_t n = 0;

	if (!s)
		return SCENARIO_NONE;
	i = scn_index_get(&L->node_names, s, strlen(s));
	if (i != SCENARIO_NONE)
		return i;
	if (L->nodes_failed)
		return SCENARIO_NONE;
	/* A node whose own name was refused was reported already. */
	for (size_t j = 0; j < L->s->n_nodes; j++) {
		yaml_node_t *nn = L->nw[j].name_node;

		if (!L->s->nodes[j].name[0] && nn && nn->type == YAML_SCALAR_NODE &&
		    strcmp(scn_text_of(nn), s) == 0)
			return SCENARIO_NONE;
	}
	for (size_t j = 0; j < L->s->n_nodes && n < 63; j++)
		if (L->s->nodes[j].name[0])
			names[n++] = L->s->nodes[j].name;
	names[n] = NULL;
	const char *near = scn_nearest(s, names);
	if (near)
		scn_error_at(L->c, v, "no node named '%s' (did you mean '%s'?)", s, near);
	else
		scn_error_at(L->c, v, "no node named '%s'", s);
	return SCENARIO_NONE;
}

size_t scenario_node_index(const struct scenario *s, const char *name)
{
	return scn_find_node(s, name);
}

size_t scenario_node_addresses(const struct scenario_node *n, struct ip_addr *out, size_t cap)
{
	size_t count = 0;

	for (uint8_t family = IP_FAMILY_V4; family <= IP_FAMILY_V6; family += 2) {
		for (size_t i = 0; i < n->n_ifaces; i++) {
			struct ip_addr a;
			uint8_t len;

			if (!scn_iface_addr(&n->ifaces[i], family, &a, &len))
				continue;
			if (count < cap)
				out[count] = a;
			count++;
		}
	}
	return count;
}

bool scn_same_subnet(uint32_t a, uint32_t b, uint8_t len)
{
	return ((a ^ b) & units_mask(len)) == 0;
}

bool scn_same_prefix(const struct ip_addr *a, const struct ip_addr *b, uint8_t len)
{
	struct ip_range net = ip_range_prefix(a, len);

	return a->family == b->family && ip_range_contains(&net, b);
}

bool scn_iface_addr(const struct scenario_iface *f, uint8_t family, struct ip_addr *a,
                    uint8_t *prefix_len)
{
	if (family == IP_FAMILY_V6 && f->addr6.family == IP_FAMILY_V6) {
		*a = f->addr6;
		*prefix_len = f->prefix6_len;
		return true;
	}
	if (family == IP_FAMILY_V4 && f->addr != 0) {
		*a = ip_addr_v4(f->addr);
		*prefix_len = f->prefix_len;
		return true;
	}
	return false;
}

bool scn_node_has_family(const struct scenario_node *n, uint8_t family)
{
	struct ip_addr a;
	uint8_t len;

	for (size_t i = 0; i < n->n_ifaces; i++)
		if (scn_iface_addr(&n->ifaces[i], family, &a, &len))
			return true;
	return false;
}

size_t scn_iface_with_addr(const struct scenario_node *n, const struct ip_addr *a)
{
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct scenario_iface *f = &n->ifaces[i];

		if (a->family == IP_FAMILY_V4 ? f->addr == ip_addr_v4_value(a)
		                              : ip_addr_eq(&f->addr6, a))
			return i;
	}
	return SCENARIO_NONE;
}

/* The node that owns address a, or SCENARIO_NONE. */
size_t scn_addr_owner(const struct scenario *s, const struct ip_addr *a)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (scn_iface_with_addr(&s->nodes[i], a) != SCENARIO_NONE)
			return i;
	return SCENARIO_NONE;
}
