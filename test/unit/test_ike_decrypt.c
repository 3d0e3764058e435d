/* Independent check of a whole negotiation: the IKE messages of two
 * establishments (AES-GCM-128 and AES-CBC-256 + HMAC-SHA2-512; the second
 * UDP-encapsulated on port 4500 with the non-ESP marker) go into a pcap,
 * the IKE_EV_IKE_KEYS lines into an ikev2_decryption_table in a temporary
 * HOME, and tshark must decrypt every IKE_AUTH and INFORMATIONAL message,
 * verify its checksum and show the identities and traffic selectors.
 * Then rekeys (RFC 7296 §1.3.2, §1.3.3, §2.18): a Child SA rekey, an IKE SA
 * rekey and a Child SA rekey on the new IKE SA -- with the two keys lines
 * of the IKE SAs, tshark decrypts every CREATE_CHILD_SA and INFORMATIONAL
 * message of both.  With PFS groups in the ESP proposals, IKE_AUTH's SA
 * payload has no D-H transform (§1.2) and CREATE_CHILD_SA's has them.
 * Exits 77 (skip) only when tshark is not installed. */
#include "ike_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpdir[] = "/tmp/ike_decrypt.XXXXXX";

static void test_tshark_decrypts_negotiation(void **state)
{
	(void)state;
	static const struct {
		const char *ike;
		bool encap;
	} runs[] = {{"aes128gcm16-prfsha256-x25519", false},
	            {"aes256-sha512-prfsha512-ecp256", true}};
	static char out[1 << 20];
	char path[700], cmd[1600];
	FILE *pcap, *table;
	uint8_t ghdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	uint32_t usec = 0;
	int encrypted = 0;
	size_t n;

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/.config/wireshark", tmpdir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/.config/wireshark/ikev2_decryption_table", tmpdir);
	table = fopen(path, "w");
	assert_non_null(table);
	snprintf(path, sizeof(path), "%s/ike.pcap", tmpdir);
	pcap = fopen(path, "wb");
	assert_non_null(pcap);
	ghdr[16] = ghdr[17] = 0xff;
	ghdr[20] = 228; /* LINKTYPE_IPV4 */
	assert_int_equal(fwrite(ghdr, 1, 24, pcap), 24);
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		struct ike_harness h;
		struct ike_conn_config a, b;

		h_init(&h);
		h.n[0].rng += (uint32_t)r; /* other SPIs */
		h.record = true;
		h_conn(&h, 0, &a, runs[r].ike, NULL);
		h_conn(&h, 1, &b, runs[r].ike, NULL);
		a.encap = runs[r].encap;
		a.dpd_delay_ns = 10 * H_S;
		a.children[0].start_action = IKE_START_START;
		h_add(&h, 1, &b);
		h_add(&h, 0, &a);
		h_run_for(&h, 12 * H_S); /* IKE_SA_INIT, IKE_AUTH, a DPD exchange */
		assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
		assert_non_null(h_event(&h, 0, IKE_EV_IKE_KEYS, 0)->ev.text);
		fprintf(table, "%s\n", h_event(&h, 0, IKE_EV_IKE_KEYS, 0)->ev.text);
		for (size_t i = 0; i < h.nlog; i++) {
			h_pcap_record(pcap, &h.log[i], usec += 1000);
			encrypted += h.log[i].data[h.log[i].dport == 4500 ? 22 : 18] != IKE_SA_INIT;
		}
		h_free(&h);
	}
	fclose(pcap);
	fclose(table);
	assert_int_equal(encrypted, 8);
	snprintf(cmd, sizeof(cmd),
	         "HOME=%s XDG_CONFIG_HOME=%s/.config tshark -n -o udp.check_checksum:FALSE -r "
	         "%s -V 2>&1",
	         tmpdir, tmpdir, path);
	{
		FILE *p = popen(cmd, "r");

		assert_non_null(p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		assert_int_equal(pclose(p), 0);
	}
	if (strstr(out, "Malformed") || strstr(out, "Expert Info (Error"))
		fail_msg("tshark reports errors:\n%s", out);
	h_expect_count(out, "Exchange type: IKE_AUTH (35)", 4);
	h_expect_count(out, "Exchange type: INFORMATIONAL (37)", 4);
	h_expect_count(out, "Decrypted Data", 8);
	/* Wireshark checks the ICV of both, GCM's tag and CBC's HMAC. */
	h_expect_count(out, "Integrity Checksum Data: ", 8);
	h_expect_count(out, "[correct]", 8);
	h_expect_count(out, "[incorrect", 0);
	h_expect_count(out, "ID_IPV4_ADDR: 192.0.2.1", 2);
	h_expect_count(out, "ID_IPV4_ADDR: 198.51.100.2", 2);
	h_expect_count(out, "Payload: Authentication (39)", 4);
	h_expect_count(out, "Starting Addr: 10.2.0.0", 4);
	h_expect_count(out, "Ending Addr: 10.1.255.255", 4);
	h_expect_count(out, "Notify Message Type: NAT_DETECTION_SOURCE_IP (16388)", 4);
	/* The encapsulated run: UDP 4500 with the non-ESP marker. */
	h_expect_count(out, "Non-ESP Marker", 4);
	if (h_occurrences(out, "Src Port: 4500") < 4)
		fail_msg("no IKE on port 4500:\n%s", out);
}

