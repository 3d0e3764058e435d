/* The ipsec-sim subcommands.  Each takes the arguments after the program
 * name (argv[0] is the subcommand's name) and returns the exit status. */
#ifndef COMMANDS_H
#define COMMANDS_H

int cmd_check(int, char **);
int cmd_run(int, char **);
int cmd_decrypt(int, char **);
int cmd_merge(int, char **);
int cmd_sweep(int, char **);
int cmd_report(int, char **);
int cmd_peer(int, char **);
int cmd_generate(int, char **);
int cmd_calibrate(int, char **);
/* run by the batch scripts of `sweep --slurm` (not listed in the usage) */
int cmd_sweep_task(int, char **);
int cmd_sweep_merge(int, char **);

#endif
