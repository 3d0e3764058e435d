/* libFuzzer target for the reader of Wireshark's esp_sa table
 * (helper/sim/esp_sa_file.c, used by `ipsec-sim decrypt`): the input is the
 * table's text; every SA it yields must be one the engine accepts (or
 * the same SA again).  Built
 * by test/fuzz/CMakeLists.txt. */
#include "esp_sa_file.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct esp_sa_list l;
	struct ipsec *e;
	char err[256];

	if (esp_sa_parse_text("esp_sa", (const char *)data, size, &l, NULL) == 0) {
		e = ipsec_new(&(struct ipsec_host_ops){0}, NULL);
		for (size_t i = 0; e && i < l.n; i++) {
			struct ipsec_sa_config c =
			        esp_sa_entry_config(&l.items[i], IPSEC_MODE_TUNNEL);
			if (ipsec_sa_add(e, &c, NULL, err, sizeof(err)) &&
			    !strstr(err, "already exists")) /* a line repeated */
				abort();
		}
		ipsec_free(e);
	}
	esp_sa_list_free(&l);
	return 0;
}
