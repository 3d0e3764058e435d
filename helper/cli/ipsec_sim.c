/* ipsec-sim: run, check and decrypt IPsec simulations (README.md). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "commands.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
        {"run", cmd_run, "run SCENARIO [--seed N] [--out DIR] [--set key=value]... [--no-pcap]"},
        {"check", cmd_check, "check SCENARIO [--set key=value]...   validate only"},
        {"sweep", cmd_sweep,
         "sweep SCENARIO [--replications N] [--vary key=v1,v2,... [--with key=v1,v2,...]...]...\n"
         "                  [--jobs N] [--out DIR] [--seed N] [--set key=value]... [--pcap]\n"
         "                  replications and sweeps\n"
         "                  [--slurm [--slurm-dir DIR] [--partition P] [--time T] [--submit]]"},
        {"report", cmd_report,
         "report DB [--out DIR] [--baseline CONFIG]   means with 95 % confidence intervals,"
         " paired differences, plots (gnuplot)"},
        {"merge", cmd_merge,
         "merge OUT.sqlite IN.sqlite...   append the runs of metrics databases"},
        {"peer", cmd_peer,
         "peer SCENARIO --node NAME [--duration T] [--keys DIR] [--at T ACTION]...\n"
         "                  [--set key=value]...   one node's IKE over real UDP sockets"},
        {"calibrate", cmd_calibrate,
         "calibrate [--out FILE] [--name NAME] [--time SECONDS]   measure this host's crypto,"
         " write a crypto engine profile"},
        {"generate", cmd_generate,
         "generate hub-and-spoke --spokes N [--duration T] [--rekey T] [--traffic TYPE]\n"
         "                  [--rate PPS] [--size B] [--jitter T] [--jitter-seed N]\n"
         "                  [--crypto-engine PROFILE] [--out FILE]"},
        {"decrypt", cmd_decrypt,
         "decrypt --esp-sa FILE IN.pcap OUT.pcap [--mode auto|tunnel|transport]"},
        {"sweep-task", cmd_sweep_task, NULL},
        {"sweep-merge", cmd_sweep_merge, NULL},
};

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		/* what produced a result: the runs table stores the same */
		printf("ipsec-sim %s (ns-3.37, %s, SQLite %s)\n", IPSEC_SIM_VERSION,
		       OpenSSL_version(OPENSSL_VERSION), sqlite3_libversion());
		return 0;
	}
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (!strcmp(argv[1], commands[i].name))
				return commands[i].fn(argc - 1, argv + 1);
		if (strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
			fprintf(stderr, "ipsec-sim: unknown command '%s'\n", argv[1]);
	}
	fprintf(stderr, "usage:\n  ipsec-sim --version\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (commands[i].help)
			fprintf(stderr, "  ipsec-sim %s\n", commands[i].help);
	return 2;
}