/* Node 0's IKE keys into DIR's ikev2_decryption_table, the harness's
 * datagrams into DIR/NAME.pcap, and tshark's -V output of the packets
 * matching `filter` (NULL: all) into out; how many were encrypted. */
static int tshark_of(const struct ike_harness *h, const char *dir, const char *name,
                     const char *filter, char *out, size_t outlen)
{
	char path[300], cmd[1200];
	FILE *pcap, *table, *p;
	uint8_t ghdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	const struct hev *e;
	int encrypted = 0;
	size_t n;

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/.config/wireshark", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/.config/wireshark/ikev2_decryption_table", dir);
	table = fopen(path, "w");
	assert_non_null(table);
	for (int k = 0; (e = h_event(h, 0, IKE_EV_IKE_KEYS, k)); k++)
		fprintf(table, "%s\n", e->ev.text);
	fclose(table);
	snprintf(path, sizeof(path), "%s/%s.pcap", dir, name);
	pcap = fopen(path, "wb");
	assert_non_null(pcap);
	ghdr[16] = ghdr[17] = 0xff;
	ghdr[20] = 228; /* LINKTYPE_IPV4 */
	assert_int_equal(fwrite(ghdr, 1, 24, pcap), 24);
	for (size_t i = 0; i < h->nlog; i++) {
		h_pcap_record(pcap, &h->log[i], (uint32_t)(1000 * (i + 1)));
		encrypted += h->log[i].data[18] != IKE_SA_INIT;
	}
	fclose(pcap);
	snprintf(cmd, sizeof(cmd),
	         "HOME=%s XDG_CONFIG_HOME=%s/.config tshark -n -o udp.check_checksum:FALSE -r "
	         "%s %s%s%s -V 2>&1",
	         dir, dir, path, filter ? "-Y '" : "", filter ? filter : "", filter ? "'" : "");
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	if (strstr(out, "Malformed") || strstr(out, "Expert Info (Error"))
		fail_msg("tshark reports errors:\n%s", out);
	return encrypted;
}

/* A child between the two nodes (ESP proposals `esp`, NULL: the
 * default), every datagram recorded; after 1 s. */
static void start_recorded(struct ike_harness *h, struct ike_conn_config *a,
                           struct ike_conn_config *b, const char *esp)
{
	h_init(h);
	h->record = true;
	h_conn(h, 0, a, "aes128gcm16-prfsha256-x25519", esp);
	h_conn(h, 1, b, "aes128gcm16-prfsha256-x25519", esp);
	a->children[0].start_action = IKE_START_START;
	h_add(h, 1, b);
	h_add(h, 0, a);
	h_run_for(h, 1 * H_S);
}

static void test_tshark_decrypts_rekeys(void **state)
{
	(void)state;
	static char out[1 << 20];
	char dir[200];
	struct ike_harness h;
	struct ike_conn_config a, b;
	int encrypted;

	snprintf(dir, sizeof(dir), "%s/rekey", tmpdir);
	start_recorded(&h, &a, &b, NULL);
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(ike_rekey(h.n[1].ike, "gw", NULL, false), 0);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	h_run_for(&h, 1 * H_S);
	h_assert_settled(&h, 1);
	assert_int_equal(h_count(&h, 0, IKE_EV_IKE_KEYS), 2);
	encrypted = tshark_of(&h, dir, "rekey", NULL, out, sizeof(out));
	h_free(&h);
	/* three CREATE_CHILD_SA exchanges, three DELETEs (two Child SAs, the
	 * old IKE SA), IKE_AUTH */
	h_expect_count(out, "Exchange type: CREATE_CHILD_SA (36)", 6);
	h_expect_count(out, "Exchange type: INFORMATIONAL (37)", 6);
	assert_int_equal(encrypted, 14);
	h_expect_count(out, "Decrypted Data", encrypted);
	h_expect_count(out, "[correct]", encrypted);
	h_expect_count(out, "[incorrect", 0);
	h_expect_count(out, "Notify Message Type: REKEY_SA (16393)", 2);
	h_expect_count(out, "Payload: Key Exchange (34)", 4); /* IKE_SA_INIT and the IKE rekey */
	/* IKE_SA_INIT's and the IKE rekey's proposals, the DELETE */
	h_expect_count(out, "Protocol ID: IKE (1)", 5);
}

