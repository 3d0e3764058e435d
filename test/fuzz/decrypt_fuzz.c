/* libFuzzer target for the capture reader of `ipsec-sim decrypt`
 * (helper/sim/decrypt_capture.c): the input is a pcap file, read by libpcap
 * from memory; its frames go through decrypt_capture() with the SAs of
 * test/fuzz/decrypt.esp_sa (an AES-GCM and an AES-CBC/HMAC SA over IPv4,
 * the same over IPv6, the latter for any address), in auto mode (tunnel,
 * then transport), the output to /dev/null.  Built by
 * test/fuzz/CMakeLists.txt. */
#define _DEFAULT_SOURCE
#include "decrypt_capture.h"

#include <stdio.h>
#include <stdlib.h>

#define ESP_SA_TABLE IPSEC_FUZZ_DIR "/decrypt.esp_sa"

static struct decryptor *dec;
static pcap_t *dead;
static pcap_dumper_t *out;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct esp_sa_list sas;

	(void)argc;
	(void)argv;
	if (esp_sa_file_load(ESP_SA_TABLE, &sas, stderr) || sas.n != 4 ||
	    !(dec = decryptor_new(&sas, ESP_SA_TABLE, MODE_AUTO)) ||
	    !(dead = pcap_open_dead(DLT_RAW, 65535)) || !(out = pcap_dump_open(dead, "/dev/null")))
		abort();
	esp_sa_list_free(&sas);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *f = fmemopen((void *)data, size, "rb");
	pcap_t *in;

	if (!f)
		return 0;
	in = pcap_fopen_offline(f, errbuf); /* pcap_close() closes f */
	if (!in) {
		fclose(f);
		return 0;
	}
	if (decrypt_link_supported(pcap_datalink(in)))
		decrypt_capture(dec, in, out);
	pcap_close(in);
	return 0;
}
