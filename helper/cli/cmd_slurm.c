/* The hidden commands the batch scripts of `sweep --slurm` run:
 *   ipsec-sim sweep-task PLAN TASK_ID   one run of the plan
 *   ipsec-sim sweep-merge PLAN          the merge step */
#include <stdio.h>

#include "commands.h"
#include "slurm.h"

int cmd_sweep_task(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ipsec-sim sweep-task PLAN TASK_ID\n");
		return 2;
	}
	return slurm_task(argv[1], argv[2]);
}

int cmd_sweep_merge(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ipsec-sim sweep-merge PLAN\n");
		return 2;
	}
	return slurm_merge(argv[1]);
}
