/* `ipsec-sim check` on its own, for tests: scenario_check_cli check FILE... */
#include "commands.h"

int main(int argc, char **argv)
{
	return cmd_check(argc - 1, argv + 1);
}
