/* Identities (RFC 7296 §3.5) in swanctl's notation:
 *
 *   ""                 the address of the IKE SA (ID_IPV4_ADDR or
 *                      ID_IPV6_ADDR)
 *   "192.0.2.1"        ID_IPV4_ADDR
 *   "2001:db8::1"      ID_IPV6_ADDR
 *   "user@example.org" ID_RFC822_ADDR
 *   "@gw.example.org"  ID_FQDN (strongSwan: '@' forces FQDN)
 *   "gw.example.org"   ID_FQDN
 *   "C=CH, O=x, CN=gw" ID_DER_ASN1_DN (DER of the X.501 Name, RDNs in the
 *                      order written)
 *   "%any"             (remote only) any identity
 */
#include "ike_sa.h"

#include <fnmatch.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* "C=CH, O=strongSwan, CN=gw" -> DER Name. */
static int encode_dn(const char *s, uint8_t *data, size_t cap, size_t *len, char *err,
                     size_t errlen)
{
	X509_NAME *name = X509_NAME_new();
	char buf[IKE_ID_MAX], *save = NULL, *rdn;
	unsigned char *p = data;
	int n, rc = -1;

	snprintf(buf, sizeof(buf), "%s", s);
	if (!name)
		goto out;
	for (rdn = strtok_r(buf, ",/", &save); rdn; rdn = strtok_r(NULL, ",/", &save)) {
		char *eq = strchr(rdn, '=');
		char *k = rdn, *v;

		while (*k == ' ')
			k++;
		if (!eq || eq == k) {
			snprintf(err, errlen, "distinguished name '%s': '%s' is not TYPE=value", s,
			         rdn);
			goto out;
		}
		*eq = '\0';
		for (char *e = eq - 1; e > k && *e == ' '; e--)
			*e = '\0';
		v = eq + 1;
		while (*v == ' ')
			v++;
		if (!X509_NAME_add_entry_by_txt(name, k, MBSTRING_UTF8, (const unsigned char *)v,
		                                -1, -1, 0)) {
			snprintf(err, errlen,
			         "distinguished name '%s': unknown attribute type '%s'", s, k);
			goto out;
		}
	}
	n = i2d_X509_NAME(name, NULL);
	if (n <= 0 || (size_t)n > cap) {
		snprintf(err, errlen, "distinguished name '%s' is too long", s);
		goto out;
	}
	i2d_X509_NAME(name, &p);
	*len = (size_t)n;
	rc = 0;
out:
	X509_NAME_free(name);
	return rc;
}

int ike_id_encode(const char *id, struct ip_addr addr, uint8_t *type, uint8_t *data, size_t cap,
                  size_t *len, char *err, size_t errlen)
{
	struct ip_addr a = addr;
	size_t n = strlen(id);

	if (n == 0 || ip_addr_parse(id, &a) == 0) {
		*len = ip_family_len(a.family);
		if (!*len || cap < *len)
			return -1;
		memcpy(data, a.b, *len);
		*type = a.family == IP_FAMILY_V4 ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
		return 0;
	}
	if (strchr(id, '=')) {
		*type = IKE_ID_DER_ASN1_DN;
		return encode_dn(id, data, cap, len, err, errlen);
	}
	if (id[0] == '@') {
		id++;
		n--;
		*type = IKE_ID_FQDN;
	} else {
		*type = strchr(id, '@') ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN;
	}
	if (n == 0 || n > cap) {
		snprintf(err, errlen, "identity '%s' is empty or too long", id);
		return -1;
	}
	memcpy(data, id, n);
	*len = n;
	return 0;
}

void ike_id_format(uint8_t type, const uint8_t *data, size_t len, char *out, size_t cap)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (len == (type == IKE_ID_IPV4_ADDR ? 4u : 16u)) {
			struct ip_addr a = ip_addr_from_bytes(
			        type == IKE_ID_IPV4_ADDR ? IP_FAMILY_V4 : IP_FAMILY_V6, data);
			char text[IP_ADDR_STRLEN];

			snprintf(out, cap, "%s", ip_addr_str(&a, text));
			return;
		}
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		snprintf(out, cap, "%.*s", (int)(len < 200 ? len : 200), (const char *)data);
		for (char *p = out; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				*p = '?';
		return;
	case IKE_ID_DER_ASN1_DN: {
		const unsigned char *p = data;
		X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);

		if (name) {
			X509_NAME_oneline(name, out, (int)cap);
			X509_NAME_free(name);
			return;
		}
		break;
	}
	default:
		break;
	}
	snprintf(out, cap, "(ID type %u, %zu bytes)", type, len);
}

bool ike_id_matches(const char *want, uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t t, buf[IKE_ID_MAX + 512];
	size_t n;

	if (!want[0] || !strcmp(want, "%any"))
		return true;
	if (ike_id_encode(want, (struct ip_addr){0}, &t, buf, sizeof(buf), &n, NULL, 0) < 0)
		return false;
	/* Wildcards as strongSwan allows them in FQDN and RFC 822 identities
	 * ("*@example.org", "*.example.org"): shell patterns on the text. */
	if (strchr(want, '*') && (type == IKE_ID_FQDN || type == IKE_ID_RFC822_ADDR)) {
		char text[IKE_ID_MAX];
		if (t != type || len >= sizeof(text))
			return false;
		memcpy(text, data, len);
		text[len] = 0;
		return fnmatch(want, text, 0) == 0;
	}
	return ike_id_equal(t, buf, n, type, data, len);
}

bool ike_id_equal(uint8_t t1, const uint8_t *d1, size_t l1, uint8_t t2, const uint8_t *d2,
                  size_t l2)
{
	bool eq = false;

	if (t1 != t2)
		return false;
	if (t1 == IKE_ID_DER_ASN1_DN && (l1 != l2 || memcmp(d1, d2, l1))) {
		/* The same name in other string types (strongSwan writes
		 * PrintableString where OpenSSL writes UTF8String): RFC 5280
		 * §7.1 comparison, OpenSSL's canonical encoding. */
		const unsigned char *p1 = d1, *p2 = d2;
		X509_NAME *n1 = d2i_X509_NAME(NULL, &p1, (long)l1);
		X509_NAME *n2 = d2i_X509_NAME(NULL, &p2, (long)l2);

		eq = n1 && n2 && X509_NAME_cmp(n1, n2) == 0;
		X509_NAME_free(n1);
		X509_NAME_free(n2);
		return eq;
	}
	return l1 == l2 && !memcmp(d1, d2, l1);
}