/* RFC 7296 §1.2: with a D-H group in the ESP proposals (PFS), the IKE_AUTH
 * request's SA payload carries no D-H transform (and two proposals that
 * differ only in it become one); the CREATE_CHILD_SA that rekeys the child
 * offers the group and a KE payload. */
static void test_tshark_ike_auth_without_dh(void **state)
{
	(void)state;
	static char out[1 << 20];
	static const char *const dh = "Transform Type: Diffie-Hellman Group (D-H) (4)";
	const char *esp = "aes256gcm16-x25519, aes256gcm16-ecp256";
	char dir[200];
	struct ike_harness h;
	struct ike_conn_config a, b;

	snprintf(dir, sizeof(dir), "%s/pfs", tmpdir);
	start_recorded(&h, &a, &b, esp);
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	h_run_for(&h, 1 * H_S);
	h_assert_settled(&h, 1);
	tshark_of(&h, dir, "auth", "isakmp.exchangetype == 35", out, sizeof(out));
	h_expect_count(out, "Exchange type: IKE_AUTH (35)", 2);
	h_expect_count(out, "Protocol ID: ESP (3)", 2); /* one proposal each way */
	h_expect_count(out, "Transform ID (ENCR): AES-GCM with a 16 octet ICV (20)", 2);
	h_expect_count(out, dh, 0);
	tshark_of(&h, dir, "rekey", "isakmp.exchangetype == 36", out, sizeof(out));
	h_free(&h);
	h_expect_count(out, "Exchange type: CREATE_CHILD_SA (36)", 2);
	h_expect_count(out, "Payload: Key Exchange (34)", 2);
	h_expect_count(out, dh, 3); /* offered: x25519, ecp256; chosen: x25519 */
}

/* RFC 7383: IKE_AUTH in fragments both ways (fragment_size 200, AES-GCM
 * and AES-CBC + HMAC); tshark puts each message together from its
 * Encrypted Fragment payloads and decrypts it whole, with every
 * fragment's ICV correct. */
static void test_tshark_reassembles_fragments(void **state)
{
	(void)state;
	static const char *const suites[] = {"aes128gcm16-prfsha256-x25519",
	                                     "aes256-sha512-prfsha512-ecp256"};
	static char out[1 << 20];
	char dir[200];

	for (size_t s = 0; s < 2; s++) {
		struct ike_harness h;
		struct ike_conn_config a, b;
		int frags = 0;

		snprintf(dir, sizeof(dir), "%s/frag%zu", tmpdir, s);
		h_init(&h);
		h.record = true;
		h_conn(&h, 0, &a, suites[s], NULL);
		h_conn(&h, 1, &b, suites[s], NULL);
		a.children[0].start_action = IKE_START_START;
		a.fragment_size = b.fragment_size = 200;
		h_add(&h, 1, &b);
		h_add(&h, 0, &a);
		h_run_for(&h, 1 * H_S);
		h_assert_settled(&h, 1);
		for (size_t i = 0; i < h.nlog; i++)
			frags += h.log[i].data[16] == IKE_PL_SKF;
		tshark_of(&h, dir, "frag", NULL, out, sizeof(out));
		h_free(&h);
		assert_true(frags >= 4); /* both messages in at least two (5 and 7) */
		h_expect_count(out, "Notify Message Type: IKEV2_FRAGMENTATION_SUPPORTED (16430)",
		               2);
		h_expect_count(out, "Payload: Encrypted and Authenticated Fragment (53)", frags);
		h_expect_count(out, "[correct]", frags); /* each fragment's ICV */
		h_expect_count(out, "[incorrect", 0);
		h_expect_count(out, "[Reassembled ISAKMP length: ", 2);
		/* the inner payloads of the reassembled request and response */
		h_expect_count(out, "ID_IPV4_ADDR: 192.0.2.1", 1);
		h_expect_count(out, "ID_IPV4_ADDR: 198.51.100.2", 1);
		h_expect_count(out, "Payload: Authentication (39)", 2);
		h_expect_count(out, "Starting Addr: 10.2.0.0", 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tshark_decrypts_negotiation),
	        cmocka_unit_test(test_tshark_decrypts_rekeys),
	        cmocka_unit_test(test_tshark_ike_auth_without_dh),
	        cmocka_unit_test(test_tshark_reassembles_fragments),
	};

	return tshark_test_main("ike_decrypt", tests, sizeof(tests) / sizeof(tests[0]), tmpdir);
}
