/* Where a node's IPv4 identifications start (ns3c_ip_id_source): an
 * AES-128-CTR keystream of the node's own, keyed by the run's seed, the
 * node and a tag no boot number reaches (sim_host.c keys the node's other
 * streams with its boot), so that drawing identifications leaves every
 * other random draw of the run as it was, and a seed repeats them. */
#include "sim_internal.h"

#include <openssl/evp.h>
#include <string.h>

#include "ns3c.h"

static int ip_id_bytes(void *arg, uint8_t *buf, size_t len)
{
	int outl = 0;
	memset(buf, 0, len);
	return EVP_EncryptUpdate(arg, buf, &outl, buf, (int)len) == 1 ? 0 : -1;
}

int sim_ip_id_start(struct sim_node *sn, uint32_t node, uint64_t seed)
{
	static const uint8_t tag[4] = {'I', 'P', 'I', 'D'};
	uint8_t key[16] = {0}, iv[16] = {0};
	memcpy(key, &seed, sizeof seed);
	memcpy(key + 8, &node, sizeof node);
	memcpy(key + 12, tag, sizeof tag);
	sn->ip_ids = EVP_CIPHER_CTX_new();
	if (!sn->ip_ids || EVP_EncryptInit_ex(sn->ip_ids, EVP_aes_128_ctr(), NULL, key, iv) != 1)
		return -1;
	ns3c_ip_id_source(node, ip_id_bytes, sn->ip_ids);
	return 0;
}

void sim_ip_id_free(struct sim_node *sn)
{
	EVP_CIPHER_CTX_free(sn->ip_ids);
	sn->ip_ids = NULL;
}
